"""One neuron's computation graph drawn with the lecture's names: W·x, Z = W·x + b, a = g(Z).

Given the output `a` of a neuron as `nn.Neuron` builds it (Z = W·x + b, then the
activation g, or a = Z for a linear neuron), `draw_neuron` names those nodes on the
picture and renders it as SVG (see `viz.render`).
"""

from viz import graph


def draw_neuron(a, path, activation, name="layer1.neuron1"):
    """Draw the graph of the neuron output `a` into the SVG file `path`; returns the path.

    `activation` is the neuron's ("relu", "tanh", ...; "linear" when a is Z itself) and
    `name` how the picture names the neuron. Sets the labels of the W·x, Z and a nodes.
    Raises what `viz.render` raises: RenderError when Graphviz cannot draw it, and a
    ValueError for a graph over the size limits.
    """
    z = a if activation == "linear" else a.parents[0]
    z.parents[0].label = "W·x"
    z.label = "Z = W·x + b"
    a.label = f"{name} = Z" if a is z else f"{name} = {activation}(Z)"
    return graph.render(a, path, format="svg")
