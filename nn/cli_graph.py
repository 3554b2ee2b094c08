"""`plaingrad graph`: draw an expression's computation graph with data and gradients.

    $ plaingrad graph "tanh(x*w + b)" x=1 w=-2 b=0.5 -o neuron.svg
    tanh(x*w + b) = -0.9051
      ∂/∂x = -0.3614
      ∂/∂w = 0.1807
      ∂/∂b = 0.1807
    wrote neuron.svg

The expression is read by the safe parser of `autograd.expression` (never eval-ed),
built from Values labelled with the variable names, and differentiated by backward().
"""

import sys

from autograd.expression import parse, parse_bindings

DEFAULT_OUTPUT = "runs/graph/graph.svg"
EXPRESSION_HELP = ("e.g. 'tanh(x*w + b)': numbers, the variables, + - * / **, unary -, "
                   "parentheses, exp log tanh sigmoid relu (start with a space if it begins "
                   "with -, e.g. ' -x')")


def register(subparsers):
    parser = subparsers.add_parser(
        "graph",
        help="draw an expression's computation graph with data and gradients",
        description="Build EXPRESSION from the given values, run backward(), print each "
                    "variable's gradient and draw the graph (Graphviz `dot` needed for "
                    "svg/png/pdf).",
        epilog='example: plaingrad graph "tanh(x*w + b)" x=1 w=-2 b=0.5 -o neuron.svg',
    )
    parser.add_argument("expression", metavar="EXPRESSION", help=EXPRESSION_HELP)
    parser.add_argument("bindings", metavar="NAME=VALUE", nargs="*",
                        help="one value per variable, e.g. x=1 w=-2 b=0.5")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                        help=f"the picture to write (default {DEFAULT_OUTPUT})")
    parser.add_argument("--format", choices=("svg", "png", "pdf", "dot"),
                        help="file format (default: from the output's suffix, else svg)")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                        help="left to right (LR, default) or top to bottom (TB)")
    parser.add_argument("--no-local", action="store_true",
                        help="do not write local derivatives on the edges")
    parser.set_defaults(func=run)


def build(expression, bindings):
    """Parse, build from labelled leaves, run backward(): (root, leaves by name)."""
    expr = parse(expression)
    leaves = expr.leaves(parse_bindings(bindings))
    root = expr.evaluate(leaves)
    root.backward()
    return root, leaves


def print_gradients(expression, root, leaves):
    print(f"{expression} = {root.data:.6g}")
    for name, leaf in leaves.items():
        print(f"  ∂/∂{name} = {leaf.grad:.6g}")


def run(args):
    """Print the gradients, write the picture; return the exit status."""
    import viz  # lazily: `plaingrad train` need not import Graphviz

    root, leaves = build(args.expression, args.bindings)
    print_gradients(args.expression, root, leaves)
    fmt = args.format or _format_from_suffix(args.output)
    try:
        path = viz.render(root, args.output, format=fmt, rankdir=args.rankdir,
                          show_local=not args.no_local)
    except RuntimeError as error:  # Graphviz missing (says how to install it) or failing
        print(f"plaingrad graph: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _format_from_suffix(path):
    suffix = str(path).rpartition(".")[2].lower()
    return suffix if suffix in ("svg", "png", "pdf", "dot") else "svg"
