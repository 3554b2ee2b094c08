"""Calculus the engine must obey, on random formulas over every op.

The truth is independent of backward(): central differences (gradcheck), and
the rules of calculus combining gradients computed on separate graphs.

About 40% of random formulas are constants, or flat at the drawn point (every
gradient 0), where each rule holds as 0 = 0 and proves nothing. Such examples
are still checked, but `count_only_if` (a hypothesis.assume after the
assertions) keeps them from counting towards max_examples.
"""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, total
from autograd.check import gradcheck
from autograd.engine import topological_order
from autograd.strategies import INPUT_BOUND, constants, expressions, points

XY = ("x", "y")
# 10x stricter than gradcheck's (PyTorch's) defaults: over 3,000 random formulas the
# worst gap between backward() and central differences was 2e-8 absolute, 3e-6 relative.
ATOL, RTOL = 1e-6, 1e-4


def gradient(f, point):
    """(value, [∂f/∂x_i]) from one fresh graph."""
    leaves = [Value(x) for x in point.values()]
    out = f(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def count_only_if(gradients):
    """Count the example towards max_examples only if some gradient is not 0."""
    assume(any(g != 0 for g in gradients))


def close(a, b, scale=1.0):
    # Both sides are exact up to rounding of a few dozen float operations.
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, scale))


@settings(max_examples=200)
@given(expressions(XY), points(XY))
def test_backward_agrees_with_central_differences(formula, point):
    report = gradcheck(formula, point, atol=ATOL, rtol=RTOL)  # raises with the table
    # count only examples with a gradient large enough for the tolerance to judge
    count_only_if([row.numeric for row in report.rows if abs(row.numeric) >= 100 * ATOL])


@settings(max_examples=100)
@given(expressions(("x", "y", "z"), max_depth=5), points(("x", "y", "z")))
def test_deeper_formulas_over_three_inputs(formula, point):
    report = gradcheck(formula, point, atol=ATOL, rtol=RTOL)
    count_only_if([row.numeric for row in report.rows if abs(row.numeric) >= 100 * ATOL])


@settings(max_examples=100)
@given(expressions(XY), expressions(XY), constants(), constants(), points(XY))
def test_gradient_is_linear(f, g, a, b, point):
    # ∇(a·f + b·g) = a·∇f + b·∇g
    _, grad_f = gradient(f, point)
    _, grad_g = gradient(g, point)
    _, grad = gradient(lambda v: a * f(v) + b * g(v), point)
    expected = [a * df + b * dg for df, dg in zip(grad_f, grad_g)]
    for i, d in enumerate(grad):
        assert close(d, expected[i], abs(a * grad_f[i]) + abs(b * grad_g[i])), (i, d, expected)
    count_only_if(expected)


@settings(max_examples=100)
@given(expressions(XY), expressions(XY), points(XY))
def test_product_rule(f, g, point):
    # ∇(f·g) = ∇f·g + f·∇g
    f_value, grad_f = gradient(f, point)
    g_value, grad_g = gradient(g, point)
    _, grad = gradient(lambda v: f(v) * g(v), point)
    for i, d in enumerate(grad):
        terms = grad_f[i] * g_value, f_value * grad_g[i]
        assert close(d, sum(terms), sum(map(abs, terms))), (i, d, terms)
    count_only_if(grad_f[i] * g_value + f_value * grad_g[i] for i in range(len(grad)))


@settings(max_examples=100)
@given(expressions(("u",)), expressions(XY), points(XY))
def test_chain_rule(outer, inner, point):
    # ∂/∂x outer(inner(x, y)) = outer'(inner) · ∂inner/∂x
    if inner.low < -INPUT_BOUND or inner.high > INPUT_BOUND:
        # outer is valid on [-3, 3]; squash inner into it (still a function of x, y)
        def inside(v):
            return inner(v).tanh() * INPUT_BOUND
    else:
        inside = inner
    u, grad_inner = gradient(inside, point)
    _, (d_outer,) = gradient(outer, {"u": u})
    _, grad = gradient(lambda v: outer([inside(v)]), point)
    expected = [d_outer * g for g in grad_inner]
    for i, d in enumerate(grad):
        assert close(d, expected[i], abs(expected[i])), (i, d, expected)
    count_only_if(expected)


@settings(max_examples=100)
@given(expressions(XY), st.integers(1, 6), points(XY))
def test_a_node_used_k_times_gets_k_times_the_gradient(f, k, point):
    _, grad_f = gradient(f, point)
    # the same leaves feed k copies of f
    _, grad = gradient(lambda v: total([f(v) for _ in range(k)]), point)
    assert all(close(d, k * g, abs(k * g)) for d, g in zip(grad, grad_f))

    # one interior node z = f(x, y) feeding k branches: ∇(z + z + ... ) = k·∇z
    def k_branches(v):
        z = f(v)
        out = z
        for _ in range(k - 1):
            out = out + z
        return out

    _, grad = gradient(k_branches, point)
    assert all(close(d, k * g, abs(k * g)) for d, g in zip(grad, grad_f))
    count_only_if(grad_f)


@settings(max_examples=100)
@given(expressions(XY), points(XY))
def test_a_reused_node_sums_its_paths(f, point):
    # z = f; out = z·z + z: ∇out = (2z + 1)·∇z
    z_value, grad_f = gradient(f, point)

    def square_plus(v):
        z = f(v)
        return z * z + z

    _, grad = gradient(square_plus, point)
    for d, g in zip(grad, grad_f):
        assert close(d, (2 * z_value + 1) * g, abs((2 * z_value + 1) * g))
    count_only_if((2 * z_value + 1) * g for g in grad_f)


@settings(max_examples=50)
@given(expressions(XY), st.integers(2, 4), points(XY))
def test_leaves_accumulate_over_backward_calls_interior_nodes_do_not(f, calls, point):
    _, grad_f = gradient(f, point)
    leaves = [Value(x) for x in point.values()]
    out = f(leaves) * 1.0  # a root with a parent, so the root itself is interior
    for _ in range(calls):
        out.backward()
    assert out.grad == 1.0
    assert all(close(leaf.grad, calls * g, abs(calls * g)) for leaf, g in zip(leaves, grad_f))
    count_only_if(grad_f)


def test_same_leaf_k_times_closed_form():
    # x·x·x uses the leaf three times: d/dx = 3x²
    x = Value(1.7)
    (x * x * x).backward()
    assert math.isclose(x.grad, 3 * 1.7 ** 2, rel_tol=1e-15)


def _graph(root):
    """Every node reachable from root, through the public `parents` tuples."""
    nodes, stack = {root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in nodes:
                nodes.add(parent)
                stack.append(parent)
    return nodes


def _textbook_backward(root):
    """{node: d root / d node}: the chain rule over the public tuples, in Kahn's order.

    Independent of backward() and topological_order(): a node passes its gradient on
    once all of its consumers have passed theirs, counted here, and every contribution
    is local · grad, with 0 passing nothing on (the engine's rule for 0 · inf).
    """
    nodes = _graph(root)
    consumers = {node: 0 for node in nodes}
    for node in nodes:
        for parent in node.parents:
            consumers[parent] += 1
    grads = {node: 0.0 for node in nodes}
    grads[root] = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for parent, local in zip(node.parents, node.local_grads):
            if local and grads[node]:
                grads[parent] += local * grads[node]
            consumers[parent] -= 1
            if consumers[parent] == 0:
                ready.append(parent)
    return grads


@settings(max_examples=200)
@given(expressions(("x", "y", "z"), max_depth=5), points(("x", "y", "z")))
def test_backward_is_the_textbook_chain_rule_over_parents_and_local_grads(formula, point):
    # backward() and the sort read each node's fields (a, b, a Σ node's tuples) directly;
    # the public tuples `parents` and `local_grads` must describe the same graph, and the
    # chain rule written plainly over them must give the same gradient at every node.
    leaves = [Value(x) for x in point.values()]
    out = formula(leaves)
    expected = _textbook_backward(out)
    out.backward()
    order = topological_order(out)
    interior = {node for node in expected if node.parents}
    assert set(order) == interior and len(order) == len(interior)
    position = {node: i for i, node in enumerate(order)}
    for node in interior:
        assert len(node.parents) == len(node.local_grads) >= 1
        for parent in node.parents:  # every consumer comes before the nodes it consumes
            assert parent not in position or position[node] < position[parent]
    for node, grad in expected.items():
        assert close(node.grad, grad) or node.grad == grad, (node, grad)
