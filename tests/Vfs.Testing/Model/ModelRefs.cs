using System.Globalization;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>
/// The path an operation acts on: a literal path (<c>/a/b</c>), an index into the reference model's current
/// entries (<c>entry#3</c>), an index into its directories (<c>dir#3</c>: directory <c>3 % count</c> among the
/// directories of depth 1 and 2; an entry when there is none), or a name inside such a directory or the root
/// (<c>dir#3/b</c>). Indices are resolved when the operation
/// runs, so they keep hitting real entries after the sequence around them shrinks (STYLE.md habit 14).
/// </summary>
public readonly record struct PathRef
{
    private PathRef(int? index, string? childName, VfsPath literal, bool directory = false)
    {
        IsDirectory = directory;
        Index = index;
        ChildName = childName;
        Literal = literal;
    }

    /// <summary>The entry or directory index, or null for a literal path.</summary>
    public int? Index { get; }

    /// <summary>For a <see cref="Child"/> reference, the name to use inside the picked directory.</summary>
    public string? ChildName { get; }

    public VfsPath Literal { get; }

    /// <summary>True for <c>dir#N</c> and <c>dir#N/name</c>: the index counts directories only.</summary>
    public bool IsDirectory { get; }

    public bool IsLiteral => Index is null;

    public static PathRef Of(VfsPath path) => new(null, null, path);

    public static PathRef Of(string path) => new(null, null, VfsPath.Parse(path));

    public static PathRef Entry(int index) => new(Math.Max(0, index), null, default);

    public static PathRef Child(int directoryIndex, string name)
    {
        VfsPath.ValidateName(name);
        return new(Math.Max(0, directoryIndex), name, default, true);
    }

    public static PathRef Directory(int directoryIndex) => new(Math.Max(0, directoryIndex), null, default, true);

    /// <summary>The literal path this names now; an entry index with no entries names one of the small names.</summary>
    public VfsPath Resolve(ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Index is not int index) return Literal;
        if (IsDirectory && ChildName is not null) return state.Directories[index % state.Directories.Count].Combine(ChildName);
        if (IsDirectory && state.Directories.Count > 1) return state.Directories[1 + index % (state.Directories.Count - 1)];
        if (state.Entries.Count == 0) return VfsPath.Parse(ModelNames.Names[index % ModelNames.Names.Count]);
        return state.Entries[index % state.Entries.Count].Path;
    }

    public static PathRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("entry#", StringComparison.Ordinal))
            return Entry(int.Parse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture));
        if (text.StartsWith("dir#", StringComparison.Ordinal))
        {
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) return Directory(int.Parse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture));
            return Child(int.Parse(text.AsSpan(4, slash - 4), NumberStyles.None, CultureInfo.InvariantCulture), text[(slash + 1)..]);
        }
        if (!text.StartsWith('/')) throw new FormatException($"a path starts with '/', or is entry#N, dir#N or dir#N/name: '{text}'");
        return Of(VfsPath.Parse(text));
    }

    public override string ToString() => Index is not int index ? Literal.ToString()
        : !IsDirectory ? $"entry#{index}"
        : ChildName is null ? $"dir#{index}" : $"dir#{index}/{ChildName}";
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
