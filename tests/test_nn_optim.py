"""nn.optim: steps against hand-computed closed forms and against torch.optim in float64."""

import math

import pytest

from autograd import Value
from nn import MLP, SGD, Adam


def params(*xs):
    return [Value(x) for x in xs]


def set_grads(ps, grads):
    for p, g in zip(ps, grads, strict=True):
        p.grad = g


# ----- closed forms -----

def test_sgd_step_is_w_minus_lr_times_grad():
    ps = params(1.0, -2.0)
    set_grads(ps, [0.5, -4.0])
    SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == pytest.approx([1.0 - 0.05, -2.0 + 0.4], rel=1e-15)


def test_sgd_momentum_three_steps_with_a_constant_gradient():
    (p,) = ps = params(1.0)
    opt = SGD(ps, lr=0.1, momentum=0.9)
    g = 2.0
    for _ in range(3):
        p.grad = g
        opt.step()
    # v1 = g, v2 = 0.9·g + g, v3 = 0.9·v2 + g
    v1, v2 = g, 0.9 * g + g
    v3 = 0.9 * v2 + g
    assert p.data == pytest.approx(1.0 - 0.1 * (v1 + v2 + v3), rel=1e-14)


def test_sgd_weight_decay_adds_decay_times_w_to_the_gradient():
    (p,) = ps = params(3.0)
    p.grad = 1.0
    SGD(ps, lr=0.5, weight_decay=0.1).step()
    assert p.data == pytest.approx(3.0 - 0.5 * (1.0 + 0.1 * 3.0), rel=1e-15)


def test_adam_with_a_constant_gradient_moves_lr_per_step():
    # With g constant, bias correction gives m̂ = g and v̂ = g², so each step
    # moves W by lr·g/(|g| + eps).
    (p,) = ps = params(1.0)
    opt = Adam(ps, lr=0.01, eps=1e-8)
    g = -3.0
    expected = 1.0
    for _ in range(4):
        p.grad = g
        opt.step()
        expected -= 0.01 * g / (abs(g) + 1e-8)
    assert p.data == pytest.approx(expected, rel=1e-13)


def test_adam_two_steps_by_hand():
    (p,) = ps = params(0.5)
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    opt = Adam(ps, lr=lr, betas=(b1, b2), eps=eps)
    g1, g2 = 1.0, -2.0
    p.grad = g1
    opt.step()
    p.grad = g2
    opt.step()
    m = (1 - b1) * g1
    v = (1 - b2) * g1 ** 2
    w = 0.5 - lr * (m / (1 - b1)) / (math.sqrt(v / (1 - b2)) + eps)
    m = b1 * m + (1 - b1) * g2
    v = b2 * v + (1 - b2) * g2 ** 2
    w -= lr * (m / (1 - b1 ** 2)) / (math.sqrt(v / (1 - b2 ** 2)) + eps)
    assert p.data == pytest.approx(w, rel=1e-13)


def test_zero_grad():
    ps = params(1.0, 2.0)
    set_grads(ps, [1.0, 1.0])
    SGD(ps, lr=1.0).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]
    set_grads(ps, [1.0, 1.0])
    Adam(ps).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_adam_without_momentum_keeps_a_tiny_gradient_after_a_large_one():
    # β1 = 0: m is the last gradient exactly (m + (g − m) would round 1e-17 away after 1)
    p = params(1.0)
    opt = Adam(p, lr=0.1, betas=(0.0, 0.0))
    for g in (1.0, 1e-17):
        set_grads(p, [g])
        opt.step()
    assert opt.m[0] == 1e-17


# ----- against torch.optim -----

def gradient(w, step):
    """Deterministic, changing gradients: those of Σ (w_i − i)² plus a wobble."""
    return [2.0 * (x - i) + math.sin(3.0 * step + i) for i, x in enumerate(w)]


@pytest.mark.parametrize("kind, options", [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "betas": (0.0, 0.0)}),  # torch's lerp: m is exactly g
    ("Adam", {"lr": 0.1, "betas": (0.3, 0.6)}),
])
def test_matches_torch_optim_over_several_steps(kind, options):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    start = [0.3, -1.2, 2.5]
    ours = params(*start)
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = {"SGD": SGD, "Adam": Adam}[kind](ours, **options)
    topt = getattr(torch.optim, kind)([theirs], **options)
    for step in range(8):
        g = gradient([p.data for p in ours], step)
        set_grads(ours, g)
        theirs.grad = torch.tensor(gradient(theirs.detach().tolist(), step),
                                   dtype=torch.float64)
        opt.step()
        topt.step()
        assert [p.data for p in ours] == pytest.approx(theirs.detach().tolist(), rel=1e-12)


# ----- bad settings -----

@pytest.mark.parametrize("lr", [0, -0.1, math.nan, math.inf, "0.1", None, True, 10**400])
def test_bad_learning_rates(lr):
    for make in (SGD, Adam):
        with pytest.raises(ValueError, match="lr"):
            make(params(1.0), lr=lr)


@pytest.mark.parametrize("options, match", [
    ({"betas": (1.0, 0.999)}, "beta1"), ({"betas": (0.9, -0.1)}, "beta2"),
    ({"betas": (0.9,)}, "pair"), ({"betas": 0.9}, "pair"), ({"betas": (0.9, math.nan)}, "beta2"),
    ({"eps": -1e-8}, "eps"), ({"eps": math.inf}, "eps"), ({"eps": 0.0}, r"eps .*\(0, inf\)"),
    ({"weight_decay": -1.0}, "weight_decay"),
])
def test_bad_adam_settings(options, match):
    with pytest.raises(ValueError, match=match):
        Adam(params(1.0), **options)


@pytest.mark.parametrize("options, match", [
    ({"momentum": -0.5}, "momentum"), ({"momentum": math.nan}, "momentum"),
    ({"weight_decay": -1.0}, "weight_decay"),
])
def test_bad_sgd_settings(options, match):
    with pytest.raises(ValueError, match=match):
        SGD(params(1.0), lr=0.1, **options)


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is a float"):
        Adam([Value(1.0), 2.0])


def test_the_model_itself_or_a_set_is_refused_in_words():
    model = MLP(2, [3, 1], seed=0)
    for make in (SGD, Adam):
        name = make.__name__
        with pytest.raises(TypeError, match=rf"{name}: expected the model's parameters, got the "
                                            rf"MLP itself; write {name}\(model.parameters\(\)"):
            make(model, lr=0.1)
        with pytest.raises(TypeError, match="whose order changes from run to run"):
            make(set(model.parameters()), lr=0.1)
        for bad in (model.parameters()[0], {"w": model.parameters()[0]}, 3):
            with pytest.raises(TypeError, match=rf"{name}: expected a list of Values"):
                make(bad, lr=0.1)
