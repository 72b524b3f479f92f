using Gofer.Native;
using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

/// <summary>A SetAttr that failed part-way: the errno, and which part (the earlier parts stay applied).</summary>
public sealed class SetAttrException : Exception
{
    public SetAttrException(SetAttrPart part, ErrnoException cause)
        : base($"setattr ({part.ToString().ToLowerInvariant()}): {Native.Errno.Describe(cause.Errno)}", cause)
    {
        Part = part;
        Errno = cause.Errno;
    }

    public SetAttrException()
        : this("setattr failed")
    {
    }

    public SetAttrException(string message)
        : base(message) => Errno = Native.Errno.EIO;

    public SetAttrException(string message, Exception innerException)
        : base(message, innerException) => Errno = Native.Errno.EIO;

    public SetAttrPart Part { get; }

    public int Errno { get; }
}
