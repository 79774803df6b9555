using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>How <see cref="ModelHarness"/> runs; every property has a documented default, checked by <see cref="Validate"/>.</summary>
public sealed record HarnessOptions
{
    public static HarnessOptions Default { get; } = new();

    /// <summary>Sequences to run (FsCheck's MaxTest). Default 100; at least 1.</summary>
    public int MaxTest { get; init; } = 100;

    /// <summary>The longest sequence; lengths grow with FsCheck's size up to it. Default 40; 1 to 1000.</summary>
    public int MaxOps { get; init; } = 40;

    /// <summary>
    /// The replay string a failure prints (<c>"seed,gamma"</c>): runs exactly the generation that failed, shrinking
    /// included. Default null: a fresh random seed.
    /// </summary>
    public string? Replay { get; init; }

    /// <summary>A fresh reference model per sequence. Default: a new <c>MemoryVfs</c>.</summary>
    public Func<IVfs>? CreateReference { get; init; }

    /// <summary>Called after each sequence, once both filesystems are disposed (delete a temp dir, empty a bucket). Default none.</summary>
    public Func<ValueTask>? AfterRun { get; init; }

    /// <summary>The policy for the stack's capabilities. Default: <see cref="ModelPolicy"/>.</summary>
    public Func<VfsCapabilities, ModelPolicy>? Policy { get; init; }

    /// <summary>Kinds to leave out on top of the policy's choice (e.g. Symlink for a mount that has none). Default none.</summary>
    public ModelOpKinds ExcludeKinds { get; init; }

    /// <summary>Operations a layer adds to the mix (crash and reopen, evict, out-of-band change). Default none.</summary>
    public IReadOnlyList<ModelOpGenerator> ExtraOps { get; init; } = [];

    /// <summary>The longest one operation may take on either side before the step counts as a hang. Default 30 s.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (MaxTest < 1) throw new ArgumentOutOfRangeException(nameof(MaxTest), MaxTest, "at least one sequence");
        if (MaxOps is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(MaxOps), MaxOps, "1 to 1000 operations");
        if (OperationTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(OperationTimeout), OperationTimeout, "positive");
        if (Replay is not null) ModelHarness.ParseReplay(Replay);
        foreach (var extra in ExtraOps)
            if (extra.Weight < 1) throw new ArgumentOutOfRangeException(nameof(ExtraOps), extra.Weight, "weights are positive");
    }
}
