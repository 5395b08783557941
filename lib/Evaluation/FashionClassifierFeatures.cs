using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace SoftDiffusion.Evaluation;

/// <summary>
/// A small CNN classifier of 28 x 28 grey images (Fashion-MNIST, 10 classes) whose 128-d penultimate layer is a cheap
/// feature extractor for a Frechet distance on Fashion-MNIST samples [choice]. The Inception network of FID was trained
/// on ImageNet photographs; this one sees the data it scores. Its distances are not Inception FID and are not
/// comparable with published FID values. Layout: three conv 3x3 + BatchNorm + ReLU + max-pool stages
/// (32, 64, 128 channels; 28 -> 14 -> 7 -> 3), a 1152 -> 128 linear layer with ReLU (the features), a 10-way head.
/// </summary>
public sealed class FashionClassifierFeatures : Module<Tensor, Tensor>, IFeatureExtractor
{
    /// <summary>Feature dimension D of the penultimate layer.</summary>
    public const int FeatureDimension = 128;
    const int ImageSize = 28;
    const int ClassCount = 10;

    readonly Sequential trunk; // [N, 1, 28, 28] -> penultimate features [N, 128]
    readonly Linear head;      // features -> class logits [N, 10]

    /// <summary>An untrained classifier (PyTorch's default initialisation from the global generator); see <see cref="Train"/>.</summary>
    public FashionClassifierFeatures() : base(nameof(FashionClassifierFeatures))
    {
        trunk = Sequential(
            ConvStage(1, 32), ConvStage(32, 64), ConvStage(64, 128),
            Flatten(), Linear(128 * 3 * 3, FeatureDimension), ReLU());
        head = Linear(FeatureDimension, ClassCount);
        RegisterComponents();
    }

    static Sequential ConvStage(long inChannels, long outChannels) => Sequential(
        Conv2d(inChannels, outChannels, 3, padding: 1, bias: false), BatchNorm2d(outChannels), ReLU(), MaxPool2d(2));

    /// <summary>The <see cref="Name"/> of every instance, which labels its scores.</summary>
    public const string ExtractorName = "FMNIST-CNN penultimate (not Inception FID)";

    /// <inheritdoc/>
    public string Name => ExtractorName;

    /// <inheritdoc/>
    public int Dimension => FeatureDimension;

    /// <summary>Class logits.</summary>
    /// <param name="images">Images [N, 1, 28, 28] in [-1, 1].</param>
    /// <returns>[N, 10].</returns>
    public override Tensor forward(Tensor images) => head.call(trunk.call(images));

    /// <summary>Penultimate-layer features, without gradients, in eval mode.</summary>
    /// <param name="images">Images [N, 1, 28, 28] in [-1, 1] (clamped to that range first, as saving them as images would).</param>
    /// <returns>[N, 128], float32.</returns>
    public Tensor Features(Tensor images)
    {
        CheckImages(images);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        eval();
        return trunk.call(images.clamp(-1, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="images"/> whose predicted class equals the label, in eval mode.</summary>
    /// <param name="images">Images [N, 1, 28, 28] in [-1, 1].</param>
    /// <param name="labels">Classes [N] in 0..9 (int64).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public double Accuracy(Tensor images, Tensor labels, int batchSize = 1000)
    {
        CheckImages(images, labels);
        using var noGrad = no_grad();
        eval();
        long correct = 0, n = images.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batchSize, n - start);
            var predicted = forward(images.narrow(0, start, count)).argmax(1);
            correct += predicted.eq(labels.narrow(0, start, count).to(predicted.device)).sum().item<long>();
        }
        return (double)correct / n;
    }

    /// <summary>Trains a classifier from scratch on <paramref name="images"/>'s device; returns it in eval mode.</summary>
    /// <param name="images">Training images [N, 1, 28, 28] in [-1, 1], float32.</param>
    /// <param name="labels">Classes [N] in 0..9 (int64).</param>
    /// <param name="options">Epochs, batch size, learning rate, seed (defaults when null).</param>
    /// <param name="onEpoch">Called after each epoch with (epoch, mean training cross-entropy).</param>
    public static FashionClassifierFeatures Train(Tensor images, Tensor labels, FashionClassifierOptions? options = null, Action<int, double>? onEpoch = null)
    {
        CheckImages(images, labels);
        options ??= new FashionClassifierOptions();
        using var generator = new Generator(unchecked((ulong)options.Seed));
        var model = new FashionClassifierFeatures();
        model.InitialiseParameters(generator);
        model.to(images.device);
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double meanLoss = model.TrainEpoch(images, labels, optimizer, options.BatchSize, generator);
            onEpoch?.Invoke(epoch, meanLoss);
        }
        model.eval();
        return model;
    }

    /// <summary>One pass over the data in an order drawn from <paramref name="generator"/>; returns the mean cross-entropy.</summary>
    double TrainEpoch(Tensor images, Tensor labels, optim.Optimizer optimizer, int batchSize, Generator generator)
    {
        train();
        long n = images.shape[0];
        using var order = randperm(n, generator: generator);
        double total = 0;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batchSize, n - start);
            var rows = order.narrow(0, start, count).to(images.device);
            optimizer.zero_grad();
            var loss = functional.cross_entropy(forward(images.index_select(0, rows)), labels.index_select(0, rows.to(labels.device)));
            loss.backward();
            optimizer.step();
            total += loss.item<float>() * count;
        }
        return total / n;
    }

    /// <summary>
    /// PyTorch's default initialisation, drawn from <paramref name="generator"/> so a seed fixes the classifier:
    /// conv and linear weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BatchNorm keeps weight 1, bias 0.
    /// </summary>
    void InitialiseParameters(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            var (weight, bias) = module switch
            {
                Conv2d conv => (conv.weight, conv.bias),
                Linear linear => (linear.weight, linear.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            double bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
            foreach (var p in new[] { weight, bias }.OfType<Tensor>())
            {
                using var u = rand(p.shape, generator: generator);
                p.copy_(u * (2 * bound) - bound);
            }
        }
    }

    /// <summary>Writes the weights (TorchSharp format).</summary>
    public void Save(string path) => save(path);

    /// <summary>A classifier saved by <see cref="Save"/>, on <paramref name="device"/> (CPU by default), in eval mode.</summary>
    public static FashionClassifierFeatures Load(string path, Device? device = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Fashion classifier weights '{path}' do not exist; train them with FashionClassifierFeatures.Train and Save.", path);
        var model = new FashionClassifierFeatures();
        model.load(path);
        model.to(device ?? CPU);
        model.eval();
        return model;
    }

    static void CheckImages(Tensor images, Tensor? labels = null)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            throw new ArgumentException($"Expected images [N, 1, 28, 28], got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"Expected images of float32 in [-1, 1], got {images.dtype} (convert with .to(float32); bytes 0..255 also / 127.5 - 1).", nameof(images));
        if (labels is not null && (labels.dim() != 1 || labels.shape[0] != images.shape[0] || labels.dtype != ScalarType.Int64))
            throw new ArgumentException(
                $"Expected labels [{images.shape[0]}] of int64, got shape [{string.Join(", ", labels.shape)}] of {labels.dtype}.", nameof(labels));
    }
}
