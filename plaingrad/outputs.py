"""Checks, before any work, that the command can write where it is told to.

`plaingrad graph -o` and `plaingrad train --out` refuse a bad place up front, in the
same words, rather than failing after the work is done. The rule itself (symbolic
links, missing folders) is `autograd.files`', which writes every file. Each message
begins with `what`, the option as the user wrote it (e.g. ``"--out runs/x:"``).
"""

import os

from autograd.files import check_target


def check_folder(folder, what):
    """Refuse `folder` unless it is a folder, or can be made one, that can be written in."""
    if os.path.islink(folder) and not os.path.exists(folder):
        raise ValueError(f"{what} a broken symbolic link (to {os.readlink(folder)}); plaingrad "
                         "never creates what a link points to")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"{what} exists and is not a folder")
    _check(folder, what, folder=True)


def check_file(path, what, name=None):
    """Refuse the file `path` unless it can be written; `name` names it after `what`.

    A folder, a device or a pipe cannot be; nor can a file in a folder that cannot be
    made or written in, nor a dangling symbolic link. A link to a file is written
    through, so where it leads counts.
    """
    _check(path, what if name is None else f"{what} {name}:")


def check_writable(folder, what):
    """Refuse `folder` unless it exists or can be made, and can be written in.

    >>> check_writable("/dev/null/runs", "-o /dev/null/runs/g.svg:")
    Traceback (most recent call last):
    ...
    ValueError: -o /dev/null/runs/g.svg: /dev/null is a file, not a folder
    """
    _check(folder or ".", what, folder=True)


def _check(path, what, folder=False):
    try:
        check_target(path, what, folder=folder)
    except OSError as error:  # the command's errors are ValueErrors, in the same words
        raise ValueError(str(error)) from None
