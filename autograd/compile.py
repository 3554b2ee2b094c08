"""`autograd.compile`: a traced function becomes a straight-line program of plain calculations.

>>> from autograd import Value, compile
>>> w = Value(0.5, label="w")
>>> c = compile(lambda x: (w * x).tanh())
>>> c(2.0)                        # the value; adds ∂out/∂w into w.grad, as backward() would
0.7615941559557649
>>> value, (dx,) = c.value_and_grad(2.0)   # ∂out/∂x too
>>> c.forward(1.0)                # the value alone, no gradient work
0.46211715726000974
>>> print(c.source)               # doctest: +SKIP
... the program: one line per node forward, then the chain rule, one line per edge

The first call runs `fn` once on Values made from its arguments (the trace) and writes
the graph it built as Python source: one line per node forward, in the order `fn` made
the nodes, then one or two lines per edge backward, in the order `backward()` passes
gradients. The source is compiled once; every call after that runs it on plain floats,
without building a graph. Leaves other than the arguments (a model's parameters) are
read at their current `.data` on every call and receive ``upstream · ∂out/∂leaf`` in
`.grad`, so an optimizer step between calls is seen.

The numbers are the eager engine's, bit for bit: every line is the operation table's own
`forward` and `local` functions (autograd/ops.py), called by reference or written out
from the table's `code` templates (tested to give the same floats over whole float
domains), in the same order, with the same rules: interior gradients start at 0,
a node with gradient 0 and an edge with local derivative 0 pass nothing on (no NaN from
0·inf), and a domain error is the same exception with the same message. `upstream` is
the output's gradient, 1.0 in `backward()`: other values multiply at the root.

Retracing and its limits. The program is the graph of the trace. A function whose graph
depends on its inputs through Python control flow (``if x.data > 0``, a loop whose count
is read from the data, a clamp like `nn.bce`'s) gets the trace's graph on every call:
wrong numbers, without an error. plaingrad does not retrace. ``compile(fn, check=True)``
runs the eager graph beside the program on every call and raises `CompiledMismatch`
naming the first difference: use it to find out, then drop it (it costs an eager pass).
A number that `fn` computes from its inputs' `.data` is baked into the program the
same way; `fn` itself runs once, so its side effects happen once.
"""

import builtins
import inspect
import itertools
import linecache
import math
import struct
import sys
import weakref
from typing import NamedTuple

from autograd.engine import MicrogradNode, SumValue, Value, _as_float, _sum_node, topological_order
from autograd.functional import _refuse_inside_no_grad
from autograd.ops import CODE_NAMES, PRIMITIVES, formula_text

__all__ = ["MAX_NODES", "Compiled", "CompiledMismatch", "compile"]

#: The largest graph (nodes and leaves) `compile` writes out as one program.
MAX_NODES = 200_000

_LABEL_LIMIT = 60  # characters of a label shown in a comment

# ----- the table's functions, by the names the program calls them -----


def _ident(primitive):
    return primitive.method.strip("_")  # "__mul__" -> "mul", "tanh" -> "tanh"


#: name in the program -> function: each primitive's forward, op_<name>, and local rules,
#: d0_<name> (∂/∂a or ∂/∂x) and d1_<name> (∂/∂b); plus what the templates call.
_FUNCTIONS = {"sum": builtins.sum, **CODE_NAMES}
for _p in PRIMITIVES:
    _FUNCTIONS[f"op_{_ident(_p)}"] = _p.forward
    for _i, _rule in enumerate(_p.local):
        _FUNCTIONS[f"d{_i}_{_ident(_p)}"] = _rule
del _p, _i, _rule
_TABLE = {p.name: p for p in PRIMITIVES}

# The op methods of Value (all binary ones share one code object, all functions
# another) and the Σ nodes' maker: their returns, seen during the trace, give the order
# in which `fn` made its nodes.
_MAKERS = frozenset({Value.__add__.__code__, Value.exp.__code__, _sum_node.__code__})


class CompiledMismatch(RuntimeError):
    """`check=True` found the program and the eager graph disagreeing on a call."""


# ----- the trace, lowered to a plan of slots -----

class _Leaf(NamedTuple):
    slot: int
    k: int          # index in the constants list
    label: str


class _Op(NamedTuple):
    slot: int
    op: str         # a table name, "sum" or "dot"
    operands: tuple  # the slots of its Value operands, in order
    k: object       # index in the constants list of its number operand, else None
    label: str


class _Plan(NamedTuple):
    arity: int
    names: tuple     # the arguments' names (for comments)
    constants: list  # K: the non-argument leaves (objects) and the numbers of ops
    forward: list    # _Leaf and _Op entries, in the order the program computes them
    backward: list   # the _Op entries in backward()'s order
    root: int        # the output's slot
    root_k: object   # the output's index in K when it is a non-argument leaf
    nodes: int       # nodes and leaves of the graph


def _trace(fn, numbers, names):
    """Run fn on fresh leaves; returns (leaves, output, nodes in the order fn made them)."""
    _refuse_inside_no_grad("autograd.compile's trace")  # its ops would build no graph
    leaves = [Value(x, label=name) for x, name in zip(numbers, names)]
    made = []

    def watch(frame, event, result):
        if event == "return" and result is not None and frame.f_code in _MAKERS:
            made.append(result)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        out = fn(*leaves)
    finally:
        sys.setprofile(previous)
    if not isinstance(out, Value):
        raise TypeError(f"compile: {_name(fn)} returned {type(out).__name__}, not a Value "
                        "(compile takes a function of Values that returns one Value)")
    return leaves, out, made


def _lower(root, args, made, names):
    """The plan of root's graph: slots for arguments, leaves and nodes, in program order."""
    order = topological_order(root)  # backward()'s order
    if len(order) > MAX_NODES:
        raise _too_large()
    made_at = {id(node): i for i, node in enumerate(made)}
    if all(id(node) in made_at for node in order):  # always, for plaingrad's own ops
        forward_nodes = sorted(order, key=lambda node: made_at[id(node)])
    else:
        forward_nodes = order[::-1]
    slots = {id(leaf): i for i, leaf in enumerate(args)}
    constants, numbers, forward = [], {}, []

    def constant(c):
        key = _bits(c)  # bit for bit: -0.0 and NaNs kept apart
        if key not in numbers:
            numbers[key] = len(constants)
            constants.append(c)
        return numbers[key]

    def slot_of(value):
        if id(value) not in slots:  # a leaf first met here: read its .data now
            slots[id(value)] = len(slots)
            forward.append(_Leaf(len(slots) - 1, len(constants), value.label))
            constants.append(value)
        return slots[id(value)]

    for node in forward_nodes:
        operands, k = _operands(node)
        refs = tuple(slot_of(v) for v in operands)
        slots[id(node)] = len(slots)
        forward.append(_Op(len(slots) - 1, node.op, refs,
                           None if k is None else constant(k), node.label))
        if len(slots) > MAX_NODES:
            raise _too_large()
    by_slot = {entry.slot: entry for entry in forward if isinstance(entry, _Op)}
    backward = [by_slot[slots[id(node)]] for node in order]
    root_k = None
    if id(root) not in slots:  # the output is a leaf that is not an argument
        root_k = len(constants)
        constants.append(root)
    return _Plan(len(args), tuple(names), constants, forward, backward,
                 slots.get(id(root)), root_k, len(slots))


def _operands(node):
    """(Value operands, number operand or None) of a node, refusing what cannot compile."""
    if type(node) is SumValue and node.op in ("sum", "dot"):
        return node.sum_parents, None
    if type(node) is Value and node.op in _TABLE:
        if node.b is not None:
            return (node.a, node.b), None
        return (node.a,), node.constant
    if isinstance(node, MicrogradNode):
        raise TypeError(f"compile: the graph has a node made micrograd's way (op "
                        f"{node.op!r}, Value(data, children, op)): its chain rule is a Python "
                        "function that no program can write out; build it from plaingrad's "
                        "ops (the table of autograd/ops.py)")
    raise TypeError(f"compile: the graph has a node of op {node.op!r} "
                    f"({type(node).__name__}) that is not in the operation table")


def _too_large():
    return ValueError(f"compile: the graph has more than {MAX_NODES:,} nodes (MAX_NODES); a "
                      "program that size takes long to compile: compile a smaller function "
                      "(e.g. the cost of one sample) and call it in a loop")


# ----- the plan written as Python source -----

def _comment(text):
    """`text` safe in a comment: no character of it can end the line; long ones shortened."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return shown if len(shown) <= _LABEL_LIMIT else shown[:_LABEL_LIMIT - 1] + "…"


def _value_code(entry, v, k):
    """The forward expression of an op entry and its by-reference local rules' lines."""
    names = [v(s) for s in entry.operands]
    if entry.op == "sum":
        return f"sum([{', '.join(names)}])", []
    if entry.op == "dot":
        n = len(names) // 2
        return f"sum([{', '.join(f'{w} * {a}' for w, a in zip(names[:n], names[n:]))}])", []
    p = _TABLE[entry.op]
    if entry.k is not None:
        names.append(k(entry.k))
    code = p.code or (None,) * (1 + p.arity)
    args = dict(zip(("a", "b") if p.arity == 2 else ("x",), names))
    value = code[0].format(**args) if code[0] else f"op_{_ident(p)}({', '.join(names)})"
    # The rules the table has no code for are called right after the value, in the
    # engine's order (∂/∂b before ∂/∂a), so that one that checks a domain raises where
    # the eager engine raises.
    rules = (1, 0) if entry.k is None and p.arity == 2 else (0,)
    lines = [f"l{entry.slot}_{i} = d{i}_{_ident(p)}({', '.join(names)}, {v(entry.slot)})"
             for i in rules if code[1 + i] is None]
    return value, lines


def _locals(entry, v, k, constants):
    """(∂out/∂operand expression, the table's formula as text) for each Value operand."""
    names = [v(s) for s in entry.operands]
    if entry.op == "sum":
        return [("1.0", "1")] * len(names)
    if entry.op == "dot":
        n = len(names) // 2
        pairs = names[n:] + names[:n]  # ∂(W·a)/∂w_i = a_i, ∂(W·a)/∂a_i = w_i
        return [(other, other) for other in pairs]
    p = _TABLE[entry.op]
    code = p.code or (None,) * (1 + p.arity)
    constant = None if entry.k is None else constants[entry.k]
    every = names + ([k(entry.k)] if entry.k is not None else [])
    args = dict(zip(("a", "b") if p.arity == 2 else ("x",), every), out=v(entry.slot))
    return [(code[1 + i].format(**args) if code[1 + i] else f"l{entry.slot}_{i}",
             _formula(p, i, every, constant))
            for i in range(len(names))]


_formulas = {}
_MARKS = ("OPERANDA", "OPERANDB")  # bare names: formula_text leaves them unbracketed, as v3


def _formula(p, i, names, constant):
    """formula_text(p, i, names, constant), formatted once per op (it is a hot path)."""
    key = (p.name, i, len(names), None if constant is None or p.name != "**" else constant)
    if key not in _formulas:
        _formulas[key] = formula_text(p, i, _MARKS[:len(names)], constant)
    text = _formulas[key]
    for mark, name in zip(_MARKS, names):
        text = text.replace(mark, name)
    return text


def _source(plan, title):
    """The program as text: `program` (forward lines, then backward lines), and `forward`."""
    def v(slot):
        return f"v{slot}"

    def k(index):
        return f"k{index}"

    params = [v(i) for i in range(plan.arity)]
    lines = [f"# {_comment(title)}, written by autograd.compile: {plan.nodes:,} nodes.",
             "# v<n>: the value of node n; g<n>: ∂out/∂v<n>, the gradient it receives;",
             "# K: the constants list (k<n> = K[n]): the leaves other than the arguments, "
             "read at",
             "# their .data on every call and given .grad, and the numbers in operations.",
             "# upstream: the output's gradient (1.0 in backward()).", ""]
    for entry in plan.forward:
        if isinstance(entry, _Leaf):
            lines.append(f"k{entry.k} = K[{entry.k}]" + _note(entry.label, "a leaf"))
    numbers = [i for i, c in enumerate(plan.constants) if not isinstance(c, Value)]
    lines += [f"k{i} = K[{i}]  # {plan.constants[i]!r}" for i in numbers]
    if plan.root_k is not None:
        lines.append(f"k{plan.root_k} = K[{plan.root_k}]  # the output, a leaf")
    lines.append("")
    names = [f"{v(i)}: {_comment(n)}" for i, n in enumerate(plan.names)]
    head = f"def program({', '.join(params + ['upstream'])}):"
    body = [f"    # arguments: {', '.join(names)}"] if names else []
    body.append("    # forward: one line per node, in the order the function made them")
    forward_body = []
    for entry in plan.forward:
        if isinstance(entry, _Leaf):
            forward_body.append(f"    {v(entry.slot)} = {k(entry.k)}.data"
                                + _note(entry.label, ""))
            continue
        value, rules = _value_code(entry, v, k)
        forward_body.append(f"    {v(entry.slot)} = {value}" + _note(entry.label, ""))
        forward_body += [f"    {line}" for line in rules]
    body += forward_body
    body.append("    # backward: the chain rule, in backward()'s order; a gradient or a local")
    body.append("    # derivative of 0 passes nothing on")
    grads = [f"g{i}" for i in range(plan.arity)]
    interior = [f"g{entry.slot}" for entry in plan.backward[1:]]
    for name in grads + interior:
        body.append(f"    {name} = 0.0")
    root = plan.root
    if plan.backward:
        body.append(f"    g{root} = upstream")
    elif plan.root_k is not None:
        body.append(f"    {k(plan.root_k)}.grad += upstream  # the output is a leaf")
    else:
        body.append(f"    g{root} += upstream  # the output is an argument")
    leaf_k = {entry.slot: entry.k for entry in plan.forward if isinstance(entry, _Leaf)}
    for entry in plan.backward:
        g = f"g{entry.slot}"
        body.append(f"    if {g}:")
        for operand, (expr, formula) in zip(entry.operands, _locals(entry, v, k, plan.constants)):
            target = f"{k(leaf_k[operand])}.grad" if operand in leaf_k else f"g{operand}"
            note = f"  # ∂{v(entry.slot)}/∂{v(operand)} = {formula}"
            if expr == "1.0":  # 1.0 · g is g, bit for bit
                body.append(f"        {target} += {g}{note}")
            elif expr.isidentifier():
                body.append(f"        if {expr}: {target} += {expr} * {g}{note}")
            else:
                body.append(f"        t = {expr}{note}")
                body.append(f"        if t: {target} += t * {g}")
    result = v(root) if root is not None else f"{k(plan.root_k)}.data"
    body.append(f"    return {result}, ({''.join(f'{g}, ' for g in grads)})")
    lines += [head, *body, "", ""]
    forward = ["# c.forward: the forward lines alone, without gradient work",
               f"def forward({', '.join(params)}):", *forward_body, f"    return {result}", ""]
    return "\n".join(lines), "\n".join(forward)


def _note(label, kind):
    text = ", ".join(t for t in (kind, f"'{_comment(label)}'" if label else "") if t)
    return f"  # {text}" if text else ""


_counter = itertools.count(1)


def _build(namespace, source):
    """Run the source in the program's namespace: defines its functions there.

    Why exec is safe here: the source is made only of the operation table's code
    templates and function names (autograd/ops.py), integer slot names (v3, g3, k3) and
    the constants list K, passed as an object. No label, name, number or other text a user
    gives becomes code: labels and argument names appear only in comments, where
    `_comment` escapes every character that could end the line. The program runs with no
    builtins except `sum`, and with the table's functions only.
    """
    filename = f"<autograd.compile #{next(_counter)}>"
    exec(builtins.compile(source, filename, "exec"), namespace)  # noqa: S102 (see above)
    # Tracebacks show the program's lines, for as long as its functions live.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    weakref.finalize(namespace[source.split("def ", 1)[1].split("(", 1)[0]],
                     linecache.cache.pop, filename, None)
    return namespace


def _namespace(plan):
    return {"__builtins__": {}, **_FUNCTIONS, "K": plan.constants}


# ----- the compiled function -----

def compile(fn, check=False):
    """A compiled version of `fn`, a function of Values that returns one Value.

    The returned `Compiled` object `c` traces `fn` on its first call. Then:

    - ``c(*numbers, upstream=1.0)`` returns the output's value as a float and adds
      ``upstream · ∂out/∂p`` into `.grad` of every leaf p the graph reached other than
      the arguments (a model's parameters), like ``fn(*map(Value, numbers)).backward()``;
    - ``c.value_and_grad(*numbers, upstream=1.0)`` returns ``(value, (∂out/∂arg_i, ...))``
      and accumulates the same way;
    - ``c.forward(*numbers)`` returns the value only;
    - ``c.source`` (and ``print(c)``) is the program.

    With ``check=True`` every call also runs `fn` eagerly and raises CompiledMismatch at
    the first difference (a graph that depends on the inputs through Python control flow).
    See the module's docstring for what a trace cannot see.
    """
    if not callable(fn):
        raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
    if not isinstance(check, bool):
        raise TypeError(f"compile: check must be True or False, got {check!r}")
    return Compiled(fn, check)


class Compiled:
    """`fn` as a straight-line program of float operations; see `autograd.compile`."""

    def __init__(self, fn, check=False):
        self.fn = fn
        self.check = check
        self._plan = self._program = self._source = None
        self.nodes = None  # nodes and leaves of the traced graph

    # ----- calls -----

    def __call__(self, *numbers, upstream=1.0):
        """The output's value; adds upstream·∂out/∂p into .grad of the other leaves p."""
        args, upstream = self._arguments(numbers), _upstream(upstream)
        if self.check:
            return self._checked(args, upstream, "grad")[0]
        return self._program(*args, upstream)[0]

    def value_and_grad(self, *numbers, upstream=1.0):
        """(value, (∂out/∂arg_i · upstream, ...)), accumulating into the other leaves too."""
        args, upstream = self._arguments(numbers), _upstream(upstream)
        if self.check:
            return self._checked(args, upstream, "grad")
        return self._program(*args, upstream)

    def forward(self, *numbers):
        """The output's value only, without gradient work (for predictions)."""
        args = self._arguments(numbers)
        if self.check:
            return self._checked(args, None, "forward")
        return self._forward(*args)

    # ----- the program -----

    @property
    def source(self):
        """The generated program as text (compiled on the first call)."""
        if self._source is None:
            raise ValueError(f"compile: {_name(self.fn)} is not traced yet: the trace needs "
                             "numbers, so call it once first (e.g. c.forward(1.0, 2.0))")
        return self._source

    def __str__(self):
        return self._source if self._source is not None else repr(self)

    def __repr__(self):
        state = f"{self.nodes:,} nodes" if self.nodes is not None else "not traced yet"
        return f"<autograd.compile of {_name(self.fn)}: {state}>"

    def _arguments(self, numbers):
        if self._plan is not None and len(numbers) != self._plan.arity:
            raise TypeError(f"compiled {_name(self.fn)} takes {self._plan.arity} "
                            f"argument{'s' * (self._plan.arity != 1)}, got {len(numbers)}")
        args = [x if type(x) is float else
                _as_float(x, f"compiled {_name(self.fn)}, argument {i + 1}")
                for i, x in enumerate(numbers)]
        if self._plan is None:
            self._trace_and_build(args)
        return args

    def _trace_and_build(self, args):
        names = _argument_names(self.fn, len(args))
        leaves, out, made = _trace(self.fn, args, names)
        plan = _lower(out, leaves, made, names)
        program, forward = _source(plan, f"{_name(self.fn)}({', '.join(names)})")
        self._namespace = _build(_namespace(plan), program)
        self._program, self._forward_source = self._namespace["program"], forward
        self._plan, self._source, self.nodes = plan, program + forward, plan.nodes

    def _forward(self, *args):
        # compiled on first use: training never needs it
        if "forward" not in self._namespace:
            _build(self._namespace, self._forward_source)
        self._forward = self._namespace["forward"]
        return self._forward(*args)

    # ----- check=True -----

    def _checked(self, args, upstream, mode):
        """Run fn eagerly beside the program; raise CompiledMismatch at the first difference."""
        plan, what = self._plan, f"compile check of {_name(self.fn)}"
        try:
            leaves, out, made = _trace(self.fn, args, plan.names)
        except Exception as eager:
            try:
                result = (self._forward(*args) if mode == "forward"
                          else self._program(*args, upstream))
            except Exception as compiled:
                if type(compiled) is type(eager) and str(compiled) == str(eager):
                    raise
                raise CompiledMismatch(f"{what}: eager raised {_error(eager)}, the program "
                                       f"raised {_error(compiled)}") from compiled
            raise CompiledMismatch(f"{what}: eager raised {_error(eager)}, the program "
                                   f"returned {result!r}") from eager
        now = _lower(out, leaves, made, plan.names)
        difference = _first_difference(plan, now)
        if difference:
            raise CompiledMismatch(f"{what}: {difference}; the graph depends on the inputs "
                                   "through Python control flow (or on numbers read from "
                                   ".data), which one trace cannot capture")
        if mode == "forward":
            value = self._forward(*args)
            _compare(what, "the value", out.data, value)
            return value
        shared = [(j, c) for j, c in enumerate(now.constants)
                  if isinstance(c, Value) and c is plan.constants[j]]
        before = [c.grad for _, c in shared]
        _eager_backward(out, upstream)
        eager = [c.grad for _, c in shared]
        for (_, c), g in zip(shared, before):
            c.grad = g
        value, grads = self._program(*args, upstream)
        _compare(what, "the value", out.data, value)
        for i, (leaf, g) in enumerate(zip(leaves, grads)):
            _compare(what, f"∂out/∂{plan.names[i]}", leaf.grad, g)
        for (j, c), g in zip(shared, eager):
            _compare(what, f"the .grad of leaf k{j} ({c.label!r})", g, c.grad)
        return value, grads


def _first_difference(trace, now):
    """Where the graph of this call differs from the trace's, in words; None if nowhere."""
    for i, (a, b) in enumerate(itertools.zip_longest(trace.forward, now.forward)):
        if isinstance(a, _Op) and isinstance(b, _Op) and a[:3] == b[:3] and (
                a.k is None if b.k is None else
                b.k is not None and _bits(trace.constants[a.k]) == _bits(now.constants[b.k])):
            continue
        if isinstance(a, _Leaf) and isinstance(b, _Leaf) and a.slot == b.slot:
            old, new = trace.constants[a.k], now.constants[b.k]
            if old is new or _bits(old.data) == _bits(new.data):
                continue
            return (f"leaf v{a.slot} ({old.label!r}) is a new Value of {new.data!r} in this "
                    f"call where the trace had {old.data!r}")
        return (f"line {i + 1} of the forward pass is {_describe(trace, a)} in the trace "
                f"but {_describe(now, b)} in this call")
    if trace.root != now.root or trace.root_k != now.root_k:
        return "the output is another node than in the trace"
    return None


def _describe(plan, entry):
    if entry is None:
        return "missing"
    if isinstance(entry, _Leaf):
        return f"v{entry.slot} = a leaf ({entry.label!r})"
    operands = [f"v{s}" for s in entry.operands]
    if entry.k is not None:
        operands.append(repr(plan.constants[entry.k]))
    return f"v{entry.slot} = {entry.op}({', '.join(operands)})"


def _compare(what, name, eager, compiled):
    if _bits(eager) != _bits(compiled) and not (math.isnan(eager) and math.isnan(compiled)):
        raise CompiledMismatch(f"{what}: {name} is {eager!r} eagerly but {compiled!r} in "
                               "the program")


def _bits(x):
    return struct.pack("<d", x)


def _error(e):
    return f"{type(e).__name__}: {e}"


def _eager_backward(root, upstream):
    """`Value.backward()` with the output's gradient set to `upstream` (1.0 there).

    The eager reference of `check=True`; tests/test_compile.py checks that with 1.0 it
    gives backward()'s numbers exactly.
    """
    if not root.op:
        root.grad += upstream
        return
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = upstream
    for node in order:
        grad = node.grad
        if not grad:
            continue
        for parent, local in zip(node.parents, node.local_grads):
            if local:
                parent.grad += local * grad


def _upstream(upstream):
    return upstream if type(upstream) is float else _as_float(upstream, "upstream")


def _name(fn):
    return getattr(fn, "__name__", None) or type(fn).__name__


def _argument_names(fn, n):
    """The names of fn's first n parameters (for comments), else arg1, arg2, ..."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return tuple(params[i] if i < len(params) else f"arg{i + 1}" for i in range(n))


def template_function(primitive, part):
    """A function of floats from one of the table's `code` templates, for tests.

    part 0 is the forward value, taking the operands; part 1 + i the local rule i, taking
    the operands and out, as the table's functions do. None if that part has no template.
    """
    template = (primitive.code or (None,) * (1 + primitive.arity))[part]
    if template is None:
        return None
    operands = ["a", "b"] if primitive.arity == 2 else ["x"]
    params = operands + (["out"] if part else [])
    body = template.format(**{name: name for name in params})
    namespace = {"__builtins__": {}, **CODE_NAMES}
    # The same trust as _build: the template is the table's own text.
    exec(builtins.compile(f"def f({', '.join(params)}):\n    return {body}\n",  # noqa: S102
                          "<autograd.ops code template>", "exec"), namespace)
    return namespace["f"]
