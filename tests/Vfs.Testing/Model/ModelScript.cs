using System.Globalization;
using System.Text;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>
/// The script language: one operation per line, exactly as <see cref="ModelOp"/> prints itself, so a shrunk
/// counterexample printed by the harness pastes into a regression test. Blank lines and <c>#</c> comments are
/// ignored. Paths are <c>/a/b</c>, <c>/</c> or <c>entry#N</c>; handles <c>hN</c> (id) or <c>h#N</c> (index).
/// <code>
/// open /a rw,creat          write h0 @5 "abc"        read h0 @0 8        truncate h0 3      setsize /a 3
/// flush h0   fsync h0   fstat h0   close h0           append /a "xy"      rename /a /b noreplace
/// unlink /a  mkdir /a   rmdir /a   list /   stat /a   chmod /a 0755       symlink /l "a"     readlink /l   tree
/// </code>
/// A line may end with <c>=&gt; outcome</c>: the outcome the reference must give (as the harness prints it), which
/// <see cref="ModelHarness.AssertScript"/> checks, so a regression test pins what happens, not only agreement.
/// </summary>
public static class ModelScript
{
    /// <param name="text">The script.</param>
    /// <param name="extensions">Parsers of extension keywords: keyword to a function of the line's arguments.</param>
    public static IReadOnlyList<ModelOp> Parse(string text, IReadOnlyDictionary<string, Func<IReadOnlyList<string>, ModelOp>>? extensions = null) =>
        [.. ParseAnnotated(text, extensions).Select(line => line.Op)];

    /// <summary>The script's operations, each with the outcome its line announces (<c>=&gt; outcome</c>), if any.</summary>
    public static IReadOnlyList<ModelScriptLine> ParseAnnotated(string text, IReadOnlyDictionary<string, Func<IReadOnlyList<string>, ModelOp>>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ops = new List<ModelScriptLine>();
        int lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = StripComment(rawLine).Trim();
            if (line.Length == 0) continue;
            try
            {
                var (operation, expected) = SplitOutcome(line);
                ops.Add(new ModelScriptLine(ParseLine(operation, extensions), expected));
            }
            catch (Exception e) when (e is FormatException or VfsException or IndexOutOfRangeException or ArgumentException or OverflowException)
            {
                throw new FormatException($"script line {lineNumber}: '{line}': {e.Message}", e);
            }
        }
        return ops;
    }

    /// <summary>Splits "op =&gt; outcome" (the arrow outside quotes).</summary>
    private static (string Operation, string? Expected) SplitOutcome(string line)
    {
        bool quoted = false;
        for (int i = 0; i + 1 < line.Length; i++)
        {
            if (line[i] == '\\' && quoted) i++;
            else if (line[i] == '"') quoted = !quoted;
            else if (!quoted && line[i] == '=' && line[i + 1] == '>') return (line[..i].TrimEnd(), line[(i + 2)..].Trim());
        }
        return (line, null);
    }

    /// <summary>The script of a sequence, one operation per line.</summary>
    public static string Format(IEnumerable<ModelOp> ops) => string.Join('\n', ops.Select(op => op.ToString()));

    private static ModelOp ParseLine(string line, IReadOnlyDictionary<string, Func<IReadOnlyList<string>, ModelOp>>? extensions)
    {
        var words = Tokenize(line);
        var args = words.Skip(1).ToList();
        string At(int i) => i < args.Count ? args[i] : throw new FormatException($"'{words[0]}' needs {i + 1} arguments");
        long Offset(int i) => At(i).StartsWith('@') ? long.Parse(At(i).AsSpan(1), CultureInfo.InvariantCulture) : throw new FormatException($"an offset is @N: '{At(i)}'");
        long Number(int i) => long.Parse(At(i), CultureInfo.InvariantCulture);

        return words[0] switch
        {
            "open" => new OpenOp(PathRef.Parse(At(0)), ModelFormat.ParseFlags(At(1))),
            "write" => new WriteOp(HandleRef.Parse(At(0)), Offset(1), ModelFormat.Unquote(At(2))),
            "append" => new AppendOp(PathRef.Parse(At(0)), ModelFormat.Unquote(At(1))),
            "read" => new ReadOp(HandleRef.Parse(At(0)), Offset(1), checked((int)Number(2))),
            "truncate" => new TruncateOp(HandleRef.Parse(At(0)), Number(1)),
            "setsize" => new SetSizeOp(PathRef.Parse(At(0)), Number(1)),
            "flush" => new FlushOp(HandleRef.Parse(At(0))),
            "fsync" => new FsyncOp(HandleRef.Parse(At(0))),
            "fstat" => new FStatOp(HandleRef.Parse(At(0))),
            "close" => new CloseOp(HandleRef.Parse(At(0))),
            "rename" => new RenameOp(PathRef.Parse(At(0)), PathRef.Parse(At(1)), ModelFormat.ParseRenameFlags(args.Count > 2 ? args[2] : "")),
            "unlink" => new UnlinkOp(PathRef.Parse(At(0))),
            "mkdir" => new MkdirOp(PathRef.Parse(At(0))),
            "rmdir" => new RmdirOp(PathRef.Parse(At(0))),
            "list" => new ListOp(PathRef.Parse(At(0))),
            "stat" => new StatOp(PathRef.Parse(At(0))),
            "chmod" => new ChmodOp(PathRef.Parse(At(0)), ModelFormat.ParseMode(At(1))),
            "symlink" => new SymlinkOp(PathRef.Parse(At(0)), ModelFormat.Unquote(At(1))),
            "readlink" => new ReadlinkOp(PathRef.Parse(At(0))),
            "tree" => new TreeOp(),
            var keyword when extensions is not null && extensions.TryGetValue(keyword, out var parse) => parse(args),
            var keyword => throw new FormatException($"unknown operation '{keyword}'"),
        };
    }

    private static string StripComment(string line)
    {
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && quoted) i++;
            else if (line[i] == '"') quoted = !quoted;
            else if (line[i] == '#' && !quoted && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    /// <summary>Splits on spaces, keeping a quoted string (with its quotes and escapes) as one word.</summary>
    private static List<string> Tokenize(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '\\' && i + 1 < line.Length)
            {
                word.Append(c).Append(line[++i]);
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (char.IsWhiteSpace(c) && !quoted)
            {
                if (word.Length > 0) words.Add(word.ToString());
                word.Clear();
                continue;
            }
            word.Append(c);
        }
        if (quoted) throw new FormatException("unterminated string");
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }
}

/// <summary>One script line: the operation and the outcome the line announces, if any.</summary>
public sealed record ModelScriptLine(ModelOp Op, string? Expected);
