"""explain(): the chain-rule steps of backward(), with exactly backward's numbers."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot, explain, total
from autograd.explain import format_number, local_formula


def graph_of(root):
    """Every Value reachable from root, in a fixed (depth-first, operand) order."""
    seen, order, stack = set(), [], [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        stack.extend(reversed(v.parents))
    return order


def neuron():
    w, x, b = Value(-0.5, label="w"), Value(2.0, label="x"), Value(0.1, label="b")
    z = w * x + b
    z.label = "z"
    y = z.sigmoid()
    y.label = "ŷ"
    return y


def tangle(a_value, b_value):
    """A graph with fan-out, shared nodes and every primitive op."""
    a, b = Value(a_value, label="a"), Value(b_value, label="b")
    c = a * b + a.tanh()
    d = (c * c).sigmoid() + c.exp() * 0.1 + (a * a + 1.0).log()
    e = dot([a, b, c], [d, c, 2.0]) + total([d, a, b.relu(), c.softplus()]) + d ** 2 / b
    e = e + a / 3 + b ** c.sigmoid()
    return e * c - a


def closed_form_local(node, k):
    """∂node/∂(its k-th parent) from the textbook derivative of node.op, not the engine's."""
    op, parents = node.op, node.parents
    x = parents[k].data
    if op in ("+", "sum"):
        return 1.0
    if op == "*":  # the other factor: a Value, or the number folded into the op
        return parents[1 - k].data if len(parents) == 2 else node.constant
    if op == "dot":  # (*weights, *inputs): the matching factor on the other side
        n = len(parents) // 2
        return parents[(k + n) % (2 * n)].data
    if op == "**" and len(parents) == 2:  # a ** b
        a, b = parents[0].data, parents[1].data
        return b * a ** (b - 1) if k == 0 else a ** b * math.log(a)
    if op == "**":
        p = node.constant
        return p * x ** (p - 1)
    if op == "/":  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -a/b²
        a = parents[0].data
        b = parents[1].data if len(parents) == 2 else node.constant
        return 1 / b if k == 0 else -a / b ** 2
    s = 1 / (1 + math.exp(-x))
    formulas = {"exp": lambda: math.exp(x), "log": lambda: 1 / x,
                "tanh": lambda: 1 / math.cosh(x) ** 2,  # sech², not the engine's formula
                "sigmoid": lambda: 1 / (4 * math.cosh(x / 2) ** 2),
                "relu": lambda: 1.0 if x > 0 else 0.0, "softplus": lambda: s}
    return formulas[op]()


@settings(max_examples=60)
@given(st.floats(-2, 2), st.floats(0.5, 2))
def test_numbers_are_exactly_backwards(a, b):
    reference = tangle(a, b)
    reference.backward()
    explained = tangle(a, b)
    steps = explain(explained)
    for mine, theirs in zip(graph_of(explained), graph_of(reference), strict=True):
        assert mine.grad == theirs.grad  # bit for bit
    # A node's rows come together, one per parent in operand order, each with the
    # local derivative of that operand position.
    position = {}
    for step in steps:
        k = position[step.node] = position.get(step.node, -1) + 1
        assert step.parent is step.node.parents[k]
        assert step.local == step.node.local_grads[k]
        assert step.local == pytest.approx(closed_form_local(step.node, k), rel=1e-12, abs=1e-300)
        assert step.upstream == step.node.grad
        assert step.contribution == step.local * step.upstream
    assert all(position[node] == len(node.parents) - 1 for node in position)
    # Adding up each parent's contributions, in table order, gives its gradient exactly.
    sums = {}
    for step in steps:
        sums[id(step.parent)] = sums.get(id(step.parent), 0.0) + step.contribution
    for v in graph_of(explained):
        if v is not explained:
            assert sums[id(v)] == v.grad


def test_order_is_backwards_order_where_float_sums_depend_on_it():
    # p.grad = 1 + 1e16 - 1e16 is 0 or 1 depending on the order of the three additions.
    p = Value(1.0, label="p")
    out = total([p * 1.0, p * 1e16, p * -1e16])
    steps = explain(out)
    p_reference = Value(1.0, label="p")
    total([p_reference * 1.0, p_reference * 1e16, p_reference * -1e16]).backward()
    replay = 0.0
    for step in steps:
        if step.parent is p:
            replay += step.contribution
    assert p.grad == p_reference.grad == replay == 0.0  # engine order: 1, 1e16, then -1e16


def test_steps_list_one_row_per_edge_in_backward_order():
    y = neuron()
    steps = explain(y)
    assert [(s.node_name, s.op, s.parent_name) for s in steps] == [
        ("ŷ", "sigmoid", "z"), ("z", "+", "n1"), ("z", "+", "b"), ("n1", "*", "w"),
        ("n1", "*", "x")]
    s = 1 / (1 + math.exp(-(-0.5 * 2.0 + 0.1)))
    assert steps[0].formula == "sigmoid(z)·(1 - sigmoid(z))"
    assert steps[0].local == pytest.approx(s * (1 - s), rel=1e-15)
    assert steps[3].formula == "x" and steps[3].local == 2.0
    assert steps[4].formula == "w" and steps[4].local == -0.5
    # closed form: ∂ŷ/∂w = σ(z)(1 - σ(z))·x
    assert steps[3].contribution == pytest.approx(s * (1 - s) * 2.0, rel=1e-15)


def test_table_is_aligned():
    table = str(explain(neuron()))
    lines = table.splitlines()
    assert lines[0].split() == ["step", "node", "op", "parent", "∂node/∂parent", "local",
                                "upstream", "contribution"]
    assert len(lines) == 6
    # right-aligned number columns end at the same place on every line
    assert len({len(line) for line in lines}) == 1
    assert lines[1].split()[:4] == ["1", "ŷ", "sigmoid", "z"]
    assert lines[4].split()[-4:] == ["x", "2", "0.2055", "0.411"]


@pytest.mark.parametrize("build, formula, closed_form", [
    (lambda x: x + 2.0, "1", lambda x: 1.0),
    (lambda x: x * 3.0, "3", lambda x: 3.0),
    (lambda x: x ** 3, "3·x^2", lambda x: 3 * x ** 2),
    (lambda x: x ** 2, "2·x", lambda x: 2 * x),
    (lambda x: x ** -1, "-1·x^-2", lambda x: -x ** -2),
    (lambda x: x / 4.0, "1/4", lambda x: 0.25),
    (lambda x: x.exp(), "exp(x)", math.exp),
    (lambda x: x.log(), "1/x", lambda x: 1 / x),
    (lambda x: x.tanh(), "1 - tanh(x)^2", lambda x: 1 - math.tanh(x) ** 2),
    (lambda x: x.sigmoid(), "sigmoid(x)·(1 - sigmoid(x))",
     lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    (lambda x: x.relu(), "1 if x > 0 else 0", lambda x: 1.0),
    (lambda x: x.softplus(), "sigmoid(x)", lambda x: 1 / (1 + math.exp(-x))),
    (lambda x: total([x, 1.0]), "1", lambda x: 1.0),
    (lambda x: dot([x, Value(2.0)], [Value(4.0, label="a1"), 5.0]), "a1", lambda x: 4.0),
])
def test_formula_and_number_for_each_op(build, formula, closed_form):
    x = Value(0.7, label="x")
    steps = explain(build(x))
    first = steps[0]
    assert first.parent is x
    assert first.formula == formula
    assert first.local == pytest.approx(closed_form(0.7), rel=1e-12)


@pytest.mark.parametrize("build, formulas, closed_forms", [
    # ∂(x/y)/∂x = 1/y, ∂(x/y)/∂y = -x/y²
    (lambda x, y: x / y, ["1/y", "-x/y^2"], [lambda x, y: 1 / y, lambda x, y: -x / y ** 2]),
    # ∂(x^y)/∂x = y·x^(y-1), ∂(x^y)/∂y = x^y·log x
    (lambda x, y: x ** y, ["y·x^(y - 1)", "x^y·log x"],
     [lambda x, y: y * x ** (y - 1), lambda x, y: x ** y * math.log(x)]),
])
def test_formulas_of_the_two_operand_ops_that_do_not_commute(build, formulas, closed_forms):
    x, y = Value(0.7, label="x"), Value(1.5, label="y")
    steps = explain(build(x, y))
    assert [s.parent for s in steps] == [x, y] and [s.formula for s in steps] == formulas
    for step, closed_form in zip(steps, closed_forms):
        assert step.local == pytest.approx(closed_form(0.7, 1.5), rel=1e-14)


def test_dot_formulas_name_the_other_factor():
    w = [Value(1.0, label="w1"), Value(2.0, label="w2")]
    a = [Value(3.0, label="a1"), Value(4.0, label="a2")]
    node = dot(w, a)
    assert [local_formula(node, i) for i in range(4)] == ["a1", "a2", "w1", "w2"]


def test_names_for_unlabelled_nodes_and_constants():
    x = Value(2.0, label="x")
    steps = explain((x * 3.0).tanh() + Value(0.5))
    assert [(s.node_name, s.parent_name) for s in steps] == [
        ("out", "n1"), ("out", "0.5"), ("n1", "n2"), ("n2", "x")]
    assert [s.formula for s in steps][-1] == "3"  # the number folded into n2 = x * 3
    assert str(steps).splitlines()[4].split()[:4] == ["4", "n2", "*", "3"]  # op "* 3"


def test_automatic_names_never_repeat_a_users_name(capsys):
    # (n1*x + out) * n2: the unlabelled n1·x and the root must not be called n1 or out.
    n1, x, out, n2 = (Value(v, label=name) for v, name in [(2.0, "n1"), (3.0, "x"),
                                                           (1.0, "out"), (5.0, "n2")])
    steps = explain((n1 * x + out) * n2)
    rows = [(s.node_name, s.parent_name, s.formula) for s in steps]
    assert rows == [("out1", "n3", "n2"), ("out1", "n2", "n3"), ("n3", "n4", "1"),
                    ("n3", "out", "1"), ("n4", "n1", "x"), ("n4", "x", "n1")]
    # every name stands for one Value only
    named = {}
    for s in steps:
        for name, v in ((s.node_name, s.node), (s.parent_name, s.parent)):
            assert named.setdefault(name, v) is v
    from plaingrad.cli import main

    assert main(["explain", "(n1*x+out)*n2", "n1=2", "x=3", "out=1", "n2=5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[1:4] == ["out1", "*", "n3"]
    assert lines[-4:] == ["  ∂/∂n1 = 15", "  ∂/∂x = 10", "  ∂/∂out = 5", "  ∂/∂n2 = 7"]


def test_negative_zero_is_shown_as_zero():
    x = Value(2.0, label="x")
    steps = explain(x * -0.0)  # the local derivative is -0.0
    assert math.copysign(1, steps[0].local) == -1
    row = str(steps).splitlines()[1].split()
    assert row[:5] == ["1", "out", "*", "0", "x"] and row[-3:] == ["0", "1", "0"]


def test_a_zero_factor_passes_nothing_on_as_in_backward():
    x = Value(-1.0, label="x")
    y = x.relu() ** 0.5  # relu' = 0 meets (√)' = inf at 0: the slope is 0, not NaN
    steps = explain(y)
    assert [s.contribution for s in steps] == [math.inf, 0.0] and x.grad == 0.0


def test_leaf_root_and_accumulation_like_backward():
    leaf = Value(5.0)
    assert explain(leaf) == [] and leaf.grad == 1.0
    x = Value(2.0, label="x")
    y = x * x
    first = explain(y)
    second = explain(y)
    assert [s.contribution for s in first] == [s.contribution for s in second] == [2.0, 2.0]
    assert x.grad == 8.0  # leaves accumulate across passes, as with backward()


def test_explain_command(capsys):
    from plaingrad.cli import main

    assert main(["explain", "sigmoid(w*x + b)", "x=2", "w=-0.5", "b=0.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["step", "node", "op", "parent"]
    assert lines[1].split()[:5] == ["1", "out", "sigmoid", "n1", "sigmoid(n1)·(1"]
    assert len(lines) == 6 + 1 + 4  # table, blank line, value and three gradients
    s = 1 / (1 + math.exp(-(-0.5 * 2 + 0.1)))
    assert lines[-3:] == [f"  ∂/∂w = {s * (1 - s) * 2:.6g}", f"  ∂/∂x = {s * (1 - s) * -0.5:.6g}",
                          f"  ∂/∂b = {s * (1 - s):.6g}"]


def test_explain_command_refuses_code(capsys):
    from plaingrad.cli import main

    assert main(["explain", "__import__('os').system('echo hi')"]) == 2
    assert "not allowed" in capsys.readouterr().err


def test_explain_needs_a_value():
    with pytest.raises(TypeError, match="expected a Value, got float"):
        explain(1.0)


def test_long_chain_without_recursion():
    x = Value(0.3, label="x")
    v = x
    for _ in range(5_000):  # far beyond Python's recursion limit
        v = v * 1.0
    steps = explain(v)
    assert len(steps) == 5_000  # one row per step: the factor 1 is folded into its node
    assert [(s.parent_name, s.formula) for s in steps[-2:]] == [("n4999", "1"), ("x", "1")]
    assert x.grad == 1.0


def test_format_number_rounds_to_significant_digits_and_never_shows_minus_zero():
    assert format_number(-0.0) == "0"
    assert format_number(-0.0, digits=6) == "0"
    assert format_number(2 / 3) == "0.6667"
    assert format_number(-2 / 3, digits=6) == "-0.666667"
    assert format_number(123456.0) == "1.235e+05"


def test_a_folded_number_is_shown_with_its_op_to_twelve_digits():
    x = Value(2.0, label="x")
    steps = explain(((x * 1.00000001 - 0.5) ** 3 + 2).relu())
    assert [s.op for s in steps] == ["relu", "+ 2", "**3", "- 0.5", "* 1.00000001"]
    assert steps[-1].formula == "1.00000001"  # ∂(x·c)/∂x = c, the number itself
    assert "* 1.00000001" in str(steps).splitlines()[5]
