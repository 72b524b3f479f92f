namespace Gofer.Server.Tests.EndToEnd;

/// <summary>End-to-end tests share one published binary.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPublishedGofer : ICollectionFixture<PublishedGofer>
{
    public const string Name = "published gofer";
}
