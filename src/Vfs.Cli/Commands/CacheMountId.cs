using System.Security.Cryptography;
using System.Text;

namespace Vfs.Cli.Commands;

/// <summary>
/// The directory name a mount's cache gets under the default root: readable (the source with unsafe characters
/// replaced) plus a short hash of the exact source, so two sources that read alike never share a cache.
/// </summary>
public static class CacheMountId
{
    public static string Of(string source)
    {
        var readable = new StringBuilder();
        foreach (char c in source.TrimEnd('/'))
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
            if (readable.Length == 48) break;
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..8];
        return $"{readable}-{hash}";
    }
}
