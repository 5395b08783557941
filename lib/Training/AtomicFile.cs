namespace SoftDiffusion.Training;

/// <summary>Writes a file so that readers see either the old or the complete new content, never a partial file:
/// write to a temporary file beside it, flush to disk, then rename over the target (optionally keeping the old
/// content under a second name).</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; if it throws (e.g. the disk is full),
    /// the previous file is left as it was and the temporary file is removed.</summary>
    /// <param name="path">The file to (re)write.</param>
    /// <param name="write">Writes the complete new content to the stream it is given.</param>
    /// <param name="keepPreviousAs">When set and <paramref name="path"/> exists, its old content becomes this file
    /// (replacing what was there) in the same step that installs the new content: <see cref="File.Replace(string, string, string?)"/>,
    /// which on Unix hard-links the old file to this name and then renames the new one over it, so
    /// <paramref name="path"/> always exists. Null: the old content is dropped.</param>
    public static void Write(string path, Action<Stream> write, string? keepPreviousAs = null)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (keepPreviousAs is not null && File.Exists(path)) File.Replace(temporary, path, keepPreviousAs, ignoreMetadataErrors: true);
            else File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
