namespace SoftDiffusion.Training;

/// <summary>Writes a file so that readers see either the old or the complete new content, never a partial file:
/// write to a temporary file beside it, flush, then rename over the target.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; if it throws, the previous file is
    /// left as it was and the temporary file is removed.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
