"""One neuron's computation graph drawn with the lecture's names: W·x, Z = W·x + b, a = g(Z).

Given the output `a` of a neuron as `nn.Neuron` builds it (Z = W·x + b, then the
activation g, or a = Z for a linear neuron), `draw_neuron` names those nodes on the
picture and renders it as SVG or as the step-through page (see `viz.render`).
"""

from pathlib import Path

from viz import graph


def draw_neuron(a, path, activation, name="layer1.neuron1", caption=""):
    """Draw the graph of the neuron output `a` into `path` (.svg, or .html); returns the path.

    `activation` is the neuron's ("relu", "tanh", ...; "linear" when a is Z itself) and
    `name` how the picture names the neuron; `caption` is shown above the drawing (say
    there which neuron of how many it is). Sets the labels of the W·x, Z and a nodes.
    The format is the suffix's, as for `viz.render`: an .html page steps through the
    backward pass (`viz.to_html`). Raises what `viz.render` raises: RenderError when
    Graphviz cannot draw it, and a ValueError for a graph over the size limits.
    """
    z = a if activation == "linear" else a.parents[0]
    z.parents[0].label = "W·x"
    z.label = "Z = W·x + b"
    a.label = f"{name} = Z" if a is z else f"{name} = {activation}(Z)"
    root = a
    if graph.SUFFIXES.get(Path(path).suffix.lower()) == "html":
        # The page runs a backward pass of its own, from its root. Rooted at a·∂J/∂a, with
        # ∂J/∂a the number the layers above pass down to a, it gives every node of the
        # neuron exactly the drawing's gradient ∂J/∂node: the chain rule from J, stopped at a.
        root = a * a.grad
        root.label = "a·∂J/∂a"
    return graph.render(root, path, caption=caption)
