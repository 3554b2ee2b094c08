"""Gradient checking: compare `backward()` with a finite difference, input by input
(and, with `gradgradcheck`, second derivatives with differences of the first).

>>> from autograd.check import gradcheck
>>> report = gradcheck(lambda v: (v[0] * v[1]).tanh(), [0.5, -1.0])
>>> report.passed
True
>>> print(report)
gradcheck passed for 2 inputs, f = -0.46211715726001
numeric = (f(x+h) - f(x-h)) / 2h, h = 1e-06; ok if |analytic - numeric| <= 1e-05 + 0.001·|numeric|
input  value  analytic            numeric             abs err   rel err   ok
x[0]   0.5    -0.786447732965928  -0.786447733019159  5.32e-11  6.77e-11  yes
x[1]   -1     0.393223866482964   0.393223866506616   2.37e-11  6.01e-11  yes

Why central differences: (f(x+h) - f(x-h)) / 2h differs from f'(x) by about
h²·f'''(x)/6, while the one-sided (f(x+h) - f(x)) / h is off by about h·f''(x)/2.
With h = 1e-6 that is ~1e-13 instead of ~1e-7, so the remaining error is mostly
rounding: about 1e-16·|f| / h ≈ 1e-10·|f|. The default tolerances (PyTorch's for
float64: atol = 1e-5, rtol = 1e-3) leave a wide margin above that noise and
still catch any real mistake in a derivative, which is off by O(1).

The step h (eps) is absolute: the same h for every input, as in PyTorch's
gradcheck, and the number the table shows. It must be large against the
spacing of floats near x and against the rounding of f, and small against how
sharply f curves: 1e-6 suits inputs and outputs of size about 1; for |x|
around 1e6 or more use a larger eps, about 1e-6·|x|. (x ± h are rounded to
floats, so the quotient divides by the distance between them, not by 2h.)
A step floats cannot take (x ± h == x, or out of range) raises ValueError.
So does a failure that the step explains: a gap within the rounding of
f(x±h) (make eps larger), or one that shrinks when h is halved, as the
O(h²) error of the step does (make eps smaller). Other failures raise
GradcheckError.
"""

import math
import numbers
from collections.abc import Mapping

from autograd.engine import Value, is_finite_number
from autograd.functional import _refuse_inside_no_grad, gradients
from autograd.tables import format_table

__all__ = ["GradcheckError", "GradcheckReport", "GradcheckRow", "GradgradcheckReport",
           "gradcheck", "gradgradcheck"]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when an analytic gradient disagrees with the numeric one.

    A subclass of AssertionError: a failed check is a failed assertion about the
    code under test (pytest reports it as a test failure), whereas bad arguments
    to `gradcheck` itself raise ValueError or TypeError. `.report` holds the
    full `GradcheckReport`; str(error) is its table.
    """

    def __init__(self, report):
        super().__init__(str(report))
        self.report = report


class GradcheckRow:
    """One input's line of a report: the two gradients and how far apart they are."""

    __slots__ = ("name", "index", "value", "analytic", "numeric", "abs_err", "rel_err", "passed")

    def __init__(self, name, index, value, analytic, numeric, atol, rtol):
        self.name, self.index, self.value = name, index, value
        self.analytic, self.numeric = analytic, numeric
        self.abs_err = abs(analytic - numeric)
        if self.abs_err == 0:
            self.rel_err = 0.0
        else:
            self.rel_err = self.abs_err / abs(numeric) if numeric != 0 else math.inf
        # Same rule as numpy.isclose / torch.autograd.gradcheck; NaN never passes.
        self.passed = self.abs_err <= atol + rtol * abs(numeric)

    def __repr__(self):
        return (f"GradcheckRow({self.name}: analytic={self.analytic!r}, "
                f"numeric={self.numeric!r}, passed={self.passed})")


class GradcheckReport:
    """The result of `gradcheck`: one `GradcheckRow` per input; str() is a table."""

    def __init__(self, rows, output, eps, atol, rtol):
        self.rows = rows
        self.output = output  # f at the inputs
        self.eps, self.atol, self.rtol = eps, atol, rtol

    @property
    def passed(self):
        """True when every input passed."""
        return all(row.passed for row in self.rows)

    @property
    def failures(self):
        """How many inputs failed."""
        return sum(not row.passed for row in self.rows)

    def __bool__(self):
        return self.passed

    def __str__(self):
        header = ("input", "value", "analytic", "numeric", "abs err", "rel err", "ok")
        lines = [header] + [
            (row.name, f"{row.value:.15g}", f"{row.analytic:.15g}", f"{row.numeric:.15g}",
             f"{row.abs_err:.2e}", f"{row.rel_err:.2e}", "yes" if row.passed else "NO")
            for row in self.rows
        ]
        table = format_table(lines)
        n = len(self.rows)
        count = f"{n} input{'s' if n != 1 else ''}"
        verdict = "passed for " + count if self.passed else f"FAILED for {self.failures} of {count}"
        lines = [
            f"gradcheck {verdict}, f = {self.output:.15g}",
            f"numeric = (f(x+h) - f(x-h)) / 2h, h = {_short(self.eps)}; "
            f"ok if |analytic - numeric| <= {self.atol:g} + {self.rtol:g}·|numeric|",
            table,
        ]
        if any(row.analytic == 0 and not row.passed for row in self.rows):
            lines += ["hint: an analytic 0 against a numeric non-0 usually means f left the graph",
                      "      (used .data or made a new Value) on the way to that input,",
                      "      or the point sits on a kink, such as relu at 0"]
        return "\n".join(lines)

    def __repr__(self):
        return f"<GradcheckReport {'passed' if self.passed else 'FAILED'}, {len(self.rows)} inputs>"


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, names=None, raise_on_failure=True):
    """Check f's gradient from `backward()` against central differences.

    f: a function from a list of Values to one Value (build the graph inside f).
    inputs: the point, as numbers or Values (only their `.data` is used), or a
        mapping name → number (f then gets the Values in the mapping's order).
    eps: the step h of (f(x+h) - f(x-h)) / 2h, absolute (the same for every
        input); a step too small or too large for an input raises ValueError.
    atol, rtol: input i passes if |analytic - numeric| <= atol + rtol·|numeric|.
    names: one name per input for the table (default: the Values' labels or x[i]).

    Returns a `GradcheckReport`; raises `GradcheckError` (carrying the report)
    if any input fails, unless raise_on_failure=False.

    >>> gradcheck(lambda v: v[0] * v[0] + 3 * v[0], {"x": 2.0}).rows[0].analytic   # 2x + 3
    7.0
    """
    _refuse_inside_no_grad("gradcheck")  # f would build no graph there
    names, point = _parse_inputs(inputs, names)
    eps = _tolerance(eps, "eps", positive=True)
    atol = _tolerance(atol, "atol")
    rtol = _tolerance(rtol, "rtol")

    # Analytic: one fresh graph, one backward pass.
    leaves = [Value(x, label=name) for x, name in zip(point, names)]
    out = _call(f, leaves, "at the inputs", stepped=False)
    out.backward()
    analytic = [leaf.grad for leaf in leaves]

    rows = []
    for i, (name, x) in enumerate(zip(names, point)):
        numeric, noise = _central_difference(f, point, i, name, eps)
        row = GradcheckRow(name, i, x, analytic[i], numeric, atol, rtol)
        if not row.passed:
            _refuse_a_bad_step(f, point, row, noise, eps, atol + rtol * abs(numeric))
        rows.append(row)

    report = GradcheckReport(rows, out.data, eps, atol, rtol)
    if raise_on_failure and not report.passed:
        raise GradcheckError(report)
    return report


class GradgradcheckReport(GradcheckReport):
    """The result of `gradgradcheck`: one `GradcheckRow` per second derivative ∂²f/∂xi∂xj.

    A row's `index` and `value` are those of the input xj that is stepped.
    """

    def __init__(self, rows, output, eps, atol, rtol, point):
        super().__init__(rows, output, eps, atol, rtol)
        self.point = point  # [(name, value)] of the inputs

    def __str__(self):
        header = ("second derivative", "analytic", "numeric", "abs err", "rel err", "ok")
        table = format_table([header] + [
            (row.name, f"{row.analytic:.15g}", f"{row.numeric:.15g}", f"{row.abs_err:.2e}",
             f"{row.rel_err:.2e}", "yes" if row.passed else "NO")
            for row in self.rows])
        n = len(self.rows)
        count = f"{n} second derivative{'s' if n != 1 else ''}"
        verdict = "passed for " + count if self.passed else f"FAILED for {self.failures} of {count}"
        at = ", ".join(f"{name} = {value:.15g}" for name, value in self.point)
        lines = [
            f"gradgradcheck {verdict} at {at}, f = {self.output:.15g}",
            f"numeric = (∂f/∂xi(xj + h) - ∂f/∂xi(xj - h)) / 2h, h = {_short(self.eps)}",
            f"ok if |analytic - numeric| <= {self.atol:g} + {self.rtol:g}·|numeric|",
            table,
        ]
        if any(row.analytic == 0 and not row.passed for row in self.rows):
            lines += ["hint: an analytic 0 against a numeric non-0 usually means a first "
                      "derivative left the graph",
                      "      (a rule or f used .data, or detach) on the way to that input, "
                      "or a kink lies within h"]
        return "\n".join(lines)

    def __repr__(self):
        return (f"<GradgradcheckReport {'passed' if self.passed else 'FAILED'}, "
                f"{len(self.rows)} second derivatives>")


def gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, names=None, raise_on_failure=True):
    """Check f's second derivatives against central differences of its first ones.

    The analytic ∂²f/∂xi∂xj come from `autograd.gradients` on the graph of the first
    derivatives (create_graph=True); the numeric ones are
    (∂f/∂xi(x + h·ej) - ∂f/∂xi(x - h·ej)) / 2h, with ∂f/∂xi as floats (the numbers
    `backward()` gives). Every pair (i, j) is a row: the whole Hessian, both halves.
    The arguments, the tolerances and the refusal of a bad step are `gradcheck`'s.

    >>> report = gradgradcheck(lambda v: v[0] * v[0] * v[1], {"x": 1.5, "y": -2.0})
    >>> [row.analytic for row in report.rows]          # [[2y, 2x], [2x, 0]]
    [-4.0, 3.0, 3.0, 0.0]
    >>> print(report)                                  # doctest: +NORMALIZE_WHITESPACE
    gradgradcheck passed for 4 second derivatives at x = 1.5, y = -2, f = -4.5
    numeric = (∂f/∂xi(xj + h) - ∂f/∂xi(xj - h)) / 2h, h = 1e-06
    ok if |analytic - numeric| <= 1e-05 + 0.001·|numeric|
    second derivative  analytic  numeric           abs err   rel err   ok
    ∂²f/∂x²            -4        -4                0.00e+00  0.00e+00  yes
    ∂²f/∂x∂y           3         2.99999999988898  1.11e-10  3.70e-11  yes
    ∂²f/∂y∂x           3         3                 0.00e+00  0.00e+00  yes
    ∂²f/∂y²            0         0                 0.00e+00  0.00e+00  yes
    """
    caller = "gradgradcheck"
    _refuse_inside_no_grad(caller)
    names, point = _parse_inputs(inputs, names, caller)
    eps = _tolerance(eps, "eps", positive=True, caller=caller)
    atol = _tolerance(atol, "atol", caller=caller)
    rtol = _tolerance(rtol, "rtol", caller=caller)

    leaves = [Value(x, label=name) for x, name in zip(point, names)]
    out = _call(f, leaves, "at the inputs", stepped=False, caller=caller)
    analytic = [gradients(g, leaves) for g in gradients(out, leaves, create_graph=True)]

    first = {}  # the first derivatives at a point, computed once per point

    def derivative(i):
        def df(values):  # ∂f/∂xi at the values' point, as a leaf for _central_difference
            key = tuple(v.data for v in values)
            if key not in first:
                first[key] = gradients(_call(f, values, "", stepped=False, caller=caller),
                                       values)
            return Value(first[key][i])
        return df

    rows = []
    for i in range(len(point)):
        df = derivative(i)
        for j, (name, x) in enumerate(zip(names, point)):
            numeric, noise = _central_difference(df, point, j, name, eps, caller)
            pair = f"∂²f/∂{names[i]}²" if i == j else f"∂²f/∂{names[i]}∂{name}"
            row = GradcheckRow(pair, j, x, analytic[i][j], numeric, atol, rtol)
            if not row.passed:
                _refuse_a_bad_step(df, point, row, noise, eps, atol + rtol * abs(numeric),
                                   caller, where=f"{name} = {x:g} (for {pair})")
            rows.append(row)

    report = GradgradcheckReport(rows, out.data, eps, atol, rtol, list(zip(names, point)))
    if raise_on_failure and not report.passed:
        raise GradcheckError(report)
    return report


def _parse_inputs(inputs, names, caller="gradcheck"):
    """Turn the user's inputs into (names, floats), refusing anything unusable by name."""
    if isinstance(inputs, Mapping):
        if names is not None:
            raise TypeError(f"{caller}: pass names either as the keys of inputs or as names=")
        names, inputs = [str(key) for key in inputs], list(inputs.values())
    elif isinstance(inputs, (Value, numbers.Number, str)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"{caller}: inputs must be a list of numbers or Values, "
                        f"got {type(inputs).__name__}; wrap a single input as [x]")
    inputs = list(inputs)
    if not inputs:
        raise ValueError(f"{caller}: no inputs to check (inputs is empty)")

    point = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            x = x.data
        elif isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{caller}: input {i} must be a number or a Value, "
                            f"got {type(x).__name__} {x!r:.40}")
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(f"{caller}: input {i} is {x!r}; gradients need finite inputs")
        point.append(x)

    if names is None:
        names = [x.label if isinstance(x, Value) and x.label else f"x[{i}]"
                 for i, x in enumerate(inputs)]
    else:
        names = [str(name) for name in names]
        if len(names) != len(point):
            raise ValueError(f"{caller}: {len(names)} names for {len(point)} inputs")
    return names, point


def _tolerance(x, what, positive=False, caller="gradcheck"):
    if not is_finite_number(x):
        raise ValueError(f"{caller}: {what} must be a finite number, got {x!r:.60}")
    if x < 0 or (positive and x == 0):
        raise ValueError(f"{caller}: {what} must be {'> 0' if positive else '>= 0'}, got {x!r}")
    return float(x)


def _short(x):
    """A float as typed: 1e-320 (not 9.99989e-321), 0.5, 2 (not 2.0)."""
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _central_difference(f, point, i, name, h, caller="gradcheck"):
    """(f(x+h) - f(x-h)) / 2h for input i, and the rounding noise it carries.

    Refuses a step that floats cannot take: x ± h equal to x, or out of range.
    """
    x = point[i]
    above, below = x + h, x - h
    where = f"{name} = {x:g}"
    if not math.isfinite(above - below):
        raise ValueError(f"{caller}: the step h = {_short(h)} is too large for {where}: "
                         "x ± h leaves the range of floats (±1.8e308); use a smaller eps")
    if above == x or below == x:
        sign = "+" if above == x else "-"
        raise ValueError(f"{caller}: the step h = {_short(h)} is too small for {where}: "
                         f"x {sign} h rounds back to x, so f would not move; use a larger "
                         f"eps, e.g. {1e-6 * max(1.0, abs(x)):.0e}")
    up = _call(f, _moved(point, i, above), f"at {name} + h (h = {_short(h)})", stepped=True,
               caller=caller).data
    down = _call(f, _moved(point, i, below), f"at {name} - h (h = {_short(h)})", stepped=True,
                 caller=caller).data
    step = above - below  # 2h as rounded by the floats x ± h: divide by the step taken
    numeric = (up - down) / step
    if not math.isfinite(numeric) and math.isfinite(up - down):
        # The slope itself is beyond the floats: no step can show it.
        raise ValueError(f"{caller}: the gradient for {where} is beyond the range of floats: "
                         f"f(x+h) - f(x-h) = {up - down:.6g} over 2h = {step:.3g}; check a "
                         "point where f is less steep")
    if not math.isfinite(numeric):
        raise ValueError(f"{caller}: f(x+h) - f(x-h) overflows for {where} "
                         f"(f(x+h) = {up:.6g}, f(x-h) = {down:.6g}); use a smaller eps")
    # f(x±h) are each rounded to ~1 part in 2^53 of |f|: the quotient can't resolve less.
    return numeric, 2.0 ** -52 * max(abs(up), abs(down)) / step


def _refuse_a_bad_step(f, point, row, noise, h, allowed, caller="gradcheck", where=None):
    """Raise ValueError if a failed row is the step's fault, not the derivative's."""
    where = where or f"{row.name} = {row.value:g}"
    if math.isinf(row.analytic):
        # A slope beyond the floats (x/y at y = 1e-300) or a wrong one? Beyond the floats,
        # the numeric gradient keeps growing as the step shrinks.
        sizes = [abs(row.numeric)]
        for fraction in (10, 100, 1000):
            try:
                sizes.append(abs(_central_difference(f, point, row.index, row.name,
                                                     h / fraction, caller)[0]))
            except ValueError:
                continue
        if len(sizes) >= 3 and all(b >= 5 * a for a, b in zip(sizes, sizes[1:])):
            raise ValueError(
                f"{caller}: the gradient for {where} is beyond the range of floats: the "
                f"analytic one is {row.analytic}, and the numeric one grows without bound as "
                f"h shrinks ({', '.join(f'{s:.3g}' for s in sizes)}); check a point where f "
                "is less steep")
    if not math.isfinite(row.analytic):
        return  # no step explains a nan gradient, or an infinite one that stays put
    if row.abs_err <= allowed + noise:
        # The noise falls like 1/h: a step that brings it to a tenth of the tolerance.
        better = 10 * h * noise / allowed if allowed > 0 else math.inf
        example = f", e.g. {max(better, 10 * h):.0e}" if math.isfinite(better) else ""
        raise ValueError(
            f"{caller}: the step h = {_short(h)} is too small for f at {where}: the numeric "
            f"gradient {row.numeric:.6g} (analytic {row.analytic:.6g}) is lost in rounding "
            f"(± {noise:.2g}), as f(x±h) differ too little for f's size; "
            f"use a larger eps{example}")
    # The central difference's own error shrinks like h² where f is smooth; where a pole
    # or a kink lies within h of x, it stays wrong until h no longer reaches it. If a
    # smaller step brings the numeric gradient clearly closer to the analytic one, the
    # gap was the step's.
    for fraction in (2, 10, 100, 1000):
        try:
            smaller, _ = _central_difference(f, point, row.index, row.name, h / fraction,
                                             caller)
        except ValueError:
            continue  # this step cannot be taken (say, it lands on the pole): a smaller one
        if abs(smaller - row.analytic) <= row.abs_err / 2:
            raise ValueError(
                f"{caller}: the step h = {_short(h)} is too large for f at {where}: the "
                f"numeric gradient {row.numeric:.6g} moves to {smaller:.6g} with h/{fraction}, "
                f"towards the analytic {row.analytic:.6g}, as an error of the step does "
                f"(about h²·|f'''|/6 where f curves sharply; more where a kink or a pole lies "
                f"within h of x); use a smaller eps, e.g. {h / max(100, 10 * fraction):.0e}")


def _moved(point, i, x):
    """Fresh leaves for the point with input i replaced by x."""
    return [Value(x if j == i else y) for j, y in enumerate(point)]


def _call(f, values, where, *, stepped, caller="gradcheck"):
    """f(values), insisting on one finite Value; `where` says where, for the messages.

    `stepped`: the values are a step h away from the inputs, so an error there is the
    step's (explained as such), not the user's own error at the point (passed on as is).
    """
    try:
        out = f(values)
    except (ValueError, ArithmeticError) as error:
        if not stepped:
            raise  # the user's own error, unchanged
        # f works at the point but not a step h away (e.g. log near 0): say where.
        raise ValueError(f"{caller}: f fails {where}: {error}; check a point farther "
                         "from the edge of f's domain, or use a smaller eps") from error
    if not isinstance(out, Value):
        raise TypeError(f"{caller}: f must return one Value, got {type(out).__name__} "
                        f"{out!r:.60} (build the result from the Values f receives)")
    if not math.isfinite(out.data):
        if stepped:
            raise ValueError(f"{caller}: f is {out.data!r} {where}, though finite at the "
                             "inputs: the step is too large for f here; use a smaller eps")
        raise ValueError(f"{caller}: f is {out.data!r} {where}; "
                         "a gradient can only be checked where f is finite")
    return out
