namespace Gofer.Mount.Tests.RandomIo;

/// <summary>One step: what, where, how much, and the seed of the bytes a write puts there.</summary>
public sealed record RandomIoStep(RandomIoKind Kind, long Offset, int Length, int DataSeed)
{
    public override string ToString() => $"{Kind} {Offset}+{Length}";

    /// <summary>
    /// A script of <paramref name="count"/> steps on a file that starts <paramref name="initialSize"/>
    /// bytes long, offsets and lengths spread to cross page boundaries and the end of the file.
    /// </summary>
    public static IReadOnlyList<RandomIoStep> Script(int seed, int count, long initialSize, long maxSize)
    {
        var random = new Random(seed);
        var size = initialSize;
        var steps = new List<RandomIoStep>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = (RandomIoKind)random.Next(Enum.GetValues<RandomIoKind>().Length);
            var offset = random.NextInt64(maxSize);
            var length = random.Next(1, 64 * 1024);
            switch (kind)
            {
                case RandomIoKind.MapRead when size == 0:
                    kind = RandomIoKind.Read;
                    break;
                case RandomIoKind.MapRead:
                    offset = random.NextInt64(size);
                    length = (int)Math.Min(length, size - offset);
                    break;
                case RandomIoKind.Write or RandomIoKind.MapWrite:
                    length = (int)Math.Min(length, maxSize - offset);
                    length = Math.Max(length, 1);
                    size = Math.Max(size, offset + length);
                    break;
                case RandomIoKind.Truncate:
                    size = offset;
                    break;
            }

            steps.Add(new RandomIoStep(kind, offset, length, random.Next()));
        }

        return steps;
    }
}
