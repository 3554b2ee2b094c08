"""autograd.files.atomic_write: all or nothing, and never replacing what is not a file."""

import os
import shutil
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
    with pytest.raises(PermissionError, match=r"^cannot write '.*/g\.svg': Permission denied$") \
            as caught:
        atomic_write(target, "x")
    assert caught.value.errno == 13
    assert os.listdir(tmp_path) == []


# ----- the rule for symbolic links (the module's docstring) -----

def test_a_dangling_link_is_refused_and_nothing_is_created(tmp_path):
    link = tmp_path / "blink.svg"
    link.symlink_to(tmp_path / "nonexistent" / "dir" / "t.svg")
    with pytest.raises(FileNotFoundError, match=r"blink\.svg': it is a symbolic link to .*t\.svg, "
                                                r"which does not exist"):
        atomic_write(link, "x")
    assert not (tmp_path / "nonexistent").exists() and os.listdir(tmp_path) == ["blink.svg"]
    assert link.is_symlink()


def test_a_dangling_link_among_the_folders_is_refused(tmp_path):
    (tmp_path / "runs").symlink_to(tmp_path / "gone" / "runs")
    with pytest.raises(FileNotFoundError, match=r"runs is a symbolic link to .*gone/runs"):
        atomic_write(tmp_path / "runs" / "moons" / "model.json", "x")
    assert not (tmp_path / "gone").exists()


def test_a_link_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(FileNotFoundError, match="symbolic link"):
        atomic_write(tmp_path / "a", "x")


def test_a_link_to_a_folder_is_that_folder_and_missing_folders_are_made_inside(tmp_path):
    (tmp_path / "big").mkdir()
    (tmp_path / "runs").symlink_to(tmp_path / "big")
    atomic_write(tmp_path / "runs" / "moons" / "model.json", "x")
    assert (tmp_path / "big" / "moons" / "model.json").read_text() == "x"
    assert (tmp_path / "runs").is_symlink()


def test_a_relative_link_to_a_file_is_written_through(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "real.svg").write_text("old")
    (tmp_path / "link.svg").symlink_to(os.path.join("d", "real.svg"))
    atomic_write(tmp_path / "link.svg", "new")
    assert (tmp_path / "d" / "real.svg").read_text() == "new"
    assert sorted(os.listdir(tmp_path / "d")) == ["real.svg"]


def test_a_file_in_the_way_of_a_folder_is_named(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(NotADirectoryError, match=r"cannot write .*: .*/f is a file, not a folder"):
        atomic_write(tmp_path / "f" / "g.svg", "x")


def test_check_target_creates_nothing_and_names_where_a_link_leads(tmp_path):
    from autograd.files import check_target

    assert check_target(tmp_path / "new" / "g.svg") == str(tmp_path / "new" / "g.svg")
    assert os.listdir(tmp_path) == []
    (tmp_path / "real.svg").write_text("")
    (tmp_path / "link.svg").symlink_to(tmp_path / "real.svg")
    assert check_target(tmp_path / "link.svg") == str(tmp_path / "real.svg")


# ----- the rule holds for every file plaingrad writes -----

def _writers():
    """(name, write(path)) for each function of plaingrad that writes a file."""
    import nn
    import viz
    from autograd import Value

    def graph(suffix):
        return lambda path: viz.render(Value(2.0, label="x") * 3.0, path.with_suffix(suffix))

    writers = [
        ("nn.save", lambda path: nn.save(nn.MLP(2, [1], seed=0), path)),
        ("viz.render .dot", graph(".dot")),
        ("viz.to_html", lambda path: viz.to_html(Value(2.0, label="x") * 3.0, path)),
        ("atomic_write", lambda path: atomic_write(path, "x")),
    ]
    if shutil.which("dot"):
        writers += [("viz.render .svg", graph(".svg")), ("viz.render .png", graph(".png"))]
    try:
        from viz import plots
    except ImportError:
        return writers
    writers += [
        ("plots.training_curves", lambda path: plots.training_curves({"loss": [1.0]}, path)),
        ("plots.decision_boundary", lambda path: plots.decision_boundary(
            lambda rows: [r[0] for r in rows], [[0.0, 0.0], [1.0, 1.0]], [0, 1], path,
            threshold=0.5, resolution=5)),
    ]
    return writers


@pytest.mark.parametrize("name, write", _writers(), ids=[name for name, _ in _writers()])
def test_every_writer_refuses_a_dangling_link_and_creates_nothing_through_it(tmp_path, name,
                                                                             write):
    folder = tmp_path / "links"
    folder.mkdir()
    # The file itself a dangling link (each of the names the writer may use)...
    for suffix in (".svg", ".png", ".dot", ".html", ".json", ""):
        (folder / f"out{suffix}").symlink_to(tmp_path / "nonexistent" / "dir" / f"t{suffix}")
    with pytest.raises(FileNotFoundError, match="is a symbolic link to .*, which does not exist"):
        write(folder / "out.json" if name == "nn.save" else folder / "out")
    # ...or a folder on the way.
    (tmp_path / "runs").symlink_to(tmp_path / "gone")
    with pytest.raises(FileNotFoundError, match=r"runs is a symbolic link to .*gone"):
        write(tmp_path / "runs" / "sub" / "out")
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "gone").exists()
    assert all(p.is_symlink() for p in folder.iterdir())
