using System.Globalization;
using Gofer.Native;
using Gofer.Server.Confinement;

// syscall-filter-probe [--unfiltered] NAME [ARG…]: installs the serving gofer's seccomp filter
// (unless --unfiltered), then makes system call NAME with integer arguments ("self" is this
// process's id) and prints its result. A call the filter kills never prints "returned".
var unfiltered = args.Length > 0 && args[0] == "--unfiltered";
var rest = unfiltered ? args[1..] : args;
if (rest.Length is 0 or > 7 || !SyscallFilterTable.X8664.TryGetValue(rest[0], out var number))
{
    await Console.Error.WriteLineAsync("usage: syscall-filter-probe [--unfiltered] NAME [ARG…] (NAME from the filter's table, up to 6 integer arguments)");
    return 2;
}

var arguments = rest[1..].Select(a => a == "self" ? Environment.ProcessId : long.Parse(a, CultureInfo.InvariantCulture)).ToArray();
Array.Resize(ref arguments, 6);
// The console is set up before the filter, as the gofer's logging is before it serves.
await Console.Out.FlushAsync();
if (!unfiltered)
{
    SyscallFilter.Install();
    Console.WriteLine("filtered");
}

var result = Syscalls.InvokeSyscall(number, arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"returned {result}"));
return 0;
