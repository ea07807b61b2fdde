"""Complex numbers: complex, real, imag, conj, angle and the complex absolute value.

Gradients follow TF1's convention (math_grad.py): the gradient of a real loss L with respect
to a complex z = x + iy is dL/dx + i dL/dy, so d(real z) passes complex(g, 0), d(imag z)
passes complex(0, g), and a product z * w passes g * conj(w).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import broadcast_infer, op_scope
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["complex", "real", "imag", "conj", "angle", "complex_abs"]

_COMPLEX_OF_REAL = {"float32": dtypes.complex64, "float64": dtypes.complex128}


def _check_complex(op: Any, x: Tensor) -> None:
    if not x.dtype.is_complex:
        raise TypeError(f"{op.type} input {x.name} has dtype {x.dtype.name}; expected "
                        "complex64 or complex128.")


@register
class Complex(Op):
    """complex(real, imag) elementwise with broadcasting; float32 -> complex64, float64 ->
    complex128 (`Tout`)."""

    broadcasting = True

    Tout: DType = dtypes.complex64

    def infer(self, op):
        x, y = op.inputs
        if x.dtype.name not in _COMPLEX_OF_REAL:
            raise TypeError(f"Complex needs float32 or float64 parts, got {x.dtype.name}.")
        if _COMPLEX_OF_REAL[x.dtype.name] != self.Tout:
            raise TypeError(f"Complex of {x.dtype.name} parts gives "
                            f"{_COMPLEX_OF_REAL[x.dtype.name].name}, not {self.Tout.name}.")
        return broadcast_infer(op, self.Tout)

    def kernel(self, x, y):
        out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)), dtype=self.Tout.np)
        out.real = x
        out.imag = y
        return out

    def grad(self, op, dz):
        return [real(dz), imag(dz)]


class _ComplexToReal(Op):
    """A one-input op from a complex tensor to its real dtype (`Tout`, declared by each
    subclass as a dataclass field)."""

    def infer(self, op):
        x = op.inputs[0]
        _check_complex(op, x)
        if x.dtype.real_dtype != self.Tout:
            raise TypeError(f"{op.type} of {x.dtype.name} gives {x.dtype.real_dtype.name}, "
                            f"not {self.Tout.name}.")
        return [(self.Tout, x.shape)]


@register
class Real(_ComplexToReal):
    """The real part of a complex tensor."""

    Tout: DType = dtypes.float32

    def kernel(self, x):
        return np.array(np.real(x))

    def grad(self, op, dy):
        return [complex(dy, _zeros(dy))]


@register
class Imag(_ComplexToReal):
    """The imaginary part of a complex tensor."""

    Tout: DType = dtypes.float32

    def kernel(self, x):
        return np.array(np.imag(x))

    def grad(self, op, dy):
        return [complex(_zeros(dy), dy)]


@register
class Angle(_ComplexToReal):
    """The argument atan2(imag, real) of a complex tensor, in [-pi, pi]."""

    Tout: DType = dtypes.float32

    def kernel(self, x):
        return np.angle(x).astype(self.Tout.np)

    def grad(self, op, dy):
        # TF1's _AngleGrad: -complex(dy, 0) / complex(imag x, real x).
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.unary import negative
        x = op.inputs[0]
        return [negative(realdiv(complex(dy, _zeros(dy)), complex(imag(x), real(x))))]


@register
class ComplexAbs(_ComplexToReal):
    """|x| = sqrt(real**2 + imag**2) of a complex tensor (what fg.abs runs on complex)."""

    Tout: DType = dtypes.float32

    def kernel(self, x):
        return np.abs(x).astype(self.Tout.np)

    def grad(self, op, dy):
        # TF1: div_no_nan(complex(dy, 0) * x, complex(|x|, 0)), which is
        # complex(div_no_nan(dy, |x|), 0) * x: 0 at x = 0.
        from flowgraph.ops.division import div_no_nan
        from flowgraph.ops.math import multiply
        scale = div_no_nan(dy, op.outputs[0])
        return [multiply(complex(scale, _zeros(scale)), op.inputs[0])]


@register
class Conj(Op):
    """The complex conjugate real - i imag of a complex tensor."""

    def infer(self, op):
        x = op.inputs[0]
        _check_complex(op, x)
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        return np.conjugate(x)

    def grad(self, op, dy):
        return [conj(dy)]


def _zeros(like: Tensor) -> Tensor:
    from flowgraph.ops.fill import zeros_like
    return zeros_like(like)


def conj_if_complex(x: Tensor) -> Tensor:
    """conj(x) for a complex tensor and x itself otherwise, with no name scope: for the
    gradient rules of ops that also take complex inputs (TF1 conjugates there)."""
    if isinstance(x, Tensor) and x.dtype.is_complex:
        return apply_op(Conj(), [x])
    return x


def complex(real: Any, imag: Any, name: Optional[str] = None) -> Tensor:  # noqa: A001
    """The complex tensor real + i imag (node "Complex"), elementwise with broadcasting.

    Both parts must be float32 (giving complex64) or both float64 (complex128)::

        fg.complex(fg.constant([2.25, 3.25]), fg.constant([4.75, 5.75]))
        # -> [2.25 + 4.75j, 3.25 + 5.75j]
    """
    with op_scope(name, "Complex", [real, imag]) as scope:
        real = convert_to_tensor(real, name="real")
        imag = convert_to_tensor(imag, name="imag")
        pair = (real.dtype.name, imag.dtype.name)
        if pair not in (("float32", "float32"), ("float64", "float64")):
            raise TypeError(f"real and imag have incorrect types: {pair[0]} {pair[1]}; both "
                            "must be float32 or both float64 (use fg.cast).")
        return apply_op(Complex(Tout=_COMPLEX_OF_REAL[pair[0]]), [real, imag], name=scope)


def real(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The real part of `input` (node "Real"); a real tensor is returned unchanged."""
    with op_scope(name, "Real", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        if not input.dtype.is_complex:
            return input
        return apply_op(Real(Tout=input.dtype.real_dtype), [input], name=scope)


def imag(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The imaginary part of `input` (node "Imag"); zeros for a real tensor."""
    with op_scope(name, "Imag", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        if not input.dtype.is_complex:
            from flowgraph.ops.fill import zeros_like
            return zeros_like(input)
        return apply_op(Imag(Tout=input.dtype.real_dtype), [input], name=scope)


def angle(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The argument of `input` in [-pi, pi] (node "Angle"); for a real tensor pi where it is
    negative and 0 elsewhere, as TF1."""
    with op_scope(name, "Angle", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        if input.dtype.is_complex:
            return apply_op(Angle(Tout=input.dtype.real_dtype), [input], name=scope)
        from flowgraph.ops.compare import less
        from flowgraph.ops.fill import ones_like, zeros_like
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import multiply
        return where(less(input, 0), multiply(np.pi, ones_like(input)), zeros_like(input))


def conj(x: Any, name: Optional[str] = None) -> Tensor:
    """The complex conjugate of x (node "Conj"); a real numeric tensor is returned as is."""
    with op_scope(name, "Conj", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            return apply_op(Conj(), [x], name=scope)
        if x.dtype.is_floating or x.dtype.is_integer:
            return x
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}")


def complex_abs(x: Any, name: Optional[str] = None) -> Tensor:
    """|x| of a complex tensor, a float32 or float64 tensor (node "ComplexAbs")."""
    with op_scope(name, "ComplexAbs", [x]) as scope:
        x = convert_to_tensor(x)
        if not x.dtype.is_complex:
            raise TypeError(f"complex_abs needs a complex tensor, got {x.dtype.name}; use "
                            "fg.abs for real tensors.")
        return apply_op(ComplexAbs(Tout=x.dtype.real_dtype), [x], name=scope)
