using System.Security.Cryptography;

namespace SoftDiffusion.Training;

/// <summary>A write-only stream that passes every byte on to an inner stream and hashes it with SHA-256 on the way,
/// so a checkpoint's checksum is computed in the same pass that writes it (<see cref="Checkpoint"/>).</summary>
sealed class ChecksumWriteStream(Stream inner) : Stream
{
    /// <summary>Bytes of a SHA-256 digest.</summary>
    public const int DigestLength = 32;

    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long written;

    /// <summary>The SHA-256 of everything written so far (the hash is reset afterwards).</summary>
    public byte[] Digest() => hash.GetHashAndReset();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;
    public override long Position { get => written; set => throw new NotSupportedException("A checksummed checkpoint is written front to back."); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        hash.AppendData(buffer);
        written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) hash.Dispose();
        base.Dispose(disposing);
    }
}
