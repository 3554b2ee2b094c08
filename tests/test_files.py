"""autograd.files.atomic_write: all or nothing, and never replacing what is not a file."""

import os
import stat

import pytest

from autograd.files import atomic_write


def test_writes_text_and_bytes_creating_folders(tmp_path):
    path = tmp_path / "a" / "b" / "out.txt"
    assert atomic_write(path, "héllo\n") == str(path)
    assert path.read_bytes() == "héllo\n".encode()
    atomic_write(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert sorted(os.listdir(path.parent)) == ["out.txt"]  # no temporary file left


def test_follows_the_umask_not_mkstemps_private_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "f", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "f.txt"
    atomic_write(path, "old")
    with pytest.raises(TypeError, match="str or bytes"):
        atomic_write(path, 42)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_a_folder_is_refused_by_name(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic_write(tmp_path, "x")


def test_symlink_is_followed_not_replaced(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_fifo_and_devices_are_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        atomic_write(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "out.dot"
    link.symlink_to("/dev/null")
    with pytest.raises(ValueError, match="not a regular file"):
        atomic_write(link, "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_failed_write_names_the_users_path_not_the_temporary_file(tmp_path, monkeypatch):
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("builtins.open", refuse)
    target = tmp_path / "g.svg"
    with pytest.raises(PermissionError, match=r"\[Errno 13\] Permission denied: '.*/g\.svg'$"):
        atomic_write(target, "x")
    assert os.listdir(tmp_path) == []
