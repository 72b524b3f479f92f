namespace Gofer.Fuzzing.Mutation;

/// <summary>
/// Blind byte-level damage to an otherwise valid input: what a structure-aware generator cannot
/// think of (a length prefix that lies, a field cut in half, a wire type swapped, two frames fused).
/// </summary>
public static class ByteMutator
{
    /// <summary>Applies 1 … <paramref name="most"/> random edits.</summary>
    public static byte[] Mutate(Random random, byte[] input, int most = 4)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(input);
        var bytes = new List<byte>(input);
        for (var edits = random.Next(1, most + 1); edits > 0; edits--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.InsertRange(at, RandomBytes(random, random.Next(1, 9)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 17)));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, random.Next(1, 65));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6:
                    // A varint: the length prefix or a field's value, of any size (up to ten bytes).
                    bytes.InsertRange(at, Varint((ulong)random.NextInt64() >> random.Next(64)));
                    break;
                default:
                    if (bytes.Count >= 4)
                    {
                        var word = BitConverter.GetBytes(InterestingWords[random.Next(InterestingWords.Length)]);
                        var start = random.Next(bytes.Count - 3);
                        for (var i = 0; i < 4; i++)
                        {
                            bytes[start + i] = word[i];
                        }
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x2F, 0x2E, 0x0A];

    private static readonly uint[] InterestingWords = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF, 0x1000, 0x40_0000, 0x40_0001];
}
