"""viz.neuron.draw_neuron: a neuron's graph with the lecture's names W·x, Z and g(Z)."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, dot
from viz import graph as viz_graph
from viz.neuron import draw_neuron

SVG = "{http://www.w3.org/2000/svg}"


def neuron(activation):
    """a = g(W·x + b) as nn.Neuron builds it, after backward()."""
    w = [Value(0.5, label="w1"), Value(-2.0, label="w2")]
    x = [Value(1.0, label="x1"), Value(0.25, label="x2")]
    z = dot(w, x) + Value(0.5, label="b")
    a = z if activation == "linear" else getattr(z, activation)()
    a.backward()
    return a, z


def texts(path):
    return [element.text for element in ET.parse(path).iter(f"{SVG}text")]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_the_nodes_carry_the_lectures_names(tmp_path, activation):
    a, z = neuron(activation)
    path = draw_neuron(a, tmp_path / "n.svg", activation, name="layer2.neuron3")
    assert path.exists()
    assert (a.label, z.label, z.parents[0].label) == (
        f"layer2.neuron3 = {activation}(Z)", "Z = W·x + b", "W·x")
    drawn = " ".join(t for t in texts(path) if t)
    for label in (f"layer2.neuron3 = {activation}(Z)", "Z = W·x + b", "W·x", "w1", "x2", "b"):
        assert label in drawn


def test_a_linear_neuron_is_its_own_Z(tmp_path):
    a, z = neuron("linear")
    draw_neuron(a, tmp_path / "n.svg", "linear")
    assert a is z and a.label == "layer1.neuron1 = Z" and a.parents[0].label == "W·x"


def test_no_graphviz_is_a_render_error_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: None)
    a, _ = neuron("tanh")
    with pytest.raises(viz_graph.RenderError, match="install Graphviz"):
        draw_neuron(a, tmp_path / "n.svg", "tanh")
    assert list(tmp_path.iterdir()) == []


def test_the_page_is_rooted_at_a_times_its_gradient(tmp_path):
    # Its own backward pass from a·∂J/∂a gives each node of the neuron ∂J/∂node again.
    a, z = neuron("tanh")
    a.grad = 0.25  # as if the layers above passed ∂J/∂a = 0.25 down
    path = draw_neuron(a, tmp_path / "n.html", "tanh")
    page = path.read_text(encoding="utf-8")
    for label in ("a·∂J/∂a", "layer1.neuron1 = tanh(Z)", "Z = W·x + b", "W·x"):
        assert label in page
    data = json.loads(re.search(r'id="pg-data">(.*?)</script>', page).group(1))
    final = {}  # each node's numbers at the end of the page's steps
    for step in data["steps"]:
        for i, field, value in step["set"]:
            final[i, field] = value
    [z_index] = [i for i, node in enumerate(data["nodes"]) if node["label"] == "Z = W·x + b"]
    assert float(final[z_index, "grad"]) == pytest.approx(0.25 * (1 - a.data ** 2), rel=1e-3)
