using SoftDiffusion.Corruptions;
using SoftDiffusion.Models;
using SoftDiffusion.Schedules;
using static TorchSharp.torch;

namespace SoftDiffusion.Sampling;

/// <summary>
/// The loop shared by the Soft Diffusion samplers (Section 3.3): the grid t_i = 1 - i/N, i = 0 .. N-1, one denoiser
/// evaluation x0_hat = h(x_{t_i}, t_i) per step, one dispose scope per step, the per-step callback. A subclass supplies
/// only the update x_t -> x_{t-dt}. The last step goes from t = dt to t = 0, where C_0 is (close to) the identity and
/// sigma_0 = sigma_min &gt; 0, so the final state is a sample of q_0, with residual noise sigma_min.
/// Runs without gradient tracking.
/// </summary>
public abstract class TimeGridSampler : ISampler
{
    /// <inheritdoc/>
    public SamplerResult Sample(IDenoiser denoiser, ICorruption corruption, INoiseSchedule schedule, Tensor x1, int steps,
        PerSampleNoise noise, Action<SamplerStep>? callback = null)
    {
        CheckInputs(x1, steps, noise);
        var sigmas = SigmaGrid(schedule, steps);
        using var noGrad = no_grad();                                                   // sampling never needs gradients
        Tensor x = x1, x0Hat = x1;                                                      // x0Hat is set by the first step
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            double t = GridTime(i, steps);
            var x0HatT = denoiser.Denoise(x, Times(t, x));                              // x0_hat = h(x_t, t)
            var step = new SamplerStep(i, t, GridTime(i + 1, steps), sigmas[i], sigmas[i + 1], x, x0HatT);
            var xNext = Step(step, corruption, noise);                                  // x_{t-dt}
            callback?.Invoke(step);
            if (i > 0) { x.Dispose(); x0Hat.Dispose(); }                                // the previous step's outputs, never x_1
            x = xNext.MoveToOuterDisposeScope();
            x0Hat = x0HatT.MoveToOuterDisposeScope();
        }
        return new SamplerResult(x, x0Hat);
    }

    /// <summary>One update x_t -> x_{t-dt} given x0_hat = h(x_t, t) (in <paramref name="step"/>).</summary>
    protected abstract Tensor Step(SamplerStep step, ICorruption corruption, PerSampleNoise noise);

    /// <summary>A batch of equal times [B] in the dtype and on the device of x.</summary>
    protected static Tensor Times(double t, Tensor x) => full(x.shape[0], t, dtype: x.dtype, device: x.device);

    /// <summary>Fresh eta ~ N(0, I) shaped like x, sample k from generator k.</summary>
    protected static Tensor Eta(PerSampleNoise noise, Tensor x) => noise.Randn(x.shape[1..], x.dtype, x.device);

    /// <summary>t_i = (N - i) / N, exact at both ends (t_0 = 1, t_N = 0).</summary>
    static double GridTime(int i, int steps) => (double)(steps - i) / steps;

    /// <summary>sigma at the N + 1 grid times; throws unless positive and non-increasing along the grid.</summary>
    static double[] SigmaGrid(INoiseSchedule schedule, int steps)
    {
        var sigmas = Enumerable.Range(0, steps + 1).Select(i => schedule.Sigma(GridTime(i, steps))).ToArray();
        for (int i = 0; i <= steps; i++)
        {
            if (!(sigmas[i] > 0))
                throw new ArgumentException($"Expected sigma_t > 0 on the whole grid; got sigma({GridTime(i, steps)}) = {sigmas[i]}.", nameof(schedule));
            if (i > 0 && sigmas[i] > sigmas[i - 1])
                throw new ArgumentException(
                    $"Expected sigma_t non-decreasing in t; got sigma({GridTime(i, steps)}) = {sigmas[i]} > sigma({GridTime(i - 1, steps)}) = {sigmas[i - 1]}.",
                    nameof(schedule));
        }
        return sigmas;
    }

    static void CheckInputs(Tensor x1, int steps, PerSampleNoise noise)
    {
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "Expected at least one step (N >= 1).");
        if (x1.dim() != 4)
            throw new ArgumentException($"Expected x_1 of shape [B, C, H, W]; got [{string.Join(", ", x1.shape)}].", nameof(x1));
        if (!x1.is_floating_point())
            throw new ArgumentException($"Expected x_1 of a floating-point dtype (float32 or float64), received {x1.dtype}.", nameof(x1));
        if (noise.Count != x1.shape[0])
            throw new ArgumentException($"Expected one noise generator per sample ({x1.shape[0]}); got {noise.Count}.", nameof(noise));
    }
}
