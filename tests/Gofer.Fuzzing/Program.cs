using System.Globalization;
using Gofer.Fuzzing;

// The fuzzing command. Usage (exit status 0: no finding; 1: findings, kept in --findings; 2: bad usage):
//   gofer-fuzz run session|fuse [--seed N] [--inputs N] [--seconds S] [--findings DIR]
//   gofer-fuzz replay session|fuse FILE...
//   gofer-fuzz corpus session|fuse DIR [--seed N] [--inputs N]
//   gofer-fuzz afl session|fuse       (under afl-fuzz, with the gofer's assemblies instrumented by sharpfuzz; see the README)
const string Usage = "usage: Gofer.Fuzzing run|replay|corpus|afl session|fuse [FILE...|DIR] [--seed N] [--inputs N] [--seconds S] [--findings DIR]";
if (args.Length < 2 || args[0] is not ("run" or "replay" or "corpus" or "afl") || !Enum.TryParse<FuzzTargetKind>(args[1], ignoreCase: true, out var kind))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Dictionary<string, string>();
var positional = new List<string>();
for (var i = 2; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        if (i + 1 >= args.Length)
        {
            Console.Error.WriteLine($"gofer-fuzz: {args[i]} needs a value");
            return 2;
        }

        options[args[i][2..]] = args[++i];
    }
    else
    {
        positional.Add(args[i]);
    }
}

long Number(string name, long fallback)
{
    if (!options.TryGetValue(name, out var text))
    {
        return fallback;
    }

    return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new ArgumentException($"--{name} {text}: not a whole number");
}

var stdout = Console.Out;
try
{
    var seed = (int)Number("seed", 1);
    switch (args[0])
    {
        case "corpus":
        {
            var directory = positional.SingleOrDefault() ?? throw new ArgumentException("corpus needs one directory");
            Directory.CreateDirectory(directory);
            var next = Campaign.Generator(kind, seed);
            for (var i = 0; i < Number("inputs", 64); i++)
            {
                File.WriteAllBytes(Path.Combine(directory, $"seed{seed}-{i:D5}"), next());
            }

            return 0;
        }

        case "afl":
        {
            // AFL++ drives the inputs and reads the edge coverage the instrumented assemblies
            // record; a finding escapes as an exception, which SharpFuzz reports as a crash.
            // Instrumented code may only run inside Fuzzer.Run (its coverage map is set up
            // there), so the target is opened by the first input.
            IFuzzTarget? target = null;
            SharpFuzz.Fuzzer.Run(stream =>
            {
                using var input = new MemoryStream();
                stream.CopyTo(input);
                target ??= Campaign.Open(kind);
                target.Run(input.ToArray());
            });
            target?.Dispose();
            return 0;
        }

        case "replay":
        {
            using var target = Campaign.Open(kind);
            var failed = 0;
            foreach (var file in positional)
            {
                try
                {
                    target.Run(File.ReadAllBytes(file));
                    stdout.WriteLine($"{file}: ok");
                }
                catch (FindingException finding)
                {
                    failed++;
                    stdout.WriteLine($"{file}: {finding.Message}");
                    stdout.WriteLine(target.LastExchange);
                    if (finding.InnerException is { } inner)
                    {
                        stdout.WriteLine(inner.ToString());
                    }
                }
            }

            return failed == 0 ? 0 : 1;
        }

        default:
        {
            var seconds = Number("seconds", 60);
            using var target = Campaign.Open(kind);
            var result = Campaign.Run(target, Campaign.Generator(kind, seed), Number("inputs", long.MaxValue), TimeSpan.FromSeconds(seconds), stdout.WriteLine);
            stdout.WriteLine($"{kind}: seed {seed}, {result.Executions} inputs in {result.Elapsed.TotalSeconds:F1} s ({result.PerSecond:F0}/s), {result.Findings.Count} finding(s)");
            if (result.Findings.Count > 0)
            {
                var directory = options.GetValueOrDefault("findings", "fuzz-findings");
                Directory.CreateDirectory(directory);
                foreach (var finding in result.Findings)
                {
                    var path = Path.Combine(directory, $"{kind.ToString().ToLowerInvariant()}-seed{seed}-input{finding.Execution}");
                    File.WriteAllBytes(path, finding.Input);
                    stdout.WriteLine($"  {path}: {finding.Failure.Message}");
                }

                return 1;
            }

            return 0;
        }
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"gofer-fuzz: {e.Message}");
    return 2;
}
