"""`plaingrad graph`: draw an expression's computation graph with data and gradients.

    $ plaingrad graph "tanh(x*w + b)" x=1 w=-2 b=0.5 -o neuron.svg
    tanh(x*w + b) = -0.9051
      ∂/∂x = -0.3614
      ∂/∂w = 0.1807
      ∂/∂b = 0.1807
    wrote neuron.svg

The expression is read by the safe parser of `plaingrad.expression` (never eval-ed),
built from Values labelled with the variable names (`plaingrad.expression_arguments`), and
differentiated by backward().

Where the picture goes (`-o`): a file name whose suffix gives the format (.svg,
.png, .pdf, .dot/.gv for the DOT text, or .html for the page that steps through the
backward pass, `viz.to_html`); with `--format` any name is fine, but a
known suffix must agree with it (`-o g.png --format svg` is refused, and so is
`-o g.exe` without `--format`). A folder (one that exists, or a path ending in
`/`) gets `graph.<format>` inside it. These, and that the file can be written there
(`plaingrad.outputs`), are checked before anything is computed.
"""

import os
import sys
from pathlib import Path

from plaingrad.arguments import positive_int
from plaingrad.expression_arguments import add_expression_arguments, build, print_gradients
from plaingrad.outputs import check_file, check_writable

DEFAULT_OUTPUT = "runs/graph/graph.svg"


def register(subparsers):
    parser = subparsers.add_parser(
        "graph",
        help="draw an expression's computation graph with data and gradients",
        description="Build EXPRESSION from the given values, run backward(), print each "
                    "variable's gradient and draw the graph (Graphviz `dot` needed for "
                    "svg/png/pdf).",
        epilog='example: plaingrad graph "tanh(x*w + b)" x=1 w=-2 b=0.5 -o neuron.svg',
    )
    add_expression_arguments(parser, example="x=1 w=-2 b=0.5")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                        help=f"the picture to write (default {DEFAULT_OUTPUT}); a folder "
                             "(existing, or ending in /) gets graph.<format> inside it")
    parser.add_argument("--format", choices=("svg", "png", "pdf", "dot", "html"),
                        help="file format (default: from the output's suffix .svg .png .pdf "
                             ".dot/.gv .html; a folder gets svg); html is a page that steps "
                             "through the backward pass")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                        help="left to right (LR, default) or top to bottom (TB)")
    parser.add_argument("--no-local", action="store_true",
                        help="do not write local derivatives on the edges (halves the layers "
                             "Graphviz lays out)")
    parser.add_argument("--max-size", type=positive_int, default=None, metavar="N",
                        help="refuse drawings larger than N (boxes + operations + the layers "
                             "each arrow crosses; default 3000, a few seconds of Graphviz)")
    parser.set_defaults(func=run)


def run(args):
    """Print the gradients, write the picture; return the exit status."""
    import viz  # lazily: `plaingrad train` need not import Graphviz

    path, fmt = output_path(args.output, args.format)  # refuse a bad name before any work
    root, leaves = build(args.expression, args.bindings)
    root.backward()
    finite = print_gradients(args.expression, root, leaves, "graph")
    max_size = args.max_size or viz.graph.MAX_SIZE
    size = viz.drawing_size(root, show_local=not args.no_local)
    if size > max_size:
        # A variable reused far apart gives long arrows, which cost Graphviz most.
        hint = "" if args.no_local else (
            f" --no-local (size {viz.drawing_size(root, show_local=False):,}),")
        print(f"plaingrad graph: error: the drawing's size is {size:,} (boxes, operations and "
              f"the layers each arrow crosses), more than --max-size {max_size}: Graphviz would "
              f"take very long to lay it out. Try a smaller expression,{hint} or --max-size "
              f"{size} to draw it anyway", file=sys.stderr)
        return 2
    try:
        # Only the drawing size limits a command-line graph (it is never less than the Values).
        path = viz.render(root, path, format=fmt, rankdir=args.rankdir,
                          show_local=not args.no_local, max_nodes=max_size, max_size=max_size)
    except viz.RenderError as error:  # Graphviz missing (says how to install it) or failing
        print(f"plaingrad graph: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")  # drawn all the same: the picture shows where inf or nan arose
    return 0 if finite else 1


def output_path(output, fmt=None):
    """The file to write and its format, from `-o` and `--format` (see the module doc).

    >>> output_path("g.png")
    (PosixPath('g.png'), 'png')
    >>> output_path("pictures/", "pdf")
    (PosixPath('pictures/graph.pdf'), 'pdf')
    """
    text = os.fspath(output)
    if not text:
        raise ValueError("-o: the output name is empty")
    path = Path(text)
    what = f"-o {text}:"
    if text.endswith(("/", os.sep)) or path.is_dir():
        check_writable(path, what)
        fmt = fmt or "svg"
        path = path / f"graph.{fmt}"
        check_file(path, what, path)
        return path, fmt
    check_file(path, what)
    suffix = path.suffix.lower()
    from viz.graph import SUFFIXES  # lazily, as in run: only `graph` needs viz

    implied = SUFFIXES.get(suffix)
    if fmt is None:
        if implied is None:
            raise ValueError(f"-o {text}: cannot tell the format from "
                             f"{repr(suffix) if suffix else 'a name without a suffix'}; "
                             "name the file .svg, .png, .pdf, .dot or .html, or give --format")
        return path, implied
    if implied is not None and implied != fmt:
        raise ValueError(f"-o {text}: the suffix {suffix} says {implied}, but --format is "
                         f"{fmt}; make them agree")
    return path, fmt
