namespace Gofer.Sentry.Tests.Differential;

/// <summary>Choices the generators make, drawn from their seeded <see cref="Random"/> only.</summary>
public static class RandomChoice
{
    public static T Choose<T>(this Random random, params T[] choices) => choices[random.Next(choices.Length)];

    /// <summary>One item, each as likely as its weight.</summary>
    public static T ChooseWeighted<T>(this Random random, params (T Item, int Weight)[] choices)
    {
        var roll = random.Next(choices.Sum(c => c.Weight));
        foreach (var (item, weight) in choices)
        {
            roll -= weight;
            if (roll < 0)
            {
                return item;
            }
        }

        throw new ArgumentException("weights must be positive", nameof(choices));
    }
}
