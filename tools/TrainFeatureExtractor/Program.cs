using System.Diagnostics;
using System.Security.Cryptography;
using SoftDiffusion.Data;
using SoftDiffusion.Evaluation;
using SoftDiffusion.Experiments;
using SoftDiffusion.Runtime;
using SoftDiffusion.Workbook;

// Trains FashionClassifierFeatures on the 60k Fashion-MNIST training split, reports its accuracy on the 10k test
// split and writes the weights. Usage:
//   dotnet run -c Release --project tools/TrainFeatureExtractor -- [--out data/fashion-classifier.dat] [--epochs 10] [--seed 0]
string output = Path.Combine(ProjectPaths.Data, "fashion-classifier.dat");
var options = new FashionClassifierOptions();
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--out": output = Path.GetFullPath(Value()); break;
        case "--epochs": options = options with { Epochs = int.Parse(Value()) }; break;
        case "--seed": options = options with { Seed = long.Parse(Value()) }; break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: --out FILE, --epochs N, --seed N"); return 64;
    }
}

Workbook.Init(Profile.Cpu);
var train = FashionMnist.Load(FashionMnistSplit.Train);
var test = FashionMnist.Load(FashionMnistSplit.Test);
Console.WriteLine($"Training on {train.Count} images from {train.Folder}; testing on {test.Count} from {test.Folder}; {options}");
var clock = Stopwatch.StartNew();
using var classifier = FashionClassifierFeatures.Train(train.Images(), train.LabelTensor(), options,
    (epoch, loss) => Console.WriteLine($"  epoch {epoch + 1}/{options.Epochs}: mean loss {loss:F4} ({clock.Elapsed.TotalMinutes:F1} min)"));
double accuracy = classifier.Accuracy(test.Images(), test.LabelTensor());
Console.WriteLine($"Test accuracy: {accuracy:P2} after {clock.Elapsed.TotalMinutes:F1} min");
classifier.Save(output);
Console.WriteLine($"Wrote {output}, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output)))}");
return 0;
