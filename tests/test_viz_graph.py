"""Computation-graph drawings: content, determinism, escaping, limits, and a missing `dot`."""

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import viz
from autograd import Value, dot, total
from viz import graph as viz_graph

SVG = "{http://www.w3.org/2000/svg}"


def neuron():
    """tanh(x·w + b) after backward(), as in micrograd's trace notebook."""
    x, w, b = Value(1.0, label="x"), Value(-2.0, label="w"), Value(0.5, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return y, (x, w, b)


def svg_texts(path):
    """Every <text> string in an SVG file, which must be well-formed XML."""
    tree = ET.parse(path)
    return [element.text for element in tree.iter(f"{SVG}text")]


def all_values(root):
    seen, stack = [root], [root]
    while stack:
        for parent in stack.pop().parents:
            if all(parent is not s for s in seen):
                seen.append(parent)
                stack.append(parent)
    return seen


def test_svg_is_xml_with_every_data_and_grad(tmp_path):
    y, (x, w, b) = neuron()
    path = viz.render(y, tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    texts = svg_texts(path)
    values = all_values(y)
    assert len(values) == 6  # x, w, b, x·w, x·w + b, y
    for v in values:
        assert f"data {v.data:.4g}" in texts
        assert f"grad {v.grad:.4g}" in texts
    t = math.tanh(-1.5)
    assert f"grad {(1 - t * t) * 1.0:.4g}" in texts  # ∂y/∂w = (1 - tanh²)·x
    for name in "xwby":
        assert name in texts
    assert {"×", "+", "tanh"} <= set(texts)


def test_same_expression_gives_byte_identical_svg(tmp_path):
    first = viz.render(neuron()[0], tmp_path / "a.svg").read_bytes()
    second = viz.render(neuron()[0], tmp_path / "b.svg").read_bytes()
    assert first == second
    assert viz.to_dot(neuron()[0]) == viz.to_dot(neuron()[0])


def test_ids_follow_traversal_and_parents_keep_operand_order():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    source = viz.to_dot(a - b)  # a + (b · -1)
    lines = source.splitlines()
    # root n0, then its parents a (n1) and b·-1 (n2), then b (n3) and the constant -1 (n4)
    assert '\tn1 [label="{ a | data 2 | grad 0 }"' in "\n".join(lines)
    edges = [line.strip() for line in lines if "-> n0_op" in line]
    assert edges[0].startswith("n1 -> n0_op") and edges[1].startswith("n2 -> n0_op")


def test_op_symbols():
    x = Value(0.5, label="x")
    parts = [x + 1, x * 2, x.exp(), x.log(), x.tanh(), x.sigmoid(), x.relu(), x.softplus(),
             x ** 2, x ** -1, x ** 0.5, dot([x, x], [1.0, 2.0]), x / 4, x / Value(3.0),
             x ** Value(2.0)]
    source = viz.to_dot(total(parts))
    for symbol in ["+ 1", "× 2", "exp", "log", "tanh", "σ", "ReLU", "softplus", "Σ", "dot",
                   "^2", "^-1", "^0.5", "÷ 4", "÷", "^"]:
        assert f'[label="{symbol}"' in source or f"[label={symbol} " in source, symbol


def test_arrows_into_a_division_or_a_power_name_the_operands():
    x, y = Value(2.0, label="x"), Value(4.0, label="y")
    for show_local, labels in ((True, ["numerator 0.25", "divisor -0.125", "base 32",
                                       "exponent 11.09"]),
                               (False, ["numerator", "divisor", "base", "exponent"])):
        source = viz.to_dot(x / y + x ** y, show_local=show_local)
        # d(x/y)/dx = 1/4, d(x/y)/dy = -2/16, d(x^y)/dx = 4·2³ = 32, d(x^y)/dy = 16·ln 2
        for label in labels:
            assert f'[label="{label}"]' in source or f"[label={label}]" in source, label


def test_leaves_parameters_and_root_look_different():
    y, _ = neuron()
    z = y * Value(3.0)  # a constant leaf (a plain 3.0 would be folded into the op)
    source = viz.to_dot(z)
    fills = {}
    for line in source.splitlines():
        if "shape=record" in line:
            node_id = line.split()[0]
            fills[node_id] = line.split("fillcolor=")[1].split()[0]
    kinds = {viz_graph._FILL[kind]: kind for kind in viz_graph._FILL}
    assert kinds[fills["n0"].strip('"')] == "root"
    assert "peripheries=2" in next(line for line in source.splitlines() if "\tn0 [" in line)
    counted = sorted(kinds[fill.strip('"')] for fill in fills.values())
    assert counted == ["constant", "interior", "interior", "interior",
                       "parameter", "parameter", "parameter", "root"]


def test_local_derivatives_on_edges_into_ops():
    x, w = Value(3.0, label="x"), Value(-0.5, label="w")
    source = viz.to_dot(x * w, show_local=True)
    assert "n1 -> n0_op [label=-0.5]" in source  # ∂(x·w)/∂x = w
    assert "n2 -> n0_op [label=3]" in source     # ∂(x·w)/∂w = x
    plain = viz.to_dot(x * w, show_local=False)
    assert "n1 -> n0_op\n" in plain and "label=-0.5" not in plain


def test_show_grad_false_and_rankdir():
    y, _ = neuron()
    assert "grad" not in viz.to_dot(y, show_grad=False)
    top_down = viz.to_dot(y, rankdir="TB")
    assert "rankdir=TB" in top_down and '"y | data' in top_down  # no braces needed in TB
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(y, rankdir="sideways")
    with pytest.raises(TypeError, match="expected a Value, got float"):
        viz.to_dot(1.5)


@pytest.mark.parametrize("label", ["a|b", "{x}", "<port>", 'say "hi"', "back\\slash",
                                   "two\nlines", "{ | < > } \\ \"", "ünï σ", "a &lt; b & c",
                                   "&amp;"])
def test_record_special_characters_are_escaped(tmp_path, label):
    v = Value(1.5, label=label)
    out = v * 2.0
    out.label = label
    path = viz.render(out, tmp_path / "odd.svg")  # dot exits 0: the record parsed
    texts = svg_texts(path)
    for line in label.split("\n"):
        assert line.strip() in [t.strip() for t in texts if t]
    assert texts.count("data 1.5") == 1  # the label did not swallow or split fields


@pytest.mark.parametrize("label, seen", [
    ("nul\x00 bell\x07 tab\tend", "nul\\x00 bell\\x07 tab end"),
    ("\x1bred", "\\x1bred"), ("not\ufffechar\uffff", "not\\ufffechar\\uffff"),
    ("lone \udc80 surrogate", "lone \\udc80 surrogate"),
    ("rtl\u202eoverride", "rtl\\u202eoverride"),
    ("c1 \x85 control", "c1 \\x85 control")])
def test_control_characters_are_shown_as_escapes_in_valid_svg(tmp_path, label, seen):
    out = Value(1.5, label=label) * 2.0
    texts = svg_texts(viz.render(out, tmp_path / "odd.svg"))  # dot parsed it; XML parses
    assert seen in [t.strip() for t in texts if t]


def test_dot_source_and_missing_graphviz(tmp_path, monkeypatch):
    y, _ = neuron()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` anywhere
    source = viz.to_dot(y)
    assert source.startswith("digraph {") and "data -0.9051" in source
    with pytest.raises(viz.GraphvizMissingError, match="install Graphviz.*apt install graphviz"):
        viz.render(y, tmp_path / "y.svg")
    assert not (tmp_path / "y.svg").exists()
    written = viz.render(y, tmp_path / "y.dot", format="dot")
    assert written.read_text(encoding="utf-8") == source
    assert isinstance(viz.GraphvizMissingError("x"), RuntimeError)


def test_failed_dot_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: "/bin/false")
    with pytest.raises(viz.RenderError, match="dot` failed"):
        viz.render(neuron()[0], tmp_path / "y.svg")
    assert list(tmp_path.iterdir()) == []


def fake_dot(folder, script):
    """An executable `dot` stand-in running the shell `script`."""
    folder.mkdir()
    program = folder / "dot"
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(0o755)
    return str(program)


@pytest.mark.parametrize("script, message", [
    ("cat >/dev/null; echo 'Error: bad layout' >&2; exit 3", r"dot` failed \(exit 3\): Error"),
    ("exec sleep 30", r"did not finish in 0.3 s"),
])
def test_every_graphviz_failure_is_one_render_error(tmp_path, monkeypatch, script, message):
    # One class for callers to catch: dot failing, too slow, or missing.
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: fake_dot(tmp_path / "bin", script))
    out = tmp_path / "out"
    with pytest.raises(viz.RenderError, match=message):
        viz.render(neuron()[0], out / "y.svg", timeout=0.3)
    assert not out.exists()  # nothing made: folders are created only with the file
    assert issubclass(viz.RenderError, RuntimeError)
    assert issubclass(viz.GraphvizMissingError, viz.RenderError)
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: None)
    with pytest.raises(viz.RenderError, match="not found"):
        viz.render(neuron()[0], out / "y.svg")


def test_png_and_pdf(tmp_path):
    y, _ = neuron()
    assert viz.render(y, tmp_path / "y.png", format="png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.render(y, tmp_path / "y.pdf", format="pdf").read_bytes()[:5] == b"%PDF-"


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, dot"):
        viz.render(neuron()[0], tmp_path / "y.exe", format="exe")
    assert not (tmp_path / "y.exe").exists()


def test_the_format_follows_the_suffix_and_must_agree_with_it(tmp_path):
    y, _ = neuron()
    assert viz.render(y, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.render(y, tmp_path / "g.GV").read_text().startswith("digraph {")
    assert viz.render(y, tmp_path / "g").read_text().startswith("<?xml")  # no suffix: svg
    assert viz.render(y, tmp_path / "g.txt", format="dot").read_text().startswith("digraph")
    for path, options, message in ((tmp_path / "x.png", {"format": "svg"},
                                    r"x\.png says png by its suffix, but format is 'svg'"),
                                   (tmp_path / "x.txt", {}, r"cannot tell a format from the "
                                                            r"suffix '\.txt'")):
        with pytest.raises(ValueError, match=message):
            viz.render(y, path, **options)
        assert not path.exists()


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf, "60", True])
def test_a_bad_timeout_is_refused(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        viz.render(neuron()[0], tmp_path / "g.svg", timeout=timeout)


def test_size_limit_gives_size_and_option():
    v = Value(0.1)
    for _ in range(500):
        v = v.tanh()
    with pytest.raises(ValueError, match=r"has 501 Values, more than max_nodes=500.*max_nodes=501"):
        viz.draw_dot(v)
    assert viz.to_dot(v, max_nodes=501).count("shape=record") == 501
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.draw_dot(v, max_nodes=0)


def reused_chain(n, x):
    """x + x + ... + x (n additions): one leaf feeding ops ever further from it."""
    v = x
    for _ in range(n):
        v = v + x
    return v


@pytest.mark.parametrize("n", [1, 2, 5, 40])
def test_drawing_size_counts_boxes_ops_and_arrow_lengths(n):
    v = reused_chain(n, Value(1.0, label="x"))
    # Closed form: n + 1 Values, n ops and their arrows; layers from the root: v_k at
    # 2(n - k), x at 2n. The arrow x → op(v_k) crosses 2k - 1 layers (v_1 has two), each
    # v_(k-1) → op(v_k) one: n² + n in all, doubled when the arrows carry labels.
    assert viz.drawing_size(v, show_local=False) == 3 * n + 1 + (n * n + n)
    assert viz.drawing_size(v) == 3 * n + 1 + 2 * (n * n + n)


def test_reused_variable_far_apart_is_refused_before_graphviz_runs(tmp_path, monkeypatch):
    # 100 terms took Graphviz over 5 minutes, though it is only 101 Values.
    def no_dot():
        raise AssertionError("dot must not run for a refused graph")

    monkeypatch.setattr(viz_graph, "_find_dot", no_dot)
    v = reused_chain(100, Value(1.0, label="x"))
    size = 3 * 100 + 1 + 2 * (100 * 100 + 100)
    with pytest.raises(ValueError, match=rf"size is {size:,} .*more than max_size=3,000.*"
                                         rf"show_local=False.*max_size={size} "):
        viz.render(v, tmp_path / "v.svg")
    assert list(tmp_path.iterdir()) == []
    assert viz.to_dot(v, max_size=size).count("shape=record") == 101
    with pytest.raises(ValueError, match="max_size must be a positive int"):
        viz.draw_dot(v, max_size=0)


def test_ordinary_graphs_fit_the_default_limits():
    from nn import MLP

    model = MLP(2, [16, 16, 1])
    out = model([Value(0.5, label="x1"), Value(-1.0, label="x2")])
    out = out[0] if isinstance(out, list) else out
    tanh_chain = Value(0.1)
    for _ in range(100):
        tanh_chain = tanh_chain.tanh()
    for root in (neuron()[0], out, tanh_chain, reused_chain(30, Value(1.0, label="x"))):
        assert viz.drawing_size(root) <= viz_graph.MAX_SIZE
        assert viz.to_dot(root).startswith("digraph {")


def test_signature_follows_the_issue_then_keyword_only_options():
    import inspect

    parameters = inspect.signature(viz.draw_dot).parameters
    assert list(parameters)[:4] == ["root", "rankdir", "show_grad", "max_nodes"]
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(parameters[name].kind is positional for name in list(parameters)[:4])
    assert {name for name, p in parameters.items() if p.kind is p.KEYWORD_ONLY} == {
        "show_local", "max_size", "caption"}
    y, _ = neuron()
    assert viz.draw_dot(y, "TB", False, 6).source == viz.to_dot(y, rankdir="TB", show_grad=False)
    with pytest.raises(ValueError, match="max_nodes=5"):
        viz.draw_dot(y, "LR", True, 5)
    with pytest.raises(TypeError):
        viz.draw_dot(y, "LR", True, 500, False)  # show_local must be named


def test_negative_zero_is_drawn_as_zero():
    x = Value(0.0, label="x")
    y = (-x).relu()  # -x is -0.0; relu'(-0) is 0, so x.grad is 0 · -1 = -0.0
    y.backward()
    assert math.copysign(1, y.parents[0].data) == -1  # the engine does produce -0.0
    source = viz.to_dot(y)
    assert "-0 " not in source and "=-0]" not in source and "data 0 " in source


def test_million_node_chain_is_counted_without_recursion():
    v = Value(0.5)
    for _ in range(1_000_000):
        v = v.tanh()
    with pytest.raises(ValueError, match="1,000,001 Values"):
        viz.draw_dot(v)


def test_import_viz_does_not_import_matplotlib():
    code = "import sys, viz; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("fmt", ["dot", "svg"])
def test_render_creates_missing_folders(tmp_path, fmt):
    y = neuron()[0]
    path = viz.render(y, tmp_path / "a" / "b" / f"y.{fmt}", format=fmt)
    assert path == tmp_path / "a" / "b" / f"y.{fmt}"
    if fmt == "dot":
        assert path.read_text(encoding="utf-8") == viz.to_dot(y)
    else:
        assert ET.parse(path).getroot().tag.endswith("svg")
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind


def test_a_folded_number_is_drawn_in_its_operation():
    x = Value(1.5, label="x")
    source = viz.to_dot((x - 2) * 1.0001)
    assert '[label="× 1.0001"' in source and '[label="- 2"' in source
    assert source.count("shape=record") == 3  # x, x - 2 and the root: no box for 2 or 1.0001
