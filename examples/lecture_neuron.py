"""The lecture's neuron with a cross-entropy cost, backpropagated one step at a time.

    Z = W·a + b,   ŷ = sigmoid(Z),   J = −(y log ŷ + (1 − y) log(1 − ŷ))

for one sample. The script prints every chain-rule step of backward() (the table of
`autograd.explain`), draws the graph with the local derivative on each edge
(neuron.svg), writes the page that steps through the same backward pass (neuron.html:
open it in a browser), and checks the engine's gradients against the closed forms
from the lecture:

    ∂J/∂Z = ŷ − y,   ∂J/∂w_i = (ŷ − y)·a_i,   ∂J/∂b = ŷ − y

Run it from the repository root:

    .venv/bin/python examples/lecture_neuron.py          # or `make lecture`; runs/lecture_neuron/
    .venv/bin/python examples/lecture_neuron.py --out other/folder

It exits with status 1 if a closed form disagrees with the engine.
"""

import argparse
import math
import sys
from pathlib import Path

from autograd import Value, dot, explain

# One sample with two features, and a neuron that is not yet right about it.
A = [0.5, -1.2]   # the input a
W = [0.8, 0.3]    # the weights W
B = -0.1          # the bias b
Y = 1.0           # the label y


def build():
    """The neuron and its cost as Values, each node labelled so the table reads as the lecture."""
    def named(value, label):
        value.label = label
        return value

    a = [Value(x, label=f"a{i}") for i, x in enumerate(A, 1)]
    w = [Value(x, label=f"w{i}") for i, x in enumerate(W, 1)]
    b = Value(B, label="b")
    y = Value(Y, label="y")
    z = named(named(dot(w, a), "W·a") + b, "Z")
    y_hat = named(z.sigmoid(), "ŷ")
    # J = −(y·log ŷ + (1 − y)·log(1 − ŷ)), one labelled node per operation
    log_y_hat = named(y_hat.log(), "log ŷ")
    one_minus_y_hat = named(named(-y_hat, "−ŷ") + 1.0, "1−ŷ")
    log_one_minus = named(one_minus_y_hat.log(), "log(1−ŷ)")
    one_minus_y = named(named(-y, "−y") + 1.0, "1−y")
    likelihood = named(named(y * log_y_hat, "y·log ŷ")
                       + named(one_minus_y * log_one_minus, "(1−y)·log(1−ŷ)"), "−J")
    j = named(-likelihood, "J")
    return {"a": a, "w": w, "b": b, "y": y, "Z": z, "ŷ": y_hat, "J": j}


def check_closed_forms(neuron, rel=1e-12):
    """Compare the engine's gradients with the lecture's formulas; return the failures."""
    y_hat, y = neuron["ŷ"].data, neuron["y"].data
    expected = [("∂J/∂Z", neuron["Z"].grad, y_hat - y), ("∂J/∂b", neuron["b"].grad, y_hat - y)]
    for i, (w, a) in enumerate(zip(neuron["w"], neuron["a"]), 1):
        expected.append((f"∂J/∂w{i}", w.grad, (y_hat - y) * a.data))
    failures = []
    for name, engine, closed in expected:
        ok = math.isclose(engine, closed, rel_tol=rel, abs_tol=1e-15)
        print(f"  {name:7} engine {engine: .12f}   closed form {closed: .12f}   "
              f"{'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(name)
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/lecture_neuron",
                        help="folder for the picture and the page (default runs/lecture_neuron)")
    args = parser.parse_args(argv)

    neuron = build()
    steps = explain(neuron["J"])  # runs backward()
    print("Z = W·a + b, ŷ = sigmoid(Z), J = −(y log ŷ + (1 − y) log(1 − ŷ))")
    print(f"a = {A}, W = {W}, b = {B}, y = {Y}:  "
          f"Z = {neuron['Z'].data:.4g}, ŷ = {neuron['ŷ'].data:.4g}, J = {neuron['J'].data:.4g}")
    print()
    print(steps)
    print()
    print("closed forms:")
    failures = check_closed_forms(neuron)

    import viz  # after the maths: the checks need no Graphviz

    picture = Path(args.out) / "neuron.svg"
    try:
        viz.render(neuron["J"], picture, show_local=True)
        page = viz.to_html(neuron["J"], picture.with_suffix(".html"))
    except viz.RenderError as error:  # no Graphviz, or `dot` failing: write the DOT text
        picture = viz.render(neuron["J"], picture.with_suffix(".dot"), format="dot")
        print(f"\n{error}")
    else:
        print(f"\nstep through it: {page}")
    print(f"graph: {picture}")

    if failures:
        print(f"FAILED: {', '.join(failures)} disagree with the closed form", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
