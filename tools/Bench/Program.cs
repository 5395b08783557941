using SoftDiffusion.Bench;
using SoftDiffusion.Experiments;
using SoftDiffusion.Models;
using SoftDiffusion.Workbook;

// Benchmarks: dotnet run -c Release --project tools/Bench -- [operators|method|all|training [steps] [memory-every]|threads [blocks]|sampling [blocks]|kernels [blocks]|networks [blocks]]
// threads: the training step per thread setting, idle and with a competing busy process (child processes "step").
// sampling [blocks]: Momentum sampling throughput of the shipped blur model per batch size.
// kernels [blocks]: the training step's arithmetic rate against the machine's measured multiply-add peak.
// networks [blocks]: the training step of each network of the recipe study, and the steps that train for the baseline's wall time.
string what = args.Length > 0 ? args[0] : "all";
if (what is "step")
{
    ThreadBenchmarks.Child();
    return 0;
}
if (what is "threads")
{
    ThreadBenchmarks.Compare(blocks: args.Length > 1 ? int.Parse(args[1]) : 3);
    return 0;
}
var session = Workbook.Init(Profile.Cpu);
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}");
if (what is "operators")
{
    MethodBenchmarks.Operators(batch: 128, channels: 3, size: 64);
}
if (what is "method" or "all")
{
    // The shape (64 x 64 x 3, batch 128) and the cpu profile's (Fashion-MNIST 28 x 28 x 1), each against the
    // forward pass of the cpu-profile U-Net at that shape (goal: operator + sampler arithmetic < 5% of it).
    foreach (var (channels, size) in new[] { (3L, 64L), (1L, 28L) })
    {
        double blur = MethodBenchmarks.Operators(batch: 128, channels, size);
        double momentum = MethodBenchmarks.Samplers(batch: 128, channels, size);
        double network = NetworkBenchmarks.Forward(UNetConfig.Cpu((int)channels), batch: 128, size);
        Console.WriteLine($"  => C_t is {100 * blur / network:F1}% and a Momentum step without the network {100 * momentum / network:F1}% of the cpu-profile U-Net forward pass at this shape");
    }
    MethodBenchmarks.Selector();
}
if (what is "sampling")
{
    SamplingBenchmarks.Throughput(blocks: args.Length > 1 ? int.Parse(args[1]) : 3, batchSizes: [50, 125, 250, 500]);
}
if (what is "kernels")
{
    KernelBenchmarks.Efficiency(Profile.Cpu, blocks: args.Length > 1 ? int.Parse(args[1]) : 5);
}
if (what is "networks")
{
    NetworkBenchmarks.StudyArms(blocks: args.Length > 1 ? int.Parse(args[1]) : 3);
}
if (what is "training")
{
    // The cpu profile's training step against a bare forward/backward/Adam loop, interleaved (default 2000 steps each, memory every 100).
    int steps = args.Length > 1 ? int.Parse(args[1]) : 2000;
    int memoryEvery = args.Length > 2 ? int.Parse(args[2]) : 100;
    TrainingBenchmarks.Overhead(Profile.Cpu, steps, memoryEvery);
}
return 0;
