using System.Runtime.InteropServices;

namespace Vfs.Abstractions.Local;

/// <summary>
/// An owned Linux file descriptor. A SafeHandle so that a handle disposed while another thread is inside pread/pwrite
/// is closed only when that call returns (the runtime's add-ref/release), never reused under it.
/// </summary>
internal sealed class SafeFd : SafeHandle
{
    public SafeFd(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor for a syscall; only while the caller holds a reference (DangerousAddRef).</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
