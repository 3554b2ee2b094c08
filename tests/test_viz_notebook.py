"""Values drawn inline by IPython's own display formatter (viz.notebook)."""

import json
import math
import os
import subprocess
import sys
import types
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, dot, total
from viz import graph as viz_graph

IPython = pytest.importorskip("IPython")  # installed with ipykernel by the test extra
from IPython.core.formatters import DisplayFormatter  # noqa: E402

import viz  # noqa: E402

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


@pytest.fixture
def shell():
    """What `load_ipython_extension` is handed: a shell with IPython's real formatter."""
    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    viz.load_ipython_extension(shell)
    return shell


def shown(shell, obj):
    data, _ = shell.display_formatter.format(obj)
    return data


def neuron():
    x, w, b = Value(1.0, label="x"), Value(-2.0, label="w"), Value(0.5, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return y


def test_a_value_shows_the_drawing_viz_render_writes(shell, tmp_path):
    y = neuron()
    data = shown(shell, y)
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert data["text/plain"] == repr(y)
    texts = [e.text for e in ET.fromstring(data["image/svg+xml"]).iter(SVG_TEXT)]
    t = math.tanh(1.0 * -2.0 + 0.5)  # tanh(-1.5) = -0.9051
    assert "y" in texts and "data -0.9051" in texts and "grad 1" in texts
    assert f"{1 - t * t:.4g}" in texts  # tanh's local derivative 1 − tanh², on its arrow
    written = viz.render(y, tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert data["image/svg+xml"] == written


def test_every_kind_of_node_is_drawn(shell):
    a = [Value(1.0), Value(2.0)]
    w = [Value(3.0, label="w1"), Value(4.0, label="w2")]
    texts = [e.text for e in ET.fromstring(shown(shell, dot(w, a))["image/svg+xml"]).iter(SVG_TEXT)]
    assert "data 11" in texts  # 3·1 + 4·2
    assert "data 6" in [e.text for e in
                        ET.fromstring(shown(shell, total(a + [Value(3.0)]))["image/svg+xml"])
                        .iter(SVG_TEXT)]
    x = Value(2.0, label="x")
    made_micrograds_way = Value(x.data ** 2, (x,), "square")  # its _backward is unknown here
    assert "square" in shown(shell, made_micrograds_way)["image/svg+xml"]
    assert "image/svg+xml" in shown(shell, Value(1.0, label="a leaf"))


def test_a_graph_over_the_node_limit_is_one_line_of_text(shell):
    x = Value(1.0, label="x")
    for _ in range(viz_graph.MAX_NODES):
        x = x * 1.0001
    assert shown(shell, x) == {"text/plain": (
        f"{x!r}  [not drawn: its graph has {viz_graph.MAX_NODES + 1} Values, over the limit "
        f"of {viz_graph.MAX_NODES}; draw a part of it (a node inside it)]")}


def test_a_drawing_over_the_size_limit_is_one_line_of_text(shell):
    x = Value(1.0, label="x")
    s = x
    for _ in range(60):  # x reused along a chain: 62 Values, arrows across thousands of layers
        s = s + x
    size = viz.drawing_size(s)
    assert size > viz_graph.MAX_SIZE
    [line] = shown(shell, s).values()
    assert line.startswith(repr(s))
    assert f"the drawing's size is {size:,}, over the limit of 3,000" in line
    assert line.endswith(f"viz.render(value, 'graph.svg', max_size={size})]")


def test_without_graphviz_a_value_is_one_line_saying_so(shell, monkeypatch):
    y = neuron()
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: None)
    assert shown(shell, y) == {"text/plain": (
        f"{y!r}  [not drawn: Graphviz `dot` is not installed "
        f"(viz.to_dot(value) gives the DOT text)]")}
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: "/bin/false")  # `dot` exits 1
    [line] = shown(shell, y).values()
    assert line.startswith(f"{y!r}  [not drawn: viz inline graph: Graphviz `dot` failed (exit 1)")


def test_the_step_through_page_shows_inline(shell):
    data = shown(shell, viz.GraphPage(neuron()))
    assert data["text/html"].startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in \
        data["text/html"]


def test_unloading_and_a_terminal_leave_values_as_text(shell):
    y = neuron()
    viz.unload_ipython_extension(shell)
    assert shown(shell, y) == {"text/plain": repr(y)}
    terminal = types.SimpleNamespace(display_formatter=DisplayFormatter())
    terminal.display_formatter.active_types = ["text/plain"]  # as IPython's terminal sets it
    viz.load_ipython_extension(terminal)
    with pytest.raises(KeyError):
        terminal.display_formatter.mimebundle_formatter.lookup(y)


def test_inline_graphs_outside_ipython(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert viz.inline_graphs(False) is None  # nothing to turn off
    with pytest.raises(RuntimeError, match=r"not running in Jupyter.*viz.render"):
        viz.inline_graphs()
    with pytest.raises(TypeError, match="on must be True or False, got 'no'"):
        viz.inline_graphs("no")


def test_import_viz_in_a_running_ipython_turns_drawings_on_and_the_opt_out_works(tmp_path):
    # A fresh interpreter: this one imported viz before any IPython was running.
    script = """
import json
from traitlets.config import Config
from IPython.core.interactiveshell import InteractiveShell
config = Config()
config.HistoryManager.enabled = False
shell = InteractiveShell.instance(config=config)
import viz
from autograd import Value
x = Value(2.0, label="x")
kinds = [sorted(shell.display_formatter.format(x * x)[0])]
viz.inline_graphs(False)
kinds.append(sorted(shell.display_formatter.format(x * x)[0]))
shell.run_line_magic("load_ext", "viz")
kinds.append(sorted(shell.display_formatter.format(x * x)[0]))
shell.run_line_magic("unload_ext", "viz")
kinds.append(sorted(shell.display_formatter.format(x * x)[0]))
viz.inline_graphs()
kinds.append(sorted(shell.display_formatter.format(x * x)[0]))
print(json.dumps(kinds))
"""
    env = {**os.environ, "IPYTHONDIR": str(tmp_path)}  # no profile of the user's is touched
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    drawn, text = ["image/svg+xml", "text/plain"], ["text/plain"]
    assert json.loads(done.stdout.splitlines()[-1]) == [drawn, text, drawn, text, drawn]
