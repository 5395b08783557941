using System.Buffers.Binary;
using System.Text;
using SoftDiffusion.Runtime;

namespace SoftDiffusion.Tests.Runtime;

public class ElfVersionPatcherTests
{
    /// <summary>
    /// Builds a minimal ELF64 little-endian image with a section table holding a string table and one
    /// SHT_GNU_verneed section: libstdc++.so.6 needs GLIBCXX_3.4.19 and GLIBCXX_3.4.32, libc.so.6 needs GLIBC_2.2.5.
    /// </summary>
    static byte[] BuildElf(ushort anchorFlags = 0)
    {
        var strings = new MemoryStream();
        int Str(string s) { int at = (int)strings.Length; strings.Write(Encoding.ASCII.GetBytes(s + "\0")); return at; }
        Str("");
        int libstdcxx = Str("libstdc++.so.6"), libc = Str("libc.so.6");
        int v19 = Str("GLIBCXX_3.4.19"), v32 = Str("GLIBCXX_3.4.32"), glibc = Str("GLIBC_2.2.5");
        byte[] strtab = strings.ToArray();

        // Verneed: [entry libstdc++ (2 aux)] [aux 19] [aux 32] [entry libc (1 aux)] [aux glibc]
        var verneed = new byte[16 + 16 + 16 + 16 + 16];
        void Entry(int at, int count, int file, int aux, int next)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(verneed.AsSpan(at), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(verneed.AsSpan(at + 2), (ushort)count);
            BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(at + 4), (uint)file);
            BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(at + 8), (uint)aux);
            BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(at + 12), (uint)next);
        }
        void Aux(int at, ushort flags, int name, int next)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(verneed.AsSpan(at + 4), flags);
            BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(at + 8), (uint)name);
            BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(at + 12), (uint)next);
        }
        Entry(0, 2, libstdcxx, aux: 16, next: 48);
        Aux(16, 0, v19, next: 16);
        Aux(32, anchorFlags, v32, next: 0);
        Entry(48, 1, libc, aux: 16, next: 0);
        Aux(64, 0, glibc, next: 0);

        int strOffset = 64, verOffset = strOffset + strtab.Length, shoff = verOffset + verneed.Length;
        var elf = new byte[shoff + 3 * 64];
        elf[0] = 0x7f; elf[1] = (byte)'E'; elf[2] = (byte)'L'; elf[3] = (byte)'F'; elf[4] = 2; elf[5] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(0x28), shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), 3);
        strtab.CopyTo(elf, strOffset);
        verneed.CopyTo(elf, verOffset);
        void Section(int index, uint type, long offset, long size, uint link, uint info)
        {
            var sh = elf.AsSpan(shoff + index * 64);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[4..], type);
            BinaryPrimitives.WriteInt64LittleEndian(sh[0x18..], offset);
            BinaryPrimitives.WriteInt64LittleEndian(sh[0x20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x28..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x2C..], info);
        }
        Section(1, 3, strOffset, strtab.Length, 0, 0);                     // SHT_STRTAB
        Section(2, 0x6ffffffe, verOffset, verneed.Length, link: 1, info: 2); // SHT_GNU_verneed, 2 entries
        return elf;
    }

    [Fact]
    public void ReadsEveryRequirementWithItsLibrary()
    {
        var needs = ElfVersionPatcher.ReadVersionNeeds(BuildElf());
        Assert.Equal(
            new[] { ("libstdc++.so.6", "GLIBCXX_3.4.19"), ("libstdc++.so.6", "GLIBCXX_3.4.32"), ("libc.so.6", "GLIBC_2.2.5") },
            needs.Select(n => (n.File, n.Version)));
        Assert.All(needs, n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void SetsExactlyTheWeakBitOfTheAnchorVersion()
    {
        byte[] original = BuildElf();
        byte[] patched = (byte[])original.Clone();

        Assert.True(ElfVersionPatcher.MarkWeak(patched, ElfVersionPatcher.AnchorVersion));

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        long flagsOffset = ElfVersionPatcher.ReadVersionNeeds(original).Single(n => n.Version == "GLIBCXX_3.4.32").FlagsOffset;
        Assert.Equal(new[] { (int)flagsOffset }, changed);
        Assert.Equal(0x2, patched[flagsOffset] ^ original[flagsOffset]);
        var needs = ElfVersionPatcher.ReadVersionNeeds(patched);
        Assert.True(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(needs.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void IsIdempotentAndKeepsOtherFlags()
    {
        byte[] elf = BuildElf(anchorFlags: 0x1);   // VER_FLG_BASE already set: must survive
        Assert.True(ElfVersionPatcher.MarkWeak(elf, ElfVersionPatcher.AnchorVersion));
        byte[] once = (byte[])elf.Clone();
        Assert.False(ElfVersionPatcher.MarkWeak(elf, ElfVersionPatcher.AnchorVersion));
        Assert.Equal(once, elf);
        Assert.Equal(0x3, ElfVersionPatcher.ReadVersionNeeds(elf).Single(n => n.Version == "GLIBCXX_3.4.32").Flags);
    }

    [Fact]
    public void PatchesOneFileFromManyThreadsAtOnce()
    {
        // Two programs started together on a fresh build both find the bridge unpatched; each must patch and rename
        // without tripping over the other's temporary file (a shared temporary name made the second rename fail).
        byte[] expected = BuildElf();
        ElfVersionPatcher.MarkWeak(expected, ElfVersionPatcher.AnchorVersion);
        string folder = Directory.CreateTempSubdirectory("elf-race-").FullName;
        try
        {
            for (int round = 0; round < 20; round++)
            {
                string path = Path.Combine(folder, $"bridge{round}.so");
                File.WriteAllBytes(path, BuildElf());
                using var start = new Barrier(8);
                var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
                var patchers = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
                {
                    start.SignalAndWait();
                    try { ElfVersionPatcher.MarkWeakInFile(path, ElfVersionPatcher.AnchorVersion); }
                    catch (Exception e) { failures.Enqueue(e); }
                })).ToArray();
                foreach (var patcher in patchers) patcher.Start();
                foreach (var patcher in patchers) patcher.Join();
                Assert.Empty(failures);
                Assert.Equal(expected, File.ReadAllBytes(path));
            }
            Assert.Empty(Directory.GetFiles(folder, "*.patching"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void LeavesAFileWithoutTheRequirementUntouched()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] elf = BuildElf();
            ElfVersionPatcher.MarkWeak(elf, ElfVersionPatcher.AnchorVersion);
            File.WriteAllBytes(path, elf);
            var before = File.GetLastWriteTimeUtc(path);
            Assert.False(ElfVersionPatcher.MarkWeakInFile(path, ElfVersionPatcher.AnchorVersion));
            Assert.False(ElfVersionPatcher.MarkWeakInFile(path, "GLIBCXX_9.9.99"));
            Assert.Equal(elf, File.ReadAllBytes(path));
            Assert.Equal(before, File.GetLastWriteTimeUtc(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RejectsNonElfAndTruncatedImagesWithTheReason()
    {
        var notElf = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(new byte[100], "x.so"));
        Assert.Contains("x.so", notElf.Message);
        Assert.Contains("magic", notElf.Message);

        byte[] truncated = BuildElf()[..^70];
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(truncated, "y.so"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TheLoadedTorchSharpBridgeNoLongerHardRequiresTheAnchorVersion()
    {
        TorchNatives.EnsureLoaded();
        string bridge = Path.Combine(TorchNatives.LoadedFrom!, "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux()) return; // the fix is Linux-only; other platforms load unpatched
        var anchor = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(bridge), bridge)
            .Where(n => n.Version == ElfVersionPatcher.AnchorVersion).ToList();
        // TorchSharp 0.107's bridge requires the version exactly once, from libstdc++; once loaded here it is weak
        // unless the system provides the version (then it is left as shipped).
        Assert.Equal("libstdc++.so.6", Assert.Single(anchor).File);
        Assert.Equal(!SystemLibStdCxx.Provides(ElfVersionPatcher.AnchorVersion), anchor[0].IsWeak);
    }
}
