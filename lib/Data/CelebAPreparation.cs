using System.Diagnostics;

namespace SoftDiffusion.Data;

/// <summary>
/// Prepares the CelebA-64 cache once (docs/method.md §8.1): every image of a split is decoded, centre-cropped and resized by
/// <see cref="CelebAPreprocessing"/> in parallel, and written in partition-file order to a
/// <see cref="CelebACacheFormat"/> file. Unusable images are named in the result and excluded, never skipped silently;
/// more than <see cref="CelebAPreparationOptions.MaxFailureFraction"/> of them throws. The file is written to a
/// temporary name and renamed, so a cache that exists is complete.
/// </summary>
public static class CelebAPreparation
{
    /// <summary>Prepares <paramref name="split"/> of <paramref name="folder"/> into <paramref name="cachePath"/> (default <see cref="CelebACacheFormat.DefaultPath"/>).</summary>
    /// <param name="folder">The checked CelebA folder (<see cref="CelebAFolder.Open"/>).</param>
    /// <param name="split">The split to prepare.</param>
    /// <param name="cachePath">The cache file to write (replaced if it exists).</param>
    /// <param name="options">Threads, tolerated failures, chunk size.</param>
    /// <param name="progress">Receives the number of images processed so far, after each chunk.</param>
    /// <exception cref="InvalidDataException">More images failed than the options tolerate (no cache is written).</exception>
    public static CelebAPreparationResult Prepare(CelebAFolder folder, CelebASplit split, string? cachePath = null,
        CelebAPreparationOptions? options = null, IProgress<int>? progress = null)
    {
        options ??= new CelebAPreparationOptions();
        if (options.ChunkSize < 1 || options.MaxDegreeOfParallelism < 0 || options.MaxFailureFraction is < 0 or > 1)
            throw new ArgumentException($"Expected ChunkSize >= 1, MaxDegreeOfParallelism >= 0 and MaxFailureFraction in [0, 1], got {options}.", nameof(options));
        string path = Path.GetFullPath(cachePath ?? CelebACacheFormat.DefaultPath(split));
        var names = folder.FileNames(split);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var failures = WriteCache(folder, names, temporary, options, progress);
            CheckFailures(failures, names.Count, options.MaxFailureFraction, split);
            File.Move(temporary, path, overwrite: true);
            return new CelebAPreparationResult(split, path, names.Count, names.Count - failures.Count, failures, clock.Elapsed);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Header, pixels chunk by chunk, names; then the header again with the final count.</summary>
    static List<CelebAImageFailure> WriteCache(CelebAFolder folder, IReadOnlyList<string> names, string path,
        CelebAPreparationOptions options, IProgress<int>? progress)
    {
        var failures = new List<CelebAImageFailure>();
        var written = new List<string>(names.Count);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        CelebACacheFormat.WriteHeader(stream, 0);
        var buffer = new byte[options.ChunkSize * CelebAPreprocessing.ImageBytes];
        for (int start = 0; start < names.Count; start += options.ChunkSize)
        {
            int count = Math.Min(options.ChunkSize, names.Count - start);
            string?[] reasons = DecodeChunk(folder, names, start, count, buffer, options.MaxDegreeOfParallelism);
            for (int i = 0; i < count; i++)
            {
                if (reasons[i] is { } reason) { failures.Add(new(names[start + i], reason)); continue; }
                stream.Write(buffer, i * CelebAPreprocessing.ImageBytes, CelebAPreprocessing.ImageBytes);
                written.Add(names[start + i]);
            }
            progress?.Report(start + count);
        }
        CelebACacheFormat.WriteNames(stream, written);
        CelebACacheFormat.WriteHeader(stream, written.Count);
        return failures;
    }

    /// <summary>Decodes names[start .. start+count) in parallel into consecutive slots of <paramref name="buffer"/>; returns a reason per failed slot.</summary>
    static string?[] DecodeChunk(CelebAFolder folder, IReadOnlyList<string> names, int start, int count, byte[] buffer, int maxDegree)
    {
        var reasons = new string?[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegree > 0 ? maxDegree : Environment.ProcessorCount };
        Parallel.For(0, count, parallel, i =>
        {
            var slot = buffer.AsSpan(i * CelebAPreprocessing.ImageBytes, CelebAPreprocessing.ImageBytes);
            try { reasons[i] = CelebAPreprocessing.TryPreprocess(Path.Combine(folder.ImageFolder, names[start + i]), slot); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { reasons[i] = $"unreadable ({e.Message})"; }
        });
        return reasons;
    }

    /// <summary>Throws when more than <paramref name="maxFraction"/> of the listed images failed, naming the first ten.</summary>
    static void CheckFailures(List<CelebAImageFailure> failures, int listed, double maxFraction, CelebASplit split)
    {
        if (failures.Count <= maxFraction * listed) return;
        string examples = string.Join("; ", failures.Take(10).Select(f => $"{f.FileName}: {f.Reason}"));
        throw new InvalidDataException(
            $"{failures.Count} of {listed} CelebA {split} images are unusable, more than the tolerated {maxFraction:P1} " +
            $"(CelebAPreparationOptions.MaxFailureFraction); no cache was written. First failures: {examples}.");
    }
}
