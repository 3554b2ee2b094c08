"""The examples run, print what they promise, and check their own mathematics."""

import importlib.util
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lecture_neuron_runs_and_its_closed_forms_hold(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "lecture_neuron.py")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.count("   ok") == 4 and "MISMATCH" not in out
    assert "sigmoid(Z)·(1 - sigmoid(Z))" in out and "1/(1−ŷ)" in out
    picture = tmp_path / "runs" / "lecture_neuron" / "neuron.svg"
    texts = [e.text for e in ET.parse(picture).iter("{http://www.w3.org/2000/svg}text")]
    assert "J" in texts and "ŷ" in texts
    assert "0.2498" in texts  # σ'(Z) written on the edge from Z into σ
    page = (tmp_path / "runs" / "lecture_neuron" / "neuron.html").read_text(encoding="utf-8")
    assert "backward step 14 of 20: Z.grad += ∂ŷ/∂Z × ∂J/∂ŷ = 0.2498 × −2.062 = −0.515" in page
    assert f"step through it: {Path('runs/lecture_neuron/neuron.html')}" in out


def test_lecture_neuron_gradients_against_independent_closed_forms():
    example = load_example("lecture_neuron")
    neuron = example.build()
    neuron["J"].backward()
    a, w, b, y = example.A, example.W, example.B, example.Y
    z = sum(wi * ai for wi, ai in zip(w, a)) + b
    y_hat = 1 / (1 + math.exp(-z))
    assert math.isclose(neuron["J"].data, -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat)),
                        rel_tol=1e-14)
    assert math.isclose(neuron["Z"].grad, y_hat - y, rel_tol=1e-12)
    assert example.check_closed_forms(neuron) == []


def test_lecture_neuron_fails_loudly_when_a_gradient_is_wrong(tmp_path, monkeypatch, capsys):
    example = load_example("lecture_neuron")
    build = example.build

    def stale_build():
        neuron = build()
        neuron["b"].grad = 0.5  # a leaf gradient not zeroed: backward() adds to it
        return neuron

    monkeypatch.setattr(example, "build", stale_build)
    assert example.main(["--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "MISMATCH" in captured.out and "∂J/∂b" in captured.err


def test_lecture_neuron_writes_dot_text_when_graphviz_fails(tmp_path, monkeypatch, capsys):
    from viz import graph as viz_graph

    example = load_example("lecture_neuron")
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: "/bin/false")  # `dot` exits 1
    assert example.main(["--out", str(tmp_path)]) == 0  # the maths still checks out
    out = capsys.readouterr().out
    assert "dot` failed (exit 1)" in out and f"graph: {tmp_path / 'neuron.dot'}" in out
    assert (tmp_path / "neuron.dot").read_text(encoding="utf-8").startswith("digraph {")
    assert not (tmp_path / "neuron.svg").exists() and not (tmp_path / "neuron.html").exists()


def test_higher_order_runs_and_draws_tanh_with_six_derivatives(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "higher_order.py")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "at 401 points: ok" in done.stdout and "MISMATCH" not in done.stdout
    picture = tmp_path / "runs" / "higher_order" / "tanh_derivatives.svg"
    assert (tmp_path / "runs" / "higher_order" / "tanh_derivatives.png").stat().st_size > 0
    svg = picture.read_text(encoding="utf-8")
    assert all(f"tanh{mark}" in svg for mark in ("′", "″", "‴", "⁽⁴⁾", "⁽⁵⁾", "⁽⁶⁾"))


def test_higher_order_newton_reaches_the_minimum_of_the_cost():
    example = load_example("higher_order")
    rows = example.newton(0.0, 0.0, steps=6)
    w, b = rows[-1][0], rows[-1][1]
    # At the minimum of J: Σ (ŷ − y)·a = 0 and Σ (ŷ − y) = 0, from the closed form
    # ∂J/∂Z = (ŷ − y)/N, written here on floats.
    residuals = [1 / (1 + math.exp(-(w * a + b))) - y for a, y in zip(example.A, example.Y)]
    assert abs(sum(r * a for r, a in zip(residuals, example.A))) < 1e-13
    assert abs(sum(residuals)) < 1e-13
    # Newton's convergence is quadratic: the gradient's size roughly squares each step
    sizes = [row[3] for row in rows]
    assert all(sizes[k + 1] < 10 * sizes[k] ** 2 for k in (1, 2, 3))
    assert example.gradient_descent(0.0, 0.0, 6, lr=1.0)[-1][3] > 1e-3  # far slower


def test_higher_order_fails_loudly_when_a_derivative_is_wrong(monkeypatch, capsys):
    example = load_example("higher_order")
    wrong = [list(c) for c in example.TANH_DERIVATIVES]
    wrong[2][0] = -3  # tanh‴(0) is -2
    monkeypatch.setattr(example, "TANH_DERIVATIVES", wrong)
    assert example.check_tanh([0.0, 1.0], example.tanh_derivatives([0.0, 1.0]))[0].startswith(
        "tanh^(3)(0) = -2.0")
