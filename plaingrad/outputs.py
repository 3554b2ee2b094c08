"""Checks, before any work, that the command can write where it is told to.

`plaingrad graph -o` and `plaingrad train --out` refuse a bad place up front, in the
same words, rather than failing after the work is done. Each message begins with
`what`, the option as the user wrote it (e.g. ``"--out runs/x:"``).
"""

import os


def check_folder(folder, what):
    """Refuse `folder` unless it is a folder, or can be made one, that can be written in."""
    if os.path.islink(folder) and not os.path.exists(folder):
        raise ValueError(f"{what} a broken symbolic link (to {os.readlink(folder)})")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"{what} exists and is not a folder")
    check_writable(folder, what)


def check_file(path, what, name=None):
    """Refuse the file `path` unless it can be written; `name` names it after `what`.

    A folder, a device or a pipe cannot be; nor can a file in a folder that cannot be
    made or written in. A symbolic link is written through, so where it leads counts.
    """
    said = what if name is None else f"{what} {name} is"
    if os.path.isdir(path):
        raise ValueError(f"{said} a folder, so it cannot be written")
    if os.path.exists(path) and not os.path.isfile(path):
        raise ValueError(f"{said} not a regular file (a device or a pipe), "
                         "so it cannot be written")
    if os.path.islink(path):
        real = os.path.realpath(path)
        check_writable(os.path.dirname(real),
                       f"{what} {name or path} links to {real}, but")
    else:
        check_writable(os.path.dirname(path), what)


def check_writable(folder, what):
    """Refuse `folder` unless it exists or can be made, and can be written in.

    >>> check_writable("/dev/null/runs", "-o /dev/null/runs/g.svg:")
    Traceback (most recent call last):
    ...
    ValueError: -o /dev/null/runs/g.svg: /dev/null is a file, not a folder
    """
    existing = os.fspath(folder) or os.curdir
    while not os.path.exists(existing):  # the nearest folder that exists
        existing = os.path.dirname(existing) or os.curdir
    if not os.path.isdir(existing):
        raise ValueError(f"{what} {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{what} no permission to write in {existing}")
