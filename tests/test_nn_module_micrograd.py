"""MLP(seed=None) draws micrograd's weights: seeded micrograd programs give its numbers."""

import gc
import random

import pytest

from autograd import Value
from nn import MLP
from nn.data import moons

micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd (dev extra) is not installed")
micrograd_engine = pytest.importorskip("micrograd.engine")


def demo(make_model, Value, X, y, steps):
    """micrograd's demo.ipynb: SVM loss + L2, full batch, SGD with a decaying rate, as written."""
    random.seed(1337)
    model = make_model()
    weights = [p.data for p in model.parameters()]
    losses = []
    for k in range(steps):
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(y))
        total_loss = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(total_loss.data)
    return weights, losses


def test_random_seed_fixes_the_weights_as_in_micrograd():
    for nin, nouts in ((2, [16, 16, 1]), (3, [4, 2]), (1, [1])):
        random.seed(1337)
        ours = [p.data for p in MLP(nin, nouts).parameters()]
        after_ours = random.random()
        random.seed(1337)
        theirs = [p.data for p in micrograd_nn.MLP(nin, nouts).parameters()]
        assert ours == theirs  # bit for bit: the same draws in the same order
        assert after_ours == random.random()  # and no extra draws


def run_both(X, y, steps):
    ours = demo(lambda: MLP(2, [16, 16, 1]), Value, X, y, steps)
    # Each micrograd graph is a web of reference cycles (closures, its recursive sort), which
    # the cyclic collector rescans again and again: collecting young objects only once a
    # million have been made makes micrograd's steps about three times faster.
    thresholds = gc.get_threshold()
    gc.set_threshold(1_000_000, 2, 1000)
    try:
        theirs = demo(lambda: micrograd_nn.MLP(2, [16, 16, 1]), micrograd_engine.Value,
                      X, y, steps)
    finally:
        gc.set_threshold(*thresholds)
    return ours, theirs


@pytest.fixture(scope="module")
def demo_moons():
    # The demo's 100 moons (noise 0.1, labels −1/+1); sklearn's make_moons is not needed,
    # the data only has to be the same for both engines.
    X, labels = moons(100, noise=0.1, seed=1)
    return X, [2 * t - 1 for t in labels]


def test_the_demo_starts_from_micrograd_weights_and_loss(demo_moons):
    (w_ours, ours), (w_theirs, theirs) = run_both(*demo_moons, steps=3)
    assert w_ours == w_theirs
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_the_demo_trains_the_same_network_as_micrograd_at_every_step(demo_moons):
    # All 100 steps of the demo's loop, on a quarter of its moons: micrograd takes ~0.2 s
    # (CPU) a step on all 100, too long for the suite; the loop and the model are the demo's.
    X, y = demo_moons
    (w_ours, ours), (w_theirs, theirs) = run_both(X[:25], y[:25], steps=100)
    assert w_ours == w_theirs
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert ours[-1] < 0.1 * ours[0]  # it did learn


def test_an_int_seed_is_private_and_reproducible():
    random.seed(5)
    expected = random.random()
    random.seed(5)
    a = [p.data for p in MLP(2, [3, 1], seed=7).parameters()]
    assert random.random() == expected  # the global state is left alone
    assert a == [p.data for p in MLP(2, [3, 1], seed=7).parameters()]
    assert a != [p.data for p in MLP(2, [3, 1], seed=8).parameters()]
    rng = random.Random(7)
    assert [p.data for p in MLP(2, [3, 1], seed=rng).parameters()] == a
