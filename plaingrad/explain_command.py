"""`plaingrad explain`: backpropagation through an expression, one chain-rule step a row.

    $ plaingrad explain "sigmoid(w*x + b)" x=2 w=-0.5 b=0.1

prints the table of `autograd.explain` (node, op, parent, ∂node/∂parent as a formula
and a number, upstream gradient, contribution) and then each variable's gradient.
Uses the same safe parser as `plaingrad graph`.
"""

from autograd import explain
from plaingrad.expression_arguments import add_expression_arguments, build, print_gradients


def register(subparsers):
    parser = subparsers.add_parser(
        "explain",
        help="show backward() one chain-rule step at a time",
        description="Build EXPRESSION from the given values and print every step of "
                    "backward(): parent.grad += local derivative × upstream gradient.",
        epilog='example: plaingrad explain "sigmoid(w*x + b)" x=2 w=-0.5 b=0.1',
    )
    add_expression_arguments(parser, example="x=2 w=-0.5 b=0.1")
    parser.set_defaults(func=run)


def run(args):
    """Print the steps table and the final gradients; return the exit status."""
    root, leaves = build(args.expression, args.bindings)
    steps = explain(root)  # runs backward()
    print(steps if steps else "(no operations: nothing to backpropagate)")
    print()
    return 0 if print_gradients(args.expression, root, leaves, "explain") else 1
