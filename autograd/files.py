"""Writing a file all at once, so that a reader never sees half of one.

Shared by everything in plaingrad that writes a file (`nn.save`, the training
pictures, graph renders, the benchmark's JSON).
"""

import os
import secrets

__all__ = ["atomic_write"]


def atomic_write(path, data):
    """Write `data` (str, as UTF-8, or bytes) to `path` atomically; returns the path as a str.

    The data goes to a temporary file in the same folder, which then replaces
    `path` in one rename: a reader sees the old file or the new one, and a
    failed write leaves the old file and no temporary file behind. Missing
    folders are created; a symbolic link is followed (the file it points to is
    replaced); a device or pipe is refused rather than replaced. The file gets
    the usual permissions (the umask's), not the private ones of `tempfile.mkstemp`.

    >>> import os, tempfile
    >>> path = atomic_write(os.path.join(tempfile.mkdtemp(), "runs", "a.txt"), "hello\\n")
    >>> open(path).read()
    'hello\\n'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"atomic_write: data must be str or bytes, got {type(data).__name__}")
    # Through a symbolic link, replace the file it points to, never the link itself.
    target = os.path.realpath(os.fspath(path))
    if os.path.isdir(target):
        raise IsADirectoryError(f"cannot write {os.fspath(path)!r}: it is a folder")
    if os.path.exists(target) and not os.path.isfile(target):
        # A device, a pipe or a socket (/dev/null, /dev/stdout): a rename would replace it.
        raise ValueError(f"cannot write {os.fspath(path)!r}: it is not a regular file; "
                         "give the path of a file")
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(temporary, "xb") as file:  # "x": never follow or reuse an existing file
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, os.path.join(folder, name))
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.errno is not None:
            # Name the user's path, not the hidden temporary file the error was about.
            raise OSError(error.errno, error.strerror, os.fspath(path)) from None
        raise
    return os.fspath(path)
