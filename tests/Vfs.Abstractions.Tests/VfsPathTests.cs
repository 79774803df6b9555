using Vfs.Abstractions;

namespace Vfs.Abstractions.Tests;

public class VfsPathTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("/", "")]
    [InlineData("a", "a")]
    [InlineData("/a/b/", "a/b")]
    [InlineData("a//b", "a/b")]
    public void Parse_NormalizesSlashes(string text, string expected) => Assert.Equal(expected, VfsPath.Parse(text).Value);

    [Theory]
    [InlineData("a/./b")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("a\0b")]
    public void Parse_DotSegmentsAndNul_AreEinval(string text) =>
        Assert.Equal(Errno.EINVAL, Assert.Throws<VfsException>(() => VfsPath.Parse(text)).Errno);

    [Fact]
    public void Parse_LongSegment_IsEnametoolong()
    {
        Assert.Equal(Errno.ENAMETOOLONG, Assert.Throws<VfsException>(() => VfsPath.Parse(new string('x', 256))).Errno);
        Assert.Equal(Errno.ENAMETOOLONG, Assert.Throws<VfsException>(() => VfsPath.Parse(new string('é', 128))).Errno);
        Assert.Equal(255, VfsPath.Parse(new string('x', 255)).Value.Length);
    }

    [Fact]
    public void Parse_LongPath_IsEnametoolong()
    {
        var segment = new string('x', 200);
        var text = string.Join('/', Enumerable.Repeat(segment, 6));
        Assert.Equal(Errno.ENAMETOOLONG, Assert.Throws<VfsException>(() => VfsPath.Parse(text)).Errno);
    }

    [Fact]
    public void NameParentAndRebase()
    {
        var path = VfsPath.Parse("a/b/c");
        Assert.Equal("c", path.Name);
        Assert.Equal(VfsPath.Parse("a/b"), path.Parent);
        Assert.Equal(VfsPath.Root, VfsPath.Parse("a").Parent);
        Assert.True(path.IsDescendantOf(VfsPath.Parse("a")));
        Assert.False(VfsPath.Parse("ab").IsDescendantOf(VfsPath.Parse("a")));
        Assert.Equal(VfsPath.Parse("x/y/c"), path.Rebase(VfsPath.Parse("a/b"), VfsPath.Parse("x/y")));
        Assert.Equal("/a/b/c", path.ToString());
    }
}
