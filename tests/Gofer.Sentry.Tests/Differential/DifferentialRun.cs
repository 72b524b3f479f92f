namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// One case run on both sides, each on its own identical copy of the layers: the kernel's
/// overlayfs through `gofer exec --dir`, and the sentry through `gofer exec --socket` against a
/// `gofer serve` of the copy. The layers stay until disposed, for the on-disk checks.
/// </summary>
public sealed class DifferentialRun : IDisposable
{
    private DifferentialRun(LayerSet kernelLayers, LayerSet goferLayers, ExecOutput kernel, ExecOutput gofer)
    {
        KernelLayers = kernelLayers;
        GoferLayers = goferLayers;
        Kernel = kernel;
        Gofer = gofer;
    }

    public LayerSet KernelLayers { get; }

    public LayerSet GoferLayers { get; }

    public ExecOutput Kernel { get; }

    public ExecOutput Gofer { get; }

    public static async Task<DifferentialRun> RunAsync(string binary, DifferentialCase testCase)
    {
        var kernelLayers = LayerSet.Create(testCase.Layers, testCase.Flavor);
        LayerSet? goferLayers = null;
        try
        {
            goferLayers = kernelLayers.Copy();

            // The two sides share nothing but the binary, so they run at the same time; both end
            // before a failure of either removes the layers.
            var kernel = KernelOverlay.RunAsync(kernelLayers, KernelOverlay.GoferExec(binary), testCase.Input);
            var gofer = GoferOverlay.RunAsync(binary, goferLayers, testCase.Input);
            await Task.WhenAll(kernel, gofer);
            return new DifferentialRun(kernelLayers, goferLayers, await kernel, await gofer);
        }
        catch
        {
            kernelLayers.Dispose();
            goferLayers?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        KernelLayers.Dispose();
        GoferLayers.Dispose();
    }
}
