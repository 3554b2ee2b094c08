"""Derivatives of derivatives: Newton's method on a cost, and tanh differentiated six times.

1. Newton's method needs the curvature of the cost, its second derivatives. For the
   lecture's neuron on a few samples,

       Z = w·a + b,   ŷ = sigmoid(Z),   J = −1/N Σ y log ŷ + (1 − y) log(1 − ŷ),

   each step solves H·Δ = ∇J (H the 2×2 Hessian of J in (w, b), from
   `autograd.hessian`) and moves (w, b) ← (w, b) − Δ. Gradient descent, W ← W − α·dW,
   is printed beside it: Newton reaches the minimum to the last digits in a few steps.

2. `autograd.grad` applied again and again to tanh gives tanh′, tanh″, ... tanh⁽⁶⁾,
   drawn as one plot (runs/higher_order/tanh_derivatives.png and .svg) and checked
   against their closed forms, polynomials in tanh (tanh′ = 1 − tanh², ...).

Run it from the repository root:

    .venv/bin/python examples/higher_order.py            # writes runs/higher_order/
    .venv/bin/python examples/higher_order.py --out other/folder

It exits with status 1 if a closed form disagrees with the engine.
"""

import argparse
import io
import math
import sys
from pathlib import Path

from autograd import Value, grad, gradients, hessian, no_grad
from autograd.files import atomic_write

# One feature a, labels y; not separable (a = 0.5 and a = 1.0 are in both classes),
# so J has a minimum at finite (w, b).
A = [-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 0.5, 1.0, -1.5]
Y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0]

# tanh's derivatives as polynomials in t = tanh(x), lowest power first (d/dx t = 1 − t²).
TANH_DERIVATIVES = [
    [1, 0, -1],
    [0, -2, 0, 2],
    [-2, 0, 8, 0, -6],
    [0, 16, 0, -40, 0, 24],
    [16, 0, -136, 0, 240, 0, -120],
    [0, -272, 0, 1232, 0, -1680, 0, 720],
]


def cost(w, b):
    """J(w, b) of the neuron ŷ = sigmoid(w·a + b) over the samples (A, Y)."""
    terms = []
    for a, y in zip(A, Y):
        y_hat = (w * a + b).sigmoid()
        terms.append(y_hat.log() * y + (1.0 - y_hat).log() * (1.0 - y))
    return sum(terms) * (-1.0 / len(A))


def gradient(w, b):
    """∇J = (∂J/∂w, ∂J/∂b) at (w, b), as floats."""
    wv, bv = Value(w), Value(b)
    return gradients(cost(wv, bv), [wv, bv])


def newton(w, b, steps):
    """(w, b, J, |∇J|) before each Newton step and after the last."""
    rows = []
    for _ in range(steps + 1):
        dw, db = gradient(w, b)
        rows.append((w, b, _value(w, b), math.hypot(dw, db)))
        (hww, hwb), (hbw, hbb) = hessian(cost)(w, b)
        det = hww * hbb - hwb * hbw  # J is convex in (w, b): det > 0
        # Δ = H⁻¹·∇J, the 2×2 inverse written out
        w, b = w - (hbb * dw - hwb * db) / det, b - (hww * db - hbw * dw) / det
    return rows


def gradient_descent(w, b, steps, lr):
    rows = []
    for _ in range(steps + 1):
        dw, db = gradient(w, b)
        rows.append((w, b, _value(w, b), math.hypot(dw, db)))
        w, b = w - lr * dw, b - lr * db
    return rows


def _value(w, b):
    with no_grad():  # only the number: no graph
        return cost(Value(w), Value(b)).data


def tanh_derivatives(xs):
    """[tanh, tanh′, ..., tanh⁽⁶⁾] at each x: grad applied k times."""
    functions = [lambda x: x.tanh()]
    for _ in range(6):
        functions.append(grad(functions[-1]))
    return [[f(x) if k else math.tanh(x) for x in xs] for k, f in enumerate(functions)]


def check_tanh(xs, curves):
    """Each derivative against its polynomial in tanh; returns the failures."""
    failures = []
    for k, coefficients in enumerate(TANH_DERIVATIVES, 1):
        scale = sum(abs(c) for c in coefficients)
        for x, ours in zip(xs, curves[k]):
            t = math.tanh(x)
            truth = sum(c * t ** n for n, c in enumerate(coefficients))
            if abs(ours - truth) > 1e-15 * scale:  # absolute: see autograd.functional
                failures.append(f"tanh^({k})({x:g}) = {ours!r}, closed form {truth!r}")
    return failures


def plot(xs, curves, path):
    """The seven curves in one figure, written as .png and .svg."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    names = ["tanh", "tanh′", "tanh″", "tanh‴", "tanh⁽⁴⁾", "tanh⁽⁵⁾", "tanh⁽⁶⁾"]
    for name, ys in zip(names, curves):
        ax.plot(xs, ys, label=name, linewidth=1.4)
    ax.set_xlabel("x")
    ax.set_title("tanh and its first six derivatives, by autograd.grad")
    ax.legend(loc="upper right", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    written = []
    for fmt in ("png", "svg"):
        picture = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": "plaingrad"}
        fig.savefig(picture, format=fmt, metadata=metadata)
        written.append(atomic_write(f"{path}.{fmt}", picture.getvalue()))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="runs/higher_order", help="folder for the plot")
    args = parser.parse_args(argv)

    print("Newton's method on J(w, b), from (w, b) = (0, 0):")
    print("step  w                  b                   J                   |∇J|")
    rows = newton(0.0, 0.0, steps=6)
    for i, (w, b, J, g) in enumerate(rows):
        print(f"{i:>4}  {w:<17.15g}  {b:<18.15g}  {J:<18.15g}  {g:.2e}")
    descent = gradient_descent(0.0, 0.0, steps=6, lr=1.0)
    print(f"gradient descent (α = 1), the same 6 steps: J = {descent[-1][2]:.15g}, "
          f"|∇J| = {descent[-1][3]:.2e}")

    failures = []
    if not rows[-1][3] < 1e-12:
        failures.append(f"Newton did not converge: |∇J| = {rows[-1][3]:.3g} after 6 steps")

    xs = [-4.0 + 8.0 * i / 400 for i in range(401)]
    curves = tanh_derivatives(xs)
    failures += check_tanh(xs, curves)
    png, svg = plot(xs, curves, Path(args.out) / "tanh_derivatives")
    print(f"tanh and six derivatives checked against their polynomials in tanh at "
          f"{len(xs)} points: {'ok' if not failures else 'MISMATCH'}")
    print(f"plot: {png}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
