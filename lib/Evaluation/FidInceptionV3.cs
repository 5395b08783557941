using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// The FID Inception-v3 of pytorch-fid (Heusel et al. 2017; weights "pt_inception-2015-12-05"; docs/method.md §7.2):
/// torchvision's Inception-v3 layout with 1008 classes, no auxiliary head, BatchNorm eps 0.001, average pools that
/// exclude padding in Mixed_5b..5d, 6b..6e and 7b, and a max pool in Mixed_7c's pool branch. The forward pass returns
/// the 2048-d pool3 features. Field names are the PyTorch state-dict keys (data/fid-inception-keys.txt).
/// </summary>
public sealed class FidInceptionV3 : Module<Tensor, Tensor>, IFeatureExtractor
{
    /// <summary>The weights file pytorch-fid publishes.</summary>
    public const string WeightsFileName = "pt_inception-2015-12-05-6726825d.pth";

    /// <summary>Where pytorch-fid publishes <see cref="WeightsFileName"/> (its GitHub releases).</summary>
    public const string WeightsUrl = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + WeightsFileName;

    const int InputSize = 299;
    const int PoolFeatures = 2048;

    readonly InceptionConv Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    readonly InceptionBlockA Mixed_5b, Mixed_5c, Mixed_5d;
    readonly InceptionBlockB Mixed_6a;
    readonly InceptionBlockC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    readonly InceptionBlockD Mixed_7a;
    readonly InceptionBlockE Mixed_7b, Mixed_7c;
    readonly Linear fc; // the 1008-way classifier: part of the weights file, not used for the features

    /// <summary>The network with random weights, in eval mode; <see cref="Load"/> gives the real one.</summary>
    public FidInceptionV3() : base(nameof(FidInceptionV3))
    {
        Conv2d_1a_3x3 = new InceptionConv(3, 32, 3, stride: 2);
        Conv2d_2a_3x3 = new InceptionConv(32, 32, 3);
        Conv2d_2b_3x3 = new InceptionConv(32, 64, 3, padding: 1);
        Conv2d_3b_1x1 = new InceptionConv(64, 80, 1);
        Conv2d_4a_3x3 = new InceptionConv(80, 192, 3);
        Mixed_5b = new InceptionBlockA(192, poolFeatures: 32);
        Mixed_5c = new InceptionBlockA(256, poolFeatures: 64);
        Mixed_5d = new InceptionBlockA(288, poolFeatures: 64);
        Mixed_6a = new InceptionBlockB(288);
        Mixed_6b = new InceptionBlockC(768, channels7x7: 128);
        Mixed_6c = new InceptionBlockC(768, channels7x7: 160);
        Mixed_6d = new InceptionBlockC(768, channels7x7: 160);
        Mixed_6e = new InceptionBlockC(768, channels7x7: 192);
        Mixed_7a = new InceptionBlockD(768);
        Mixed_7b = new InceptionBlockE(1280, InceptionPoolBranch.AverageExcludingPadding);
        Mixed_7c = new InceptionBlockE(2048, InceptionPoolBranch.Max);
        fc = Linear(PoolFeatures, 1008);
        RegisterComponents();
        eval();
    }

    /// <inheritdoc/>
    public string Name => "FID Inception-v3 pool3 (pytorch-fid)";

    /// <inheritdoc/>
    public int Dimension => PoolFeatures;

    /// <summary>
    /// The FID network with pytorch-fid's weights. The file is an input: it cannot be downloaded here.
    /// </summary>
    /// <param name="weightsPath">The user's copy of <see cref="WeightsFileName"/>.</param>
    /// <exception cref="FileNotFoundException">The file is missing; the message says which file and where it is published.</exception>
    /// <exception cref="InvalidDataException">The file is unreadable or its keys differ; every differing key is named.</exception>
    public static FidInceptionV3 Load(string weightsPath)
    {
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException(
                $"The FID Inception weights were not found at '{weightsPath}'. FID needs pytorch-fid's {WeightsFileName}, published in " +
                $"the pytorch-fid project's GitHub releases: {WeightsUrl} . Download it and pass its path.", weightsPath);
        var model = new FidInceptionV3();
        try
        {
            // Whether the released file holds BatchNorm's num_batches_tracked counters is unknown; they do not affect eval mode.
            PyTorchStateDict.LoadInto(model, weightsPath, key => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Images in [0, 1] to the network's input: grey repeated to RGB, bilinear resize to 299 x 299 (align_corners false), 2x - 1.</summary>
    /// <param name="images">Images [N, 1 or 3, H, W] in [0, 1].</param>
    /// <returns>[N, 3, 299, 299] in [-1, 1], float32.</returns>
    public static Tensor Preprocess(Tensor images)
    {
        if (images.dim() != 4 || (images.shape[1] != 1 && images.shape[1] != 3))
            throw new ArgumentException($"Expected images [N, 1 or 3, H, W], got shape [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        var x = images.to(ScalarType.Float32);
        if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1);
        x = functional.interpolate(x, size: [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        return (2 * x - 1).MoveToOuterDisposeScope();
    }

    /// <summary>pool3 features of images in [0, 1] (pytorch-fid's InceptionV3 with output block 3).</summary>
    /// <param name="images">Images [N, 1 or 3, H, W] in [0, 1].</param>
    /// <returns>[N, 2048].</returns>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = Preprocess(images);
        x = InceptionPooling.Reduce(Conv2d_2b_3x3.call(Conv2d_2a_3x3.call(Conv2d_1a_3x3.call(x))));   // 299 -> 147 -> 73
        x = InceptionPooling.Reduce(Conv2d_4a_3x3.call(Conv2d_3b_1x1.call(x)));                        // 73 -> 71 -> 35
        foreach (var block in new Module<Tensor, Tensor>[] { Mixed_5b, Mixed_5c, Mixed_5d, Mixed_6a, Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e, Mixed_7a, Mixed_7b, Mixed_7c })
            x = block.call(x);                                                                           // 35 -> 17 -> 8
        return functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>pool3 features of images in [-1, 1] (clamped to that range first, as saving them as images would).</summary>
    /// <param name="images">Images [N, 1 or 3, H, W] in [-1, 1].</param>
    /// <returns>[N, 2048], float32.</returns>
    public Tensor Features(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        eval();
        return forward((images.clamp(-1, 1) + 1) / 2).MoveToOuterDisposeScope();
    }
}
