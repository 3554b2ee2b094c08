"""nn.softmax and nn.cross_entropy against PyTorch float64, mpmath and bce_with_logits.

Tolerances: 1e-12 relative, with an absolute floor where a float cannot do better.
The cost log Σ e^(z_j − m) − (z_c − m) carries the rounding of z_c − m, an ulp of
the largest logit (PyTorch's too); a gradient p_c − 1 near p_c = 1 cancels to an
ulp of 1 over N (PyTorch's too). Elsewhere the 1e-12 is relative.
"""

import math

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import bce_with_logits, cross_entropy, softmax

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch (make test has it)")
F = torch.nn.functional
EPS = 2.0 ** -52


def close(a, b, rel=1e-12, abs_=0.0):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def ours(Z, T):
    """(J, gradients) of plaingrad's cross-entropy on the logit rows Z with classes T."""
    V = [[Value(z) for z in row] for row in Z]
    J = cross_entropy(V, T)
    J.backward()
    return J.data, [[v.grad for v in row] for row in V]


def torchs(Z, T):
    t = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    L = F.cross_entropy(t, torch.tensor(T))
    L.backward()
    return L.item(), t.grad.tolist()


def exact(Z, T):
    """The cost and its gradients to 50 digits with mpmath: the independent truth."""
    with mpmath.workdps(50):
        n, J, G = len(Z), mpmath.mpf(0), []
        for row, c in zip(Z, T):
            m = max(row)
            e = [mpmath.exp(mpmath.mpf(z) - m) for z in row]
            s = mpmath.fsum(e)
            J += mpmath.log(s) + m - row[c]
            G.append([float((ej / s - (j == c)) / n) for j, ej in enumerate(e)])
        return float(J / n), G


def assert_agrees(Z, T, J, G, J_ref, G_ref):
    n, top = len(Z), max(abs(z) for row in Z for z in row)
    assert close(J, J_ref, abs_=4 * EPS * max(top, 1.0)), (J, J_ref)
    for i, (row, row_ref) in enumerate(zip(G, G_ref)):
        for j, (g, g_ref) in enumerate(zip(row, row_ref)):
            assert close(g, g_ref, abs_=4 * EPS / n), (i, j, g, g_ref)


def logit_batches(scale):
    return st.integers(2, 10).flatmap(lambda k: st.lists(
        st.tuples(st.lists(st.floats(-scale, scale), min_size=k, max_size=k),
                  st.integers(0, k - 1)), min_size=1, max_size=4))


@settings(max_examples=150)
@given(st.sampled_from([1.0, 30.0, 700.0, 1e4]).flatmap(logit_batches))
def test_cross_entropy_values_and_gradients_equal_torch_and_mpmath(samples):
    Z, T = [list(z) for z, _ in samples], [c for _, c in samples]
    J, G = ours(Z, T)
    assert_agrees(Z, T, J, G, *torchs(Z, T))
    assert_agrees(Z, T, J, G, *exact(Z, T))


@pytest.mark.parametrize("Z, T", [
    ([[1e4, -1e4]], [0]), ([[1e4, -1e4]], [1]), ([[-1e4, 1e4, 0.0]], [0]),
    ([[1e4, 1e4, -1e4]], [1]),                       # a tie at the top
    ([[0.0, 0.0, 0.0, 0.0]], [2]),                   # all equal: p = 1/4
    ([[3.0, 3.0], [-2.0, -2.0]], [0, 1]),
    ([[1e4, 0.0, 0.0, 0.0, 0.0]], [0]),              # one huge logit, right
    ([[1e4, 0.0, 0.0, 0.0, 0.0]], [3]),              # one huge logit, wrong
    ([[-1e4, 0.0, 1.0]], [0]), ([[800.0, -800.0, 0.0]], [2]),
    ([[1e300, -1e300, 5.0]], [0]),                   # a spread no float holds: m in halves
])
def test_extreme_logits_give_finite_costs_and_torchs_gradients(Z, T):
    J, G = ours(Z, T)
    assert math.isfinite(J)
    assert all(math.isfinite(g) for row in G for g in row)
    assert_agrees(Z, T, J, G, *torchs(Z, T))


def test_softmax_equals_torch_and_sums_to_one():
    for row in ([0.5, -1.0, 2.0], [1e4, -1e4, 1e4], [0.0, 0.0], [-700.0, 700.0, 0.0]):
        p = softmax([Value(z) for z in row])
        ref = torch.softmax(torch.tensor(row, dtype=torch.float64), 0).tolist()
        assert all(close(a.data, b, abs_=1e-300) for a, b in zip(p, ref)), (p, ref)
        assert math.fsum(v.data for v in p) == pytest.approx(1.0, abs=4 * EPS)


def test_softmax_gradient_equals_torch():
    row = [0.3, -1.2, 2.5, 0.0]
    zs = [Value(z) for z in row]
    p = softmax(zs)
    (p[1] * 2.0 + p[2] * -3.0).backward()
    t = torch.tensor(row, dtype=torch.float64, requires_grad=True)
    q = torch.softmax(t, 0)
    (q[1] * 2.0 + q[2] * -3.0).backward()
    assert [z.grad for z in zs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-16)


def test_softmax_of_a_batch_is_one_list_per_sample():
    rows = softmax([[0.0, 0.0], [math.log(3.0), 0.0]])
    assert [[round(p.data, 12) for p in row] for row in rows] == [[0.5, 0.5], [0.75, 0.25]]


@settings(max_examples=150)
@given(st.floats(-800, 800), st.floats(-800, 800), st.sampled_from([0, 1]))
def test_two_classes_are_bce_with_logits_on_the_logit_difference(z0, z1, c):
    a, b = Value(z0), Value(z1)
    J = cross_entropy([a, b], c)
    J.backward()
    x, y = Value(z0), Value(z1)
    K = bce_with_logits(y - x, c)   # the logit of class 1 against class 0
    K.backward()
    assert close(J.data, K.data, abs_=4 * EPS * max(abs(z0), abs(z1), 1.0))
    for g, h in ((a.grad, x.grad), (b.grad, y.grad)):
        assert close(g, h, abs_=4 * EPS)


def test_one_sample_and_a_batch_of_one_agree_and_the_batch_is_a_mean():
    z = [1.0, -0.5, 2.0]
    assert cross_entropy(z, 2).data == cross_entropy([z], [2]).data
    both = cross_entropy([z, [0.0, 0.0, 0.0]], [2, 1]).data
    assert both == pytest.approx((cross_entropy(z, 2).data + math.log(3.0)) / 2, rel=1e-15)


def test_class_probabilities_as_targets_equal_torch():
    Z = [[0.5, -1.0, 2.0], [3.0, 0.0, 0.0]]
    P = [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]
    V = [[Value(z) for z in row] for row in Z]
    J = cross_entropy(V, P)
    J.backward()
    t = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    L = F.cross_entropy(t, torch.tensor(P, dtype=torch.float64))
    L.backward()
    assert J.data == pytest.approx(L.item(), rel=1e-12)
    grads = [v.grad for row in V for v in row]
    assert grads == pytest.approx(sum(t.grad.tolist(), []), rel=1e-12)


def test_a_one_hot_of_values_traces_like_the_class_index():
    # A compiled per-sample cost takes its target as arguments: a one-hot of Values.
    z = [Value(1.0), Value(-2.0), Value(0.5)]
    J = cross_entropy([z], [[Value(0.0), Value(1.0), Value(0.0)]])
    assert J.data == pytest.approx(cross_entropy(z, 1).data, rel=1e-15)


@pytest.mark.parametrize("targets, message", [
    ([0, 3], r"sample 1: class 3 is out of range; 3 classes are numbered 0 to 2"),
    ([0, -1], r"sample 1: class -1 is out of range"),
    ([1.0, 0], r"sample 0: the target float 1.0 \(a float class\) is not a class"),
    ([0, True], r"sample 1: the target bool True is not a class"),
    ([0, "2"], r"sample 1: the target str '2' is not a class"),
    ([0, None], r"sample 1: the target NoneType None is not a class"),
    ([0], r"2 samples of logits but 1 targets"),
    ([0, [0.5, 0.5]], r"sample 1: 2 class probabilities for 3 classes"),
    ([0, [0.5, 0.7, -0.2]], r"sample 1: the probability of class 2 is -0.2"),
    (7, r"targets must be a list of class indices, one per sample, got int"),
])
def test_bad_targets_are_errors_naming_the_sample(targets, message):
    with pytest.raises(ValueError, match="cross_entropy: " + message):
        cross_entropy([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]], targets)


@pytest.mark.parametrize("logits, targets, error, message", [
    ([], [], ValueError, "no samples"),
    (Value(1.0), 0, TypeError, "logits must be one sample's list of k Values"),
    ([[1.0, 2.0], [1.0]], [0, 0], ValueError, "sample 1 has 1 logits, sample 0 has 2"),
    ([[1.0]], [0], ValueError, "sample 0 has 1 logit"),
    ([[1.0, math.nan]], [0], ValueError, "sample 0, logit 1 is nan; logits must be finite"),
    ([[1.0, 2.0], [math.inf, 0.0]], [0, 0], ValueError, "sample 1, logit 0 is inf"),
    ([[1.0, "a"]], [0], TypeError, "sample 0: prediction 1"),
    ([1.0, 2.0], [0, 1], ValueError, "one sample's logits .* take one class index"),
])
def test_bad_logits_are_errors_naming_the_sample(logits, targets, error, message):
    with pytest.raises(error, match=message):
        cross_entropy(logits, targets)
