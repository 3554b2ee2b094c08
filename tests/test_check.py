"""gradcheck against closed-form derivatives, its report, its failures and its refusals."""

import doctest
import math

import pytest

import autograd.check
from autograd import Value, dot, total
from autograd.check import GradcheckError, GradcheckReport, gradcheck


def test_rows_hold_closed_form_gradients():
    # f = x²·y: ∂f/∂x = 2xy, ∂f/∂y = x²
    report = gradcheck(lambda v: v[0] ** 2 * v[1], [1.5, -2.0])
    assert isinstance(report, GradcheckReport) and report.passed and bool(report)
    x, y = report.rows
    assert (x.name, x.index, x.value, y.name, y.value) == ("x[0]", 0, 1.5, "x[1]", -2.0)
    assert x.analytic == 2 * 1.5 * -2.0 and y.analytic == 1.5 ** 2
    assert x.numeric == pytest.approx(-6.0, rel=1e-8)
    assert y.numeric == pytest.approx(2.25, rel=1e-8)
    assert x.abs_err == abs(x.analytic - x.numeric)
    assert x.rel_err == pytest.approx(x.abs_err / 6.0)
    assert report.output == 1.5 ** 2 * -2.0


def test_numeric_is_the_central_difference():
    h = 1e-3
    report = gradcheck(lambda v: v[0].exp(), [0.7], eps=h, atol=1e-6, rtol=0)
    expected = (math.exp(0.7 + h) - math.exp(0.7 - h)) / (2 * h)
    assert report.rows[0].numeric == pytest.approx(expected, rel=1e-12)
    # O(h²): the error is about h²·f'''/6, far below the one-sided O(h) error h·f''/2
    assert abs(report.rows[0].numeric - math.exp(0.7)) < h ** 2 * math.exp(0.8) / 6 * 1.01


def test_inputs_may_be_values_or_a_mapping_and_are_not_touched():
    x = Value(2.0, label="x")
    report = gradcheck(lambda v: v[0] * v[1] + v[1], [x, Value(3.0)])
    assert [row.name for row in report.rows] == ["x", "x[1]"]
    assert [row.analytic for row in report.rows] == [3.0, 3.0]
    assert x.grad == 0.0  # gradcheck builds its own leaves

    report = gradcheck(lambda v: v[0] / v[1], {"a": 1.0, "b": 4.0})
    assert [(row.name, row.analytic) for row in report.rows] == [("a", 0.25), ("b", -1 / 16)]
    assert [row.name for row in gradcheck(total, [1, 2], names=["p", "q"]).rows] == ["p", "q"]
    assert [row.name for row in gradcheck(total, {1: 1.0, 2: 2.0}).rows] == ["1", "2"]
    with pytest.raises(TypeError, match="either as the keys"):
        gradcheck(total, {"a": 1.0}, names=["b"])


def test_n_ary_ops_and_reused_inputs():
    report = gradcheck(lambda v: dot(v[:2], v[2:]) * v[0], [1.0, 2.0, 3.0, 4.0])
    # f = (w1·a1 + w2·a2)·w1: ∂f/∂w1 = a1·w1 + (w1·a1 + w2·a2)
    assert [row.analytic for row in report.rows] == [3.0 + 11.0, 4.0, 1.0, 2.0]


def test_table_shows_names_values_tolerances_and_verdicts():
    text = str(gradcheck(lambda v: (v[0] * v[1]).tanh(), {"x": 0.5, "y": -1.0},
                         eps=1e-5, atol=1e-7, rtol=1e-4))
    lines = text.splitlines()
    assert lines[0].startswith("gradcheck passed for 2 inputs, f = -0.46211715726")
    assert "h = 1e-05" in lines[1] and "<= 1e-07 + 0.0001·|numeric|" in lines[1]
    assert lines[2].split() == ["input", "value", "analytic", "numeric", "abs", "err",
                                "rel", "err", "ok"]
    assert lines[3].split()[:2] == ["x", "0.5"] and lines[3].endswith("yes")
    assert lines[4].split()[:2] == ["y", "-1"]
    # aligned: each cell of a row starts where its column's heading starts
    starts = [lines[2].index(h) for h in ("value", "analytic", "numeric", "abs err", "ok")]
    for row in lines[3:5]:
        assert all(row[i - 1] == " " and row[i] != " " for i in starts), row


def test_a_graph_broken_by_data_fails_with_the_table():
    def f(v):  # the classic mistake: leaving the graph through .data
        return Value(math.sin(v[0].data)) + v[1] * v[0]

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, {"x": 0.5, "y": 2.0})
    report = caught.value.report
    assert isinstance(caught.value, AssertionError)
    assert not report.passed and report.failures == 1
    bad, good = report.rows
    assert bad.analytic == 2.0 and bad.numeric == pytest.approx(2.0 + math.cos(0.5))
    assert not bad.passed and good.passed
    text = str(caught.value)
    assert text == str(report)
    assert "FAILED for 1 of 2 inputs" in text and text.splitlines()[3].endswith("NO")


def _node(data, op, x, local):
    """A node of x, made micrograd's way, whose chain rule uses a (wrong) local derivative."""
    out = Value(data, (x,), op)

    def _backward():
        x.grad += local * out.grad
    out._backward = _backward
    return out


def test_a_wrong_local_derivative_is_caught():
    def wrong_square(v):  # a node claiming d(x²)/dx = x instead of 2x
        x = v[0]
        return _node(x.data ** 2, "bad", x, x.data)

    report = gradcheck(wrong_square, [3.0], raise_on_failure=False)
    assert not report.passed
    assert report.rows[0].analytic == 3.0
    assert report.rows[0].numeric == pytest.approx(6.0, rel=1e-8)
    assert report.rows[0].rel_err == pytest.approx(0.5, rel=1e-6)


def test_kink_fails_and_tolerances_decide():
    with pytest.raises(GradcheckError, match="relu at 0"):
        gradcheck(lambda v: v[0].relu(), [0.0])  # analytic 0, numeric 0.5
    # atol + rtol·|numeric| is the pass line: a 0.5 gap passes with atol = 0.5
    assert gradcheck(lambda v: v[0].relu(), [0.0], atol=0.5, rtol=0).passed


def test_zero_gradient_and_constant_output():
    report = gradcheck(lambda v: Value(4.0) + v[0] * 0, [1.0])
    assert report.rows[0].analytic == 0.0 and report.rows[0].numeric == 0.0
    assert report.rows[0].rel_err == 0.0 and report.passed
    assert gradcheck(lambda v: v[0], [2.0]).rows[0].analytic == 1.0  # f returns its input


@pytest.mark.parametrize("inputs, error, match", [
    ([], ValueError, "no inputs"),
    ({}, ValueError, "no inputs"),
    ([math.nan], ValueError, "finite"),
    ([1.0, math.inf], ValueError, "input 1 is inf"),
    ([True], TypeError, "input 0 must be a number"),
    (["1.0"], TypeError, "input 0 must be a number"),
    (1.0, TypeError, r"wrap a single input as \[x\]"),
    (Value(1.0), TypeError, r"wrap a single input as \[x\]"),
])
def test_bad_inputs_are_refused(inputs, error, match):
    with pytest.raises(error, match=match):
        gradcheck(lambda v: v[0], inputs)


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": 0}, "eps must be > 0"),
    ({"eps": -1e-6}, "eps must be > 0"),
    ({"eps": math.nan}, "eps must be a finite number"),
    ({"atol": -1}, "atol must be >= 0"),
    ({"rtol": math.inf}, "rtol must be a finite number"),
    ({"names": ["a", "b"]}, "2 names for 1 inputs"),
])
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(lambda v: v[0], [1.0], **kwargs)


def test_f_must_return_one_finite_value():
    with pytest.raises(TypeError, match="f must return one Value, got float"):
        gradcheck(lambda v: v[0].data * 2, [1.0])
    with pytest.raises(TypeError, match="got list"):
        gradcheck(lambda v: [v[0]], [1.0])
    with pytest.raises(ValueError, match="f is inf at the inputs"):
        gradcheck(lambda v: v[0].exp(), [800.0])
    with pytest.raises(ValueError, match=r"f is inf at x\[0\] \+ h"):
        gradcheck(lambda v: v[0].exp(), [709.78271289338397])


def test_errors_of_f_say_where():
    with pytest.raises(ValueError, match="the logarithm of -1.0"):  # at the point: as is
        gradcheck(lambda v: v[0].log(), [-1.0])
    with pytest.raises(ValueError, match=r"f fails at x\[0\] - h \(h = 1e-06\): log"):
        gradcheck(lambda v: v[0].log(), [5e-7])


# ----- a step h that floats cannot take, or that f cannot resolve -----
# eps is an absolute step (the same h for every input, as in torch.autograd.gradcheck).
# A step that makes the numeric gradient meaningless is refused with a ValueError that
# says which way to change eps; it is never reported as a failed derivative.

@pytest.mark.parametrize("f, x, eps, match", [
    # x + h rounds back to x: the numeric gradient would be 0 (a false FAILED)
    (lambda v: v[0], 1.0, 1e-320, r"h = 1e-320 is too small for x\[0\] = 1: x \+ h rounds back"),
    (lambda v: v[0] * v[0], 1e12, 1e-6, r"too small for x\[0\] = 1e\+12: .*e\.g\. 1e\+06"),
    (lambda v: v[0], -1e20, 1.0, r"too small for x\[0\] = -1e\+20: x \+ h rounds back"),
    (lambda v: v[0], -1.0, 1e-16, r"too small for x\[0\] = -1: x - h rounds back"),  # one side
])
def test_a_step_lost_against_x_is_refused(f, x, eps, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(f, [x], eps=eps)


@pytest.mark.parametrize("x, eps", [(1.0, 1e308), (1e308, 1e308), (-1e308, 1.7e308)])
def test_a_step_beyond_the_float_range_is_refused(x, eps):
    # 2h (or x ± h) overflows: the numeric gradient would be nan
    with pytest.raises(ValueError, match=r"too large for x\[0\] = .*range of floats"):
        gradcheck(lambda v: v[0], [x], eps=eps)


def test_f_infinite_only_because_of_the_step_blames_the_step():
    with pytest.raises(ValueError, match=r"f is inf at x\[0\] \+ h \(h = 1e\+200\), though "
                                         r"finite at the inputs: the step is too large"):
        gradcheck(lambda v: v[0] * v[0], [1.0], eps=1e200)
    with pytest.raises(ValueError, match=r"f fails at x\[0\] - h .*or use a smaller eps"):
        gradcheck(lambda v: v[0].log(), [5e-7])


def test_a_difference_that_overflows_is_refused():
    # f(x±h) = ±1e308 are finite, their difference is not
    with pytest.raises(ValueError, match=r"f\(x\+h\) - f\(x-h\) overflows for x\[0\]"):
        gradcheck(lambda v: v[0] * 1e300, [0.0], eps=1e8)


@pytest.mark.parametrize("f, x, eps, numeric", [
    (lambda v: v[0].exp(), 0.0, 1e-320, "0"),      # exp(±1e-320) are both exactly 1
    (lambda v: v[0] + 1e8, 1.0, 1e-6, "0.998"),    # 2e-6 is only ~130 steps of 1e8's spacing
])
def test_a_change_below_the_rounding_of_f_is_refused(f, x, eps, numeric):
    with pytest.raises(ValueError, match=r"too small for f at x\[0\] = .*rounding.*"
                                         r"use a larger eps") as caught:
        gradcheck(f, [x], eps=eps)
    assert f"numeric gradient {numeric}" in str(caught.value)


def test_a_larger_step_then_resolves_f():
    report = gradcheck(lambda v: v[0] + 1e8, [1.0], eps=1e-2, rtol=1e-6)
    assert report.rows[0].numeric == pytest.approx(1.0, rel=1e-6)


def test_a_step_too_large_for_the_curvature_is_refused():
    # log at x = 1e-5: the central difference is off by h²·|f'''|/6 = h²/(3x³) ≈ 333
    # of f' = 1e5, a 3e-3 relative error, while the derivative itself is right.
    with pytest.raises(ValueError, match=r"h = 1e-06 is too large for f at x\[0\] = 1e-05: "
                                         r"the numeric gradient 100335 moves to 100083 with h/2, "
                                         r"towards the analytic 100000.*"
                                         r"e\.g\. 1e-08"):
        gradcheck(lambda v: v[0].log(), [1e-5])
    report = gradcheck(lambda v: v[0].log(), [1e-5], eps=1e-8)
    assert report.rows[0].numeric == pytest.approx(1e5, rel=1e-6)


def test_a_real_failure_stays_a_failure_at_any_step():
    # a wrong derivative does not come closer to the numeric one when h shrinks
    def wrong_exp(v):  # claims d(e^x)/dx = 2e^x
        x = v[0]
        return _node(math.exp(x.data), "bad", x, 2 * math.exp(x.data))

    for eps in (1e-2, 1e-6, 1e-9):
        report = gradcheck(wrong_exp, [1.0], eps=eps, raise_on_failure=False)
        assert not report.passed and report.rows[0].numeric == pytest.approx(math.e, rel=1e-4)


def test_an_infinite_or_nan_analytic_gradient_is_a_failure_not_a_step_problem():
    for bad in (math.inf, math.nan):
        def f(v, bad=bad):
            return _node(v[0].data, "bad", v[0], bad)

        report = gradcheck(f, [1.0], raise_on_failure=False)
        assert not report.passed and report.rows[0].numeric == pytest.approx(1.0)


def test_the_quotient_divides_by_the_step_actually_taken():
    # 1e6 ± 1e-6 are floats 2.0000152e-6 apart; dividing by 2h gave 1.0000076
    for x in (1e6, 3e6, 123456.7):
        assert gradcheck(lambda v: v[0], [x]).rows[0].numeric == 1.0


def test_module_doctests():
    assert doctest.testmod(autograd.check).failed == 0


# ----- plaingrad check -----

def run_cli(capsys, *argv):
    from plaingrad.cli import main
    status = main(["check", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_prints_the_table_and_exits_0(capsys):
    status, out, err = run_cli(capsys, "log(1 + exp(x*y))", "x=1.5", "y=-2")
    assert status == 0 and err == ""
    lines = out.splitlines()
    head, f_value = lines[0].split(" = ")
    assert head == "gradcheck passed for 2 inputs, f"
    assert float(f_value) == pytest.approx(math.log1p(math.exp(-3.0)), rel=1e-14)
    x_row, y_row = lines[3].split(), lines[4].split()
    # ∂/∂x log(1 + e^(xy)) = y·σ(xy), ∂/∂y = x·σ(xy)
    sigma = 1 / (1 + math.exp(3.0))
    assert x_row[:2] == ["x", "1.5"] and float(x_row[2]) == pytest.approx(-2 * sigma, rel=1e-14)
    assert y_row[:2] == ["y", "-2"] and float(y_row[2]) == pytest.approx(1.5 * sigma, rel=1e-14)
    assert x_row[-1] == y_row[-1] == "yes"


def test_cli_failure_exits_1_with_the_table(capsys):
    status, out, _ = run_cli(capsys, "relu(x) * y", "x=0", "y=3")
    assert status == 1
    assert "FAILED for 1 of 2 inputs" in out and out.splitlines()[3].split()[-1] == "NO"


def test_cli_tolerances_and_leading_minus(capsys):
    status, out, _ = run_cli(capsys, "--eps", "1e-4", "--atol", "0", "--rtol", "1e-6",
                             "--", "-x*x", "x=2")
    assert status == 0
    assert "h = 0.0001" in out and "<= 0 + 1e-06·|numeric|" in out
    assert out.splitlines()[3].split()[2] == "-4"


@pytest.mark.parametrize("argv, message", [
    (["__import__('os')"], "not allowed"),
    (["x*y", "x=1"], "no value given for y"),
    (["x", "x=1", "z=2"], "z given but not used"),
    (["x", "x=nan"], "finite"),
    (["2 + 3"], "has no variables"),
    (["log(x)", "x=-1"], "the logarithm of -1.0"),
    (["log(x)", "x=1e-7"], "f fails at x - h"),
    (["x", "x=1", "--eps", "0"], "eps must be > 0"),
    (["x", "x=1", "--eps", "1e400"], "eps must be a finite number"),
    (["x", "x=1", "--eps", "1e-320"], "h = 1e-320 is too small for x = 1"),
    (["x", "x=1", "--eps", "1e308"], "h = 1e+308 is too large for x = 1"),
    (["exp(x)", "x=0", "--eps", "1e-320"], "too small for f at x = 0"),
    (["x*x", "x=1e12"], "use a larger eps, e.g. 1e+06"),
    (["log(x)", "x=1e-5"], "use a smaller eps, e.g. 1e-08"),
    (["x*x", "x=1", "--eps", "1e200"], "the step is too large"),
    # x ± h straddles a pole or a kink: the step's fault, seen with a smaller one
    (["1/x", "x=1e-7"], "moves to -1.0101e+14 with h/100, towards the analytic -1e+14"),
    (["relu(x)", "x=1e-7"], "moves to 1 with h/10, towards the analytic 1"),
    # a slope beyond the floats: no step can show it
    (["x**y", "x=2", "y=1023.9"], "the gradient for x = 2 is beyond the range of floats"),
    (["x/y", "x=1", "y=1e-300"], "the gradient for y = 1e-300 is beyond the range of floats: "
                                 "the analytic one is -inf"),
])
def test_cli_bad_input_exits_2_with_a_message(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("plaingrad check: error: ") and message in err


# ----- gradgradcheck -----

def test_gradgradcheck_rows_hold_the_closed_form_hessian():
    from autograd.check import GradgradcheckReport, gradgradcheck

    # f = sin(x·y) + x³: ∂²/∂x² = -y² sin(xy) + 6x, ∂²/∂x∂y = cos(xy) - xy sin(xy),
    # ∂²/∂y² = -x² sin(xy)
    a, b = 0.5, 2.0
    report = gradgradcheck(lambda v: (v[0] * v[1]).sin() + v[0] ** 3, {"x": a, "y": b})
    assert isinstance(report, GradgradcheckReport) and report.passed
    s, c = math.sin(a * b), math.cos(a * b)
    mixed = c - a * b * s
    expected = [("∂²f/∂x²", -b * b * s + 6 * a), ("∂²f/∂x∂y", mixed), ("∂²f/∂y∂x", mixed),
                ("∂²f/∂y²", -a * a * s)]
    for row, (name, truth) in zip(report.rows, expected):
        assert row.name == name and row.analytic == pytest.approx(truth, rel=1e-14)
        assert row.numeric == pytest.approx(truth, rel=1e-7)
    # the numeric ∂²f/∂x∂y is the central difference of ∂f/∂x = y·cos(xy) + 3x² in y
    h = 1e-6
    first = [b1 * math.cos(a * b1) + 3 * a * a for b1 in (b + h, b - h)]
    assert report.rows[1].numeric == pytest.approx((first[0] - first[1]) / (2 * h), rel=1e-6)
    text = str(report)
    assert text.startswith("gradgradcheck passed for 4 second derivatives at x = 0.5, y = 2")
    assert "second derivative  analytic" in text


def test_gradgradcheck_catches_a_first_derivative_that_left_the_graph():
    from autograd.check import gradgradcheck

    # v·v.detach(): the float first derivative is right (x), but as a Value it is the
    # detached leaf, a constant, so the analytic second derivative is 0 instead of 1
    with pytest.raises(GradcheckError) as failure:
        gradgradcheck(lambda v: v[0] * v[0].detach(), [1.5])
    report = failure.value.report
    assert not report.passed and report.rows[0].analytic == 0.0
    assert report.rows[0].numeric == pytest.approx(1.0, rel=1e-8)
    assert "FAILED for 1 of 1 second derivative" in str(failure.value)
    assert "hint: an analytic 0" in str(failure.value)
    report = gradgradcheck(lambda v: v[0] * v[0].detach(), [1.5], raise_on_failure=False)
    assert report.failures == 1 and not report


def test_gradgradcheck_catches_a_wrong_derivative_rule_on_values(monkeypatch):
    from autograd import ops
    from autograd.check import gradgradcheck

    sin = ops.by_name("sin")
    monkeypatch.setitem(ops._BY_NAME, "sin", sin._replace(
        on_values=(lambda x, out: x.cos() * 1.01,)))  # 1% off: only higher orders see it
    assert gradcheck(lambda v: v[0].sin(), [0.3]).passed  # first order: the float rule
    with pytest.raises(GradcheckError, match="NO"):
        gradgradcheck(lambda v: v[0].sin(), [0.3])


def test_gradgradcheck_refuses_bad_input_naming_itself():
    from autograd import no_grad
    from autograd.check import gradgradcheck

    with pytest.raises(ValueError, match="gradgradcheck: no inputs"):
        gradgradcheck(total, [])
    with pytest.raises(ValueError, match="gradgradcheck: eps must be > 0"):
        gradgradcheck(total, [1.0], eps=0)
    with pytest.raises(TypeError, match="gradgradcheck: f must return one Value"):
        gradgradcheck(lambda v: 1.0, [1.0])
    with pytest.raises(ValueError, match="gradgradcheck: the step h = 1e-06 is too small"):
        gradgradcheck(lambda v: v[0] ** 3, [1e20])
    with no_grad(), pytest.raises(RuntimeError, match="gradgradcheck inside no_grad"):
        gradgradcheck(lambda v: v[0] ** 3, [1.0])
    with no_grad(), pytest.raises(RuntimeError, match="gradcheck inside no_grad"):
        gradcheck(lambda v: v[0] ** 3, [1.0])
