"""`plaingrad compile`: an expression as the straight-line program autograd.compile makes.

    $ plaingrad compile "sigmoid(w*x + b)" x=2 w=-0.5 b=0.1

prints the program (one line per node forward, then the chain rule, one or two lines
per edge backward, each a plain calculation), then the value and each variable's
gradient, computed by that program. Uses the same safe parser as `plaingrad graph`.
"""

import inspect

from autograd import Value
from autograd import compile as compile_function
from plaingrad.expression_arguments import add_expression_arguments, bind, print_gradients


def register(subparsers):
    parser = subparsers.add_parser(
        "compile",
        help="show the program that backpropagation is: plain calculations, line by line",
        description="Compile EXPRESSION with autograd.compile and print the program: "
                    "its forward lines, then its backward lines (the chain rule written "
                    "out), then the value and the gradients it computes.",
        epilog='example: plaingrad compile "sigmoid(w*x + b)" x=2 w=-0.5 b=0.1',
    )
    add_expression_arguments(parser, example="x=2 w=-0.5 b=0.1")
    parser.set_defaults(func=run)


def run(args):
    """Print the program, then the value and gradients; return the exit status."""
    expr, leaves = bind(args.expression, args.bindings)
    names = list(leaves)

    def expression(*values):
        return expr.evaluate(dict(zip(names, values)))

    # The program's comments name the arguments after the variables.
    expression.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY) for name in names])
    program = compile_function(expression)
    value, grads = program.value_and_grad(*(leaf.data for leaf in leaves.values()))
    print(program.source.split("\n# c.forward")[0].rstrip())  # the forward-only copy aside
    print()
    for leaf, grad in zip(leaves.values(), grads):
        leaf.grad = grad
    return 0 if print_gradients(args.expression, Value(value), leaves, "compile") else 1
