using System.Text;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// The S3 key of a path below the mount: the mount's prefix (empty for the bucket root, else ending in <c>/</c>)
/// followed by the path. Bucket root and prefix mounts share this one code path.
/// </summary>
public readonly record struct S3Key(string Prefix, VfsPath Path)
{
    /// <summary>The object key of the file or symlink at <see cref="Path"/>.</summary>
    public string Object => Prefix + Path.Value;

    /// <summary>The prefix of the directory at <see cref="Path"/>, ending in <c>/</c> (the mount prefix for the root); its marker object's key too.</summary>
    public string Directory => Path.IsRoot ? Prefix : Prefix + Path.Value + "/";

    /// <summary><c>a/b</c>, <c>/a/b/</c> -> <c>a/b/</c>; empty stays empty.</summary>
    public static string NormalizePrefix(string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    public override string ToString() => Object;
}

/// <summary>Orders strings as S3 orders keys: by their UTF-8 bytes (UTF-16 ordinal order differs for characters above U+FFFF).</summary>
internal sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static readonly Utf8OrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        // fast path: equal UTF-16 order unless a surrogate is involved
        if (!HasSurrogate(x) && !HasSurrogate(y)) return string.CompareOrdinal(x, y);
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }

    private static bool HasSurrogate(string s)
    {
        foreach (var c in s) if (char.IsSurrogate(c)) return true;
        return false;
    }
}
