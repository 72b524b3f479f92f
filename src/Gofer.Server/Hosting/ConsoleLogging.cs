using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Hosting;

/// <summary>
/// One logging setup for every part of the gofer: single lines on stderr (stdout stays free for
/// what commands print), never a stack trace, rate-limited (see <see cref="OneLineLoggerProvider"/>).
/// </summary>
public static class ConsoleLogging
{
    public static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevel level)
    {
        builder.ClearProviders();
        builder.Services.AddSingleton<ILoggerProvider, OneLineLoggerProvider>();
        builder.SetMinimumLevel(level);

        // ASP.NET Core's own start-up chatter is noise for a per-container process.
        builder.AddFilter("Microsoft", level < LogLevel.Warning ? LogLevel.Warning : level);
        return builder;
    }
}
