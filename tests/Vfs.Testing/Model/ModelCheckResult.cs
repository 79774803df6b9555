using System.Text;

namespace Vfs.Testing.Model;

/// <summary>What one sequence did: its steps (concrete), the first divergence, or the harness's own error.</summary>
public sealed record ModelRunReport(IReadOnlyList<ModelOp> Ops, IReadOnlyList<ModelStep> Steps, ModelStep? Divergence, Exception? Error)
{
    public bool Passed => Divergence is null && Error is null;

    /// <summary>
    /// The concrete steps that ran, as a script that replays this run (skipped steps left out), each one-line outcome
    /// of the reference announced with <c>=&gt;</c> so that a regression test pins it.
    /// </summary>
    public string Script => string.Join('\n', Steps.Where(s => !s.IsSkipped).Select(s =>
        s.Expected.Contains('\n', StringComparison.Ordinal) ? s.Op.ToString() : $"{s.Op} => {s.Expected}"));

    /// <summary>Every step with its outcome, and the divergence explained.</summary>
    public string Trace
    {
        get
        {
            var text = new StringBuilder();
            foreach (var step in Steps) text.AppendLine("  " + step);
            if (Divergence is { } divergence)
            {
                text.AppendLine($"First divergence at step #{divergence.Index}: {divergence.Op}");
                if (divergence.Expected.Contains('\n', StringComparison.Ordinal) || divergence.Actual.Contains('\n', StringComparison.Ordinal))
                    text.Append(LineDiff(divergence.Expected, divergence.Actual));
                else
                {
                    text.AppendLine($"  expected (reference):        {divergence.Expected}");
                    text.AppendLine($"  actual (system under test):  {divergence.Actual}");
                }
            }
            if (Error is not null) text.AppendLine($"The harness failed: {Error}");
            return text.ToString();
        }
    }

    private static string LineDiff(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var text = new StringBuilder("  lines only in the reference (-) or only in the system under test (+):\n");
        foreach (var line in expectedLines.Except(actualLines, StringComparer.Ordinal)) text.AppendLine("  - " + line);
        foreach (var line in actualLines.Except(expectedLines, StringComparer.Ordinal)) text.AppendLine("  + " + line);
        return text.ToString();
    }
}

/// <summary>Counts over the passing sequences, to show that the mix hits real entries and error paths.</summary>
public sealed class ModelStats
{
    public int Sequences { get; internal set; }

    public int Steps { get; internal set; }

    public int Skipped { get; internal set; }

    /// <summary>Steps whose (agreed) outcome was an errno, by errno.</summary>
    public SortedDictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);

    internal void Add(ModelRunReport report)
    {
        Sequences++;
        foreach (var step in report.Steps)
        {
            Steps++;
            if (step.IsSkipped) Skipped++;
            else if (step.Expected.Length > 1 && step.Expected[0] == 'E' && step.Expected.All(char.IsAsciiLetterUpper))
                Errors[step.Expected] = Errors.GetValueOrDefault(step.Expected) + 1;
        }
    }

    public override string ToString() =>
        $"{Sequences} sequences, {Steps} steps ({Skipped} skipped), errno outcomes: " +
        string.Join(", ", Errors.Select(e => $"{e.Key} {e.Value}"));
}

/// <summary>The outcome of <see cref="ModelHarness.Run"/>.</summary>
public sealed record ModelCheckResult
{
    public required bool Passed { get; init; }

    public required int Tests { get; init; }

    public int Shrinks { get; init; }

    /// <summary>The string to put in <see cref="HarnessOptions.Replay"/> to run this generation again.</summary>
    public string? Replay { get; init; }

    public IReadOnlyList<ModelOp>? Original { get; init; }

    public IReadOnlyList<ModelOp>? Shrunk { get; init; }

    /// <summary>The shrunk sequence run once more, traced.</summary>
    public ModelRunReport? ShrunkRun { get; init; }

    public required ModelStats Stats { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required string Report { get; init; }
}

/// <summary>A model check found a difference between the system under test and the reference.</summary>
public sealed class ModelCheckException(string message) : Exception(message);
