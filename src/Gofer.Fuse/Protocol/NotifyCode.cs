namespace Gofer.Fuse.Protocol;

/// <summary>Notifications a server writes unasked (unique 0, the code in the error field; enum fuse_notify_code).</summary>
internal enum NotifyCode
{
    InvalInode = 2,
    InvalEntry = 3,
}
