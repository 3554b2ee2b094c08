"""nn.losses: values and gradients against closed forms, central differences and PyTorch."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn.losses import BCE_EPS, bce, bce_with_logits, cross_entropy, get_loss, hinge, mse


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def need_mpmath():
    """mpmath, the 40-digit reference; a test that needs it skips, with the reason, without it."""
    return pytest.importorskip("mpmath", reason="mpmath (test extra) gives the 40-digit reference")


def digits_for(z):
    """Decimal digits for mpmath to keep 40 of them in log(1 + e^z) − z (about e^−z)."""
    return int(min(abs(z), 800) / 2.3) + 40


def values(xs):
    return [Value(x) for x in xs]


def central_difference(loss, xs, ys, i, h=1e-6):
    up = list(xs)
    down = list(xs)
    up[i] += h
    down[i] -= h
    return (loss(up, ys).data - loss(down, ys).data) / (2 * h)


# ----- bce -----

def test_bce_value_and_gradient_closed_form():
    p, y = [0.9, 0.2, 0.6], [1, 0, 0.25]
    vs = values(p)
    J = bce(vs, y)
    n = len(p)
    expected = -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for q, t in zip(p, y)) / n
    assert J.data == pytest.approx(expected, rel=1e-14)
    J.backward()
    for v, q, t in zip(vs, p, y):
        # dJ/dŷ = −(y/ŷ − (1−y)/(1−ŷ))/N
        assert v.grad == pytest.approx(-(t / q - (1 - t) / (1 - q)) / n, rel=1e-13)


def test_bce_gradient_matches_central_differences():
    p, y = [0.3, 0.75, 0.05, 0.999], [1, 0, 0.5, 1]
    vs = values(p)
    bce(vs, y).backward()
    for i, v in enumerate(vs):
        assert v.grad == pytest.approx(central_difference(bce, p, y, i, h=1e-7), rel=1e-6)


@pytest.mark.parametrize("p, y", [(0.0, 1), (1.0, 0), (1e-300, 1), (1.0 - 1e-16, 0)])
def test_bce_is_finite_at_zero_and_one(p, y):
    v = Value(p)
    J = bce([v], [y])
    # ŷ clamped to BCE_EPS or 1 − BCE_EPS: J = −log(BCE_EPS), −log(1 − (1 − BCE_EPS))
    clamped = BCE_EPS if y == 1 else 1.0 - (1.0 - BCE_EPS)
    assert J.data == pytest.approx(-math.log(clamped), rel=1e-15)
    J.backward()
    assert v.grad == 0.0  # the clamp is constant outside [eps, 1 − eps], as torch.clamp


def test_bce_at_the_right_extreme_costs_nothing_and_has_gradient_minus_one():
    v = Value(1.0 - BCE_EPS)
    J = bce([v], [1])
    assert J.data == pytest.approx(BCE_EPS, rel=1e-3)
    J.backward()
    assert v.grad == pytest.approx(-1.0 / (1.0 - BCE_EPS), rel=1e-12)


def test_bce_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    p, y = [0.9, 0.2, 0.6, 0.01], [1.0, 0.0, 0.25, 1.0]
    vs = values(p)
    J = bce(vs, y)
    J.backward()
    tp = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    tJ = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(y, dtype=torch.float64))
    tJ.backward()
    assert J.data == pytest.approx(tJ.item(), rel=1e-13)
    assert [v.grad for v in vs] == pytest.approx(tp.grad.tolist(), rel=1e-12)


# ----- bce_with_logits -----

@pytest.mark.parametrize("z", [0.0, -0.0, 1e-8, -1e-8, 1.0, -1.0, 30.0, -30.0, 40.0, -40.0,
                               709.0, -709.0, 750.0, -750.0, 1e3, -1e3, 1e300, -1e300])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_with_logits_gradient_is_sigmoid_minus_y_for_every_z(z, y):
    mpmath = need_mpmath()
    zs = [Value(z), Value(0.5)]
    J = bce_with_logits(zs, [y, 1.0])
    J.backward()
    # (σ(z) − y)/N to 40 digits: in floats, σ(z) − 1 would keep no digits at z = 40
    with mpmath.workdps(digits_for(z)):
        exact = float((1 / (1 + mpmath.exp(-mpmath.mpf(z))) - y) / 2)
    assert zs[0].grad == pytest.approx(exact, rel=1e-14, abs=1e-300)
    assert math.isfinite(J.data)


def test_bce_with_logits_gradient_is_exact_at_zero():
    z = Value(0.0)
    bce_with_logits([z], [1.0]).backward()
    assert z.grad == -0.5
    z = Value(0.0)
    bce_with_logits([z], [0.0]).backward()
    assert z.grad == 0.5


@pytest.mark.parametrize("z, y, expected", [
    (0.0, 1.0, math.log(2.0)), (0.0, 0.0, math.log(2.0)),
    (1e3, 0.0, 1e3), (1e3, 1.0, 0.0), (-1e3, 1.0, 1e3), (-1e3, 0.0, 0.0),
    (2.0, 1.0, math.log1p(math.exp(-2.0))), (2.0, 0.0, 2.0 + math.log1p(math.exp(-2.0))),
])
def test_bce_with_logits_value_closed_form(z, y, expected):
    # softplus(z) − z·y; for large |z| this is max(z, 0) − z·y up to e^-|z|
    # (rel 1e-13: softplus(2) − 2 cancels the leading bits)
    assert bce_with_logits([Value(z)], [y]).data == pytest.approx(expected, rel=1e-13, abs=1e-300)


@settings(max_examples=100)
@given(st.lists(st.tuples(st.floats(-30, 30), st.sampled_from([0.0, 1.0, 0.5])),
                min_size=1, max_size=5))
def test_bce_with_logits_equals_bce_of_sigmoid_and_finite_differences(pairs):
    z = [p[0] for p in pairs]
    y = [p[1] for p in pairs]
    zs = values(z)
    J = bce_with_logits(zs, y)
    # The reference bce(sigmoid(z)) computes 1 − σ(z), which loses about |z|/ln 10 digits
    # to cancellation: compare only where it keeps better than 1e-10.
    if all(abs(v) < 12 for v in z):
        assert J.data == pytest.approx(bce([Value(sigmoid(v)) for v in z], y).data, rel=1e-9)
    J.backward()
    for i, v in enumerate(zs):
        assert v.grad == pytest.approx((sigmoid(z[i]) - y[i]) / len(z), rel=1e-12, abs=1e-15)
        assert v.grad == pytest.approx(central_difference(bce_with_logits, z, y, i),
                                       rel=1e-5, abs=1e-8)


def test_bce_with_logits_keeps_its_digits_for_confident_answers():
    # softplus(z) − z·y to 40 digits: a right answer with a large |z| costs about e^−|z|,
    # not 0 or rounding noise.
    mpmath = need_mpmath()

    @given(st.floats(-700, 700), st.sampled_from([0.0, 1.0, 0.25]))
    def check(z, y):
        with mpmath.workdps(digits_for(z)):
            z_ = mpmath.mpf(z)
            expected = float(mpmath.log(1 + mpmath.exp(z_)) - z_ * y)
        assert bce_with_logits([Value(z)], [y]).data == pytest.approx(expected, rel=1e-14,
                                                                     abs=1e-300)

    check()


def test_bce_with_logits_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    z, y = [-3.0, 0.0, 2.5, 40.0, -800.0, 40.0, -35.0], [1.0, 0.0, 1.0, 0.0, 0.7, 1.0, 0.0]
    zs = values(z)
    J = bce_with_logits(zs, y)
    J.backward()
    tz = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tJ = torch.nn.functional.binary_cross_entropy_with_logits(
        tz, torch.tensor(y, dtype=torch.float64))
    tJ.backward()
    assert J.data == pytest.approx(tJ.item(), rel=1e-13)
    # torch's σ(z) − y keeps no digits for z = 40, y = 1 (0.0 against −σ(−40)/7 = −6e-19)
    assert [v.grad for v in zs] == pytest.approx(tz.grad.tolist(), rel=1e-12, abs=1e-16)


# ----- mse and hinge -----

def test_mse_value_and_gradient():
    p, y = [1.5, -0.5, 2.0], [1.0, 0.0, -1.0]
    vs = values(p)
    J = mse(vs, y)
    assert J.data == pytest.approx((0.25 + 0.25 + 9.0) / 3, rel=1e-15)
    J.backward()
    assert [v.grad for v in vs] == pytest.approx([2 * (a - b) / 3 for a, b in zip(p, y)])


def test_hinge_value_and_gradient_with_both_label_conventions():
    scores = [2.0, 0.5, -0.25, -3.0]
    for labels in ([1, 1, -1, -1], [1, 1, 0, 0]):
        vs = values(scores)
        J = hinge(vs, labels)
        # relu(1 − y·s): 0, 0.5, 0.75, 0
        assert J.data == pytest.approx((0.5 + 0.75) / 4, rel=1e-15)
        J.backward()
        assert [v.grad for v in vs] == [0.0, -0.25, 0.25, 0.0]


def test_losses_accept_floats_and_single_values():
    assert mse(2.0, 1.0).data == 1.0
    assert bce_with_logits(Value(0.0), 1).data == pytest.approx(math.log(2.0))
    assert bce([0.5], [1]).data == pytest.approx(math.log(2.0))


# ----- validation -----

@pytest.mark.parametrize("loss", [bce, bce_with_logits, mse, hinge])
def test_mismatched_or_empty_lists(loss):
    with pytest.raises(ValueError, match="2 predictions but 1 targets"):
        loss([0.5, 0.5], [1])
    with pytest.raises(ValueError, match="no samples"):
        loss([], [])


@pytest.mark.parametrize("loss", [bce, bce_with_logits, mse, hinge])
@pytest.mark.parametrize("target", [math.nan, math.inf, "1", None, True, 10**400])
def test_targets_must_be_finite_numbers(loss, target):
    with pytest.raises(ValueError, match="target 0 must be a finite number"):
        loss([0.5], [target])


@pytest.mark.parametrize("loss", [bce, bce_with_logits])
@pytest.mark.parametrize("target", [-0.1, 1.5, 2])
def test_bce_targets_outside_zero_one(loss, target):
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        loss([0.5], [target])


def test_hinge_rejects_other_labels():
    with pytest.raises(ValueError, match="-1/\\+1"):
        hinge([0.5], [0.5])


@pytest.mark.parametrize("p", [math.nan, -0.5, 1.5, -1e-300, math.inf])
def test_bce_rejects_a_prediction_outside_zero_one(p):
    # As torch's binary_cross_entropy: a ŷ outside [0, 1] is not a probability.
    with pytest.raises(ValueError, match=rf"bce: prediction 1 is {p!r}; .*\[0, 1\]"):
        bce([0.5, p], [1, 1])


def test_get_loss():
    assert get_loss("bce") is bce
    assert get_loss(mse) is mse
    assert get_loss("cross_entropy") is cross_entropy
    with pytest.raises(ValueError, match="bce_with_logits, bce, mse, hinge, cross_entropy"):
        get_loss("softmax")


@pytest.mark.parametrize("loss", [bce, bce_with_logits, mse, hinge])
@pytest.mark.parametrize("predictions, message", [
    (None, "predictions must be a Value, a number or a list of them, got NoneType"),
    ("0.5", "predictions must be a Value, a number or a list of them, got str"),
    ([0.5, "x"], "prediction 1: Value"),
    ([None], "prediction 0: Value"),
])
def test_bad_predictions_are_a_type_error_naming_the_loss(loss, predictions, message):
    with pytest.raises(TypeError, match=f"^{loss.__name__}: {message}"):
        loss(predictions, [1] * (2 if isinstance(predictions, list) else 1))


@pytest.mark.parametrize("targets, kind", [(None, "NoneType"), ({0: 1}, "dict"), ({1.0}, "set"),
                                           ("1", "str")])
def test_targets_that_are_no_list_of_numbers_are_refused_in_words(targets, kind):
    for loss in (bce, bce_with_logits, mse, hinge):
        with pytest.raises(TypeError, match=rf"{loss.__name__}: targets must be a number or a "
                                            rf"list of numbers, got {kind}"):
            loss([0.5], targets)
    with pytest.raises(TypeError, match="predictions must be a Value, a number or a list"):
        mse({0.5: 1}, [1.0])
