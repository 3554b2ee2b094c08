"""The scalar autograd engine: one `Value` per number, one chain rule per node.

Every operation below computes its result *and* the local derivative of that
result with respect to each parent, side by side, and stores both in the new
node: its operands a and b, with local_a = ∂node/∂a and local_b = ∂node/∂b
(a Σ node, which has many operands, keeps them in two tuples).
`backward()` then only has to multiply: each parent receives
``local derivative × gradient of the node`` (the chain rule), summed over all
the paths that reach it.

Each local derivative is ordinary arithmetic on the op's inputs and output
(b and a for a·b, 1/b and −(a/b)/b for a/b, e^x for e^x). Here it is
evaluated on floats; evaluated on Values, the same expressions would build a
graph of the derivative itself: the road to higher-order derivatives.

A plain number in an operation is part of that operation, not a node of its
own: `x * 3` is one node (op "*", constant 3, one parent x), as `x ** 2` is.
Only Values get gradients, so a number needs no node, and the graph (and every
backward pass over it) is half the size in code like `x * 1.0001 + 0.0`. The
exceptions are a number divided by or raised to a Value (`2 / x`, `2 ** x`):
there the number becomes a leaf.
"""

import math
import numbers

__all__ = ["SumValue", "Value", "dot", "topological_order", "total"]


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
    #   any number of operands (at least one) and their local derivatives in tuples.
    # `parents` and `local_grads` give any node's operands and local derivatives as
    # tuples. Why fields and not those two tuples on every node: each tuple is one
    # more object for the cyclic garbage collector to count and scan; without them
    # the benchmark's chain takes a fifth less time (bench/README.md).
    #
    # No __dict__ and no closures: a node is small and holds no reference to
    # itself, so a dropped graph is freed by reference counting alone.
    # (__weakref__ lets tests and the benchmark check exactly that.)
    __slots__ = ("data", "grad", "op", "constant", "label",
                 "a", "local_a", "b", "local_b", "__weakref__")

    # Make NumPy hand `np.float64(2) * x` back to Value.__rmul__ instead of
    # building an object array.
    __array_ufunc__ = None

    def __init__(self, data, label=""):
        """A leaf: a number you give (an input, a parameter). Ops make the other nodes."""
        if type(data) is not float:
            data = _as_float(data, "Value(data)")
        if type(label) is not str:
            raise TypeError(f"Value(label): expected a str, got {type(label).__name__}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = ""          # a leaf: made by no op, no operands
        self.a = self.local_a = self.b = self.local_b = None
        self.constant = None

    # ----- primitive operations: forward value and local derivatives together -----

    def __add__(self, other):
        if isinstance(other, Value):
            # d(a+b)/da = 1, d(a+b)/db = 1
            return _node(self.data + other.data, "+", self, 1.0, other, 1.0)
        # A number: a float is taken as it is, tested here rather than in _number
        # (the call costs about 4% of a chain of `x * c + d`); others are checked.
        c = other if type(other) is float else _number(other, "+")
        # d(a+c)/da = 1
        return _node(self.data + c, "+", self, 1.0, constant=c)

    def __mul__(self, other):
        if isinstance(other, Value):
            a, b = self.data, other.data
            # d(a·b)/da = b, d(a·b)/db = a
            return _node(a * b, "*", self, b, other, a)
        c = other if type(other) is float else _number(other, "*")  # as in +
        # d(a·c)/da = c
        return _node(self.data * c, "*", self, c, constant=c)

    def __truediv__(self, other):
        # A primitive, not a · b⁻¹ as in micrograd: b⁻¹ rounds twice (49 / 49 would be
        # 0.9999999999999999) and overflows for a tiny b (1e-10 / 1e-310 would be inf).
        if isinstance(other, Value):
            a, b = self.data, other.data
            _check_divisor(a, b)
            q = a / b
            # d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -(a/b)/b
            return _node(q, "/", self, 1.0 / b, other, -q / b)
        c = _number(other, "/")
        _check_divisor(self.data, c)
        # d(a/c)/da = 1/c
        return _node(self.data / c, "/", self, 1.0 / c, constant=c)

    def __pow__(self, p):
        if isinstance(p, Value):
            a, b = self.data, p.data
            _check_base(a)
            out = _float_pow(a, b)
            # d(a^b)/da = b·a^(b-1) (0 for b = 0, even where a^(b-1) overflows),
            # d(a^b)/db = a^b·log a
            local_a = 0.0 if b == 0 else b * _float_pow(a, b - 1)
            return _node(out, "**", self, local_a, p, out * math.log(a))
        p = _as_float(p, "x ** p")
        x = self.data
        if x < 0 and math.isfinite(p) and not p.is_integer():
            raise ValueError(f"x ** p: {x!r} ** {p!r} is not a real number "
                             "(negative base, non-integer power)")
        if x == 0 and p < 0:
            raise ZeroDivisionError(f"x ** p: 0 ** {p!r} is infinite (zero to a negative power)")
        out = _float_pow(x, p)
        # d(x^p)/dx = p·x^(p-1)
        if p == 0:
            local = 0.0  # x^0 is a constant, also at x = 0 (as in PyTorch)
        elif x == 0 and 0 < p < 1:
            local = math.inf  # 0^(p-1) with p-1 < 0: the slope of √x at 0
        else:
            local = p * _float_pow(x, p - 1)
        return _node(out, "**", self, local, constant=p)

    def exp(self):
        """e^x. Overflows to inf (as in IEEE, NumPy and PyTorch) above x ≈ 709.78."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            e = math.inf
        # d(e^x)/dx = e^x
        return _node(e, "exp", self, e)

    def log(self):
        """Natural logarithm; raises ValueError for x ≤ 0."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log: the logarithm of {x!r} is undefined (log needs x > 0)")
        # d(log x)/dx = 1/x
        return _node(math.log(x), "log", self, 1.0 / x)

    def tanh(self):
        x = self.data
        t = math.tanh(x)  # saturates to ±1 without overflow for any finite x
        # d(tanh x)/dx = 1 - tanh(x)², written as 4e/(1 + e)² with e = e^(-2|x|): where
        # tanh(x) rounds to ±1 (|x| > 19), 1 - t² would be 0 instead of about 4e^(-2|x|).
        e = math.exp(-2.0 * abs(x))
        return _node(t, "tanh", self, 4.0 * e / (1.0 + e) ** 2)

    def sigmoid(self):
        x = self.data
        s = _sigmoid(x)
        # dσ/dx = σ(x)·(1 - σ(x)), with 1 - σ(x) = σ(-x) computed directly: in the
        # tails 1 - s would lose the digits that σ(-x) keeps.
        return _node(s, "sigmoid", self, s * _sigmoid(-x))

    def relu(self):
        x = self.data
        out = 0.0 if x < 0 else x  # NaN passes through, as in micrograd
        # d relu(x)/dx = 1 for x > 0, else 0 (0 at the kink, as in micrograd and PyTorch)
        return _node(out, "relu", self, 1.0 if out > 0 else 0.0)

    def softplus(self):
        """log(1 + e^x), computed without overflow for any x."""
        x = self.data
        # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive
        out = max(x, 0.0) + math.log1p(math.exp(-abs(x)))
        # d softplus(x)/dx = σ(x)
        return _node(out, "softplus", self, _sigmoid(x))

    # ----- composite operations, written from the primitives; a number on the left -----

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
            # The chain rule, in short:
            #     for parent, local in zip(node.parents, node.local_grads):
            #         parent.grad += local * grad
            # written out below for each kind of node, reading its fields (building
            # those two tuples for every node would cost more than the arithmetic).
            # A factor of 0 (local or grad) passes nothing on, even when the other is
            # inf or NaN: √relu(x) at x < 0 has slope 0, where IEEE's 0 · inf is NaN.
            a = node.a
            if a is None:  # a Σ node: any number of parents
                for parent, local in zip(node.sum_parents, node.sum_local_grads):
                    if local:
                        parent.grad += local * grad
                continue
            if node.local_a:
                a.grad += node.local_a * grad
            b = node.b
            if b is not None and node.local_b:
                b.grad += node.local_b * grad

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
            # Push the parents not yet listed, leaves (op "") aside. The fields are read
            # directly: a tuple of the parents, built for each node, would cost 8% of
            # the chain (and 20% through the `parents` property).
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


# ----- helpers -----

_new_value = object.__new__  # a bare Value, without __init__ (looked up once: ops call it a lot)


def _node(data, op, a, local_a, b=None, local_b=None, constant=None):
    """The result of an op: `data`, made by `op` from the Values a (and b) and `constant`.

    Value.__init__ is for leaves and checks what users pass; an op's numbers are
    already floats, so this skips the checks and the class call (a third faster).
    """
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.a = a
    node.local_a = local_a  # ∂node/∂a
    node.b = b              # None for an op of one operand
    node.local_b = local_b  # ∂node/∂b
    node.constant = constant  # the number operand of "+", "*", "/" or "**", else None
    return node


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


def _check_base(a):
    """a ** b with a Value b needs a > 0: its derivative in b is a^b · log a."""
    if not a > 0:
        raise ValueError(f"a ** b: a Value exponent needs a positive base, got base {a!r}")


def _check_divisor(a, b):
    """a / b needs b ≠ 0: say so, naming the dividend."""
    if b == 0:
        raise ZeroDivisionError(f"a / b: division of {a!r} by zero")


def _float_pow(x, p):
    """x ** p on floats, overflowing to ±inf instead of raising."""
    try:
        return x ** p
    except OverflowError:
        return math.inf if x > 0 or p % 2 == 0 else -math.inf


def _sigmoid(x):
    """1 / (1 + e^-x), never exponentiating a positive number."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # also NaN for NaN
    return e / (1.0 + e)
