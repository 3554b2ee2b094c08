"""plaingrad.outputs: where graph -o and train --out may write, checked up front."""

import os

import pytest

from plaingrad.outputs import check_file, check_folder, check_writable


def test_a_folder_that_can_be_made_or_written_passes(tmp_path):
    check_folder(str(tmp_path), "--out x:")
    check_folder(str(tmp_path / "new" / "deeper"), "--out x:")
    check_file(str(tmp_path / "new" / "g.svg"), "-o g.svg:")
    check_writable("", "-o g.svg:")  # a bare file name: the current folder


def test_a_file_on_the_way_is_named(tmp_path):
    afile = tmp_path / "data.csv"
    afile.write_text("x")
    with pytest.raises(ValueError, match=f"^--out o: {afile} is a file, not a folder$"):
        check_folder(str(afile / "runs"), "--out o:")
    with pytest.raises(ValueError, match="^--out o: exists and is not a folder$"):
        check_folder(str(afile), "--out o:")
    with pytest.raises(ValueError, match=f"^-o g: {afile} is a file, not a folder$"):
        check_file(str(afile / "g.svg"), "-o g:")


def test_folders_devices_and_broken_links_are_refused(tmp_path):
    (tmp_path / "model.json").mkdir()
    with pytest.raises(ValueError, match="^--out o: model.json: it is a folder$"):
        check_file(str(tmp_path / "model.json"), "--out o:", "model.json")
    with pytest.raises(ValueError, match=r"^-o /dev/null: it is not a regular file \(a device"):
        check_file("/dev/null", "-o /dev/null:")
    broken = tmp_path / "gone"
    broken.symlink_to(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=f"^--out o: a broken symbolic link \\(to {tmp_path}"):
        check_folder(str(broken), "--out o:")


def test_a_link_is_checked_where_it_leads(tmp_path, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("x")
    link = tmp_path / "model.json"
    link.symlink_to(afile / "model.json")  # leads nowhere: under a file
    with pytest.raises(ValueError, match=f"^--out o: model.json: it is a symbolic link to "
                                         f"{afile}/model.json, which does not exist"):
        check_file(str(link), "--out o:", "model.json")
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "m.json").write_text("")
    link.unlink()
    link.symlink_to(tmp_path / "kept" / "m.json")
    check_file(str(link), "--out o:", "model.json")
    monkeypatch.setattr(os, "access", lambda path, mode: os.fspath(path) != str(tmp_path / "kept"))
    with pytest.raises(ValueError, match=f"^--out o: model.json: no permission to write in "
                                         f"{tmp_path / 'kept'}, where the link leads$"):
        check_file(str(link), "--out o:", "model.json")


def test_a_dangling_link_among_the_folders_is_refused(tmp_path):
    (tmp_path / "runs").symlink_to(tmp_path / "gone")
    for check in (check_folder, check_file):
        with pytest.raises(ValueError, match=f"^--out o: {tmp_path / 'runs'} is a symbolic link "
                                             f"to {tmp_path / 'gone'}, which does not exist"):
            check(str(tmp_path / "runs" / "moons"), "--out o:")


def test_no_permission_is_named(tmp_path, monkeypatch):
    # os.access is asked (root may write anywhere, so a chmod would prove nothing here).
    monkeypatch.setattr(os, "access", lambda path, mode: os.fspath(path) != str(tmp_path))
    with pytest.raises(ValueError, match=f"^-o g.svg: no permission to write in {tmp_path}$"):
        check_file(str(tmp_path / "g.svg"), "-o g.svg:")
    check_file(str(tmp_path.parent / "g.svg"), "-o g.svg:")
