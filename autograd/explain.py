"""Backpropagation one chain-rule step at a time, with the numbers.

    >>> from autograd import Value, explain
    >>> w, x, b = Value(-0.5, label="w"), Value(2.0, label="x"), Value(0.1, label="b")
    >>> z = w * x + b; z.label = "z"
    >>> y = z.sigmoid(); y.label = "ŷ"
    >>> steps = explain(y)        # runs y.backward() and lists what it did
    >>> print(steps)              # doctest: +NORMALIZE_WHITESPACE
    step  node  op       parent  ∂node/∂parent                 local  upstream  contribution
       1  ŷ     sigmoid  z       sigmoid(z)·(1 - sigmoid(z))  0.2055         1        0.2055
       2  z     +        n1      1                                 1    0.2055        0.2055
       3  z     +        b       1                                 1    0.2055        0.2055
       4  n1    *        w       x                                 2    0.2055         0.411
       5  n1    *        x       w                              -0.5    0.2055       -0.1028

Each row is one edge of the graph: `parent.grad += local × upstream`, where
`local` is ∂node/∂parent (computed in the forward pass) and `upstream` is the
node's own, already complete gradient (when either is 0 the contribution is 0,
as in `backward()`, even if the other is inf or NaN). The rows come in the order `backward()`
applies them, and adding up a parent's contributions gives its `.grad`.

`explain` is a function, not a method, so that the engine stays small: it calls the
real `root.backward()` (so every number is the engine's own) and then lists the
steps in the engine's order. After a backward pass a node's `.grad` is exactly the
upstream gradient it passed on, because a node passes its gradient on only once
all its consumers have added to it. Leaf gradients accumulate across calls, as
with `backward()`: zero them first to read contributions as the whole gradient.
"""

from typing import NamedTuple

from autograd.engine import MicrogradNode, Value, topological_order
from autograd.ops import PRIMITIVES, SUMS, by_name, formula_text
from autograd.tables import format_table

PRIMITIVE_NAMES = frozenset(p.name for p in PRIMITIVES)

__all__ = ["Step", "Steps", "explain", "format_number", "local_formula", "op_text"]


class Step(NamedTuple):
    """One application of the chain rule: ``parent.grad += local * upstream``."""

    node: object        # the Value whose gradient flows back (the op's result)
    parent: object      # the operand receiving a share of it
    node_name: str
    parent_name: str
    op: str             # the node's op with its number, e.g. "*", "tanh", "* 3", "**2"
    formula: str        # ∂node/∂parent written out, e.g. "1 - tanh(z)^2"
    local: float        # its value: node.local_grads[i]
    upstream: float     # node.grad, complete when this step runs
    contribution: float  # local * upstream (0 if either is 0), added to parent.grad


class Steps(list):
    """The list of `Step`s of one backward pass; prints as an aligned table."""

    def __str__(self):
        header = ("step", "node", "op", "parent", "∂node/∂parent", "local", "upstream",
                  "contribution")
        rows = [(str(i), s.node_name, s.op, s.parent_name, s.formula, format_number(s.local),
                 format_number(s.upstream), format_number(s.contribution))
                for i, s in enumerate(self, 1)]
        return format_table([header, *rows], right={0, 5, 6, 7})  # numbers right-aligned


def explain(root):
    """Run `root.backward()` and return its chain-rule steps, in the order applied.

    Returns a `Steps` list (print it for a table) of `Step` records: node, op,
    parent, the local derivative ∂node/∂parent as a formula and as a number, the
    upstream gradient ∂root/∂node, and the contribution added to ∂root/∂parent.
    Names come from labels; unlabelled constants are shown by value, other
    unlabelled nodes as n1, n2, ... in table order (an unlabelled root is "out").
    An automatic name never repeats a label of the graph: if "n1" or "out" is a
    label, the next free name is used (n2, ... or out1, ...).
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: expected a Value, got {type(root).__name__}")
    root.backward()
    order = topological_order(root)  # the very order backward() used
    names = _names(root, order)
    steps = Steps()
    for node in order:
        if isinstance(node, MicrogradNode):
            raise TypeError(f"explain: the {node.op!r} node was made micrograd's way, so its "
                            "chain rule is a function and its local derivatives are unknown; "
                            "add the op to the table in autograd/ops.py to see them")
        upstream = node.grad  # complete: every consumer has already added to it
        for i, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            # A factor of 0 passes nothing on, as in backward(): 0, not 0 · inf = NaN.
            contribution = local * upstream if local and upstream else 0.0
            steps.append(Step(node, parent, names[node], names[parent], op_text(node),
                              local_formula(node, i, names), local, upstream, contribution))
    return steps


def op_text(node, symbols=None):
    """The node's op with its folded number, if any: "tanh", "* 3", "- 0.5", "**2".

    `symbols` maps ops to how they are shown (viz draws "*" as "×"). The number
    gets 12 digits: "* 1" for x * 1.0001 would look like doing nothing.

    >>> x = Value(2.0)
    >>> op_text(x ** 3), op_text(x * 1.0001), op_text(x - 0.5), op_text(x.exp())
    ('**3', '* 1.0001', '- 0.5', 'exp')
    """
    symbol = symbols.get(node.op, node.op) if symbols else node.op
    c = node.constant
    if c is None:
        return symbol
    if node.op == "**":
        return symbol + format_number(c, digits=12)
    if node.op == "+" and c < 0:  # x - 0.5 is stored as x + (-0.5)
        return f"- {format_number(-c, digits=12)}"
    return f"{symbol} {format_number(c, digits=12)}"


def local_formula(node, i, names=None):
    """∂node/∂(its i-th parent) as text, e.g. "1 - tanh(z)^2" or "w" (the other factor).

    The formulas are the operation table's (`autograd.ops`), with the operands'
    names filled in; `names` maps Values to names (labels are used when it is not given).
    """
    def name(v):
        if names is not None and v in names:
            return names[v]
        return v.label or format_number(v.data)

    op, parents = node.op, node.parents
    if op == "dot":  # parents are (*weights, *inputs): ∂/∂w_i = a_i, ∂/∂a_i = w_i
        n = len(parents) // 2
        return name(parents[i + n] if i < n else parents[i - n])
    if op in SUMS:
        return SUMS[op][1]
    if op not in PRIMITIVE_NAMES:  # a node made micrograd's way, with its own rule
        return f"∂{op}/∂{name(parents[i])}"
    operands = [name(v) for v in parents]
    if node.constant is not None:  # the number folded into the op is its operand b
        operands.append(format_number(node.constant, 12))
    return formula_text(by_name(op), i, operands, node.constant)


def _names(root, order):
    """A name for every Value: its label, a constant's value, else n1, n2, ... ("out" for root).

    Automatic names skip every label in the graph, so that a variable the user
    called n1 is never mixed up with an unlabelled n1.
    """
    every = {root}
    for node in order:
        every.update(node.parents)
    taken = {v.label for v in every if v.label}
    names = {}
    count = 0
    for node in order:
        for v in (node, *node.parents):
            if v in names:
                continue
            if v.label:
                names[v] = v.label
            elif v is root:
                names[v] = _fresh("out", taken)
            elif not v.parents:
                names[v] = format_number(v.data)
            else:
                count += 1
                while f"n{count}" in taken:
                    count += 1
                names[v] = f"n{count}"
    if root not in names:  # a root with no parents
        names[root] = root.label or "out"
    return names


def _fresh(name, taken):
    """`name`, or name1, name2, ... : the first one not in `taken`."""
    candidate, i = name, 0
    while candidate in taken:
        i += 1
        candidate = f"{name}{i}"
    return candidate


def format_number(x, digits=4):
    """`x` to `digits` significant digits, with -0.0 shown as "0" ("-0" would only puzzle).

    >>> format_number(-0.0), format_number(2 / 3), format_number(2 / 3, digits=6)
    ('0', '0.6667', '0.666667')
    """
    return f"{x + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0
