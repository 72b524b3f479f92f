using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class HostPathTests
{
    [Theory]
    [InlineData("/a/b", "/base", "/a/b")]
    [InlineData("a/b", "/base", "/base/a/b")]
    [InlineData("./a//b/", "/base", "/base/a/b")]
    [InlineData("../a", "/base/dir", "/base/a")]
    [InlineData("/../../a", "/base", "/a")]
    [InlineData("/", "/base", "/")]
    [InlineData(".", "/base", "/base")]
    public void Resolve_is_lexical_and_absolute(string path, string baseDirectory, string expected)
    {
        Assert.Equal(expected, HostPath.Resolve(path, baseDirectory));
    }

}
