using FsCheck;
using FsCheck.Fluent;
using Vfs.Abstractions.Memory;

namespace Vfs.Abstractions.Tests.Memory;

/// <summary>
/// MemoryVfs's paged file content against the plainest model there is, a byte array resized as it goes: random writes (within,
/// across and past 64 KiB pages) and truncates (down and up) through one handle, then every byte compared.
/// </summary>
public sealed class SparseContentPropertyTests
{
    private abstract record Step;

    private sealed record WriteStep(long Offset, int Length, byte Fill) : Step;

    private sealed record TruncateStep(long Size) : Step;

    private static readonly Gen<long> Offsets = Gen.OneOf(
        Gen.Choose(0, 300_000).Select(i => (long)i),
        Gen.Choose(-3, 3).SelectMany(delta => Gen.Choose(1, 4).Select(page => page * 65536L + delta)));

    private static readonly Gen<Step> Steps = Gen.Frequency(
        (3, Offsets.SelectMany(offset => Gen.Choose(0, 70_000).SelectMany(length =>
            Gen.Choose(1, 255).Select(fill => (Step)new WriteStep(offset, length, (byte)fill))))),
        (1, Offsets.Select(size => (Step)new TruncateStep(size))));

    [Fact]
    public void WritesAndTruncates_MatchByteArrayModel()
    {
        var property = Prop.ForAll(Steps.ListOf().ToArbitrary(), steps =>
        {
            var vfs = new MemoryVfs();
            var file = vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, default)
                .AsTask().GetAwaiter().GetResult();
            var model = Array.Empty<byte>();
            foreach (var step in steps)
            {
                switch (step)
                {
                    case WriteStep write:
                        var data = new byte[write.Length];
                        data.AsSpan().Fill(write.Fill);
                        file.WriteAsync(write.Offset, data, default).AsTask().GetAwaiter().GetResult();
                        if (write.Length > 0)
                        {
                            if (model.Length < write.Offset + write.Length) Array.Resize(ref model, (int)write.Offset + write.Length);
                            data.CopyTo(model, write.Offset);
                        }
                        break;
                    case TruncateStep truncate:
                        file.TruncateAsync(truncate.Size, default).AsTask().GetAwaiter().GetResult();
                        Array.Resize(ref model, (int)truncate.Size); // shrinking drops the tail, growing adds zeros
                        break;
                }
            }
            var actual = vfs.ReadAllBytesAsync(VfsPath.Parse("f")).AsTask().GetAwaiter().GetResult();
            return actual.AsSpan().SequenceEqual(model);
        });
        property.QuickCheckThrowOnFailure();
    }
}
