"""A training run's staging folder: outputs are drawn there, then moved into --out at once.

A run draws into a hidden folder inside `out` and moves the files in only when all of
them are done: an error or Ctrl-C while drawing leaves the earlier run whole, and a
signal during the moves waits for them, so that the folder never holds two runs.

    with staging.folder(out) as (folder, swept):
        drawn = draw_everything_into(folder)
        written, stale = staging.move_into(out, drawn, OUTPUTS)
"""

import contextlib
import os
import re
import shutil
import tempfile

try:
    import fcntl  # POSIX: locks that die with their process (see sweep)
except ImportError:
    fcntl = None

from autograd.files import atomic_write
from plaingrad.cli import signals_held

# A run's hidden staging folder is STAGING + mkdtemp's 8 random characters; the run holds a
# lock on the file STAGING_LOCK in it for as long as it lives (see sweep).
STAGING = ".plaingrad-train-"
STAGING_LOCK = ".lock"
_STAGING_NAME = re.compile(re.escape(STAGING) + r"[a-z0-9_]{8}")


@contextlib.contextmanager
def folder(out):
    """A new locked staging folder in the folder `out`, removed at the end with all in it.

    Yields ``(path, swept)``: swept lists the folders of unfinished runs that `sweep`
    removed first.
    """
    with signals_held():
        swept = sweep(out)
        path = tempfile.mkdtemp(prefix=STAGING, dir=out)
    lock = None
    try:
        lock = _lock(path)
        yield path, swept
    finally:
        with signals_held():
            shutil.rmtree(path, ignore_errors=True)
            if lock is not None:
                os.close(lock)


def move_into(out, paths, outputs):
    """Move the finished files `paths` into `out`; returns (their new paths, removed paths).

    The files named in `outputs` that this run did not make (no decision boundary for
    3 features, a skipped graph) are removed from `out`: they must not stay beside the
    new model as if they showed it. Signals wait until all of it is done.
    """
    with signals_held():
        written = _move(out, paths)
        made = {os.path.basename(p) for p in written}
        stale = [os.path.join(out, name) for name in outputs
                 if name not in made and os.path.isfile(os.path.join(out, name))]
        for path in stale:
            os.remove(path)
    return written, stale


def _lock(folder):
    """Lock a file in this run's staging folder; the lock lasts as long as the process.

    Returns the file descriptor to close at the end, or None where there is no flock.
    """
    if fcntl is None:
        return None
    path = os.path.join(folder, STAGING_LOCK)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks: no lock file, so no run sweeps this one
        os.close(fd)
        os.unlink(path)
        return None
    return fd


def sweep(out):
    """Remove the staging folders that unfinished runs left in `out`; return their paths.

    A run killed outright (SIGKILL, a power cut) cannot remove its staging folder, but
    the kernel releases its lock on the folder's lock file when the process ends, on
    any host and in any container. A later run removes a folder whose lock it can take.
    A folder whose lock is held (a live run), with no lock file (a run just starting),
    of another user, or not named and made as a staging folder, stays.
    """
    swept = []
    if fcntl is None:
        return swept  # no flock (Windows): leftovers stay
    for entry in os.scandir(out):
        if not _STAGING_NAME.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            fd = os.open(os.path.join(entry.path, STAGING_LOCK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # refused while a live run holds it
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue
        finally:
            os.close(fd)
        if not os.path.lexists(entry.path):
            swept.append(entry.path)
    return swept


def _move(out, paths):
    """Move the finished files into `out` (renames in one folder: quick); returns the new paths.

    A symbolic link in `out` is written through, as atomic_write does, not replaced.
    """
    moved = []
    for path in paths:
        target = os.path.join(out, os.path.basename(path))
        if os.path.islink(target):
            with open(path, "rb") as file:
                atomic_write(target, file.read())
        else:
            os.replace(path, target)
        moved.append(target)
    return moved
