"""autograd.compile: the program gives the eager engine's numbers bit for bit, and is safe."""

import ast
import io
import math
import re
import struct
import sys
import tokenize

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, compile, dot, total
from autograd.engine import MicrogradNode
from autograd.ops import CODE_NAMES, PRIMITIVES
from autograd.strategies import expressions, input_values, points

C = sys.modules["autograd.compile"]  # the module (autograd.compile is the function)


def same(a, b):
    """The same float: equal bits, or both NaN (NaN exactly where eager gives NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return struct.pack("<d", a) == struct.pack("<d", b)


def outcome(fn, *args):
    """What fn(*args) gives: ("ok", result) or ("error", type, message)."""
    try:
        return ("ok", fn(*args))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
        return ("error", type(error), str(error))


def assert_same_outcome(eager, compiled):
    assert eager[0] == compiled[0], (eager, compiled)
    if eager[0] == "error":
        assert eager == compiled
        return
    (ev, egrads), (cv, cgrads) = eager[1], compiled[1]
    assert same(ev, cv), (ev, cv)
    assert len(egrads) == len(cgrads)
    for e, c in zip(egrads, cgrads):
        assert same(e, c), (egrads, cgrads)


def eager_value_and_grad(fn, numbers, params=(), upstream=None):
    """The eager engine's value, ∂out/∂args and the params' .grad after backward()."""
    leaves = [Value(x) for x in numbers]
    out = fn(*leaves)
    if upstream is None:
        out.backward()
    else:
        C._eager_backward(out, upstream)
    return out.data, tuple(v.grad for v in leaves) + tuple(p.grad for p in params)


def compiled_value_and_grad(c, numbers, params=(), upstream=1.0):
    value, grads = c.value_and_grad(*numbers, upstream=upstream)
    return value, tuple(grads) + tuple(p.grad for p in params)


floats = st.floats(allow_nan=True, allow_infinity=True)


# ----- the table's code templates compute the functions' floats -----

TEMPLATED = [(p, part) for p in PRIMITIVES for part in range(1 + p.arity)
             if p.code and p.code[part]]


def test_templates_are_named_as_the_table_says():
    assert {p.name for p, _ in TEMPLATED} >= {"+", "*", "relu", "tanh", "sigmoid"}
    for p in PRIMITIVES:
        assert p.code is None or len(p.code) == 1 + p.arity, p.name


@pytest.mark.parametrize("primitive, part", TEMPLATED,
                         ids=[f"{p.name}-{part}" for p, part in TEMPLATED])
@settings(max_examples=100, deadline=None)
@given(a=floats, b=floats)
def test_template_gives_the_functions_floats(primitive, part, a, b):
    operands = (a, b) if primitive.arity == 2 else (a,)
    template = C.template_function(primitive, part)
    if part == 0:
        expected = outcome(primitive.forward, *operands)
        got = outcome(template, *operands)
    else:
        out = outcome(primitive.forward, *operands)
        assume(out[0] == "ok")  # a local rule is only evaluated after its forward passed
        expected = outcome(primitive.local[part - 1], *operands, out[1])
        got = outcome(template, *operands, out[1])
    assert expected[0] == got[0]
    if expected[0] == "ok":
        assert same(expected[1], got[1]), (operands, expected, got)


@pytest.mark.parametrize("primitive", PRIMITIVES, ids=[p.name for p in PRIMITIVES])
@settings(max_examples=60, deadline=None)
@given(a=floats, b=floats, trace=input_values())
def test_every_op_over_whole_float_domains(primitive, a, b, trace):
    """One op, with a Value operand and with a number operand, anywhere: inf, NaN, -0.0."""
    method = primitive.method
    fns = ([lambda x, y: getattr(x, method)(y), lambda x: getattr(x, method)(b)]
           if primitive.arity == 2 else [lambda x: getattr(x, method)()])
    for fn in fns:
        numbers = (a, b)[:fn.__code__.co_argcount]
        c = compile(fn)
        start = (abs(trace) + 0.5, 1.5)[:len(numbers)]
        if outcome(c.forward, *start)[0] != "ok":
            continue  # e.g. a ** b with a number b that no positive base takes
        eager = outcome(eager_value_and_grad, fn, numbers)
        assert_same_outcome(eager, outcome(compiled_value_and_grad, c, numbers))
        forward = outcome(c.forward, *numbers)
        assert forward[0] == eager[0]
        if eager[0] == "ok":
            assert same(forward[1], eager[1][0])
        else:
            assert forward == eager


# ----- random formulas: values and gradients == eager, errors the same -----

@settings(max_examples=100, deadline=None)
@given(expressions(("x", "y", "w"), max_depth=4), points(("x", "y")),
       st.tuples(floats, floats), st.sampled_from([1.0, 0.5, -3.0, 1e-300, 0.0]))
def test_random_formulas_equal_eager(formula, point, anywhere, upstream):
    w_eager, w_compiled = Value(0.7, label="w"), Value(0.7, label="w")
    w_eager.grad = w_compiled.grad = 0.25  # a leaf accumulates into what it holds

    def f_eager(x, y):
        return formula([x, y, w_eager])

    def f_compiled(x, y):
        return formula([x, y, w_compiled])

    c = compile(f_compiled)
    for numbers in (tuple(point.values()), anywhere):
        for up in (1.0, upstream):  # 1.0: backward() itself; else its loop with upstream
            eager = outcome(eager_value_and_grad, f_eager, numbers, [w_eager],
                            None if up == 1.0 else up)
            compiled = outcome(compiled_value_and_grad, c, numbers, [w_compiled], up)
            assert_same_outcome(eager, compiled)
            assert same(w_eager.grad, w_compiled.grad)


@settings(max_examples=50, deadline=None)
@given(expressions(("x", "y"), max_depth=4), points(("x", "y")))
def test_eager_reference_with_upstream_one_is_backward(formula, point):
    """check=True's eager reference, with upstream 1.0, is backward() exactly."""
    a = [Value(v) for v in point.values()]
    b = [Value(v) for v in point.values()]
    ra, rb = formula(a), formula(b)
    ra.backward()
    C._eager_backward(rb, 1.0)
    assert all(same(x.grad, y.grad) for x, y in zip(a, b))


@st.composite
def mlps(draw):
    nin = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2)) + [1]
    activation = draw(st.sampled_from([a for a in nn.module.ACTIVATIONS]))
    output = draw(st.sampled_from(["linear", "sigmoid", "tanh"]))
    return nn.MLP(nin, sizes, activation=activation, output_activation=output,
                  seed=draw(st.integers(0, 1000)))


@settings(max_examples=60, deadline=None)
@given(mlps(), st.sampled_from(["bce_with_logits", "mse", "hinge", "bce"]),
       st.data())
def test_random_mlps_and_losses_equal_eager(model, loss, data):
    """The per-sample cost J of an MLP: the same J and the same dJ/dW in every parameter."""
    loss_fn = nn.losses.get_loss(loss)
    target = data.draw(st.sampled_from([0.0, 1.0] if loss != "mse" else [0.0, -1.5, 2.0]))
    if loss == "bce" and model.output_activation != "sigmoid":
        model = nn.MLP(model.nin, model.nouts, model.activation, "sigmoid", seed=0)
    rows = data.draw(st.lists(st.tuples(*[input_values()] * model.nin), min_size=2,
                              max_size=3))
    params = model.parameters()

    def cost(*x):
        return loss_fn([model(list(x))], [target])

    c = compile(cost)
    for i, row in enumerate(rows):
        start = [p.grad for p in params]
        eager = eager_value_and_grad(cost, row, params)
        for p, g in zip(params, start):
            p.grad = g
        compiled = compiled_value_and_grad(c, row, params, 1.0)
        if loss == "bce" and i:
            break  # bce clamps ŷ (a branch on the data): only the trace's row is sure
        assert_same_outcome(("ok", eager), ("ok", compiled))


# ----- the interface -----

def test_parameters_are_read_on_every_call_and_accumulate():
    w = Value(2.0, label="w")
    c = compile(lambda x: w * x * x)
    assert c(3.0) == 18.0 and w.grad == 9.0
    w.data = 5.0                            # an optimizer step between calls is seen
    assert c(3.0, upstream=0.5) == 45.0 and w.grad == 9.0 + 4.5
    assert c.value_and_grad(3.0) == (45.0, (30.0,))
    assert c.forward(2.0) == 20.0 and w.grad == 13.5 + 9.0  # forward: no gradient work


def test_leaf_outputs_and_constants():
    w = Value(3.0)
    assert compile(lambda x: x).value_and_grad(2.0, upstream=4.0) == (2.0, (4.0,))
    c = compile(lambda x: w)
    assert c(1.0) == 3.0 and w.grad == 1.0
    # 2 / x makes a constant leaf; total and dot lift numbers to leaves
    f = lambda x: 2 / x + total([x, 1.0]) + dot([x, 2.0], [3.0, x])  # noqa: E731
    assert_same_outcome(("ok", eager_value_and_grad(f, [0.5])),
                        ("ok", compiled_value_and_grad(compile(f), [0.5])))


def test_a_shared_parameter_accumulates_in_backwards_order():
    w_e, w_c = Value(0.3), Value(0.3)
    w_e.grad = w_c.grad = 1e-17
    f = lambda w: lambda x: (w * x).tanh() * w + (w * w).exp() * x  # noqa: E731
    eager = eager_value_and_grad(f(w_e), [1.7], [w_e])
    assert_same_outcome(("ok", eager), ("ok", compiled_value_and_grad(compile(f(w_c)), [1.7],
                                                                       [w_c])))


@pytest.mark.parametrize("fn, good, bad", [
    (lambda x: x.log(), (2.0,), (-1.0,)),
    (lambda x: x.log(), (2.0,), (0.0,)),
    (lambda x, y: x / y, (1.0, 2.0), (1.0, 0.0)),
    (lambda x, y: x ** y, (2.0, 0.5), (-2.0, 0.5)),
    (lambda x, y: x ** y, (2.0, 2.0), (-2.0, 2.0)),   # ∂/∂b needs a positive base
    (lambda x: x ** -1, (2.0,), (0.0,)),
    (lambda x: x.sin(), (1.0,), (math.inf,)),
    (lambda x: x.cos(), (1.0,), (-math.inf,)),
    (lambda x, y: y.log() + x.log(), (1.0, 1.0), (-1.0, -2.0)),  # the first made raises
])
def test_domain_errors_are_the_engines(fn, good, bad):
    c = compile(fn)
    c(*good)
    with pytest.raises(Exception) as eager:
        fn(*map(Value, bad))
    for call in (c, c.value_and_grad, c.forward):
        with pytest.raises(type(eager.value)) as compiled:
            call(*bad)
        assert str(compiled.value) == str(eager.value)


def test_wrong_arguments_are_type_errors():
    c = compile(lambda x, y: x * y)
    with pytest.raises(ValueError, match="not traced yet"):
        print(c.source)
    c(1.0, 2)  # an int is a number
    with pytest.raises(TypeError, match="takes 2 arguments, got 3"):
        c(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        c.forward(1.0)
    with pytest.raises(TypeError, match=r"argument 2: got a Value; pass its number"):
        c(1.0, Value(2.0))
    with pytest.raises(TypeError, match="argument 1: expected an int or float, got str"):
        c.value_and_grad("1", 2.0)
    with pytest.raises(TypeError, match="got bool"):
        c(True, 2.0)
    with pytest.raises(TypeError, match="upstream"):
        c(1.0, 2.0, upstream="1")
    with pytest.raises(TypeError, match="expected a function"):
        compile(3.0)
    with pytest.raises(TypeError, match="returned float, not a Value"):
        compile(lambda x: 1.0)(2.0)
    with pytest.raises(TypeError, match="returned list"):
        compile(lambda x: [x])(2.0)


def test_no_trace_inside_no_grad():
    from autograd import no_grad
    c = compile(lambda x: x * 2)
    with no_grad(), pytest.raises(RuntimeError, match="trace inside no_grad"):
        c(1.0)
    assert c.value_and_grad(1.5) == (3.0, (2.0,))
    with no_grad():
        assert c.forward(2.0) == 4.0  # a traced program runs anywhere


def test_a_micrograd_node_cannot_be_compiled():
    def fn(x):
        out = Value(x.data * 2, (x,), "double")
        assert isinstance(out, MicrogradNode)
        return out + 1
    with pytest.raises(TypeError, match="micrograd's way"):
        compile(fn)(1.0)


def test_size_is_bounded(monkeypatch):
    monkeypatch.setattr(C, "MAX_NODES", 100)

    def chain(x):
        for _ in range(60):
            x = x * 1.0001 + 0.0
        return x
    with pytest.raises(ValueError, match=r"more than 100 nodes \(MAX_NODES\)"):
        compile(chain)(1.0)
    with pytest.raises(ValueError, match=r"more than 100 nodes \(MAX_NODES\)"):
        compile(lambda x: total([x * i for i in range(1, 120)]))(1.0)
    assert compile(lambda x: chain(x) if False else x * 2)(1.0) == 2.0


# ----- check=True finds what one trace cannot capture -----

def test_check_catches_a_branch_on_the_data():
    def f(x):
        return x * 2 if x.data > 0 else x.exp()
    c = compile(f, check=True)
    assert c(1.0) == 2.0
    with pytest.raises(C.CompiledMismatch, match=r"line 1 of the forward pass is "
                       r"v1 = \*\(v0, 2.0\) in the trace but v1 = exp\(v0\) in this call"):
        c(-1.0)
    unchecked = compile(f)
    unchecked(1.0)
    assert unchecked(-1.0) == -2.0  # what check=True warns about: the trace's graph


def test_check_catches_a_number_read_from_data():
    c = compile(lambda x: x * Value(x.data), check=True)
    c(2.0)
    with pytest.raises(C.CompiledMismatch, match="a new Value of 3.0 in this call where "
                       "the trace had 2.0"):
        c.forward(3.0)


def test_check_gives_the_programs_numbers_and_accumulates_once():
    w1, w2 = Value(0.5), Value(0.5)
    plain = compile(lambda x: (w1 * x).sigmoid().log())
    checked = compile(lambda x: (w2 * x).sigmoid().log(), check=True)
    for x in (1.0, -2.0, 3.0):
        assert plain.value_and_grad(x, upstream=0.1) == checked.value_and_grad(x, upstream=0.1)
        assert plain.forward(x) == checked.forward(x)
    assert w1.grad == w2.grad != 0.0
    with pytest.raises(ValueError, match="log"):
        compile(lambda x: x.log(), check=True)(-1.0)  # the trace itself raises eagerly
    c = compile(lambda x: x.log(), check=True)
    c(1.0)
    with pytest.raises(ValueError, match=r"logarithm of -1.0"):  # both raise the same
        c(-1.0)


# ----- safety: no user text ever becomes code -----

HOSTILE = ["x\n__import__('os').system('echo hi')", "y\r__import__('os').system('echo hi')",
           "z\u2028__import__('os')", "\x00\x0c\x1b[2J", "é ŷ Σ " + "long" * 30]

ALLOWED_NAMES = re.compile(r"(v|g|k)\d+|l\d+_\d|t|upstream|K|sum|op_\w+|d[01]_\w+")


def check_source_is_only_the_tables_code(source, labels):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float), node.value
        elif isinstance(node, ast.Name):
            assert ALLOWED_NAMES.fullmatch(node.id) or node.id in CODE_NAMES, node.id
        elif isinstance(node, ast.Attribute):
            assert node.attr in ("data", "grad")
        elif isinstance(node, ast.FunctionDef):
            assert node.name in ("program", "forward")
    code = "".join(tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                   if tok.type != tokenize.COMMENT)
    for label in labels:
        for piece in re.findall(r"[A-Za-z_']{4,}", label):
            assert piece not in code


@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_label_stays_in_a_comment(label, capfd):
    w = Value(1.5, label=label)

    def f(x):
        y = x * w
        y.label = label
        return y.tanh()
    c = compile(f)
    x = Value(0.3)
    f(x).backward()
    w_grad = w.grad
    w.grad = 0.0
    assert c.value_and_grad(0.3) == (f(Value(0.3)).data, (x.grad,))
    assert w.grad == w_grad
    source = c.source
    check_source_is_only_the_tables_code(source, [label])
    for line in source.splitlines():  # every line is code or a comment, nothing broke out
        assert line == "" or line.lstrip()[:1] == "#" or ALLOWED_NAMES.match(
            line.lstrip()) or line.lstrip().startswith(("def ", "if ", "return "))
    assert "hi" not in capfd.readouterr().out


@settings(max_examples=50, deadline=None)
@given(expressions(("x", "y"), max_depth=3), st.text(max_size=40))
def test_any_formula_and_any_label_give_only_table_code(formula, label):
    w = Value(0.5, label=label)
    c = compile(lambda x, y: formula([x, y]) * w)
    c.forward(0.5, 0.25)
    check_source_is_only_the_tables_code(c.source, [label])


def test_the_program_reads_as_forward_then_backward_lines():
    W = [Value(0.5, label="W1"), Value(-1.0, label="W2")]
    b = Value(0.1, label="b")

    def neuron(a1, a2):
        Z = dot(W, [a1, a2]) + b
        Z.label = "Z"
        y_hat = Z.sigmoid()
        y_hat.label = "ŷ"
        return y_hat
    c = compile(neuron)
    c(1.0, 2.0)
    text = str(c)
    assert text == c.source
    program = text[text.index("def program"):text.index("# c.forward")]
    assert program.index("# forward") < program.index("# backward")
    assert "v2 = k0.data  # 'W1'" in program
    assert re.search(r"v\d+ = sum\(\[v2 \* v0, v3 \* v1\]\)", program)
    assert re.search(r"v\d+ = op_sigmoid\(v\d+\)  # 'ŷ'", program)
    assert re.search(r"# ∂v\d+/∂v\d+ = sigmoid\(v\d+\)·\(1 - sigmoid\(v\d+\)\)", program)
    assert "arguments: v0: a1, v1: a2" in program
    assert "not traced yet" in repr(compile(neuron))


def test_a_traceback_shows_the_programs_line_while_it_lives():
    import gc
    import linecache
    import traceback
    c = compile(lambda x: (x * 2).log())
    c(1.0)
    try:
        c(-1.0)
    except ValueError as error:
        frames = traceback.extract_tb(error.__traceback__)
    (frame,) = [f for f in frames if f.filename.startswith("<autograd.compile")]
    assert frame.line == "v2 = op_log(v1)"
    del c, frames
    gc.collect()
    assert frame.filename not in linecache.cache  # no source kept for a dropped program
