"""plaingrad's pictures: computation graphs (Graphviz) and training plots (matplotlib).

`viz.draw_dot`, `viz.to_dot` and `viz.render` draw a Value's graph; `viz.to_html` (or
`viz.render(root, "graph.html")`) writes a page that steps through its backward pass,
`viz.GraphPage` and `viz.show` show that page in Jupyter; `viz.plots` (loaded on first
use, so `import viz` does not import matplotlib) draws training curves. Imported in
Jupyter, viz makes a Value at the end of a cell show its graph (viz.notebook;
`viz.inline_graphs(False)` turns that off).
Every failure of `render` to make a picture (no Graphviz, `dot` failing or too slow)
is a `viz.RenderError`; a graph over the size limits is a ValueError.
"""

import importlib

from viz import notebook
from viz.graph import GraphvizMissingError, RenderError, draw_dot, drawing_size, render, to_dot
from viz.html import GraphPage, show, to_html
from viz.notebook import inline_graphs, load_ipython_extension, unload_ipython_extension

__all__ = ["GraphPage", "GraphvizMissingError", "RenderError", "draw_dot", "drawing_size",
           "inline_graphs", "load_ipython_extension", "plots", "render", "show", "to_dot",
           "to_html", "unload_ipython_extension"]

notebook.register_if_in_ipython()  # in Jupyter, a Value at the end of a cell shows its graph


def __getattr__(name):
    # `viz.plots` is imported on first access: matplotlib is slow to import.
    if name == "plots":
        return importlib.import_module("viz.plots")
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
