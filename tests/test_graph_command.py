"""`plaingrad graph` end to end: gradients printed, SVG written, bad input refused."""

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import viz
from autograd import Value
from plaingrad.cli import main
from viz import graph as viz_graph

ROOT = Path(__file__).resolve().parent.parent


def test_neuron_prints_gradients_and_writes_svg(tmp_path, capsys):
    out = tmp_path / "neuron.svg"
    status = main(["graph", "tanh(x*w + b)", "x=1", "w=-2", "b=0.5", "-o", str(out)])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    t = math.tanh(1 * -2 + 0.5)
    assert lines[0] == f"tanh(x*w + b) = {t:.6g}"
    assert lines[1:4] == [f"  ∂/∂x = {(1 - t * t) * -2:.6g}",  # closed form (1 - tanh²)·w
                          f"  ∂/∂w = {(1 - t * t) * 1:.6g}",
                          f"  ∂/∂b = {1 - t * t:.6g}"]
    assert lines[4] == f"wrote {out}"
    texts = [e.text for e in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")]
    assert "data -0.9051" in texts and "grad 0.1807" in texts and "tanh" in texts


def test_default_output_and_format_from_suffix(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*x", "x=3"]) == 0
    assert (tmp_path / "runs/graph/graph.svg").read_text().startswith("<?xml")
    assert main(["graph", "x*x", "x=3", "-o", "g.png"]) == 0
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["graph", "x*x", "x=3", "-o", "g.txt", "--format", "dot"]) == 0
    assert (tmp_path / "g.txt").read_text().startswith("digraph {")
    assert "  ∂/∂x = 6" in capsys.readouterr().out


def test_an_html_output_is_the_step_through_page(tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["graph", "sigmoid(w*x + b)", "x=2", "w=-0.5", "b=0.1", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(0.1, label="b")
    assert out.read_text(encoding="utf-8") == viz.to_html((w * x + b).sigmoid())
    assert main(["graph", "x*x", "x=3", "-o", str(tmp_path / "p.txt"), "--format", "html"]) == 0
    assert (tmp_path / "p.txt").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_same_command_gives_byte_identical_svg(tmp_path):
    for name in ("a.svg", "b.svg"):
        main(["graph", "sigmoid(w*x + b) ** 2", "x=2", "w=-0.5", "b=0.1",
              "-o", str(tmp_path / name)])
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


@pytest.mark.parametrize("argv, message", [
    (["__import__('os').system('touch pwned')"], "calling a method (.system)"),
    (["().__class__.__bases__[0].__subclasses__()"], "not allowed"),
    (["(lambda: 1)()"], "this call is not allowed"),
    (["open('x').read()"], "not allowed"),
    (["x*y", "x=1"], "no value given for y"),
    (["x*y", "x=1", "y=2", "z=3"], "z given but not used"),
    (["x", "x=one"], "'one' is not a number"),
    (["x", "x=nan"], "finite"),
    (["x", "x=1", "x=2"], "given twice"),
    (["log(x)", "x=-1"], "log needs x > 0"),
    (["1/x", "x=0"], "division of 1.0 by zero"),
    (["(" * 10_000 + "x" + ")" * 10_000, "x=1"], "the limit is 10,000"),
    (["-" * 5_000 + "x", "x=1"], "5,000 operator signs"),
    (["(" * 150 + "x" + ")" * 150, "x=1"], "nested deeper than 100"),
    (["x*1e999", "x=1"], "column 4: a number too large for a float"),  # after the " "
    (["9**9**9 * x", "x=1"], "this constant part is inf"),
    (["x" + "+x" * 100, "x=1"], "size is 20,501 "),  # one leaf reused far apart: dot would
    (["x" + "*x" * 40, "x=1"], "more than --max-size 3000"),  # take minutes; refused at once
])
def test_bad_input_is_a_clear_error_and_no_file(tmp_path, capsys, argv, message):
    out = tmp_path / "g.svg"
    expression, *bindings = argv
    # " " + expression: argparse would read a leading "-" as an option
    assert main(["graph", " " + expression, *bindings, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plaingrad graph: error: ") and message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_size_limit_names_the_options_that_help(tmp_path, monkeypatch, capsys):
    def no_dot():
        raise AssertionError("dot must not run for a refused graph")

    monkeypatch.setattr(viz_graph, "_find_dot", no_dot)
    out = tmp_path / "g.svg"
    chain = "x" + "+x" * 40  # drawing size 3n + 1 + 2(n² + n) for n = 40 additions
    assert main(["graph", chain, "x=1", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "size is 3,401 " in err and "--no-local (size 1,761)" in err
    assert "--max-size 3401 to draw it anyway" in err
    assert main(["graph", chain, "x=1", "-o", str(out), "--no-local", "--max-size", "1760"]) == 2
    assert "size is 1,761 " in capsys.readouterr().err
    assert not out.exists()
    # raised to the size, it is drawn (here as DOT text, with no Graphviz run)
    dot_file = tmp_path / "g.dot"
    assert main(["graph", chain, "x=1", "-o", str(dot_file), "--max-size", "3401"]) == 0
    assert dot_file.read_text().count("shape=record") == 41
    # only the size limits the command line: 551 Values (over max_nodes) in a chain are fine
    long = "x" + "*2" * 550
    assert main(["graph", long, "x=1", "-o", str(dot_file)]) == 0  # size 2,751
    assert dot_file.read_text().count("shape=record") == 551
    assert dot_file.read_text().count('[label="× 2"') == 550  # the 2s are folded into the ops


def test_negative_zero_gradient_is_printed_as_zero(tmp_path, capsys):
    # relu'(-x) at x = 0 is 0, so ∂/∂x = 0 · -1 = -0.0 in IEEE arithmetic
    assert main(["graph", "relu(-x)", "x=0", "-o", str(tmp_path / "g.dot")]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["relu(-x) = 0", "  ∂/∂x = 0"]


def test_unicode_names_match_their_bindings(tmp_path, capsys):
    # Python's parser reads the fullwidth ｘ as x; so does the binding.
    assert main(["graph", "ｘ*ｘ", "ｘ=3", "-o", str(tmp_path / "g.dot")]) == 0
    assert "  ∂/∂x = 6" in capsys.readouterr().out


def test_a_folder_as_output_gets_graph_with_the_format_inside(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*x", "x=3", "-o", "newdir/"]) == 0
    assert (tmp_path / "newdir" / "graph.svg").read_text().startswith("<?xml")
    (tmp_path / "existing").mkdir()
    assert main(["graph", "x*x", "x=3", "-o", "existing", "--format", "dot"]) == 0
    assert (tmp_path / "existing" / "graph.dot").read_text().startswith("digraph {")
    out = capsys.readouterr().out
    assert f"wrote {Path('newdir/graph.svg')}" in out and "wrote existing/graph.dot" in out


@pytest.mark.parametrize("options, message", [
    (["-o", "g.exe"], "cannot tell the format from '.exe'; name the file .svg, .png, .pdf"),
    (["-o", "graph"], "cannot tell the format from a name without a suffix"),
    (["-o", "g.png", "--format", "svg"], "the suffix .png says png, but --format is svg"),
    (["-o", ""], "the output name is empty"),
])
def test_output_name_and_format_must_agree(tmp_path, monkeypatch, capsys, options, message):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*x", "x=3", *options]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("plaingrad graph: error: -o") and message in captured.err
    assert captured.out == ""  # refused before any work
    assert list(tmp_path.iterdir()) == []


def test_outputs_that_cannot_be_written_are_refused_before_any_work(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    for output, message in ((f"{afile}/", f"-o {afile}/: {afile} is a file, not a folder"),
                            ("/dev/null", "-o /dev/null: it is not a regular file")):
        assert main(["graph", "x*w", "x=1", "w=2", "-o", output, "--format", "svg"]) == 2
        captured = capsys.readouterr()
        assert f"plaingrad graph: error: {message}" in captured.err
        assert captured.out == ""  # nothing computed, nothing printed
    assert afile.read_text() == "keep"


def test_missing_graphviz_still_prints_gradients(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: None)
    assert main(["graph", "x*x", "x=3", "-o", str(tmp_path / "g.svg")]) == 2
    captured = capsys.readouterr()
    assert "  ∂/∂x = 6" in captured.out
    assert "install Graphviz" in captured.err
    assert list(tmp_path.iterdir()) == []


def test_command_line_program(tmp_path):
    """Through a real process (`python -m plaingrad`, what the `plaingrad` script runs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "plaingrad", "graph", "exp(a) - a", "a=0", "-o", "x.svg"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["exp(a) - a = 1", "  ∂/∂a = 0"]
    assert (tmp_path / "x.svg").exists()
    bad = subprocess.run([sys.executable, "-m", "plaingrad", "graph", "__import__('os')"],
                         capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert bad.returncode == 2 and "calling `__import__` is not allowed" in bad.stderr
    assert "Traceback" not in bad.stderr
    # Python warns "invalid decimal literal" while parsing this; the user sees only our error.
    odd = subprocess.run([sys.executable, "-W", "default", "-m", "plaingrad", "graph",
                          "1if 1else 2"],
                         capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert odd.returncode == 2
    assert odd.stderr.splitlines() == ["plaingrad graph: error: column 1: not allowed: "
                                       "`if ... else`", "  1if 1else 2", "  ^"]


@pytest.mark.parametrize("name", ["blink.svg", "blink.png", "blink.dot", "blink.html"])
def test_a_dangling_link_as_output_is_refused_and_nothing_is_created(tmp_path, capsys, name):
    link = tmp_path / name
    link.symlink_to(tmp_path / "nonexistent" / "dir" / "t.svg")
    assert main(["graph", "x*w", "x=1", "w=2", "-o", str(link)]) == 2
    captured = capsys.readouterr()
    assert f"-o {link}: it is a symbolic link to {tmp_path}/nonexistent/dir/t.svg, which does " \
        "not exist" in captured.err and captured.out == ""
    assert not (tmp_path / "nonexistent").exists() and link.is_symlink()
    (tmp_path / "runs").symlink_to(tmp_path / "gone")
    assert main(["graph", "x*w", "x=1", "w=2", "-o", str(tmp_path / "runs" / "g" / name)]) == 2
    assert f"{tmp_path / 'runs'} is a symbolic link to {tmp_path / 'gone'}" in \
        capsys.readouterr().err
    assert not (tmp_path / "gone").exists()
