"""Graphs inline in Jupyter: a Value as a cell's value shows its computation graph.

`import viz` inside Jupyter (or `%load_ext viz`) registers a display formatter for
`autograd.Value` with IPython: a Value at the end of a cell then shows the drawing of
`viz.draw_dot` (SVG, data, gradients and local derivatives), or, for a graph over
the drawing's size limits or without Graphviz, one line of text that says why.
`viz.inline_graphs(False)` turns it off (`viz.inline_graphs()` back on).

The engine knows nothing of this: autograd imports nothing of the project, so the
drawing is attached from here, through IPython's own formatter registry, instead
of a `_repr_svg_` method on Value. A terminal IPython, which shows no SVG, is left
alone: there a Value prints as always.

    >>> import viz
    >>> viz.inline_graphs(False)   # outside IPython: nothing to turn off
"""

import sys

from autograd import Value
from viz import graph as _graph

__all__ = ["inline_graphs", "load_ipython_extension", "unload_ipython_extension"]

SVG = "image/svg+xml"


def inline_graphs(on=True):
    """Draw Values inline in the running Jupyter kernel (on=True, as `import viz` does) or not.

    Outside IPython, `inline_graphs(False)` does nothing (there is nothing to turn off)
    and `inline_graphs(True)` raises RuntimeError: there is nowhere to show a drawing.
    """
    if not isinstance(on, bool):
        raise TypeError(f"inline_graphs: on must be True or False, got {on!r}")
    shell = _running_shell()
    if shell is None:
        if on:
            raise RuntimeError("viz.inline_graphs: not running in Jupyter or IPython, so there "
                               "is nowhere to show a graph; draw it into a file with "
                               "viz.render(value, 'graph.svg')")
        return
    (load_ipython_extension if on else unload_ipython_extension)(shell)


def load_ipython_extension(ipython):
    """`%load_ext viz`: Values in this shell show their graphs (if it can show SVG)."""
    formatter = ipython.display_formatter
    if SVG in formatter.active_types:  # a terminal shows text only: nothing to draw for
        formatter.mimebundle_formatter.for_type(Value, _bundle)


def unload_ipython_extension(ipython):
    """`%unload_ext viz`: Values print as text again."""
    ipython.display_formatter.mimebundle_formatter.pop(Value, None)


def register_if_in_ipython():
    """Called by `import viz`: turn the drawings on when imported inside IPython."""
    shell = _running_shell()
    if shell is not None:
        load_ipython_extension(shell)


def _running_shell():
    # IPython is in sys.modules whenever it runs this code; importing it otherwise
    # would only cost time.
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _bundle(value):
    """The display data of `value`: its drawing and its repr, or its repr and why not drawn."""
    text = repr(value)
    nodes = _graph._nodes(value)
    if len(nodes) > _graph.MAX_NODES:
        why = (f"its graph has {len(nodes):,} Values, over the limit of "
               f"{_graph.MAX_NODES:,}; draw a part of it (a node inside it)")
        return {"text/plain": f"{text}  [not drawn: {why}]"}
    size = _graph._drawing_size(nodes, show_local=True)
    if size > _graph.MAX_SIZE:
        why = (f"the drawing's size is {size:,}, over the limit of {_graph.MAX_SIZE:,}; draw "
               f"a part of it, or all of it into a file with viz.render(value, 'graph.svg', "
               f"max_size={size})")
        return {"text/plain": f"{text}  [not drawn: {why}]"}
    source = _graph._digraph(value, nodes, "LR", True, True).source
    try:
        svg = _graph._run_dot(source, "svg", _graph.TIMEOUT, caller="viz inline graph")
    except _graph.GraphvizMissingError:
        why = "Graphviz `dot` is not installed (viz.to_dot(value) gives the DOT text)"
        return {"text/plain": f"{text}  [not drawn: {why}]"}
    except _graph.RenderError as error:
        return {"text/plain": f"{text}  [not drawn: {error}]"}
    return {SVG: svg.decode("utf-8"), "text/plain": text}
