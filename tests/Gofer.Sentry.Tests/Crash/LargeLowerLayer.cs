using System.Security.Cryptography;
using System.Text;
using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// The lower layer every crash round shares, written once per test run from a fixed seed: large
/// files whose copy-up takes long enough for a kill to land inside it (a 32 MiB copy_file_range
/// takes about 10 ms on these machines), each with its own owner and a user.* xattr; half of them in a
/// directory with an owner and an xattr of its own, which the first copy-up below it must copy up
/// too; and small files and a symlink that no script touches.
/// </summary>
public sealed class LargeLowerLayer : IDisposable
{
    /// <summary>The mode every round gives the upper directory, which is the view's root.</summary>
    public const UnixFileMode RootMode = (UnixFileMode)0x1ED;

    /// <summary>Any fixed value: every run writes the same bytes, so a failure names the same files in every run.</summary>
    private const int ContentSeed = 4768;
    private const int FileCount = 8;
    private const int Page = 4096;
    private const int MiB = 1 << 20;

    private readonly TempDirectory directory = new("gofer-crash-lower-");
    private readonly Dictionary<string, TreeNode> unchanged = new(StringComparer.Ordinal)
    {
        // The view's root is the upper directory, made by this (root) process with RootMode.
        ["/"] = TreeNode.Directory((int)RootMode, 0, 0),
    };

    public LargeLowerLayer()
    {
        var random = new Random(ContentSeed);
        MakeDirectory("/big", 0x1ED, 0, 0, null);
        MakeDirectory("/sub", 0x1E8, 1000, 1000, "sub");
        MakeDirectory("/small", 0x1ED, 0, 0, null);
        WriteSmallFile("/notes.txt", "notes\n", 0x1A4);
        WriteSmallFile("/small/a.txt", "a\n", 0x180);
        WriteSmallFile("/sub/small.txt", "small\n", 0x1A4);
        File.CreateSymbolicLink(Host("/small/link"), "a.txt");
        unchanged["/small/link"] = new TreeNode("symlink", 0x1FF, 0, 0, string.Empty, Target: "a.txt");
        Files = [.. Enumerable.Range(0, FileCount).Select(i => WriteLargeFile(random, i))];
    }

    public string Path => directory.Path;

    public IReadOnlyList<LargeFile> Files { get; }

    /// <summary>What the view shows of everything but the large files, in every round and at every instant.</summary>
    public IReadOnlyDictionary<string, TreeNode> Unchanged => unchanged;

    public void Dispose() => directory.Dispose();

    private string Host(string path) => directory.Path + path;

    private void MakeDirectory(string path, int mode, int uid, int gid, string? origin)
    {
        Directory.CreateDirectory(Host(path));
        Describe(path, mode, uid, gid, origin);
        unchanged[path] = TreeNode.Directory(mode, uid, gid, origin is null ? string.Empty : TreeNode.Xattr(LargeFile.OriginXattr, origin));
    }

    private void WriteSmallFile(string path, string content, int mode)
    {
        File.WriteAllText(Host(path), content);
        Describe(path, mode, 0, 0, null);
        unchanged[path] = TreeNode.File(mode, 0, 0, string.Empty, content.Length, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))));
    }

    /// <summary>
    /// 16 to 48 MiB of seeded random bytes. The size leaves room for the suffix before the next
    /// page boundary: a write(2) that spans two pages can be cut between them by SIGKILL in the
    /// kernel itself, which is not what this test is about; within one page it is whole or absent.
    /// </summary>
    private LargeFile WriteLargeFile(Random random, int index)
    {
        var suffix = Encoding.UTF8.GetBytes($"appended to f{index}\n");
        var size = (16L * MiB) + (random.Next(32 * MiB / Page) * (long)Page) + random.Next(Page - suffix.Length);
        var truncatedSize = random.NextInt64(MiB, size / 2);
        var path = $"/{(index < FileCount / 2 ? "big" : "sub")}/f{index}.bin";

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var truncatedSha256 = string.Empty;
        var buffer = new byte[MiB];
        using (var output = File.Create(Host(path)))
        {
            for (var offset = 0L; offset < size; offset += MiB)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(MiB, size - offset));
                random.NextBytes(chunk);
                output.Write(chunk);
                if (truncatedSize >= offset && truncatedSize < offset + chunk.Length)
                {
                    var cut = (int)(truncatedSize - offset);
                    hash.AppendData(chunk[..cut]);
                    truncatedSha256 = Convert.ToHexStringLower(hash.GetCurrentHash());
                    hash.AppendData(chunk[cut..]);
                }
                else
                {
                    hash.AppendData(chunk);
                }
            }
        }

        var originalSha256 = Convert.ToHexStringLower(hash.GetCurrentHash());
        hash.AppendData(suffix);
        var appendedSha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        var (mode, uid, gid, origin) = (index % 2 == 0 ? 0x1A4 : 0x1A0, 1000 + index, 2000 + index, $"f{index}");
        Describe(path, mode, uid, gid, origin);
        return new LargeFile(path, mode, uid, gid, origin, size, originalSha256, suffix, appendedSha256, truncatedSize, truncatedSha256);
    }

    /// <summary>Mode, owner and (when given) the origin xattr, set on the lower's file as a tool would.</summary>
    private void Describe(string path, int mode, int uid, int gid, string? origin)
    {
        File.SetUnixFileMode(Host(path), (UnixFileMode)mode);
        Tool.Check("chown", $"{uid}:{gid}", Host(path));
        if (origin is not null)
        {
            Tool.Check("setfattr", "-n", LargeFile.OriginXattr, "-v", origin, Host(path));
        }
    }
}
