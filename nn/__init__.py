"""plaingrad's neural networks, built from `autograd.Value`s.

The lecture's neuron as a library: Z = W·a + b, ŷ = sigmoid(Z), the cost
J = −1/N Σ y·log ŷ + (1−y)·log(1−ŷ), and the update W ← W − α·dW.

>>> from nn import MLP, Adam, bce_with_logits, moons
>>> X, y = moons(100, seed=0)
>>> model = MLP(2, [16, 16, 1], seed=0)       # ReLU hidden layers, linear output
>>> opt = Adam(model.parameters(), lr=0.01)
>>> J = bce_with_logits([model(x) for x in X], y)
>>> opt.zero_grad(); J.backward(); opt.step()

Or let `fit` run the loop: ``history = nn.fit(model, X, y, epochs=50)``.
"""

from nn.csv_file import load_csv
from nn.data import blobs, circles, digits, moons, spiral, standardize, train_test_split, xor
from nn.io import load, save
from nn.losses import bce, bce_with_logits, cross_entropy, hinge, mse, softmax
from nn.module import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam
from nn.train import fit

__all__ = [
    "Module", "Neuron", "Layer", "MLP",
    "bce", "bce_with_logits", "mse", "hinge", "softmax", "cross_entropy",
    "SGD", "Adam",
    "moons", "circles", "xor", "blobs", "spiral", "digits", "train_test_split", "standardize",
    "load_csv",
    "fit", "save", "load",
]
