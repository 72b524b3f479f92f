using Gofer.Sentry.Exec;

namespace Gofer.Sentry.Tests.Exec;

public sealed class Utf8OrderTests
{
    [Theory]
    [InlineData("a-c", "a/b")]
    [InlineData("B", "a")]
    [InlineData("a", "ab")]
    [InlineData("", "a")]
    [InlineData("z", "é")]
    [InlineData("\u00e9", "\ud7ff")]
    [InlineData("\ud7ff", "\ue000")]
    [InlineData("\ufffd", "\U0001F600")] // UTF-16 ordinal order puts the surrogate pair (D83D) first.
    [InlineData("\U0001F600", "\U0001F601")]
    public void Orders_as_the_UTF_8_bytes_do(string smaller, string larger)
    {
        Assert.True(Utf8Order.Instance.Compare(smaller, larger) < 0);
        Assert.True(Utf8Order.Instance.Compare(larger, smaller) > 0);
        Assert.True(
            System.Text.Encoding.UTF8.GetBytes(smaller).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(larger)) < 0);
    }

    [Fact]
    public void Equal_strings_compare_equal() => Assert.Equal(0, Utf8Order.Instance.Compare("\U0001F600x", "\U0001F600x"));
}
