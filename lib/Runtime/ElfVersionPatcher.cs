using System.Buffers.Binary;
using System.Text;

namespace SoftDiffusion.Runtime;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared library as weak (VER_FLG_WEAK) in its
/// <c>.gnu.version_r</c> section, so the dynamic loader only warns when that version is missing.
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> (GCC 13) for a single iostream link
/// anchor it never calls; Debian 12 / Ubuntu 22.04 ship GCC 12's libstdc++ and refuse to load it (see environment.md).
/// </summary>
public static class ElfVersionPatcher
{
    /// <summary>The version TorchSharp 0.107 requires without using it.</summary>
    public const string AnchorVersion = "GLIBCXX_3.4.32";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>One version requirement (a Vernaux record) of a shared library.</summary>
    /// <param name="File">The library that provides the version, e.g. libstdc++.so.6.</param>
    /// <param name="Version">The version name, e.g. GLIBCXX_3.4.32.</param>
    /// <param name="Flags">vna_flags (0x2 = weak).</param>
    /// <param name="FlagsOffset">File offset of the two-byte vna_flags field.</param>
    public sealed record VersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>True when the loader treats a missing version as a warning.</summary>
        public bool IsWeak => (Flags & VerFlgWeak) != 0;
    }

    /// <summary>Lists every version requirement of an ELF64 little-endian image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ELF64 little-endian file or the section is malformed.</exception>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf, string name = "image")
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{name}: expected an ELF file (magic 7f 45 4c 46), got {elf.Length} bytes that are not ELF.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{name}: expected ELF64 little-endian (class 2, data 1), got class {elf[4]}, data {elf[5]}.");

        long shoff = ReadI64(elf, 0x28, name);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        var needs = new List<VersionNeed>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = Slice(elf, shoff + (long)i * shentsize, 64, name);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long offset = BinaryPrimitives.ReadInt64LittleEndian(sh[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            var strtab = Slice(elf, shoff + (long)link * shentsize, 64, name);
            long strOffset = BinaryPrimitives.ReadInt64LittleEndian(strtab[0x18..]);
            ReadVerneed(elf, offset, count, strOffset, name, needs);
        }
        return needs;
    }

    // Walks the Verneed chain (vn_version, vn_cnt, vn_file, vn_aux, vn_next) and each entry's Vernaux chain
    // (vna_hash, vna_flags, vna_other, vna_name, vna_next).
    static void ReadVerneed(ReadOnlySpan<byte> elf, long offset, int count, long strOffset, string name, List<VersionNeed> needs)
    {
        long vn = offset;
        for (int e = 0; e < count; e++)
        {
            var entry = Slice(elf, vn, 16, name);
            int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
            string file = ReadString(elf, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]), name);
            long aux = vn + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            for (int a = 0; a < auxCount; a++)
            {
                var record = Slice(elf, aux, 16, name);
                ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
                string version = ReadString(elf, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(record[8..]), name);
                needs.Add(new VersionNeed(file, version, flags, aux + 4));
                aux += BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
            }
            vn += BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
        }
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>, in memory.
    /// Returns true when a byte changed; false when the requirement is absent or already weak (idempotent).
    /// </summary>
    public static bool MarkWeak(Span<byte> elf, string version, string name = "image")
    {
        bool changed = false;
        foreach (var need in ReadVersionNeeds(elf, name))
        {
            if (need.Version != version || need.IsWeak) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)need.FlagsOffset..], (ushort)(need.Flags | VerFlgWeak));
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// Patches the file in place when it needs it: writes a temporary copy and renames it over the original,
    /// so a reader never sees a half-written library. The temporary name is this process's and thread's own: two
    /// programs started at once on a fresh build both patch the file, and both renames succeed with the same bytes.
    /// Returns true when the file was rewritten.
    /// </summary>
    public static bool MarkWeakInFile(string path, string version)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (!MarkWeak(bytes, version, path)) return false;
        string temp = $"{path}.{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.patching";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long offset, int length, string name)
    {
        if (offset < 0 || offset + length > elf.Length)
            throw new InvalidDataException($"{name}: ELF structure points to bytes {offset}..{offset + length} beyond the file's {elf.Length} bytes (truncated or corrupt).");
        return elf.Slice((int)offset, length);
    }

    static long ReadI64(ReadOnlySpan<byte> elf, int offset, string name) => BinaryPrimitives.ReadInt64LittleEndian(Slice(elf, offset, 8, name));

    static string ReadString(ReadOnlySpan<byte> elf, long offset, string name)
    {
        Slice(elf, offset, 1, name);
        int end = elf[(int)offset..].IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"{name}: unterminated string at offset {offset}.");
        return Encoding.ASCII.GetString(elf.Slice((int)offset, end));
    }
}
