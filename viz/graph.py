"""Computation graphs as pictures: every Value with its data and grad, every op between.

    >>> from autograd import Value
    >>> from viz import draw_dot, render
    >>> x, w = Value(1.0, label="x"), Value(-2.0, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> y.backward()
    >>> graph = draw_dot(y)              # a graphviz.Digraph (shown inline by Jupyter)
    >>> render(y, "runs/neuron.svg")     # doctest: +SKIP

How to read a drawing: each box is a Value (`label | data | grad`), each small oval
is the operation that made the box it points to, with the plain number it was given,
if any (`× 3` for x * 3). Blue boxes are the labelled leaves (inputs and parameters:
the numbers you would change), grey boxes are unlabelled leaves (constants),
the gold box with a double border is the root (the result `backward()` started from),
white boxes are intermediate results. With `show_local=True` each arrow into an
operation carries the local derivative ∂(result)/∂(operand): multiply the numbers
along a path from the root and you get that operand's gradient (the chain rule).

Why there are size limits: Graphviz's `dot` lays a graph out in layers (columns in
an LR drawing) and routes every arrow through each layer it crosses, so its work grows
with the arrows' total length, not just with the number of boxes. One variable
reused along a long chain (`x + x + ... + x`, 50 terms) has only 51 Values but arrows
crossing ~5,000 layer slots, and took `dot` 23 s (70 terms: over a minute). Edge
labels double the layers. `draw_dot` therefore measures the drawing's size (boxes +
operations + the layers each arrow crosses, labelled arrows counting double) and
refuses more than `max_size`; the default 3,000 keeps `dot` to a few seconds.
"""

import math
import shutil
import subprocess
from collections import deque
from pathlib import Path

import graphviz

from autograd import Value
from autograd.engine import topological_order
from autograd.explain import format_number, op_text
from autograd.files import atomic_write, check_target
from autograd.ops import SYMBOLS
from viz.text import shown

__all__ = ["GraphvizMissingError", "RenderError", "draw_dot", "drawing_size", "render",
           "to_dot"]

FORMATS = ("svg", "png", "pdf", "dot", "html")  # "dot": the DOT text, without Graphviz;
# "html": the page that steps through backpropagation (viz.html)
#: The format each file suffix names.
SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot",
            ".html": "html", ".htm": "html"}
MAX_NODES = 500    # Values
MAX_SIZE = 3_000   # drawing size, see drawing_size(): at most a few seconds of `dot`
TIMEOUT = 60       # seconds; graphs within the limits take `dot` well under 10 s

# The picture of each op, from the operation table; a power "**" with constant p is drawn as ^p.
OP_SYMBOLS = SYMBOLS

# Two-operand ops where order matters: the arrows are labelled with the operand's role.
OPERAND_ROLES = {"/": ("numerator", "divisor"), "**": ("base", "exponent")}

_FILL = {"root": "#ffd966", "parameter": "#cfe2f3", "constant": "#eeeeee", "interior": "white"}

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: `sudo apt install graphviz`; macOS: "
    "`brew install graphviz`; conda: `conda install graphviz`; Windows: "
    "https://graphviz.org/download/) and make sure `dot` is on PATH; "
    "viz.to_dot(root) gives the DOT text without it"
)


class RenderError(RuntimeError):
    """`render` could not make the picture: Graphviz missing, failing, or too slow.

    Catch this one class to handle every rendering failure:

        try:
            viz.render(root, "graph.svg")
        except viz.RenderError as error:
            print(f"no picture: {error}")
    """


class GraphvizMissingError(RenderError):
    """The Graphviz `dot` program is needed to render a picture and was not found."""


def draw_dot(root, rankdir="LR", show_grad=True, max_nodes=MAX_NODES, *, show_local=True,
             max_size=MAX_SIZE, caption=""):
    """The graph that produced `root`, as a `graphviz.Digraph`.

    One record per Value (`label | data | grad`, 4 significant digits) and one small
    node per operation (+, ×, exp, log, tanh, σ, ReLU, softplus, Σ, dot), with the
    plain number folded into it, if any: "× 3", "- 0.5", "^2".
    `rankdir` is "LR" (left to right) or "TB" (top to bottom); `show_grad=False`
    hides the gradients (before `backward()` they are all 0); `show_local=True`
    writes the local derivative on each arrow into an operation; `caption` is
    text shown above the drawing (one line per line of it).

    Graphs of more than `max_nodes` Values, or whose `drawing_size` exceeds
    `max_size`, are refused with a ValueError that gives the size: Graphviz would
    take minutes to lay them out. Node ids come from the traversal order, so the
    same graph always gives the same drawing; -0 is shown as 0.
    """
    nodes = _checked_nodes(root, "draw_dot", rankdir, max_nodes, max_size, show_local)
    return _digraph(root, nodes, rankdir, show_grad, show_local, caption=caption)


def _checked_nodes(root, caller, rankdir, max_nodes, max_size, show_local):
    """`root`'s Values (see `_nodes`), once the options and the size limits are checked."""
    if not isinstance(root, Value):
        raise TypeError(f"{caller}: expected a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"{caller}: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    for name, limit in (("max_nodes", max_nodes), ("max_size", max_size)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"{caller}: {name} must be a positive int, got {limit!r}")
    nodes = _nodes(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"{caller}: the graph has {len(nodes):,} Values, more than max_nodes={max_nodes}; "
            f"Graphviz would take very long to lay it out. Draw a smaller part, or pass "
            f"max_nodes={len(nodes)} to draw it anyway")
    size = _drawing_size(nodes, show_local)
    if size > max_size:
        hint = " or without local derivatives (show_local=False)," if show_local else ""
        raise ValueError(
            f"{caller}: the drawing's size is {size:,} (boxes, operations, and the layers "
            f"each arrow crosses), more than max_size={max_size:,}; Graphviz would take "
            f"very long to lay it out (long arrows from values reused far apart cost most). "
            f"Draw a smaller part{hint} or pass max_size={size} to draw it anyway")

    return nodes


def _digraph(root, nodes, rankdir, show_grad, show_local, ids=False, caption=""):
    """The Digraph of `nodes`; with `ids`, each node, op and arrow gets an SVG id (viz.html)."""
    names = {node: f"n{i}" for i, node in enumerate(nodes)}
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    # A caption's lines end in \l: left-justified, as a paragraph reads.
    label = {"label": _escape_caption(caption), "labelloc": "t", "labeljust": "l",
             "fontname": "Helvetica", "fontsize": "12"} if caption else {}
    graph = graphviz.Digraph(
        graph_attr={"rankdir": rankdir, "ordering": "in", **label},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "fontcolor": "#555555"},
    )
    # In LR drawings a record's fields stack vertically unless wrapped in braces.
    braces = rankdir in ("LR", "RL")
    for node in nodes:
        name = names[node]
        fields = [_escape(node.label)] if node.label else []
        fields.append(f"data {format_number(node.data)}")
        if show_grad:
            fields.append(f"grad {format_number(node.grad)}")
        text = " | ".join(fields)
        kind = _kind(node, root)
        graph.node(
            name, graphviz.nohtml("{ " + text + " }" if braces else text), shape="record",
            style="filled", fillcolor=_FILL[kind],
            **({"peripheries": "2", "penwidth": "1.5"} if kind == "root" else {}),
            **({"id": name} if ids else {}))
        if node.parents:
            op_id = name + "_op"
            graph.node(op_id, graphviz.nohtml(_escape(op_text(node, OP_SYMBOLS))), shape="ellipse",
                       width="0", height="0", margin="0.05,0.02", **({"id": op_id} if ids else {}))
            graph.edge(op_id, name, **({"id": op_id + "_out"} if ids else {}))
            # a ÷ b and a ^ b: the arrows say which operand is which
            roles = OPERAND_ROLES.get(node.op) if len(node.parents) == 2 else None
            for i, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                text = [roles[i]] if roles else []
                if show_local and local is not None:  # None: made micrograd's way
                    text.append(format_number(local))
                attributes = {"label": " ".join(text)} if text else {}
                if ids:  # x * x has two arrows x → ×: told apart by the operand's place
                    attributes["id"] = f"{op_id}_in{i}"
                graph.edge(names[parent], op_id, **attributes)
    return graph


def drawing_size(root, show_local=True):
    """How much work the drawing is for Graphviz: Values + operations + arrow lengths.

    An arrow's length is the number of layers (columns, in an LR drawing) it crosses
    when each node sits as close to the root as its consumers allow; a labelled
    arrow (`show_local`) counts double, as Graphviz gives each label a layer of its
    own. `draw_dot` refuses drawings larger than its `max_size`.

    >>> from autograd import Value
    >>> x = Value(1.0, label="x")
    >>> drawing_size(x * x)   # 2 Values, 1 op, op→root 1, two labelled arrows 2 each
    8
    """
    if not isinstance(root, Value):
        raise TypeError(f"drawing_size: expected a Value, got {type(root).__name__}")
    return _drawing_size(_nodes(root), show_local)


def to_dot(root, **options):
    """The DOT source text of `draw_dot(root, **options)`; needs no Graphviz program."""
    return draw_dot(root, **options).source


def render(root, path, format=None, *, timeout=TIMEOUT, **options):
    """Draw `root`'s graph into the file `path` and return the path (a `pathlib.Path`).

    `format` is one of "svg", "png", "pdf" (rendered by the Graphviz `dot` program)
    or "dot" (the DOT text), or "html" (the page of `viz.to_html`, which steps
    through the backward pass). By default it is the one the file's suffix names
    (.svg, .png, .pdf, .dot or .gv, .html or .htm), svg for a name without a suffix. A suffix
    that names another format than `format` is a ValueError (so that a file's
    contents match its name), as is another suffix without a `format`. Options are those of
    `draw_dot`. The file is written atomically: a failed render leaves no
    half-written file behind. A symbolic link to a file is written through; a dangling
    one is refused, and missing folders are made only along the path as written (the
    rule of `autograd.files`, checked before Graphviz runs).

    Errors: ValueError for bad options or a graph over the size limits (before
    anything runs); `RenderError` (a RuntimeError) when Graphviz is missing
    (`GraphvizMissingError`), exits with an error, or runs longer than `timeout`
    seconds (default 60).
    """
    path = Path(path)
    format = _format_for(path, format)
    _check_timeout(timeout, "render")
    if format == "html":
        from viz.html import to_html  # the page is a module of its own (script, styles)

        return Path(to_html(root, path, timeout=timeout, **options))
    source = to_dot(root, **options)  # refuses a too-large graph before running anything
    check_target(path)  # before `dot` runs: a place that cannot be written fails fast
    if format == "dot":
        atomic_write(path, source)
        return path
    atomic_write(path, _run_dot(source, format, timeout))
    return path


# ----- helpers -----

def _check_timeout(timeout, caller):
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not 0 < timeout < math.inf):
        raise ValueError(f"{caller}: timeout must be a positive number of seconds, "
                         f"got {timeout!r}")


def _run_dot(source, format, timeout, caller="render"):
    """The bytes `dot -T<format>` makes of the DOT `source`; every failure is a RenderError."""
    dot = _find_dot()
    if dot is None:
        raise GraphvizMissingError(f"{caller}: the Graphviz program `dot` was not found; "
                                   f"{INSTALL_HINT}")
    try:
        done = subprocess.run([dot, f"-T{format}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{caller}: Graphviz `dot` did not finish in {timeout:g} s; draw a "
                          "smaller part of the graph, or a lower max_size") from None
    except OSError as error:  # e.g. `dot` found but not executable
        raise RenderError(f"{caller}: could not run Graphviz `dot` ({dot}): {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or "it printed no message"
        raise RenderError(f"{caller}: Graphviz `dot` failed (exit {done.returncode}): {message}")
    return done.stdout


def _format_for(path, format):
    """The format to write `path` in: `format`, checked against the path's suffix."""
    if format is not None and format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")
    suffix = path.suffix.lower()
    implied = SUFFIXES.get(suffix)
    if suffix and implied is None and format is None:
        raise ValueError(f"render: cannot tell a format from the suffix {suffix!r} of {path}; "
                         f"name the file {', '.join(SUFFIXES)}, or pass format=")
    if format is not None and implied is not None and implied != format:
        raise ValueError(f"render: {path} says {implied} by its suffix, but format is "
                         f"{format!r}; make them agree")
    return format or implied or "svg"


def _nodes(root):
    """Every Value of the graph once, breadth first from `root`, parents in operand order.

    Iterative, so a chain of a million Values is fine.
    """
    seen = {root: None}  # a dict: insertion order is the traversal order
    queue = deque([root])
    while queue:
        for parent in queue.popleft().parents:
            if parent not in seen:
                seen[parent] = None
                queue.append(parent)
    return list(seen)


def _drawing_size(nodes, show_local):
    """`drawing_size` of `nodes` (from `_nodes`: the root first, every Value once)."""
    # Layers counted back from the root: a Value's op sits one layer before it, and a
    # parent as late as all its consumers' ops allow. The engine's order gives every
    # consumer before its parents (leaves, left out of it, are only ever parents).
    layer = {nodes[0]: 0}
    for node in topological_order(nodes[0]):
        for parent in node.parents:
            layer[parent] = max(layer.get(parent, 0), layer[node] + 2)
    per_label = 2 if show_local else 1
    size = len(nodes)
    for node in nodes:
        if node.parents:
            size += 2  # the op node and its arrow into the node
            for parent in node.parents:
                size += per_label * (layer[parent] - layer[node] - 1)
    return size


def _kind(node, root):
    if node is root:
        return "root"
    if node.parents:
        return "interior"
    return "parameter" if node.label else "constant"


def _escape(text):
    """Make `text` show literally inside a Graphviz record label.

    First every character is made visible (`viz.text.shown`: a control character,
    which could break `dot` or the SVG, is shown as ``\x1b``, a tab as a space);
    then Graphviz's specials are escaped: it reads "&lt;" as "<", so "&" itself too.
    """
    text = shown(text).replace("&", "&amp;").replace("\\", "\\\\")
    for char in '{}|<>"':
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _escape_caption(text):
    """`text` as a Graphviz graph label: visible (viz.text.shown), each line left-justified."""
    lines = shown(text).replace("\\", "\\\\").replace('"', '\\"').split("\n")
    return graphviz.nohtml("".join(line + "\\l" for line in lines))


def _find_dot():
    """The path of the `dot` program, or None (a function, so tests can pretend it is missing)."""
    return shutil.which("dot")


