using SoftDiffusion.Bench;
using SoftDiffusion.Workbook;

// Benchmarks: dotnet run -c Release --project tools/Bench -- [method|all]
string what = args.Length > 0 ? args[0] : "all";
var session = Workbook.Init(Profile.Cpu);
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}");
if (what is "operators")
{
    MethodBenchmarks.Operators(batch: 128, channels: 3, size: 64);
}
if (what is "method" or "all")
{
    MethodBenchmarks.Operators(batch: 128, channels: 3, size: 64);
    MethodBenchmarks.Samplers(batch: 128, channels: 3, size: 64);
    MethodBenchmarks.Operators(batch: 128, channels: 1, size: 28);
    MethodBenchmarks.Samplers(batch: 128, channels: 1, size: 28);
    MethodBenchmarks.Selector();
}
return 0;
