using TorchSharp.PyBridge;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Loads a state dict saved by PyTorch (<c>torch.save(model.state_dict(), path)</c>) into a TorchSharp module through
/// TorchSharp.PyBridge, and fails naming every missing, unexpected or short key.
/// </summary>
static class PyTorchStateDict
{
    /// <summary>
    /// Copies the file's tensors into <paramref name="module"/>. Keys for which <paramref name="mayBeMissing"/> holds
    /// may be absent from the file (they keep their values); any other difference is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read or copied, or its keys or sizes differ from the module's.</exception>
    public static void LoadInto(Module module, string path, Func<string, bool> mayBeMissing)
    {
        // Sentinel: TorchSharp copies a file tensor with fewer elements than the module's into its first elements
        // without an error (seen with TorchSharp 0.107 + PyBridge 1.4.4), so NaN left behind marks a short tensor.
        FillFloatingWithNaN(module);
        var loaded = new Dictionary<string, bool>(); // file key -> true when the module has it
        try
        {
            // Non-strict, so that all differences are collected and reported together below.
            module.load_py(path, strict: false, loadedParameters: loaded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PyBridge reports a legacy file (written by PyTorch < 1.6) as NotImplementedException; a file tensor
            // larger than the module's fails in the copy.
            throw new InvalidDataException(
                $"'{path}' could not be loaded as a PyTorch state dict into {module.GetName()}: {e.Message} Files written by PyTorch " +
                "older than 1.6 use a legacy format that TorchSharp.PyBridge does not read; re-save such a file once with PyTorch >= 1.6: " +
                $"python -c \"import torch; torch.save(torch.load('{Path.GetFileName(path)}'), 'resaved.pth')\".", e);
        }
        ThrowOnDifferences(module, path, loaded, mayBeMissing);
    }

    static void FillFloatingWithNaN(Module module)
    {
        using var noGrad = no_grad();
        foreach (var tensor in module.state_dict().Values.Where(t => t.is_floating_point()))
            tensor.fill_(double.NaN);
    }

    static void ThrowOnDifferences(Module module, string path, Dictionary<string, bool> loaded, Func<string, bool> mayBeMissing)
    {
        var state = module.state_dict();
        var missing = state.Keys.Where(k => !loaded.ContainsKey(k) && !mayBeMissing(k)).ToList();
        var unexpected = loaded.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        var shortKeys = state.Where(kv => loaded.GetValueOrDefault(kv.Key) && kv.Value.is_floating_point() && kv.Value.isnan().any().item<bool>())
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")
            .ToList();
        if (missing.Count + unexpected.Count + shortKeys.Count == 0) return;
        throw new InvalidDataException(
            $"'{path}' does not match {module.GetName()}: {missing.Count} missing key(s) [{string.Join(", ", missing)}]; " +
            $"{unexpected.Count} unexpected key(s) [{string.Join(", ", unexpected)}]; " +
            $"{shortKeys.Count} key(s) with fewer elements than the module's shape (or NaN values) [{string.Join(", ", shortKeys)}].");
    }
}
