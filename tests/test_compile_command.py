"""`plaingrad compile`: the program of an expression, then the value and gradients it gives."""

import re

from autograd import Value
from plaingrad.cli import main


def test_prints_forward_lines_then_backward_lines_then_the_gradients(capsys):
    assert main(["compile", "sigmoid(w*x + b)", "x=2", "w=-0.5", "b=0.1"]) == 0
    out = capsys.readouterr().out
    program, results = out.split("sigmoid(w*x + b) =")[0], out
    lines = [line.strip() for line in out.splitlines()]
    assert "def program(v0, v1, v2, upstream):" in lines
    assert "# arguments: v0: w, v1: x, v2: b" in lines
    forward = lines.index("v5 = op_sigmoid(v4)")
    assert lines.index("v3 = v0 * v1") < lines.index("v4 = v3 + v2") < forward
    assert forward < lines.index("g5 = upstream") < lines.index("if v1: g0 += v1 * g3  "
                                                                "# ∂v3/∂v0 = v1")
    assert "def forward" not in program
    # the value and gradients against the eager engine (and so against explain)
    w, x, b = Value(-0.5), Value(2.0), Value(0.1)
    y = (w * x + b).sigmoid()
    y.backward()
    assert f"sigmoid(w*x + b) = {y.data:.6g}" in results
    for name, leaf in (("w", w), ("x", x), ("b", b)):
        assert re.search(rf"∂/∂{name} = {leaf.grad:.6g}\n", results)


def test_a_number_divided_by_a_variable_and_errors(capsys):
    assert main(["compile", "2 / x + x ** 3", "x=2"]) == 0
    out = capsys.readouterr().out
    assert "∂/∂x = 11.5" in out  # -2/x² + 3x² at 2
    assert main(["compile", "log(x)", "x=-1"]) == 2
    assert "logarithm of -1.0" in capsys.readouterr().err
    assert main(["compile", "__import__('os')", "x=1"]) == 2  # the safe parser refuses it
    assert main(["compile", "exp(x) * 0", "x=1000"]) == 1  # inf·0: warned, as explain does
    assert "not a finite number" in capsys.readouterr().err
