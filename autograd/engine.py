"""The scalar autograd engine: one `Value` per number, one chain rule per node.

An operation on Values makes a new node that holds its result, its operands a
and b, and the local derivative of the result with respect to each of them:
local_a = ∂node/∂a and local_b = ∂node/∂b. The operations and their derivatives
are defined once, in the table of `autograd.ops`; `Value` gets a method for each
(``x * y``, ``x.tanh()``, ...). `backward()` then only has to multiply: each
parent receives ``local derivative × gradient of the node`` (the chain rule),
summed over all the paths that reach it.

A plain number in an operation is part of that operation, not a node of its
own: `x * 3` is one node (op "*", constant 3, one parent x), as `x ** 2` is.
Only Values get gradients, so a number needs no node, and the graph (and every
backward pass over it) is half the size in code like `x * 1.0001 + 0.0`. The
exceptions are a number divided by or raised to a Value (`2 / x`, `2 ** x`):
there the number becomes a leaf.
"""

import math
import numbers

from autograd.ops import PRIMITIVES, Constant

__all__ = ["SumValue", "Value", "dot", "is_finite_number", "topological_order", "total"]


class Value:
    """A scalar that remembers how it was computed.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x          # y = x² + 3x
    >>> y.backward()
    >>> x.grad                     # dy/dx = 2x + 3
    7.0

    Gradients accumulate into leaves (Values you created yourself) across
    `backward()` calls, as in PyTorch: reset a leaf with ``x.grad = 0.0`` or a
    whole model with ``model.zero_grad()``. Interior nodes get fresh gradients
    on every pass.
    """

    # Three kinds of node, told apart by two fields:
    # - a leaf (op ""): a number you gave; no operands, a = b = None.
    # - an op of one or two operands: a and b (b None for one), with their local
    #   derivatives local_a = ∂node/∂a and local_b = ∂node/∂b.
    # - a Σ node (`total`, `dot`; a = None): a SumValue, whose two more fields hold
    #   any number of operands and their local derivatives in tuples.
    # Fields rather than two tuples on every node, because each tuple would be one
    # more object for the garbage collector to track (bench/README.md measures it).
    # No __dict__ and no closures: a node holds no reference to itself, so a dropped
    # graph is freed by reference counting alone (__weakref__ lets tests check that).
    __slots__ = ("data", "grad", "op", "constant", "label",
                 "a", "local_a", "b", "local_b", "__weakref__")

    # Make NumPy hand `np.float64(2) * x` back to Value.__rmul__ instead of
    # building an object array.
    __array_ufunc__ = None

    def __new__(cls, data=0.0, _children=(), _op="", label=""):
        # micrograd's way of making an op, Value(data, (a, b), "op"), gives a node
        # whose chain rule is the `_backward` function the caller assigns.
        if _children and cls is Value:
            return object.__new__(MicrogradNode)
        return object.__new__(cls)

    def __init__(self, data, _children=(), _op="", label=""):
        """A leaf: a number you give (an input, a parameter). Ops make the other nodes.

        `_children` and `_op` are micrograd's arguments, for programs written for it.
        """
        if type(data) is not float:
            data = _as_float(data, "Value(data)")
        if type(label) is not str:
            raise TypeError(f"Value(label): expected a str, got {type(label).__name__}")
        if _children:
            raise TypeError("Value(data, children): a node with operands is made by an op")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = ""          # a leaf: made by no op, no operands
        self.a = self.local_a = self.b = self.local_b = None
        self.constant = None

    # ----- operations: each primitive of autograd.ops becomes a method (see the end
    # of this file), e.g. __add__, __mul__, __truediv__, __pow__, exp, log, tanh. -----

    # Composite operations, written from the primitives; a number on the left.

    def __neg__(self):            # -a = a · (-1)
        return self * -1.0

    def __sub__(self, other):     # a - b = a + (-b)
        if isinstance(other, Value):
            return self + (-other)
        return self + -_number(other, "-")

    # A number on the left: c + a = a + c and c · a = a · c, one node with constant c.
    def __radd__(self, other):    # 2 + a
        return self + other

    def __rmul__(self, other):    # 2 · a
        return self * other

    def __rsub__(self, other):    # 2 - a = (-a) + 2
        return (-self) + _number(other, "-")

    # 2 / a and 2 ** a: the number becomes a leaf (a node's constant is its right operand).
    def __rtruediv__(self, other):
        return Value(_number(other, "/")) / self

    def __rpow__(self, base):
        return Value(_number(base, "**")) ** self

    # ----- backpropagation -----

    def backward(self):
        """Fill in d(self)/d(node) as `.grad` for every node of the graph.

        Interior nodes get fresh gradients on every pass; leaves accumulate.
        """
        if not self.op:
            self.grad += 1.0  # a leaf accumulates, like every leaf
            return
        order = topological_order(self)
        for node in order:
            node.grad = 0.0  # interior: recomputed by this pass
        self.grad = 1.0  # d(self)/d(self)
        for node in order:
            grad = node.grad  # complete: every consumer has passed its share
            if not grad:
                continue  # nothing to pass on (see below)
            # The chain rule:
            #     for parent, local in zip(node.parents, node.local_grads):
            #         parent.grad += local * grad
            # written out for each kind of node, on its fields. A factor of 0 (local
            # or grad) passes nothing on, even when the other is inf or NaN: √relu(x)
            # at x < 0 has slope 0, where IEEE's 0 · inf is NaN.
            a = node.a
            if a is None:  # a Σ node: any number of parents
                locals_ = node.sum_local_grads
                if locals_ is None:  # made micrograd's way: its own chain rule
                    node._backward()
                    continue
                for parent, local in zip(node.sum_parents, locals_):
                    if local:
                        parent.grad += local * grad
                continue
            if node.local_a:
                a.grad += node.local_a * grad
            b = node.b
            if b is not None and node.local_b:
                b.grad += node.local_b * grad

    def backward_step(self):
        """Pass this node's `.grad` on to its parents: its chain rule, once.

        micrograd's lecture walks backward by hand, calling ``node._backward()`` on
        each node, root first; `_backward` is this method. `backward()` does the
        whole walk in one call.
        """
        grad = self.grad
        if grad:
            for parent, local in zip(self.parents, self.local_grads):
                if local:
                    parent.grad += local * grad

    @property
    def _backward(self):
        """micrograd's name for `backward_step`."""
        return self.backward_step

    @_backward.setter
    def _backward(self, function):
        raise AttributeError(
            "this Value's chain rule comes from plaingrad's operation table: to add an op, "
            "add a Primitive to autograd/ops.py; or make the node micrograd's way, "
            "Value(data, (operands...), 'op'), and assign its _backward")

    def detach(self):
        """A new leaf with the same data (and label): a number the graph does not follow.

        >>> x = Value(3.0)
        >>> y = (x * x).detach() * x   # d/dx = x² only: the detached x² is a constant
        >>> y.backward(); x.grad
        9.0
        """
        return Value(self.data, label=self.label)

    # ----- display and micrograd compatibility -----

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    @property
    def parents(self):
        """The Value operands, in order: (a,) or (a, b); a Σ node's all; () for a leaf."""
        if self.a is None:
            return self.sum_parents if isinstance(self, SumValue) else ()
        return (self.a,) if self.b is None else (self.a, self.b)

    @property
    def local_grads(self):
        """∂self/∂parent for each of `parents`, in the same order."""
        if self.a is None:
            return self.sum_local_grads if isinstance(self, SumValue) else ()
        return (self.local_a,) if self.b is None else (self.local_a, self.local_b)

    @property
    def _prev(self):
        """micrograd's name for the parents (a set there)."""
        return set(self.parents)

    @property
    def _op(self):
        """micrograd's name for the op symbol: "**2" for a power and "ReLU", as there."""
        if self.op == "**" and self.constant is not None:
            return f"**{self.constant:g}"
        return "ReLU" if self.op == "relu" else self.op


class SumValue(Value):
    """A Σ node (made by `total` and `dot`): a Value whose operands are held in tuples.

    Its a and b are None; `parents` and `local_grads` read these two fields.
    """

    __slots__ = ("sum_parents", "sum_local_grads")


class MicrogradNode(SumValue):
    """A node made micrograd's way, ``out = Value(t, (x,), "tanh")``, with its chain rule
    assigned as ``out._backward = fn``. `backward()` calls that function for it.

    plaingrad's own ops keep their local derivatives as numbers instead, so that
    explain and viz can show them: to add an op to plaingrad, add an entry to the
    table in autograd/ops.py.
    """

    __slots__ = ("_backward",)

    def __init__(self, data, _children=(), _op="", label=""):
        Value.__init__(self, data, label=label)
        children = tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value(data, children): a child is a "
                                f"{type(child).__name__}, not a Value")
        self.op = _op if isinstance(_op, str) and _op else "op"
        self.sum_parents = children
        self.sum_local_grads = None  # unknown: its chain rule is `_backward`
        self._backward = _no_backward

    @property
    def local_grads(self):
        """Unknown (None for each parent): this node's chain rule is a function."""
        return (None,) * len(self.sum_parents)

    def backward_step(self):
        self._backward()


def _no_backward():
    """micrograd's default chain rule: pass nothing on."""


def topological_order(root):
    """The interior nodes of root's graph, each one before all of its parents.

    micrograd's build_topo (depth first, a node listed after all its parents)
    with a stack instead of recursion, so any depth works; then reversed. A
    None on the stack marks "the node below me has all its parents listed".
    Leaves pass nothing on, so they are left out. This is the order
    `backward()` passes gradients in.
    """
    order, seen = [], set()
    stack = [root] if root.op else []
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())  # its parents are all listed now
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(None)
            # Push the parents not yet listed, leaves (op "") aside, read from the
            # fields as in backward().
            a = node.a
            if a is None:  # a Σ node
                for parent in node.sum_parents:
                    if parent.op and parent not in seen:
                        stack.append(parent)
                continue
            if a.op and a not in seen:
                stack.append(a)
            b = node.b
            if b is not None and b.op and b not in seen:
                stack.append(b)
    order.reverse()
    return order


# ----- n-ary nodes: one node instead of a chain of binary ones -----

def total(values):
    """Σ values as one node (the builtin `sum` also works, as a chain of `+`).

    >>> total([Value(1.0), Value(2.0), 3.0]).data
    6.0
    """
    values = [v if isinstance(v, Value) else _lift(v, "total") for v in values]
    if not values:
        return Value(0.0)
    # dΣ/dv_i = 1
    return _sum_node(sum([v.data for v in values]), "sum", tuple(values), (1.0,) * len(values))


def dot(weights, inputs):
    """Σ w_i·a_i as one node: the W·a of a neuron's Z = W·a + b.

    >>> dot([Value(2.0), Value(3.0)], [1.0, -1.0]).data
    -1.0
    """
    weights = [w if isinstance(w, Value) else _lift(w, "dot") for w in weights]
    inputs = [a if isinstance(a, Value) else _lift(a, "dot") for a in inputs]
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        return Value(0.0)  # an empty sum, as total([]): a leaf (every op node has operands)
    wd = [w.data for w in weights]
    ad = [a.data for a in inputs]
    # ∂(W·a)/∂w_i = a_i and ∂(W·a)/∂a_i = w_i
    z = sum([w * a for w, a in zip(wd, ad)])
    return _sum_node(z, "dot", (*weights, *inputs), (*ad, *wd))


# ----- making nodes -----

_new_value = object.__new__  # a bare Value, without __init__ (looked up once: ops call it a lot)


def _sum_node(data, op, parents, local_grads):
    """The result of a Σ op (`total`, `dot`): any number of parents, held in tuples."""
    node = _new_value(SumValue)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.a = node.local_a = node.b = node.local_b = None
    node.sum_parents = parents          # the Value operands, in order
    node.sum_local_grads = local_grads  # ∂node/∂parent, one per parent
    node.constant = None
    return node


def _binary_method(primitive):
    """`a <op> b` for a Value a and a Value or a number b, from the table's rules."""
    forward, rule_a, rule_b, op = (primitive.forward, *primitive.local, primitive.name)
    # A Constant rule (∂(a+b)/∂a = 1) is stored as it is, without a call.
    fixed_a, fixed_b = (float(r) if isinstance(r, Constant) else None for r in (rule_a, rule_b))

    def method(self, other):
        a = self.data
        node = _new_value(Value)  # without __init__, whose checks are for users' numbers
        if isinstance(other, Value):
            b = other.data
            node.data = out = forward(a, b)
            node.b, node.constant = other, None
            node.local_b = rule_b(a, b, out) if fixed_b is None else fixed_b
        else:
            # A float is taken as it is; other numbers are checked by _number.
            b = other if type(other) is float else _number(other, op)
            node.data = out = forward(a, b)
            node.b = node.local_b = None
            node.constant = b
        node.a = self
        node.local_a = rule_a(a, b, out) if fixed_a is None else fixed_a
        node.grad, node.label, node.op = 0.0, "", op
        return node

    method.__name__ = primitive.method
    return method


def _function_method(primitive):
    """`x.f()` for a function f of one operand, from the table's rules."""
    forward, rule, op = primitive.forward, primitive.local[0], primitive.name

    def method(self):
        x = self.data
        node = _new_value(Value)
        node.data = out = forward(x)
        node.a, node.local_a = self, rule(x, out)
        node.b = node.local_b = node.constant = None
        node.grad, node.label, node.op = 0.0, "", op
        return node

    method.__name__ = primitive.method
    method.__doc__ = primitive.doc
    return method


# ----- the same ops without a graph, for `autograd.no_grad` -----
# Inside no_grad, Value's op methods are swapped for these (and `_sum_node` for
# `_sum_leaf`), made from the same forward functions: they compute the value and
# return a leaf, skipping the local derivatives. Swapping the methods, rather than
# testing a flag in every op, leaves the ops outside no_grad exactly as fast as before.

def _leaf(data):
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = node.op = ""
    node.a = node.local_a = node.b = node.local_b = node.constant = None
    return node


def _binary_leaf_method(primitive):
    """`a <op> b` without a graph: the value, as a leaf."""
    forward, op = primitive.forward, primitive.name

    def method(self, other):
        if isinstance(other, Value):
            return _leaf(forward(self.data, other.data))
        return _leaf(forward(self.data, other if type(other) is float else _number(other, op)))

    method.__name__ = primitive.method
    return method


def _function_leaf_method(primitive):
    """`x.f()` without a graph: the value, as a leaf."""
    forward = primitive.forward

    def method(self):
        return _leaf(forward(self.data))

    method.__name__ = primitive.method
    method.__doc__ = primitive.doc
    return method


def _sum_leaf(data, op, parents, local_grads):
    """`total` and `dot` without a graph."""
    return _leaf(data)


#: Value's op methods, by name: those that build the graph, and those that do not.
_GRAPH_METHODS, _LEAF_METHODS = {}, {}
for _primitive in PRIMITIVES:
    _binary = _primitive.arity == 2
    _GRAPH_METHODS[_primitive.method] = (_binary_method if _binary else
                                         _function_method)(_primitive)
    _LEAF_METHODS[_primitive.method] = (_binary_leaf_method if _binary else
                                        _function_leaf_method)(_primitive)
del _primitive, _binary
_SUM_NODE = _sum_node


def _build_graphs(on):
    """Make the ops build graphs (on=True, the default) or return leaves (`no_grad`).

    It changes the class Value and this module for the whole process (every thread);
    autograd.no_grad is the way to call it.
    """
    global _sum_node
    for name, method in (_GRAPH_METHODS if on else _LEAF_METHODS).items():
        setattr(Value, name, method)
    _sum_node = _SUM_NODE if on else _sum_leaf


_build_graphs(True)


# ----- numbers a user passes -----

def _as_float(x, what):
    """Convert an int/float/NumPy scalar to float; refuse anything else by name."""
    if isinstance(x, Value):
        raise TypeError(f"{what}: got a Value; pass its number (`.data`) instead")
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what}: expected an int or float, got {type(x).__name__} {x!r:.60}")
    try:
        f = float(x)
    except OverflowError:
        f = None
    if f is None or (math.isinf(f) and x != f):  # NumPy's longdouble rounds to inf quietly
        raise ValueError(f"{what}: {x!r:.60} is too large for a float")
    return f


def is_finite_number(x):
    """A finite int or float (NumPy's too), not a bool; an int beyond the floats is not.

    The test every number a user passes to nn and viz (data, settings) must pass.
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _number(x, op):
    """A plain number operand of `op`, as a float."""
    if type(x) is float:  # the common case, without _as_float's checks
        return x
    return _as_float(x, f"operand of {op}")


def _lift(x, op):
    """A plain number in a list for `total` or `dot` becomes a constant leaf."""
    return Value(_number(x, op))
