"""plaingrad's engine: scalar automatic differentiation with the standard library only.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = (2 * x).tanh()
>>> y.backward()
"""

from autograd.engine import SumValue, Value, dot, total
from autograd.explain import explain
from autograd.functional import grad, gradients, hessian, is_grad_enabled, no_grad

__all__ = ["SumValue", "Value", "dot", "explain", "grad", "gradients", "hessian",
           "is_grad_enabled", "no_grad", "total"]
