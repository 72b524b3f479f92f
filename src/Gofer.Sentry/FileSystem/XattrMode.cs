namespace Gofer.Sentry.FileSystem;

/// <summary>setxattr(2) flags.</summary>
public enum XattrMode
{
    /// <summary>Create or replace.</summary>
    Any,

    /// <summary>XATTR_CREATE: fail with EEXIST if it exists.</summary>
    Create,

    /// <summary>XATTR_REPLACE: fail with ENODATA if it does not exist.</summary>
    Replace,
}
