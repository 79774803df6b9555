using System.Text;

namespace Vfs.Abstractions;

/// <summary>
/// A normalized path relative to the mount root: <c>/</c>-separated segments, none empty, <c>.</c> or <c>..</c>,
/// none containing NUL. The root is the empty path. Validated once, where it enters (the FUSE adapter decodes a
/// name into it exactly once); every layer below trusts it. Limits are S3's: a segment of at most 255 bytes and
/// a whole path of at most 1024 bytes in UTF-8, else ENAMETOOLONG.
/// </summary>
public readonly struct VfsPath : IEquatable<VfsPath>, IComparable<VfsPath>
{
    public const int MaxSegmentBytes = 255;
    public const int MaxPathBytes = 1024;

    private readonly string? _value;

    private VfsPath(string value) => _value = value;

    public static VfsPath Root => default;

    /// <summary>The path without a leading slash; empty for the root.</summary>
    public string Value => _value ?? string.Empty;

    public bool IsRoot => string.IsNullOrEmpty(_value);

    /// <summary>The last segment; empty for the root.</summary>
    public string Name => IsRoot ? string.Empty : Value[(Value.LastIndexOf('/') + 1)..];

    /// <summary>The parent directory; the root's parent is the root.</summary>
    public VfsPath Parent
    {
        get
        {
            if (IsRoot) return Root;
            int slash = Value.LastIndexOf('/');
            return slash < 0 ? Root : new VfsPath(Value[..slash]);
        }
    }

    public int Depth => IsRoot ? 0 : Value.Count(c => c == '/') + 1;

    public IEnumerable<string> Segments => IsRoot ? [] : Value.Split('/');

    /// <summary>Parses <paramref name="text"/>; leading, trailing and repeated slashes are accepted and dropped.</summary>
    /// <exception cref="VfsException">EINVAL for <c>.</c>, <c>..</c> or NUL; ENAMETOOLONG past the limits.</exception>
    public static VfsPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments) ValidateName(segment);
        var value = string.Join('/', segments);
        if (Encoding.UTF8.GetByteCount(value) > MaxPathBytes)
            throw new VfsException(Errno.ENAMETOOLONG, $"path longer than {MaxPathBytes} bytes");
        return new VfsPath(value);
    }

    public static bool TryParse(string text, out VfsPath path)
    {
        try
        {
            path = Parse(text);
            return true;
        }
        catch (VfsException)
        {
            path = Root;
            return false;
        }
    }

    /// <summary>True when <paramref name="name"/> is one valid path segment.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Contains('/') && !name.Contains('\0')
        && Encoding.UTF8.GetByteCount(name) <= MaxSegmentBytes;

    /// <summary>Throws the errno a syscall would give for a bad segment.</summary>
    public static void ValidateName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/') || name.Contains('\0'))
            throw new VfsException(Errno.EINVAL, $"invalid name: '{name}'");
        if (Encoding.UTF8.GetByteCount(name) > MaxSegmentBytes)
            throw new VfsException(Errno.ENAMETOOLONG, $"name longer than {MaxSegmentBytes} bytes");
    }

    /// <summary>The child <paramref name="name"/> of this directory (one segment, validated).</summary>
    public VfsPath Combine(string name)
    {
        ValidateName(name);
        var value = IsRoot ? name : Value + "/" + name;
        if (Encoding.UTF8.GetByteCount(value) > MaxPathBytes)
            throw new VfsException(Errno.ENAMETOOLONG, $"path longer than {MaxPathBytes} bytes");
        return new VfsPath(value);
    }

    /// <summary>True when this path is <paramref name="other"/> or lies below it.</summary>
    public bool IsSameOrDescendantOf(VfsPath other) =>
        other.IsRoot || Value == other.Value || Value.StartsWith(other.Value + "/", StringComparison.Ordinal);

    /// <summary>True when this path lies strictly below <paramref name="other"/>.</summary>
    public bool IsDescendantOf(VfsPath other) => !Equals(other) && IsSameOrDescendantOf(other);

    /// <summary>Moves this path from below <paramref name="from"/> to below <paramref name="to"/> (rename of an ancestor).</summary>
    public VfsPath Rebase(VfsPath from, VfsPath to)
    {
        if (!IsSameOrDescendantOf(from)) throw new ArgumentException($"/{this} is not under /{from}");
        if (Equals(from)) return to;
        var rest = from.IsRoot ? Value : Value[(from.Value.Length + 1)..];
        return to.IsRoot ? new VfsPath(rest) : new VfsPath(to.Value + "/" + rest);
    }

    public bool Equals(VfsPath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is VfsPath other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public int CompareTo(VfsPath other) => string.CompareOrdinal(Value, other.Value);

    public static bool operator ==(VfsPath left, VfsPath right) => left.Equals(right);

    public static bool operator !=(VfsPath left, VfsPath right) => !left.Equals(right);

    /// <summary>The path as the user sees it below the mount point, with a leading slash.</summary>
    public override string ToString() => "/" + Value;
}
