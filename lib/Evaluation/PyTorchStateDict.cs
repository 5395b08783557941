using TorchSharp.PyBridge;
using static TorchSharp.torch.nn;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// Loads a state dict saved by PyTorch (<c>torch.save(model.state_dict(), path)</c>) into a TorchSharp module through
/// TorchSharp.PyBridge, and fails naming every missing and unexpected key.
/// </summary>
static class PyTorchStateDict
{
    /// <summary>
    /// Copies the file's tensors into <paramref name="module"/>. Keys for which <paramref name="mayBeMissing"/> holds
    /// may be absent from the file (they keep their values); any other difference is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read, or its keys differ from the module's.</exception>
    public static void LoadInto(Module module, string path, Func<string, bool> mayBeMissing)
    {
        var loaded = new Dictionary<string, bool>(); // file key -> true when the module has it
        try
        {
            // Non-strict, so that all differences are collected and reported together below.
            module.load_py(path, strict: false, loadedParameters: loaded);
        }
        catch (NotImplementedException e)
        {
            throw new InvalidDataException(
                $"'{path}' could not be read as a PyTorch state dict: {e.Message} Files written by PyTorch older than 1.6 use a legacy " +
                "format that TorchSharp.PyBridge does not read; re-save such a file once with PyTorch >= 1.6: " +
                $"python -c \"import torch; torch.save(torch.load('{Path.GetFileName(path)}'), 'resaved.pth')\".", e);
        }
        var missing = module.state_dict().Keys.Where(k => !loaded.ContainsKey(k) && !mayBeMissing(k)).ToList();
        var unexpected = loaded.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"'{path}' does not match {module.GetName()}: {missing.Count} missing key(s) [{string.Join(", ", missing)}]; " +
                $"{unexpected.Count} unexpected key(s) [{string.Join(", ", unexpected)}].");
    }
}
