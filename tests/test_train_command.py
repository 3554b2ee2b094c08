"""`plaingrad train` end to end in a temporary folder: files, pictures, accuracy, errors."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None

import nn
from nn.train import accuracy
from plaingrad.cli import main
from plaingrad.staging import STAGING, STAGING_LOCK
from plaingrad.train_command import OUTPUTS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
SMALL = ["--samples", "60", "--epochs", "3", "--hidden", "4"]


def svg_root(path):
    root = ET.parse(path).getroot()
    assert root.tag == SVG
    return root


def test_default_run_writes_everything_and_reaches_97_percent(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    expected = ["model.json", "history.csv", "curves.png", "curves.svg",
                "decision_boundary.png", "decision_boundary.svg", "neuron_graph.svg",
                "neuron_graph.html"]
    assert sorted(os.listdir(out)) == sorted(expected)
    for name in expected:
        assert str(out / name) in stdout  # every path written is printed
    for name in ("curves.png", "decision_boundary.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
    for name in ("curves.svg", "decision_boundary.svg", "neuron_graph.svg"):
        svg_root(out / name)
    graph = (out / "neuron_graph.svg").read_text()
    assert "layer1.neuron1.w1" in graph and "Z = W·x + b" in graph and "grad" in graph

    # Independent check: the saved model on the same held-out moons (raw features).
    model = nn.load(out / "model.json")
    assert (model.nin, model.nouts) == (2, [16, 16, 1])
    X, y = nn.moons(300, noise=0.1, seed=0)
    _, X_test, _, y_test = nn.train_test_split(X, y, test_size=0.2, seed=0)
    test_acc = accuracy(model.predict(X_test), y_test, 0.0)
    assert test_acc >= 0.97
    assert f"test accuracy {test_acc:.1%}" in stdout

    with open(out / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20 and list(rows[0]) == ["epoch", "loss", "accuracy", "test_loss",
                                                 "test_accuracy"]
    assert [int(r["epoch"]) for r in rows] == list(range(1, 21))
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])


def test_default_folder_is_runs_dataset(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "xor", *SMALL]) == 0
    assert (tmp_path / "runs" / "xor" / "model.json").exists()
    assert os.path.join("runs", "xor", "model.json") in capsys.readouterr().out


@pytest.mark.parametrize("options, threshold, least", [
    (["--dataset", "circles", "--loss", "bce", "--activation", "tanh", "--hidden", "8,8",
      "--lr", "0.05", "--epochs", "30"], 0.5, 0.95),
    (["--dataset", "blobs", "--loss", "hinge", "--optimizer", "sgd", "--lr", "0.05",
      "--hidden", "8", "--epochs", "10"], 0.0, 0.95),
    # No hidden layer: a straight line through the moons, ~85% at best.
    (["--dataset", "moons", "--loss", "mse", "--hidden", "none", "--noise", "0.2",
      "--lr", "0.05", "--epochs", "30"], 0.5, 0.8),
])
def test_other_options(tmp_path, options, threshold, least, capsys):
    assert main(["train", "--samples", "200", *options, "--out", str(tmp_path)]) == 0
    model = nn.load(tmp_path / "model.json")
    assert model.output_activation == ("sigmoid" if "bce" in options else "linear")
    hidden = options[options.index("--hidden") + 1]
    assert model.nouts == ([1] if hidden == "none" else [*map(int, hidden.split(",")), 1])
    # Independent check: the saved model on the same held-out points.
    make = nn.data.DATASETS[options[1]]
    noise = {"noise": 0.2} if "--noise" in options else {}
    X, y = make(200, seed=0, **noise)
    _, X_test, _, y_test = nn.train_test_split(X, y, test_size=0.2, seed=0)
    test_acc = accuracy(model.predict(X_test), y_test, threshold)
    assert test_acc >= least
    assert f"test accuracy {test_acc:.1%}" in capsys.readouterr().out


def test_csv_with_three_features_has_no_decision_boundary(tmp_path, capsys):
    path = tmp_path / "data.csv"
    X, y = nn.blobs(60, seed=0)
    lines = ["f1,f2,f3,cls"] + [f"{a},{b},{a * b},{t}" for (a, b), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert main(["train", "--csv", str(path), "--target", "cls", "--epochs", "3",
                 "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["curves.png", "curves.svg", "history.csv",
                                       "model.json", "neuron_graph.html", "neuron_graph.svg"]
    assert nn.load(out / "model.json").nin == 3
    assert "data: data, 48 training and 12 test samples, 3 features" in capsys.readouterr().out


def test_a_new_run_removes_the_pictures_it_did_not_draw(tmp_path, capsys):
    # A 2-feature run draws a decision boundary; a 3-feature run in the same folder must
    # not leave that picture of the other model beside its own model.json.
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    assert (out / "decision_boundary.svg").exists()
    path = tmp_path / "three.csv"
    X, y = nn.blobs(40, seed=0)
    path.write_text("a,b,c,label\n" + "".join(f"{a},{b},{a - b},{t}\n"
                                              for (a, b), t in zip(X, y)))
    assert main(["train", "--csv", str(path), "--epochs", "2", "--out", str(out)]) == 0
    assert not (out / "decision_boundary.svg").exists()
    assert not (out / "decision_boundary.png").exists()
    assert f"removed {out / 'decision_boundary.png'} (from an earlier run)" in \
        capsys.readouterr().out


def test_word_labels_train_and_say_which_is_which(tmp_path, capsys):
    X, y = nn.blobs(60, seed=0)
    path = tmp_path / "cancer.csv"
    path.write_text("diagnosis,a,b\n" + "".join(f"{'MB'[t == 0]},{a},{b}\n"
                                                 for (a, b), t in zip(X, y)))
    assert main(["train", "--csv", str(path), "--target", "diagnosis", "--epochs", "5",
                 "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "classes: 'B' is 0, 'M' is 1" in out and "test accuracy 100.0%" in out


def test_drop_leaves_out_an_id_column(tmp_path, capsys):
    # The breast-cancer CSV's shape: an ID column, word classes, a comma ending every line.
    X, y = nn.blobs(60, seed=0)
    path = tmp_path / "cancer.csv"
    path.write_text("id,diagnosis,radius,texture,\n" + "".join(
        f"P{i:05d},{'MB'[t == 0]},{a},{b},\n" for i, ((a, b), t) in enumerate(zip(X, y))))
    out = tmp_path / "o"
    assert main(["train", "--csv", str(path), "--target", "diagnosis", "--drop", "id",
                 "--epochs", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 features (standardized)" in printed and "test accuracy 100.0%" in printed
    assert nn.load(out / "model.json").nin == 2
    assert (out / "decision_boundary.svg").exists()  # two features left: a boundary is drawn
    # Repeated --drop options add up; a name with a comma is quoted as in the header.
    path = tmp_path / "more.csv"
    path.write_text('id,"size, mm",diagnosis,radius,texture\n' + "".join(
        f"{i},{9 * a},{'MB'[t == 0]},{a},{b}\n" for i, ((a, b), t) in enumerate(zip(X, y))))
    assert main(["train", "--csv", str(path), "--target", "diagnosis", "--drop", "id",
                 "--drop", '"size, mm"', "--epochs", "2", "--out", str(tmp_path / "o3")]) == 0
    assert "2 features (standardized)" in capsys.readouterr().out
    assert nn.load(tmp_path / "o3" / "model.json").nin == 2
    assert main(["train", "--csv", str(path), "--target", "diagnosis", "--drop", "ID",
                 "--out", str(tmp_path / "o2")]) == 2
    assert "no column 'ID' to drop; the columns are id, 'size, mm', diagnosis, radius, " \
        "texture" in capsys.readouterr().err


def test_an_interrupt_while_drawing_leaves_the_earlier_run_whole(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}
    from viz import plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "decision_boundary", interrupted)
    assert main(["train", *SMALL, "--seed", "7", "--out", str(out)]) == 130
    # The new model.json and curves were drawn, but never moved in; nothing is left over.
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == before


def test_a_symbolic_link_to_nowhere_writable_is_refused_before_training(tmp_path, capsys):
    out, afile = tmp_path / "out", tmp_path / "afile"
    out.mkdir()
    afile.write_text("keep")
    (out / "curves.png").symlink_to(afile / "sub" / "curves.png")  # under a file: unwritable
    assert main(["train", *SMALL, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert f"--out {out}: curves.png: it is a symbolic link to {afile / 'sub' / 'curves.png'}, " \
        "which does not exist" in captured.err
    assert captured.out == "" and os.listdir(out) == ["curves.png"]


def test_sigterm_while_drawing_leaves_the_earlier_run_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}
    from viz import plots

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill` or `timeout` would
        time.sleep(5)  # the handler raises SystemExit before this ends

    monkeypatch.setattr(plots, "decision_boundary", killed)
    previous = signal.getsignal(signal.SIGTERM)
    capsys.readouterr()
    try:
        status = main(["train", *SMALL, "--seed", "7", "--out", str(out)])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert status == 128 + signal.SIGTERM  # 143, as shells report it
    assert capsys.readouterr().err.endswith("plaingrad train: interrupted (SIGTERM)\n")
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == before


def test_ctrl_c_while_the_outputs_move_in_waits_for_them(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}
    real_replace, moved = os.replace, []

    def replace_then_interrupt(source, target):
        real_replace(source, target)
        if os.path.dirname(target) == str(out):  # a move into --out (not a staged write)
            moved.append(target)
        if len(moved) == 3:  # in the middle of the moves, as a badly timed Ctrl-C
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    assert main(["train", *SMALL, "--seed", "7", "--out", str(out)]) == 130
    assert "plaingrad train: interrupted" in capsys.readouterr().err
    after = {name: (out / name).read_bytes() for name in os.listdir(out)}
    assert after.keys() == before.keys()  # no staging folder left
    assert all(after[name] != before[name] for name in before)  # every file is the new run's


@pytest.mark.skipif(fcntl is None, reason="staging folders are locked with fcntl.flock")
def test_staging_folders_of_unfinished_runs_are_swept(tmp_path, capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()

    def staging(name, locked=None):
        folder = out / f"{STAGING}{name}"
        folder.mkdir()
        if locked is not None:
            fd = os.open(folder / STAGING_LOCK, os.O_WRONLY | os.O_CREAT)
            if locked:
                fcntl.flock(fd, fcntl.LOCK_EX)  # a live run's lock (this process holds it)
                held.append(fd)
            else:
                os.close(fd)  # its run is gone: the kernel released the lock
        return folder

    held = []
    killed = staging("k1x2_9ab", locked=False)
    (killed / "curves.png").write_bytes(b"half a picture")
    kept = [
        staging("live0000", locked=True),  # a live run's, even in another container
        staging("start000"),  # no lock file yet: a run just starting
        staging("k1x2_9a"),  # not mkdtemp's 8 characters: not a staging name
        out / "notes",  # the user's own folder
    ]
    kept[-1].mkdir()
    (kept[-1] / STAGING_LOCK).write_text("")
    link = out / f"{STAGING}link_abc"
    link.symlink_to(elsewhere)  # a link is never followed, nor removed
    (elsewhere / STAGING_LOCK).write_text("")
    (elsewhere / "keep.txt").write_text("mine")
    try:
        assert main(["train", *SMALL, "--out", str(out)]) == 0
    finally:
        for fd in held:
            os.close(fd)
    assert f"removed {killed} (left by an unfinished run)" in capsys.readouterr().out
    assert not killed.exists()
    assert all(folder.is_dir() for folder in kept)
    assert link.is_symlink() and (elsewhere / "keep.txt").read_text() == "mine"
    leftover = {name for name in os.listdir(out) if name.startswith(STAGING)}
    assert leftover == {folder.name for folder in kept[:-1]} | {link.name}


def test_a_file_system_without_locks_leaves_no_lock_file_to_sweep(tmp_path, monkeypatch):
    # Where flock is refused, the run goes on without the lock file, so that no later run
    # takes an unlocked file for the sign of a dead run while this one lives.
    if fcntl is None:
        pytest.skip("no fcntl.flock")
    from plaingrad import staging, train_command

    def no_locks(fd, operation):
        raise OSError(37, "No locks available")

    seen = []
    real_draw = train_command._draw_outputs

    def draw_and_look(folder, *args):
        seen.append(sorted(os.listdir(folder)))
        return real_draw(folder, *args)

    monkeypatch.setattr(staging.fcntl, "flock", no_locks)
    monkeypatch.setattr(train_command, "_draw_outputs", draw_and_look)
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    assert seen == [[]]  # no .lock in the staging folder while drawing
    assert not [name for name in os.listdir(out) if name.startswith(STAGING)]


def test_a_run_holds_the_lock_of_its_staging_folder(tmp_path, monkeypatch):
    # While drawing, the run's own staging folder is locked: another run would not sweep it.
    if fcntl is None:
        pytest.skip("no fcntl.flock")
    from plaingrad import staging, train_command

    seen = []
    real_draw = train_command._draw_outputs

    def draw_and_look(folder, *args):
        seen.append(staging.sweep(os.path.dirname(folder)))
        return real_draw(folder, *args)

    monkeypatch.setattr(train_command, "_draw_outputs", draw_and_look)
    assert main(["train", *SMALL, "--out", str(tmp_path / "out")]) == 0
    assert seen == [[]]
    assert not [name for name in os.listdir(tmp_path / "out") if name.startswith(STAGING)]


def test_an_interrupt_that_a_library_turns_into_an_error_is_still_an_interrupt(
        tmp_path, monkeypatch, capsys):
    from viz import plots

    def swallowing(*args, **kwargs):  # as matplotlib's C code does with a KeyboardInterrupt
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            raise ValueError("Invalid affine transformation matrix") from None

    monkeypatch.setattr(plots, "decision_boundary", swallowing)
    assert main(["train", *SMALL, "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert "plaingrad train: interrupted" in err and "affine" not in err
    assert os.listdir(tmp_path / "out") == []


def test_an_output_that_is_a_symbolic_link_is_written_through(tmp_path):
    out, real = tmp_path / "out", tmp_path / "kept" / "model.json"
    out.mkdir()
    real.parent.mkdir()
    real.write_text("old")
    (out / "model.json").symlink_to(real)
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    assert (out / "model.json").is_symlink() and nn.load(real).nin == 2


def test_a_single_class_is_refused_before_training(tmp_path, capsys):
    path = tmp_path / "ones.csv"
    path.write_text("a,label\n" + "".join(f"{i},1\n" for i in range(20)))
    assert main(["train", "--csv", str(path), "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert "plaingrad train: error: ones: every label is 1; a classifier needs samples of " \
        "at least two classes" in captured.err
    assert captured.out == "" and not (tmp_path / "o").exists()


def test_a_generator_error_names_the_options(tmp_path, capsys):
    assert main(["train", "--dataset", "xor", "--samples", "3", "--out", str(tmp_path)]) == 2
    assert "plaingrad train: error: --dataset xor --samples 3: n_samples must be an int from 4" \
        in capsys.readouterr().err


def test_bad_csv_is_a_clear_error_with_exit_status_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,0\n3,oops,1\n")
    assert main(["train", "--csv", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "plaingrad train: error:" in err and "bad.csv, line 3, column 2 ('b')" in err
    assert not (tmp_path / "o").exists()
    assert main(["train", "--csv", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("options, message", [
    (["--target", "y"], "--target applies to --csv files only"),
    (["--drop", "id"], "--drop applies to --csv files only"),
    (["--csv", "x.csv", "--samples", "10"], "--samples applies to generated data"),
    (["--dataset", "moons", "--classes", "4"], "--classes applies to --dataset spiral"),
    (["--dataset", "digits", "--noise", "0.1"], "--noise applies to generated data, not to "
                                                 "the digits"),
    (["--dataset", "spiral", "--loss", "bce"], "--loss bce: spiral has 3 classes, but bce "
                                                "tells two apart (one output); use --loss "
                                                "cross_entropy"),
])
def test_options_that_do_not_fit_together(tmp_path, options, message, capsys):
    assert main(["train", *options, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("options, message", [
    (["--lr", "-1"], "argument --lr: must be greater than 0"),
    (["--lr", "nan"], "argument --lr: must be a finite number"),
    (["--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
    (["--epochs", "0"], "argument --epochs: must be at least 1"),
    (["--batch-size", "2.5"], "argument --batch-size: expected a whole number"),
    (["--hidden", "16,x"], "argument --hidden: expected comma-separated layer sizes"),
    (["--hidden", "16,0"], "argument --hidden: layer sizes must be at least 1"),
    (["--test-size", "1"], "argument --test-size: must be between 0 and 1"),
    (["--noise", "-0.1"], "argument --noise: must be 0 or more"),
    (["--dataset", "spirals"], "argument --dataset: invalid choice: 'spirals'"),
    (["--activation", "gelu"], "argument --activation: invalid choice"),
    (["--loss", "huber"], "argument --loss: invalid choice"),
    (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice"),
    (["--dataset", "xor", "--csv", "a.csv"], "not allowed with argument"),
    # sizes beyond the limits
    (["--hidden", "99999999999"], "argument --hidden: a layer of 99,999,999,999 neurons has "
                                  "more than the 1,000,000 parameters"),
    (["--samples", "10000000"], "argument --samples: at most 1,000,000 points, got 10,000,000"),
    (["--out", ""], "argument --out: the output folder name is empty"),
    (["--drop", "id,,x"], "argument --drop: expected comma-separated column names"),
])
def test_bad_option_values_are_argparse_errors(options, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *options])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_divergence_is_reported_with_the_epoch(tmp_path, capsys):
    code = main(["train", "--loss", "mse", "--optimizer", "sgd", "--lr", "1e6", *SMALL,
                 "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert re.search(r"plaingrad train: error: fit: the cost J (became (inf|nan) at epoch \d+ "
                     r"|grew from \S+ \(untrained\) to a mean of \S+ over epoch \d+;)", err)
    assert "smaller learning rate than 1e+06" in err


@pytest.mark.parametrize("options", [[], ["--optimizer", "sgd", "--loss", "hinge"]])
def test_divergence_with_a_finite_cost_stops_without_saving(tmp_path, options, capsys):
    out = tmp_path / "out"
    code = main(["train", "--lr", "1e9", "--epochs", "30", "--samples", "60", *options,
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    found = re.search(r"plaingrad train: error: fit: the cost J grew from (\S+) \(untrained\) "
                      r"to a mean of (\S+) over epoch (\d+); training diverged: try a smaller "
                      r"learning rate than 1e\+09", err)
    assert found, err
    assert float(found[2]) > 1000 * max(float(found[1]), 1.0)  # the documented rule
    assert not (out / "model.json").exists()


def test_a_rising_cost_is_a_warning(tmp_path, capsys):
    assert main(["train", "--lr", "10", "--samples", "60", "--epochs", "5", "--hidden", "4",
                 "--out", str(tmp_path)]) == 0
    with open(tmp_path / "history.csv", newline="") as f:
        losses = [float(row["loss"]) for row in csv.DictReader(f)]
    assert losses[-1] > losses[0]
    assert (f"warning: the cost J rose from {losses[0]:.4g} (epoch 1) to {losses[-1]:.4g} "
            "(epoch 5); the learning rate may be too large") in capsys.readouterr().err


def test_a_falling_cost_gives_no_warning(tmp_path, capsys):
    assert main(["train", *SMALL, "--out", str(tmp_path)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_the_neuron_page_ends_with_the_drawings_numbers(tmp_path):
    # The page steps through the backward pass; at its end each box of the neuron must
    # read as in neuron_graph.svg (data and ∂J/∂node), the page's root a·∂J/∂a aside.
    import json
    import re

    assert main(["train", *SMALL, "--out", str(tmp_path)]) == 0
    records = sorted(texts for texts in (
        [t.text for t in g.iter(f"{SVG_NS}text")]
        for g in svg_root(tmp_path / "neuron_graph.svg").iter(f"{SVG_NS}g")
        if g.get("class") == "node") if any(t.startswith("data ") for t in texts))
    page = (tmp_path / "neuron_graph.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="pg-data">(.*?)</script>', page).group(1))
    final = {}
    for step in data["steps"]:
        for i, field, value in step["set"]:
            final[i, field] = value
    boxes = sorted(([node["label"]] if node["label"] else [])
                   + [f"data {final[i, 'data']}", f"grad {final[i, 'grad']}"]
                   for i, node in enumerate(data["nodes"]) if node["label"] != "a·∂J/∂a")
    # The inputs x_i feed every neuron of the layer; both show this neuron's share of
    # ∂J/∂x_i, w_i·∂J/∂Z, so every box reads the same.
    assert boxes == records
    number = {texts[0]: (float(texts[1][5:]), float(texts[2][5:])) for texts in records}
    dz = number["Z = W·x + b"][1]
    for j in (1, 2):
        w = number[f"layer1.neuron1.w{j}"][0]
        assert number[f"x{j}"][1] == pytest.approx(w * dz, rel=2e-3, abs=1e-6)


def svg_caption(path):
    """The lines of text above a Graphviz drawing (its graph label)."""
    [graph] = [g for g in svg_root(path).iter(f"{SVG_NS}g") if g.get("class") == "graph"]
    return [t.text for t in graph.findall(f"{SVG_NS}text")]


def test_the_neuron_graph_adds_up_and_says_it_is_one_of_the_layer(tmp_path):
    # Multiplying the numbers along a path gives the gradient at its end: x_i's grad on the
    # drawing is w_i·∂J/∂Z, this neuron's share, and the caption says whose the rest is.
    assert main(["train", *SMALL, "--hidden", "5", "--out", str(tmp_path)]) == 0
    path = tmp_path / "neuron_graph.svg"
    records = [[t.text for t in g.iter(f"{SVG_NS}text")]
               for g in svg_root(path).iter(f"{SVG_NS}g") if g.get("class") == "node"]
    number = {texts[0]: (float(texts[1][5:]), float(texts[2][5:]))
              for texts in records if len(texts) == 3}
    dz = number["Z = W·x + b"][1]
    assert dz != 0
    for j in (1, 2):
        assert number[f"x{j}"][1] == pytest.approx(number[f"layer1.neuron1.w{j}"][0] * dz,
                                                   rel=2e-3, abs=1e-6)
    caption = " ".join(svg_caption(path))
    assert "one of the 5 neurons of layer 1" in caption and "the other 4 neurons" in caption
    # ...and it gives the whole ∂J/∂x_i, against central differences of J on that sample.
    model = nn.load(tmp_path / "model.json")
    index = int(re.search(r"on test sample (\d+)", caption).group(1)) - 1
    X, y = nn.data.moons(60, seed=0)
    _, X_test, _, y_test = nn.data.train_test_split(X, y, test_size=0.2, seed=0)
    for j in (0, 1):
        shown = float(re.search(rf"∂J/∂x{j + 1} = (\S+?)[,\s]", caption + " ").group(1)
                      .replace("−", "-"))
        h, row = 1e-6, list(X_test[index])
        costs = []
        for step in (h, -2 * h):
            row[j] += step
            costs.append(nn.bce_with_logits([model(row)], [y_test[index]]).data)
        assert shown == pytest.approx((costs[0] - costs[1]) / (2 * h), rel=2e-3, abs=1e-6)


def test_csv_inputs_carry_their_column_names_in_the_neuron_graph(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("radius,texture,label\n" + "".join(
        f"{i % 7 - 3},{(i * 5) % 11 - 5},{'M' if i % 7 > 3 else 'B'}\n" for i in range(40)))
    assert main(["train", "--csv", str(path), "--epochs", "2", "--hidden", "3",
                 "--out", str(tmp_path / "o")]) == 0
    labels = [t.text for t in svg_root(tmp_path / "o" / "neuron_graph.svg").iter(f"{SVG_NS}text")]
    assert "radius" in labels and "texture" in labels and "x1" not in labels
    assert "∂J/∂radius = " in " ".join(svg_caption(tmp_path / "o" / "neuron_graph.svg"))


def test_missing_graphviz_skips_only_the_graph(tmp_path, monkeypatch, capsys):
    import viz

    monkeypatch.setattr(viz.graph, "_find_dot", lambda: None)
    assert main(["train", *SMALL, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped neuron_graph.svg" in err and "install Graphviz" in err
    assert not (tmp_path / "neuron_graph.svg").exists()
    assert not (tmp_path / "neuron_graph.html").exists()
    assert (tmp_path / "decision_boundary.svg").exists()


def test_a_failing_dot_program_skips_only_the_graph(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "bin"
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\necho 'dot: something broke' >&2\nexit 3\n")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    out = tmp_path / "out"
    assert main(["train", *SMALL, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped" in err and "exit 3" in err and "something broke" in err
    assert sorted(os.listdir(out)) == ["curves.png", "curves.svg", "decision_boundary.png",
                                       "decision_boundary.svg", "history.csv", "model.json"]


def test_any_render_failure_skips_only_the_graph(tmp_path, monkeypatch, capsys):
    import viz

    def too_slow(*args, **kwargs):
        raise viz.RenderError("render: Graphviz `dot` did not finish in 300 s")

    monkeypatch.setattr(viz.graph, "render", too_slow)
    assert main(["train", *SMALL, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped" in err and "did not finish in 300 s" in err
    assert (tmp_path / "model.json").exists() and not (tmp_path / "neuron_graph.svg").exists()


def test_python_dash_m_plaingrad_train_help():
    done = subprocess.run([sys.executable, "-m", "plaingrad", "train", "--help"],
                          capture_output=True, text=True, check=True)
    for option in ("--dataset", "--csv", "--target", "--drop", "--hidden", "--activation", "--loss",
                   "--optimizer", "--lr", "--epochs", "--batch-size", "--seed", "--out",
                   "--samples", "--noise", "--test-size"):
        assert option in done.stdout
    assert "default" in done.stdout


def test_model_json_is_plain_json(tmp_path):
    assert main(["train", *SMALL, "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "model.json").read_text())
    assert doc["format"] == "plaingrad-mlp" and doc["architecture"]["nouts"] == [4, 1]


def test_a_neuron_too_large_to_draw_is_skipped_with_a_warning(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    header = ",".join(f"f{j}" for j in range(300)) + ",label"
    rows = [",".join(str((i * j) % 7 / 7) for j in range(300)) + f",{i % 2}" for i in range(10)]
    path.write_text("\n".join([header, *rows]) + "\n")
    assert main(["train", "--csv", str(path), "--hidden", "2", "--epochs", "1",
                 "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped neuron_graph.svg: a neuron of 300 inputs is too large a drawing" in err
    assert "max_nodes" not in err and "max_size" not in err  # Python's arguments: no flag
    assert sorted(os.listdir(tmp_path / "out")) == ["curves.png", "curves.svg", "history.csv",
                                                    "model.json"]


@pytest.mark.parametrize("error, status, message", [
    (RuntimeError("render: Graphviz `dot` failed (exit 3)"), 2,
     "plaingrad train: error: render: Graphviz `dot` failed (exit 3)\n"),
    (RecursionError("maximum recursion depth exceeded"), 2,
     "plaingrad train: error: maximum recursion depth exceeded\n"),
    (MemoryError(), 2, "plaingrad train: error: out of memory; try a smaller input"),
    (KeyboardInterrupt(), 130, "plaingrad train: interrupted\n"),
])
def test_main_turns_expected_errors_into_one_line(monkeypatch, capsys, error, status, message):
    from plaingrad import train_command

    def fail(args):
        raise error

    monkeypatch.setattr(train_command, "run", fail)  # registered when main builds the parser
    assert main(["train"]) == status
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err


def test_too_many_parameters_are_refused_before_training(tmp_path, capsys):
    # 2·1000 + 1000 + 2·(1000·1000 + 1000) + 1001 = 2,006,001 parameters
    assert main(["train", "--hidden", "1000,1000,1000", "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert "2 features and --hidden 1000,1000,1000 make 2,006,001 parameters, more than the " \
           "1,000,000" in captured.err
    assert captured.out == "" and not (tmp_path / "o").exists()


def test_an_endless_csv_is_refused(tmp_path, capsys):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    assert main(["train", "--csv", "/dev/zero", "--out", str(tmp_path / "o")]) == 2
    assert "plaingrad train: error: /dev/zero, line 1: longer than 1,000,000 characters" in \
        capsys.readouterr().err


@pytest.mark.parametrize("scale, offset", [(1e200, 0.0), (4e307, 0.0), (1e306, 1.7e308)])
def test_huge_feature_values_train_like_small_ones(tmp_path, scale, offset, capsys):
    # (1e306, 1.7e308): near the largest float, where W·mean would overflow model.json's bias
    X, y = nn.blobs(100, seed=0)
    raw = [[offset + a * scale, offset + b * scale] for a, b in X]
    path = tmp_path / "huge.csv"
    path.write_text("a,b,label\n" + "".join(f"{a!r},{b!r},{t}\n" for (a, b), t in zip(raw, y)))
    out = tmp_path / "out"
    assert main(["train", "--csv", str(path), "--epochs", "5", "--out", str(out)]) == 0
    # The saved model takes the raw features: check it on them.
    _, X_test, _, y_test = nn.train_test_split(raw, y, test_size=0.2, seed=0)
    model = nn.load(out / "model.json")
    test_acc = accuracy(model.predict(X_test), y_test, 0.0)
    assert test_acc >= 0.95
    assert f"test accuracy {test_acc:.1%}" in capsys.readouterr().out
    svg_root(out / "decision_boundary.svg")


def test_a_column_too_small_to_take_raw_is_named_before_training(tmp_path, capsys):
    path = tmp_path / "tiny.csv"
    X, y = nn.blobs(40, seed=0)
    path.write_text("a,b,label\n" + "".join(f"{a!r},{b * 1e-318!r},{t}\n"
                                            for (a, b), t in zip(X, y)))
    assert main(["train", "--csv", str(path), "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert re.search(r"plaingrad train: error: \S*tiny\.csv: column 'b': the values are too "
                     r"small: they vary by \S+ \(std\)", captured.err)
    assert captured.out == "" and not (tmp_path / "o").exists()


def test_a_test_value_too_far_to_scale_names_the_file_and_column(tmp_path, capsys):
    # The training rows barely vary (1e-300 apart); one row, 1e10, lands in the test split.
    path = tmp_path / "outlier.csv"
    path.write_text("a,b,label\n" + "".join(f"{i * 1e-300!r},{i % 3},{i % 2}\n"
                                            for i in range(20)) + "1e10,1,1\n")
    assert main(["train", "--csv", str(path), "--seed", "1", "--out", str(tmp_path / "o")]) == 2
    assert f"plaingrad train: error: {path}: column 'a': the test value 10000000000.0 is too " \
        "far from the training rows" in capsys.readouterr().err


def test_noise_that_overflows_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "--noise", "1e308", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert ("plaingrad train: error: --dataset moons --noise 1e+308: noise=1e+308 is too "
            "large: some points overflow") in err
    assert "learning rate" not in err


def test_output_folders_that_cannot_be_written_are_refused_before_training(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.json").mkdir()
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "nowhere" / "t")
    (tmp_path / "devnull").mkdir()
    (tmp_path / "devnull" / "model.json").symlink_to("/dev/null")
    for out, message in ((afile, f"--out {afile}: exists and is not a folder"),
                         (broken, f"--out {broken}: a broken symbolic link (to {tmp_path}"),
                         (tmp_path / "devnull",
                          f"--out {tmp_path / 'devnull'}: model.json: it is not a regular file"),
                         (afile / "sub", f"--out {afile / 'sub'}: {afile} is a file"),
                         (tmp_path / "run",
                          f"--out {tmp_path / 'run'}: model.json: it is a folder")):
        assert main(["train", *SMALL, "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert f"plaingrad train: error: {message}" in captured.err
        assert captured.out == ""  # nothing trained, nothing printed
    assert afile.read_text() == "keep me"


@pytest.mark.parametrize("name", OUTPUTS)
def test_a_dangling_link_in_out_is_refused_before_training(tmp_path, capsys, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).symlink_to(tmp_path / "nonexistent" / "dir" / name)
    assert main(["train", *SMALL, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert f"--out {out}: {name}: it is a symbolic link to {tmp_path}/nonexistent/dir/{name}, " \
        "which does not exist" in captured.err and captured.out == ""
    assert not (tmp_path / "nonexistent").exists() and os.listdir(out) == [name]


def test_a_dangling_link_above_out_is_refused_before_training(tmp_path, capsys):
    (tmp_path / "runs").symlink_to(tmp_path / "gone")
    assert main(["train", *SMALL, "--out", str(tmp_path / "runs" / "moons")]) == 2
    assert f"{tmp_path / 'runs'} is a symbolic link to {tmp_path / 'gone'}, which does not " \
        "exist" in capsys.readouterr().err
    assert not (tmp_path / "gone").exists()


# ----- k classes -----

def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_MAGIC
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_spiral_trains_k_classes_with_cross_entropy_and_draws_k_regions(tmp_path, capsys):
    out = tmp_path / "spiral"
    assert main(["train", "--dataset", "spiral", "--classes", "4", "--samples", "120",
                 "--epochs", "15", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "loss cross_entropy" in stdout and "4 classes" in stdout
    for name in ("decision_boundary", "confusion_matrix", "curves"):
        svg_root(out / f"{name}.svg")
    assert png_size(out / "decision_boundary.png") == (600, 500)
    assert png_size(out / "confusion_matrix.png") == (500, 400)  # 4 classes: the smallest
    assert not (out / "misclassified.png").exists()  # points, not images

    model = nn.load(out / "model.json")
    assert model.nouts == [16, 16, 4] and model.classes == ["0", "1", "2", "3"]
    X, y = nn.spiral(120, classes=4, seed=0)
    _, X_test, _, y_test = nn.train_test_split(X, y, test_size=0.2, seed=0)
    shares = nn.train.class_accuracy(model.predict(X_test), y_test, 4)
    assert f"test accuracy {accuracy(model.predict(X_test), y_test):.1%}" in stdout
    assert "test accuracy per class: " + ", ".join(f"{c} {a:.1%}" for c, a in
                                                  zip("0123", shares)) in stdout
    with open(out / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15
    assert [float(rows[-1][f"test_class_accuracy[{c}]"]) for c in range(4)] == shares


def test_a_csv_of_three_word_classes(tmp_path, capsys):
    X, y = nn.spiral(90, classes=3, noise=0.1, seed=2)
    names = ["virginica", "setosa", "Versicolor"]  # sorted: setosa 0, Versicolor 1, virginica 2
    path = tmp_path / "flowers.csv"
    path.write_text("a,b,species\n" + "".join(f"{a},{b},{names[t]}\n"
                                              for (a, b), t in zip(X, y)))
    out = tmp_path / "o"
    assert main(["train", "--csv", str(path), "--target", "species", "--epochs", "10",
                 "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "classes: 'setosa' is 0, 'Versicolor' is 1, 'virginica' is 2" in stdout
    assert "loss cross_entropy" in stdout and "test accuracy per class: setosa " in stdout
    model = nn.load(out / "model.json")
    assert model.classes == ["setosa", "Versicolor", "virginica"] and model.nouts[-1] == 3
    header = (out / "history.csv").read_text().splitlines()[0]
    assert "test_class_accuracy[Versicolor]" in header
    for name in ("decision_boundary.png", "confusion_matrix.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC


def test_digits_write_a_confusion_matrix_and_the_misclassified_images(tmp_path, capsys):
    out = tmp_path / "digits"
    # A short run (the default one is a benchmark workload, bench/run.py digits).
    assert main(["train", "--dataset", "digits", "--epochs", "1", "--hidden", "8",
                 "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "data: digits, 1437 training and 360 test samples, 64 features" in stdout
    assert "init fan_in" in stdout and "loss cross_entropy" in stdout
    assert not (out / "decision_boundary.png").exists()
    assert png_size(out / "confusion_matrix.png") == (700, 600)  # 10 classes
    model = nn.load(out / "model.json")
    assert (model.nin, model.nouts) == (64, [8, 10])
    X, y = nn.digits()
    _, X_test, _, y_test = nn.train_test_split(X, y, test_size=0.2, seed=0)
    wrong = sum(p != t for p, t in zip(model.predict(X_test), y_test))
    assert f"{wrong} of 360 test images misclassified" not in stdout  # (it is in the picture)
    shown = min(wrong, 64)
    columns, rows = min(shown, 8), -(-shown // 8)
    assert 0 < wrong and png_size(out / "misclassified.png") == \
        (round(130 * columns + 40), round(150 * rows + 60))
    svg_root(out / "misclassified.svg")
