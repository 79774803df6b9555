using System.Globalization;
using System.Text;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>
/// How the harness writes values into outcomes and scripts. Outcomes are compared as text, so what is rendered
/// here is exactly what is compared: times are never rendered (clock-dependent), modes only when the stack keeps
/// them, directory sizes never (the contract leaves a block size to the adapter).
/// </summary>
public static class ModelFormat
{
    public static string Flags(VfsOpenFlags flags)
    {
        var parts = new List<string>
        {
            (flags & VfsOpenFlags.ReadWrite) switch
            {
                VfsOpenFlags.ReadWrite => "rw",
                VfsOpenFlags.Write => "w",
                _ => "r",
            },
        };
        if (flags.HasFlag(VfsOpenFlags.Create)) parts.Add("creat");
        if (flags.HasFlag(VfsOpenFlags.Exclusive)) parts.Add("excl");
        if (flags.HasFlag(VfsOpenFlags.Truncate)) parts.Add("trunc");
        if (flags.HasFlag(VfsOpenFlags.Append)) parts.Add("append");
        return string.Join(',', parts);
    }

    public static VfsOpenFlags ParseFlags(string text)
    {
        VfsOpenFlags flags = 0;
        foreach (var part in text.Split(','))
        {
            flags |= part switch
            {
                "r" => VfsOpenFlags.Read,
                "w" => VfsOpenFlags.Write,
                "rw" => VfsOpenFlags.ReadWrite,
                "creat" => VfsOpenFlags.Create,
                "excl" => VfsOpenFlags.Exclusive,
                "trunc" => VfsOpenFlags.Truncate,
                "append" => VfsOpenFlags.Append,
                _ => throw new FormatException($"unknown open flag '{part}' (r, w, rw, creat, excl, trunc, append)"),
            };
        }
        return flags;
    }

    public static string RenameFlags(VfsRenameFlags flags) => flags switch
    {
        VfsRenameFlags.None => "",
        VfsRenameFlags.NoReplace => "noreplace",
        VfsRenameFlags.Exchange => "exchange",
        _ => flags.ToString(),
    };

    public static VfsRenameFlags ParseRenameFlags(string text) => text switch
    {
        "" => VfsRenameFlags.None,
        "noreplace" => VfsRenameFlags.NoReplace,
        "exchange" => VfsRenameFlags.Exchange,
        _ => throw new FormatException($"unknown rename flag '{text}' (noreplace, exchange)"),
    };

    public static string Mode(int mode) => "0" + Convert.ToString(mode, 8).PadLeft(3, '0');

    public static int ParseMode(string text) => Convert.ToInt32(text, 8);

    /// <summary>Bytes as a quoted string: printable ASCII as is, the rest as \xNN.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            if (b == '"' || b == '\\') text.Append('\\').Append((char)b);
            else if (b >= 0x20 && b < 0x7f) text.Append((char)b);
            else text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        return text.Append('"').ToString();
    }

    public static string Quote(string latin1) => Quote(Encoding.Latin1.GetBytes(latin1));

    /// <summary>The inverse of <see cref="Quote(ReadOnlySpan{byte})"/>, without the quotes, as a Latin-1 string.</summary>
    public static string Unquote(string quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"') throw new FormatException($"expected a quoted string: {quoted}");
        var text = new StringBuilder();
        for (int i = 1; i < quoted.Length - 1; i++)
        {
            char c = quoted[i];
            if (c != '\\') { text.Append(c); continue; }
            char next = quoted[++i];
            if (next == 'x')
            {
                text.Append((char)Convert.ToByte(quoted.Substring(i + 1, 2), 16));
                i += 2;
            }
            else text.Append(next);
        }
        return text.ToString();
    }

    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>stat(2) as compared: kind, size of files and symlinks, mode when the stack keeps permissions.</summary>
    public static string Attributes(VfsAttributes? attributes, VfsCapabilities capabilities)
    {
        if (attributes is null) return "missing";
        bool modes = capabilities.Has(VfsCapabilities.Permissions);
        return attributes.Kind switch
        {
            VfsEntryKind.File => $"file size={attributes.Size}" + (modes ? $" mode={Mode(attributes.Mode)}" : ""),
            VfsEntryKind.Directory => "dir" + (modes ? $" mode={Mode(attributes.Mode)}" : ""),
            VfsEntryKind.Symlink => $"symlink size={attributes.Size}",
            _ => attributes.Kind.ToString(),
        };
    }

    /// <summary>A directory listing as compared: names sorted ordinally, each with its attributes.</summary>
    public static string Listing(IEnumerable<VfsEntry> entries, VfsCapabilities capabilities) =>
        "[" + string.Join(", ", entries.OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => $"{e.Name}: {Attributes(e.Attributes, capabilities)}")) + "]";
}
