"""`plaingrad check`: compare backward() with central differences for a formula.

    $ plaingrad check "log(1 + exp(x*y))" x=1.5 y=-2
    gradcheck passed for 2 inputs, f = 0.048587351573742
    numeric = (f(x+h) - f(x-h)) / 2h, h = 1e-06; ok if |analytic - numeric| <= 1e-05 + ...
    input  value  analytic             numeric              abs err   rel err   ok
    x      1.5    -0.0948517463551336  -0.0948517463400838  1.50e-11  1.59e-10  yes
    y      -2     0.0711388097663502   0.0711388096951232   7.12e-11  1.00e-09  yes

Prints the gradcheck table; the exit status is 0 when every input passes, 1 when
one fails, 2 for a bad expression or binding, or a step --eps too small or too large
for a value (the message says which way to change it).
"""

from autograd.check import GradcheckError, gradcheck
from plaingrad.arguments import any_number
from plaingrad.expression_arguments import add_expression_arguments, bind


def register(subparsers):
    parser = subparsers.add_parser(
        "check",
        help="check an expression's gradient against finite differences",
        description="Compute the gradient of EXPRESSION at the given point by backward() "
                    "and by central differences (f(x+h) - f(x-h)) / 2h, and print both.",
        epilog='example: plaingrad check "log(1 + exp(x*y))" x=1.5 y=-2',
    )
    add_expression_arguments(parser, example="x=1.5 y=-2")
    parser.add_argument("--eps", type=any_number, default=1e-6,
                        help="the step h, the same for every variable (default 1e-6; "
                             "for values around 1e6 or more use about 1e-6·|value|)")
    parser.add_argument("--atol", type=any_number, default=1e-5, help="absolute tolerance (1e-5)")
    parser.add_argument("--rtol", type=any_number, default=1e-3, help="relative tolerance (1e-3)")
    parser.set_defaults(func=run)


def run(args):
    """Print the gradcheck table for args.expression; return the exit status."""
    # A value for every variable, and no unused names (typos): see Expression.leaves.
    expr, leaves = bind(args.expression, args.bindings)
    if not leaves:
        raise ValueError(f"{args.expression!r} has no variables, so there is no gradient "
                         "to check; write one, e.g. x*x with x=1.5")
    names = list(leaves)

    def f(values):
        return expr.evaluate(dict(zip(names, values)))

    point = {name: leaf.data for name, leaf in leaves.items()}
    try:
        report = gradcheck(f, point, eps=args.eps, atol=args.atol, rtol=args.rtol)
    except GradcheckError as failure:
        print(failure.report)
        return 1
    print(report)
    return 0
