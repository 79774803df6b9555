using System.Globalization;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>
/// The path an operation acts on: a literal path (<c>/a/b</c>), or an index into the reference model's current
/// entries (<c>entry#3</c>), resolved when the operation runs. Index targets keep hitting real entries after the
/// sequence around them shrinks (STYLE.md habit 14).
/// </summary>
public readonly record struct PathRef
{
    private PathRef(int? index, VfsPath literal)
    {
        Index = index;
        Literal = literal;
    }

    /// <summary>The entry index, or null for a literal path.</summary>
    public int? Index { get; }

    public VfsPath Literal { get; }

    public bool IsLiteral => Index is null;

    public static PathRef Of(VfsPath path) => new(null, path);

    public static PathRef Of(string path) => new(null, VfsPath.Parse(path));

    public static PathRef Entry(int index) => new(Math.Max(0, index), default);

    /// <summary>The literal path this names now: the entry at <c>index % count</c>, or a small name when the tree is empty.</summary>
    public VfsPath Resolve(ModelState state)
    {
        if (Index is not int index) return Literal;
        if (state.Entries.Count == 0) return VfsPath.Parse(ModelNames.Names[index % ModelNames.Names.Count]);
        return state.Entries[index % state.Entries.Count].Path;
    }

    public static PathRef Parse(string text)
    {
        if (text.StartsWith("entry#", StringComparison.Ordinal))
            return Entry(int.Parse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture));
        if (!text.StartsWith('/')) throw new FormatException($"a path starts with '/' or is entry#N: '{text}'");
        return Of(VfsPath.Parse(text));
    }

    public override string ToString() => Index is int index ? $"entry#{index}" : Literal.ToString();
}

/// <summary>
/// The open handle an operation acts on: a handle id (<c>h3</c>, the fourth successful open of the run), or an
/// index into the currently open handles (<c>h#3</c>), resolved when the operation runs.
/// </summary>
public readonly record struct HandleRef
{
    private HandleRef(int value, bool isIndex)
    {
        Value = value;
        IsIndex = isIndex;
    }

    public int Value { get; }

    public bool IsIndex { get; }

    public static HandleRef Id(int id) => new(id, false);

    public static HandleRef OpenIndex(int index) => new(Math.Max(0, index), true);

    /// <summary>The handle id this names now, or null when no handle is open.</summary>
    public int? Resolve(ModelState state)
    {
        if (!IsIndex) return Value;
        if (state.Handles.Count == 0) return null;
        return state.Handles[Value % state.Handles.Count].Id;
    }

    public static HandleRef Parse(string text)
    {
        if (text.StartsWith("h#", StringComparison.Ordinal))
            return OpenIndex(int.Parse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture));
        if (text.StartsWith('h')) return Id(int.Parse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture));
        throw new FormatException($"a handle is hN or h#N: '{text}'");
    }

    public override string ToString() => IsIndex ? $"h#{Value}" : $"h{Value}";
}

/// <summary>The small name space the generator draws from, so that creations collide with what exists.</summary>
public static class ModelNames
{
    public static IReadOnlyList<string> Names { get; } = ["a", "b", "c", "d"];

    /// <summary>Every path of depth 1 or 2 over <see cref="Names"/> (4 + 16).</summary>
    public static IReadOnlyList<VfsPath> Paths { get; } =
        [.. Names.Select(VfsPath.Parse), .. Names.SelectMany(p => Names.Select(c => VfsPath.Parse(p + "/" + c)))];
}
