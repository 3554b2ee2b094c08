"""Derivatives of derivatives (`gradients`, `grad`, `hessian`) and graph-free `no_grad`.

`backward()` keeps each local derivative as a number, so it applies the chain rule
once. `gradients(y, xs, create_graph=True)` applies it on Values instead: each local
derivative is the operation table's rule on Values (`Primitive.derivative_on_values`;
for tanh it is 1 - out·out, out being the tanh node itself), so the derivative is a
graph like any other, which `gradients`, `backward()`, `explain` and viz take on
again, to any order.

>>> from autograd import Value, gradients
>>> x = Value(2.0)
>>> dy, = gradients(x ** 3, [x], create_graph=True)   # 3x², a Value
>>> d2y, = gradients(dy, [x])                         # 6x, a float
>>> dy.data, d2y
(12.0, 12.0)

`grad(f)` is the same as a function, as in HIPS autograd and JAX:

>>> import math
>>> from autograd import grad
>>> grad(grad(lambda x: x.sin()))(1.0) == -math.sin(1.0)       # sin'' = -sin
True

Precision at higher orders. Floats (create_graph=False, and `backward()`) come
from the float rules, whose tanh′ and σ′ keep their digits in the tails: tanh′(25)
is 7.7e-22, correct to the last digits. Derivatives as Values come from the Value
rules 1 - tanh² and σ·(1 - σ), polynomials in tanh and σ. They are accurate in
absolute terms (to ~1e-16 times the size of the polynomial's coefficients), not
relative: as tanh² or σ nears 1 they lose digits, and where the true value is below
that (tanh′ for |x| > 19, σ′ for x > 37, softplus″ = σ′ likewise) they are 0. So for
every order of tanh, σ and softplus; the other ops' rules lose no digits this way.
tests/test_functional.py checks both claims.
"""

import functools
import math
import numbers
import threading
from collections.abc import Mapping, Set

from autograd import engine
from autograd.engine import MicrogradNode, SumValue, Value, topological_order, total
from autograd.ops import by_name

__all__ = ["grad", "gradients", "hessian", "is_grad_enabled", "no_grad"]


# ----- no_grad -----

_no_grad_depth = 0  # how many no_grad blocks are open (in any thread)
_switching = threading.Lock()


class no_grad:
    """A block (or a function) in which ops compute their values and build no graph.

    >>> from autograd import Value, no_grad
    >>> w = Value(0.5)
    >>> with no_grad():
    ...     y = (w * 3.0).tanh()       # a leaf: no parents, nothing to backpropagate
    >>> y.parents, round(y.data, 6)
    ((), 0.905148)

    Results are leaves, made without the local derivatives, so they cost less time
    and memory. Blocks nest, and the graph building comes back when the outermost
    one ends, also by an exception. Also a decorator: ``@no_grad()``.

    It works by swapping Value's op methods for graph-free ones (made from the same
    table) on entry and back on exit, so ops outside it cost nothing more. The swap
    is for the whole process, not per thread as in PyTorch: while any thread is in a
    no_grad block, ops in every thread build no graph. Nodes made micrograd's way,
    ``Value(data, (a, b), op)``, keep their operands.
    """

    def __enter__(self):
        global _no_grad_depth
        with _switching:
            if _no_grad_depth == 0:
                engine._build_graphs(False)
            _no_grad_depth += 1

    def __exit__(self, *exception):
        global _no_grad_depth
        with _switching:
            _no_grad_depth -= 1
            if _no_grad_depth == 0:
                engine._build_graphs(True)
        return False  # an exception goes on

    def __call__(self, function):
        @functools.wraps(function)
        def without_graph(*args, **kwargs):
            with self:
                return function(*args, **kwargs)

        return without_graph


def is_grad_enabled():
    """False inside a `no_grad` block (of any thread), where ops build no graph."""
    return _no_grad_depth == 0


def _refuse_inside_no_grad(what):
    if _no_grad_depth:
        raise RuntimeError(f"{what} inside no_grad(): no graph is built there, so there is "
                           "no derivative to take; call it outside the no_grad block")


# ----- gradients -----

def gradients(y, xs, create_graph=False):
    """dy/dx for each Value x of `xs`, as a list; no `.grad` is read or written.

    create_graph=False gives floats, the numbers `y.backward()` would put in x.grad.
    create_graph=True gives Values, each the root of a graph of the derivative, to be
    differentiated again (with `gradients` or `.backward()`) to any order. An x that
    y does not depend on gets 0.0 (a zero leaf with create_graph=True). An x may be
    any node of y's graph, not only a leaf.

    >>> x, w = Value(3.0), Value(2.0)
    >>> gradients((w * x).tanh(), [x, w, Value(1.0)])[2]
    0.0
    """
    xs = _check_gradients_arguments(y, xs, create_graph)
    order = topological_order(y)  # consumers before their operands, as in backward()
    depends = _depending_on(order, xs)
    wanted = set(xs)
    shares = {y: [1.0]}  # each node's shares of dy/dnode, one per consumer
    found = {}           # dy/dx, complete, for the interior nodes of xs
    for node in order:
        parts = shares.pop(node, None)
        if parts is None:
            continue  # y does not reach it through the xs (or at all)
        upstream = _add_up(parts)  # complete: every consumer has passed its share
        if node in wanted:
            found[node] = upstream
        if isinstance(upstream, float) and not upstream:
            continue  # passes nothing on, as in backward()
        for parent, local in _local_derivatives(node, depends, create_graph):
            share = _times(local, upstream)
            if share is not None:
                shares.setdefault(parent, []).append(share)

    results = []
    in_graph = set(order) if create_graph else ()
    for x in xs:
        g = found[x] if x in found else _add_up(shares[x]) if x in shares else 0.0
        if create_graph:
            if not isinstance(g, Value):
                g = Value(g)
            elif not g.op or g in in_graph:
                # The derivative is a Value of y's graph (d(x·w)/dx is w itself): return a
                # new node, so that relabelling the derivative leaves w as it is.
                g = g * 1.0
        results.append(g)
    return results


def _check_gradients_arguments(y, xs, create_graph):
    if not isinstance(y, Value):
        raise TypeError(f"gradients: y must be a Value, got {type(y).__name__} {y!r:.60}")
    if isinstance(xs, Value):
        raise TypeError("gradients: xs must be a list of Values; for one Value x, "
                        "write gradients(y, [x])")
    if isinstance(xs, (str, bytes, Mapping, Set)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"gradients: xs must be a list of Values (in the order you want the "
                        f"derivatives), got {type(xs).__name__}")
    xs = list(xs)
    for i, x in enumerate(xs):
        if not isinstance(x, Value):
            raise TypeError(f"gradients: xs[{i}] is {type(x).__name__} {x!r:.40}, not a Value; "
                            "derivatives are taken with respect to Values used in building y")
    if create_graph is not True and create_graph is not False:
        raise TypeError(f"gradients: create_graph must be True or False, got {create_graph!r:.40}")
    if create_graph:
        _refuse_inside_no_grad("gradients(create_graph=True)")
    return xs


def _depending_on(order, xs):
    """The Values of xs and every node of `order` computed from one of them."""
    found = set(xs)
    for node in reversed(order):  # operands before the nodes made from them
        if any(parent in found for parent in node.parents):
            found.add(node)
    return found


def _add_up(parts):
    """The sum of a node's shares of dy/dnode: a float, or a Value (one Σ node)."""
    if len(parts) == 1:
        return parts[0]
    if any(isinstance(part, Value) for part in parts):
        return total(parts)
    upstream = 0.0
    for part in parts:  # in backward()'s order, so that the floats are its floats
        upstream += part
    return upstream


def _times(local, upstream):
    """local · upstream, the share of a parent; None when one factor is the float 0.

    A float 0 passes nothing on (as in backward(), even against inf); a Value whose
    data is 0 still does, since its own derivative need not be 0. A factor 1 is
    left out, so that the derivative's graph has no "× 1" nodes.
    """
    if not isinstance(local, Value):
        if not local:
            return None
        if not isinstance(upstream, Value):
            return local * upstream
        return upstream if local == 1.0 else upstream * local
    if not isinstance(upstream, Value):
        return local if upstream == 1.0 else local * upstream
    return local * upstream


def _local_derivatives(node, depends, create_graph):
    """(parent, ∂node/∂parent) for the parents of `node` that depend on the xs."""
    if not any(parent in depends for parent in node.parents):
        return ()  # an x itself, whose operands do not depend on the xs
    if isinstance(node, MicrogradNode):
        raise TypeError(f"gradients: the {node.op!r} node was made micrograd's way, "
                        "Value(data, children, op), so its chain rule is a function that "
                        "writes .grad, which gradients does not touch; build it from "
                        "plaingrad's ops, or add the op to the table in autograd/ops.py")
    if not create_graph:  # the numbers stored in the forward pass
        return [(parent, local) for parent, local in zip(node.parents, node.local_grads)
                if parent in depends]
    if isinstance(node, SumValue):
        parents = node.sum_parents
        if node.op == "sum":  # ∂(Σ v_i)/∂v_i = 1
            return [(parent, 1.0) for parent in parents if parent in depends]
        if node.op == "dot":  # parents (*W, *a): ∂/∂w_i = a_i, ∂/∂a_i = w_i
            n = len(parents) // 2
            return [(parent, parents[i + n] if i < n else parents[i - n])
                    for i, parent in enumerate(parents) if parent in depends]
        raise TypeError(f"gradients: no derivative rule on Values for a Σ node {node.op!r}")
    primitive = by_name(node.op)
    # The operands as the rules take them; a number folded into the node is operand b.
    if node.b is not None:
        operands = (node.a, node.b)
    elif primitive.arity == 2:
        operands = (node.a, node.constant)
    else:
        operands = (node.a,)
    pairs = []
    for i, operand in enumerate(operands):
        if not isinstance(operand, Value) or operand not in depends:
            continue
        try:
            local = primitive.derivative_on_values(i)(*operands, node)
        except (ArithmeticError, ValueError) as error:
            shown = ", ".join(f"{v.data if isinstance(v, Value) else v:.6g}" for v in operands)
            raise type(error)(f"gradients(create_graph=True): the derivative of {node.op} "
                              f"at ({shown}) with respect to its operand {i + 1}: {error}"
                              ) from error
        pairs.append((operand, local))
    return pairs


# ----- grad and hessian -----

_tracing = threading.local()  # .depth: how many grad/hessian functions are evaluating f


def grad(f, argnum=0):
    """The function x ↦ df/dx, for `f` of numbers or Values that returns a Value.

    The derivative is taken with respect to positional argument `argnum`. Given a
    number, it returns a float; given a Value, a Value (the derivative's graph), so
    that it nests: grad(grad(f)) is f″, and so on to any order.

    >>> f = lambda x, y: x * x * y
    >>> grad(f)(3.0, 2.0), grad(f, argnum=1)(3.0, 2.0), grad(grad(f))(3.0, 2.0)
    (12.0, 9.0, 4.0)

    Inside a function being differentiated, grad returns a Value even for a number,
    so that an outer derivative sees through it: grad(lambda x: x * grad(lambda y:
    x * y)(1.0))(3.0) is d(x·x)/dx = 6, not 3.
    """
    if not callable(f):
        raise TypeError(f"grad: f must be a function, got {type(f).__name__} {f!r:.40}")
    if isinstance(argnum, bool) or not isinstance(argnum, numbers.Integral) or argnum < 0:
        raise ValueError(f"grad: argnum must be an int >= 0, got {argnum!r:.40}")
    argnum = int(argnum)
    name = f"grad({getattr(f, '__name__', 'f')})"

    def derivative(*args, **kwargs):
        if len(args) <= argnum:
            raise TypeError(f"{name}: the derivative is taken with respect to positional "
                            f"argument {argnum}, but got {len(args)} positional argument"
                            f"{'' if len(args) == 1 else 's'}")
        x, as_value = _variable(args[argnum], f"{name}: argument {argnum}")
        y = _evaluate(f, (*args[:argnum], x, *args[argnum + 1:]), kwargs, name)
        return gradients(y, [x], create_graph=as_value)[0]

    derivative.__name__ = derivative.__qualname__ = name
    derivative.__doc__ = f"The derivative of {name[5:-1]} with respect to argument {argnum}."
    return derivative


def hessian(f):
    """The function (x1, ..., xn) ↦ [[∂²f/∂xi∂xj for j] for i], a list of lists.

    `f` takes n numbers or Values as positional arguments and returns a Value.
    Numbers give floats; Values give Values (as `grad` does), which nest.

    >>> hessian(lambda x, y: x * x * y)(3.0, 2.0)      # [[2y, 2x], [2x, 0]]
    [[4.0, 6.0], [6.0, 0.0]]
    """
    if not callable(f):
        raise TypeError(f"hessian: f must be a function, got {type(f).__name__} {f!r:.40}")
    name = f"hessian({getattr(f, '__name__', 'f')})"

    def second_derivatives(*args, **kwargs):
        if not args:
            raise TypeError(f"{name}: no arguments; pass the point, one number per input")
        pairs = [_variable(arg, f"{name}: argument {i}") for i, arg in enumerate(args)]
        xs = [x for x, _ in pairs]
        as_values = any(as_value for _, as_value in pairs)
        y = _evaluate(f, xs, kwargs, name)
        first = gradients(y, xs, create_graph=True)
        return [gradients(g, xs, create_graph=as_values) for g in first]

    second_derivatives.__name__ = second_derivatives.__qualname__ = name
    return second_derivatives


def _variable(arg, what):
    """The Value to differentiate with respect to, and whether to answer in Values."""
    if isinstance(arg, Value):
        return arg, True
    if isinstance(arg, bool) or not isinstance(arg, numbers.Real):
        raise TypeError(f"{what} must be a number or a Value, got {type(arg).__name__} "
                        f"{arg!r:.40}")
    x = engine._as_float(arg, what)
    if math.isnan(x):
        raise ValueError(f"{what} is nan; a derivative needs a number")
    return Value(x), getattr(_tracing, "depth", 0) > 0


def _evaluate(f, args, kwargs, name):
    """f(*args, **kwargs), insisting on a Value; nested grads in it answer in Values."""
    _refuse_inside_no_grad(name)
    _tracing.depth = getattr(_tracing, "depth", 0) + 1
    try:
        y = f(*args, **kwargs)
    finally:
        _tracing.depth -= 1
    if not isinstance(y, Value):
        raise TypeError(f"{name}: f returned {type(y).__name__} {y!r:.40}, not a Value; f "
                        "must build its result from the Values it is given (not from .data)")
    return y
