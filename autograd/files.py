"""Writing a file all at once, so that a reader never sees half of one.

Shared by everything in plaingrad that writes a file (`nn.save`, the training
pictures, graph renders and pages, the benchmark's JSON), so one rule holds for all:

- the data goes to a temporary file in the same folder, then replaces the file in one
  rename: a reader sees the old file or the new one, never half of one;
- missing folders are created, but only along the path as written;
- a symbolic link is followed only to something that exists: a link to a file is
  written through (the file it points to is replaced, the link stays), a link to a
  folder is that folder. A dangling link, at the end of the path or anywhere in it,
  is refused: plaingrad never creates the file, or the folders, a link points to;
- a folder, a device or a pipe is refused rather than replaced.
"""

import os
import secrets

__all__ = ["atomic_write", "check_target"]


def check_target(path, what=None, folder=False):
    """Refuse, before any work, a `path` that `atomic_write` would refuse; returns the file
    it would write (the end of the links, if any), as a str. Nothing is created.

    With ``folder=True``, `path` is a folder to write in (made if missing) instead.
    Messages begin with `what` (default ``"cannot write '<path>':"``). Errors:
    FileNotFoundError for a dangling symbolic link, IsADirectoryError for a folder,
    NotADirectoryError when a part of the path is a file, PermissionError for a folder
    that cannot be written in, ValueError for a device or a pipe.

    >>> check_target("/dev/null/runs/g.svg")
    Traceback (most recent call last):
    ...
    NotADirectoryError: cannot write '/dev/null/runs/g.svg': /dev/null is a file, not a folder
    """
    path = os.fspath(path)
    lead = what or f"cannot write {path!r}:"
    # Each part of the path as written, from the root down, as far as it exists.
    parts = [os.path.abspath(path)]
    while os.path.dirname(parts[-1]) != parts[-1]:
        parts.append(os.path.dirname(parts[-1]))
    existing = None
    for part in reversed(parts):
        if not os.path.lexists(part):
            break
        if os.path.islink(part) and not os.path.exists(part):
            shown = "it" if part == parts[0] else part
            raise FileNotFoundError(
                f"{lead} {shown} is a symbolic link to {os.readlink(part)}, which does not "
                "exist (plaingrad never creates what a link points to); remove the link, or "
                "create what it points to")
        existing = part
    # `existing` is the deepest part that exists: the path itself, or the folder the
    # missing ones will be made in.
    if existing == parts[0] and not folder:
        if os.path.isdir(existing):
            raise IsADirectoryError(f"{lead} it is a folder")
        if not os.path.isfile(existing):
            # A device, a pipe or a socket (/dev/null, /dev/stdout): a rename would replace it.
            raise ValueError(f"{lead} it is not a regular file (a device or a pipe); give the "
                             "path of a file")
        real = os.path.realpath(existing)
        where = os.path.dirname(real)
    else:
        real = os.path.realpath(path)
        where = existing
    if not os.path.isdir(where):
        raise NotADirectoryError(f"{lead} {where} is a file, not a folder")
    if not os.access(where, os.W_OK | os.X_OK):
        led = ", where the link leads" if os.path.islink(path) else ""
        raise PermissionError(f"{lead} no permission to write in {where}{led}")
    return real


def atomic_write(path, data):
    """Write `data` (str, as UTF-8, or bytes) to `path` atomically; returns the path as a str.

    The data goes to a temporary file in the same folder, which then replaces
    `path` in one rename: a reader sees the old file or the new one, and a
    failed write leaves the old file and no temporary file behind. Symbolic links
    and missing folders follow the module's rule (a link to a file is written
    through; a dangling link is refused; folders are created only along the path
    as written); see `check_target` for the errors. The file gets the usual
    permissions (the umask's), not the private ones of `tempfile.mkstemp`.

    >>> import os, tempfile
    >>> path = atomic_write(os.path.join(tempfile.mkdtemp(), "runs", "a.txt"), "hello\\n")
    >>> open(path).read()
    'hello\\n'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"atomic_write: data must be str or bytes, got {type(data).__name__}")
    check_target(path)
    path = os.fspath(path)
    temporary = None
    try:
        # The path as written has no dangling link: its missing folders are plain ones.
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        target = check_target(path)  # (again: the folders exist now)
        folder, name = os.path.split(target)
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        with open(temporary, "xb") as file:  # "x": never follow or reuse an existing file
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.errno is not None:
            # Name the user's path, not the hidden temporary file the error was about, in
            # words (an OSError of the same kind and errno, without Python's "[Errno 13]").
            raised = type(error)(f"cannot write {path!r}: {error.strerror}")
            raised.errno = error.errno  # (strerror and filename would bring the [Errno 13] back)
            raise raised from None
        raise
    return path
