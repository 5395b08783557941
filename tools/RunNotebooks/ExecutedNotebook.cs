using System.Text.Json.Nodes;

namespace SoftDiffusion.Tools;

/// <summary>One cell of an executed notebook: its kind, source and outputs.</summary>
/// <param name="Index">Its index in the notebook (0-based).</param>
/// <param name="Kind">"markdown" or "code" (or "raw").</param>
/// <param name="Source">Its text.</param>
/// <param name="Outputs">Its outputs, in order (none for markdown).</param>
public sealed record NotebookCell(int Index, string Kind, string Source, IReadOnlyList<NotebookOutput> Outputs);

/// <summary>Reads an executed .ipynb (nbformat 4, as dotnet-repl writes it) into cells and outputs.</summary>
public static class ExecutedNotebook
{
    /// <summary>The cells of <paramref name="path"/>.</summary>
    public static IReadOnlyList<NotebookCell> Cells(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))
            ?? throw new InvalidDataException($"Expected a notebook (a JSON object) in {path}, found 'null'.");
        var cells = root["cells"] as JsonArray
            ?? throw new InvalidDataException($"Expected a 'cells' array in {path}; it has: {string.Join(", ", root.AsObject().Select(p => p.Key))}.");
        return cells.Select((cell, i) => new NotebookCell(
            i,
            (string?)cell?["cell_type"] ?? "",
            NotebookRunner.Text(cell?["source"]),
            (cell?["outputs"] as JsonArray ?? []).Select((o, j) => Output(i, j, o)).ToList())).ToList();
    }

    /// <summary>Every output of <paramref name="path"/>, cell by cell.</summary>
    public static IReadOnlyList<NotebookOutput> Outputs(string path) => Cells(path).SelectMany(c => c.Outputs).ToList();

    static NotebookOutput Output(int cell, int index, JsonNode? output)
    {
        string type = (string?)output?["output_type"] ?? "";
        var data = (output?["data"] as JsonObject ?? []).ToDictionary(p => p.Key, p => NotebookRunner.Text(p.Value));
        string text = type == "error"
            ? $"{output?["ename"]}: {output?["evalue"]}\n{string.Join("\n", (output?["traceback"] as JsonArray ?? []).Select(t => (string?)t))}"
            : NotebookRunner.Text(output?["text"]);
        return new NotebookOutput(cell, index, type, data, text);
    }
}
