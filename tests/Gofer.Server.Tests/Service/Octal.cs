namespace Gofer.Server.Tests.Service;

/// <summary>File modes written as people write them (<c>Octal.Of("755")</c>): C# has no octal literals.</summary>
public static class Octal
{
    public static uint Of(string digits) => Convert.ToUInt32(digits, 8);
}
