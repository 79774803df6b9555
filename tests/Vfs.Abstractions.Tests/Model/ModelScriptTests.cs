using FsCheck.Fluent;
using Vfs.Testing.Model;

namespace Vfs.Abstractions.Tests.Model;

public class ModelScriptTests
{
    private const string EveryOperation = """
        open /a rw,creat,excl,trunc,append
        open entry#3 r
        open dir#2/b w,creat
        write h0 @5 "abc"
        write h#2 @0 "q\"\\\x00\xff"
        append /a/b "xy"
        read h0 @0 8
        truncate h1 3
        setsize entry#0 7
        flush h0
        fsync h#1
        fstat h0
        close h0
        rename /a /b
        rename dir#1 /c noreplace
        rename /a entry#2 exchange
        unlink /a
        mkdir dir#0/d
        rmdir dir#4
        list /
        stat /a/b
        chmod /a 0755
        symlink /l "../x"
        readlink /l
        tree
        """;

    [Fact]
    public void Parse_EveryOperation_FormatsBackToTheSameScript()
    {
        var ops = ModelScript.Parse(EveryOperation);
        Assert.Equal(25, ops.Count);
        Assert.Equal(EveryOperation.ReplaceLineEndings("\n"), ModelScript.Format(ops));
    }

    [Fact]
    public void Parse_GeneratedSequences_RoundTrip()
    {
        var op = ModelGen.Op(ModelOpKinds.All);
        foreach (var sequence in ModelGen.Sequence(op, 40).Sample(50, 20))
        {
            var script = ModelScript.Format(sequence);
            Assert.Equal(script, ModelScript.Format(ModelScript.Parse(script)));
            Assert.Equal(sequence, ModelScript.Parse(script));
        }
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreIgnored()
    {
        var ops = ModelScript.Parse("""
            # a regression found by the harness
            mkdir /a   # the parent

            open /a/f w,creat
            """);
        Assert.Equal(["mkdir /a", "open /a/f w,creat"], ops.Select(o => o.ToString()));
    }

    [Theory]
    [InlineData("frobnicate /a", "unknown operation")]
    [InlineData("open a r", "starts with '/'")]
    [InlineData("open /a rx", "unknown open flag")]
    [InlineData("write h0 5 \"a\"", "offset is @N")]
    [InlineData("write h0 @5 \"a", "unterminated string")]
    [InlineData("close", "needs 1 arguments")]
    [InlineData("rename /a /b sideways", "unknown rename flag")]
    [InlineData("mkdir /a/../b", "invalid name")]
    public void Parse_BadLine_SaysWhichLineAndWhy(string line, string why)
    {
        var error = Assert.Throws<FormatException>(() => ModelScript.Parse("mkdir /x\n" + line));
        Assert.Contains("script line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_BinaryBytes_RoundTripThroughUnquote()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var quoted = ModelFormat.Quote(bytes);
        Assert.Equal(bytes, ModelFormat.Bytes(ModelFormat.Unquote(quoted)));
        Assert.Equal("\"a\\x00\\\"\"", ModelFormat.Quote(new byte[] { (byte)'a', 0, (byte)'"' }));
    }

    [Fact]
    public void ParseAnnotated_ArrowOutsideQuotes_IsTheAnnouncedOutcome()
    {
        var lines = ModelScript.ParseAnnotated("""
            write h0 @0 "a => b"   => ok
            read h0 @0 4 => 1 "=>"
            stat /a
            """);
        Assert.Equal(["ok", "1 \"=>\"", null], lines.Select(l => l.Expected));
        Assert.Equal("write h0 @0 \"a => b\"", lines[0].Op.ToString());
    }

    [Fact]
    public void AssertScript_AnnouncedOutcomeTheReferenceDoesNotGive_Throws()
    {
        ModelHarness.AssertScript(() => new Vfs.Abstractions.Memory.MemoryVfs(), VfsCapabilities.Posix, "mkdir /a => dir mode=0755\nrmdir /a => ok");
        var error = Assert.Throws<ModelCheckException>(() =>
            ModelHarness.AssertScript(() => new Vfs.Abstractions.Memory.MemoryVfs(), VfsCapabilities.Posix, "mkdir /a\nrmdir /b => ok"));
        Assert.Contains("the script announces 'ok', the reference gave 'ENOENT'", error.Message, StringComparison.Ordinal);
    }
}
