"""The array assertions of TF1's `tf.test.TestCase` (test_util.py): assertAllClose and its
relatives. Tensors among the arguments are evaluated in the test's default session first.

A mixin: the class using it is a `unittest.TestCase` that has an `evaluate` method.
"""

from __future__ import annotations

import collections.abc
import math
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from flowgraph import errors

__all__ = ["ArrayAssertions"]


def _is_graph_value(value: Any) -> bool:
    from flowgraph.api.tf1_misc import is_tensor
    from flowgraph.variables import Variable
    return is_tensor(value) or isinstance(value, Variable)


def _where(cond: np.ndarray) -> tuple:
    return np.nonzero(cond)


def _format_subscripts(subscripts: tuple, value: np.ndarray, limit: int = 10,
                       indent: int = 2) -> list:
    """Up to `limit` lines "  [i j] : value" for the given subscripts."""
    prefix = " " * indent
    if np.ndim(value) == 0:
        return [prefix + "[0] : " + str(value)]
    rows = np.transpose(subscripts)
    lines = [prefix + str(row) + " : " + str(value[tuple(row)]) for row in rows[:limit]]
    if len(rows) > limit:
        lines.append(prefix + "...")
    return lines


class ArrayAssertions:
    """assertAllClose, assertAllEqual, assertAllInRange, ... (TF1's signatures)."""

    # -- conversion
    def _GetNdArray(self, a: Any) -> np.ndarray:  # noqa: N802 - TF1's name
        if _is_graph_value(a):
            a = self.evaluate(a)
        if not isinstance(a, np.ndarray):
            try:
                return np.array(a)
            except ValueError as e:
                if "inhomogeneous shape" in str(e):  # ragged nested lists, as TF1
                    return np.array(a, dtype=object)
                raise
        return a

    def evaluate_if_both_tensors(self, a: Any, b: Any) -> tuple:
        """(a, b) evaluated together in one run when both are graph values, else as given."""
        if _is_graph_value(a) and _is_graph_value(b):
            return self.evaluate((a, b))
        return a, b

    # -- closeness
    def _assertArrayLikeAllClose(self, a: Any, b: Any, rtol: float = 1e-6,  # noqa: N802
                                 atol: float = 1e-6, msg: Any = None) -> None:
        a, b = self.evaluate_if_both_tensors(a, b)
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        if a.shape != b.shape and (b.ndim <= 3 or b.size < 500):
            mismatch = f"Shape mismatch: expected {a.shape}, got {b.shape} with contents {b}."
        else:
            mismatch = f"Shape mismatch: expected {a.shape}, got {b.shape}."
        self.assertEqual(a.shape, b.shape, mismatch)
        if np.allclose(a, b, rtol=rtol, atol=atol):
            return
        msgs = [msg]
        cond = np.logical_or(np.abs(a - b) > atol + rtol * np.abs(b), np.isnan(a) != np.isnan(b))
        if a.ndim:
            x, y = a[_where(cond)], b[_where(cond)]
            msgs.append(f"not close where = {_where(cond)}")
        else:
            x, y = a, b
        msgs.append(f"not close lhs = {x}")
        msgs.append(f"not close rhs = {y}")
        msgs.append(f"not close dif = {np.abs(x - y)}")
        msgs.append(f"not close tol = {atol + rtol * np.abs(y)}")
        msgs.append(f"dtype = {a.dtype}, shape = {a.shape}")
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol,
                                   err_msg="\n".join(str(m) for m in msgs), equal_nan=True)

    def _assertAllCloseRecursive(self, a: Any, b: Any, rtol: float = 1e-6,  # noqa: N802
                                 atol: float = 1e-6, path: Any = None, msg: Any = None) -> None:
        path = path or []
        path_str = ("[" + "][".join(str(p) for p in path) + "]") if path else ""
        msg = msg if msg else ""
        if hasattr(a, "_asdict"):
            a = a._asdict()
        if hasattr(b, "_asdict"):
            b = b._asdict()
        a_is_dict = isinstance(a, collections.abc.Mapping)
        if a_is_dict != isinstance(b, collections.abc.Mapping):
            raise ValueError(f"Can't compare dict to non-dict, a{path_str} vs b{path_str}. "
                             f"{msg}")
        if a_is_dict:
            self.assertCountEqual(
                a.keys(), b.keys(),
                msg=f"mismatched keys: a{path_str} has keys {a.keys()}, but b{path_str} has "
                    f"keys {b.keys()}. {msg}")
            for k in a:
                path.append(k)
                self._assertAllCloseRecursive(a[k], b[k], rtol=rtol, atol=atol, path=path,
                                              msg=msg)
                del path[-1]
        elif isinstance(a, (list, tuple)):
            # Compare as arrays when possible; else walk the items (slower).
            try:
                a_arr = self._GetNdArray(a)
                b_arr = self._GetNdArray(b)
                self._assertArrayLikeAllClose(
                    a_arr, b_arr, rtol=rtol, atol=atol,
                    msg=f"Mismatched value: a{path_str} is different from b{path_str}. {msg}")
            except (ValueError, TypeError, NotImplementedError):
                if len(a) != len(b):
                    raise ValueError(f"Mismatched length: a{path_str} has {len(a)} items, but "
                                     f"b{path_str} has {len(b)} items. {msg}") from None
                for idx, (a_ele, b_ele) in enumerate(zip(a, b)):
                    path.append(str(idx))
                    self._assertAllCloseRecursive(a_ele, b_ele, rtol=rtol, atol=atol,
                                                  path=path, msg=msg)
                    del path[-1]
        else:
            try:
                self._assertArrayLikeAllClose(
                    a, b, rtol=rtol, atol=atol,
                    msg=f"Mismatched value: a{path_str} is different from b{path_str}. {msg}")
            except TypeError as e:
                note = (f"Error: a{path_str} has {type(a)}, but b{path_str} has {type(b)}. "
                        f"{msg}")
                e.args = ((str(e.args[0]) + " : " + note,) + e.args[1:]) if e.args else (note,)
                raise

    def assertAllClose(self, a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-6,  # noqa: N802
                       msg: Any = None) -> None:
        """Asserts that two structures (dicts, namedtuples, tuples, lists) of arrays or
        Tensors have near values: |a - b| <= atol + rtol * |b| elementwise, as numpy.

        Raises AssertionError when they differ, ValueError when the structures differ."""
        self._assertAllCloseRecursive(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertAllCloseAccordingToType(self, a: Any, b: Any, rtol: float = 1e-6,  # noqa: N802
                                      atol: float = 1e-6, float_rtol: float = 1e-6,
                                      float_atol: float = 1e-6, half_rtol: float = 1e-3,
                                      half_atol: float = 1e-3, bfloat16_rtol: float = 1e-2,
                                      bfloat16_atol: float = 1e-2, msg: Any = None) -> None:
        """assertAllClose with tolerances widened for float32 and float16 arguments."""
        a, b = self.evaluate_if_both_tensors(a, b)
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        # Lower-precision types come later so that they widen the tolerance further.
        if np.float32 in (a.dtype, b.dtype) or np.complex64 in (a.dtype, b.dtype):
            rtol = max(rtol, float_rtol)
            atol = max(atol, float_atol)
        if np.float16 in (a.dtype, b.dtype):
            rtol = max(rtol, half_rtol)
            atol = max(atol, half_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a: Any, b: Any, rtol: float = 1e-6,  # noqa: N802
                          atol: float = 1e-6, msg: Any = None) -> None:
        """Asserts that a and b are not close at all elements."""
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)
        except AssertionError:
            return
        raise AssertionError(f"The two values are close at all elements. {msg or ''}")

    def assertNear(self, f1: Any, f2: Any, err: float, msg: Any = None) -> None:  # noqa: N802
        """Asserts |f1 - f2| <= err for two floats."""
        f1 = np.squeeze(f1)
        f2 = np.squeeze(f2)
        if f1 != f2:  # inf == inf passes
            diff = math.fabs(f1 - f2)
            note = f" ({msg})" if msg is not None else ""
            self.assertTrue(diff <= err,
                            f"{f1:f} != {f2:f} +/- {err:f} (difference: {diff:g}){note}")

    def assertArrayNear(self, farray1: Any, farray2: Any, err: float,  # noqa: N802
                        msg: Any = None) -> None:
        """assertNear on each pair of two equally long float lists."""
        self.assertEqual(len(farray1), len(farray2), msg=msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg=msg)

    def assertNDArrayNear(self, ndarray1: Any, ndarray2: Any, err: float,  # noqa: N802
                          msg: Any = None) -> None:
        """Asserts the L2 norm of the difference of two arrays is below err."""
        diff = np.asarray(ndarray1) - np.asarray(ndarray2)
        self.assertTrue(bool(np.linalg.norm(diff) < err), msg=msg)

    # -- equality
    def assertAllEqual(self, a: Any, b: Any, msg: Any = None) -> None:  # noqa: N802
        """Asserts that two arrays or Tensors have the same shape and values (NaN equals
        NaN for floats)."""
        msg = msg if msg else ""
        a, b = self.evaluate_if_both_tensors(a, b)
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        if b.ndim <= 3 or b.size < 500:
            self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                             f"{b.shape}. Contents: {b!r}. \n{msg}.")
        else:
            self.assertEqual(a.shape, b.shape,
                             f"Shape mismatch: expected {a.shape}, got {b.shape}. {msg}")
        same = a == b
        if np.issubdtype(a.dtype, np.floating):
            same = np.logical_or(same, np.logical_and(np.isnan(a), np.isnan(b)))
        if np.all(same):
            return
        msgs = [msg]
        diff = np.logical_not(same)
        if a.ndim:
            x, y = a[_where(diff)], b[_where(diff)]
            msgs.append(f"not equal where = {_where(diff)}")
        else:
            x, y = a, b
        msgs.append(f"not equal lhs = {x!r}")
        msgs.append(f"not equal rhs = {y!r}")
        if a.dtype.kind != b.dtype.kind and {a.dtype.kind, b.dtype.kind} <= {"U", "S", "O"}:
            # str vs bytes: compare both as bytes, as TF's string tensors hold bytes.
            def as_bytes(arr: np.ndarray) -> np.ndarray:
                return np.array([v.encode("utf-8") if isinstance(v, str) else v
                                 for v in arr.flat]).reshape(arr.shape)
            a, b = as_bytes(a), as_bytes(b)
        np.testing.assert_array_equal(a, b, err_msg="\n".join(msgs))

    def assertNotAllEqual(self, a: Any, b: Any, msg: Any = None) -> None:  # noqa: N802
        """Asserts that two arrays or Tensors differ somewhere."""
        try:
            self.assertAllEqual(a, b)
        except AssertionError:
            return
        raise AssertionError(f"The two values are equal at all elements. {msg or ''}")

    # -- bounds
    def assertAllGreater(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        """Asserts every element of a is > comparison_target."""
        a, comparison_target = self.evaluate_if_both_tensors(a, comparison_target)
        self.assertGreater(np.min(self._GetNdArray(a)), comparison_target)

    def assertAllLess(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        """Asserts every element of a is < comparison_target."""
        a, comparison_target = self.evaluate_if_both_tensors(a, comparison_target)
        self.assertLess(np.max(self._GetNdArray(a)), comparison_target)

    def assertAllGreaterEqual(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        """Asserts every element of a is >= comparison_target."""
        a, comparison_target = self.evaluate_if_both_tensors(a, comparison_target)
        self.assertGreaterEqual(np.min(self._GetNdArray(a)), comparison_target)

    def assertAllLessEqual(self, a: Any, comparison_target: Any) -> None:  # noqa: N802
        """Asserts every element of a is <= comparison_target."""
        a, comparison_target = self.evaluate_if_both_tensors(a, comparison_target)
        self.assertLessEqual(np.max(self._GetNdArray(a)), comparison_target)

    def assertAllInRange(self, target: Any, lower_bound: Any, upper_bound: Any,  # noqa: N802
                         open_lower_bound: bool = False, open_upper_bound: bool = False) -> None:
        """Asserts every element of a numeric target is in the range (no NaNs); the bounds
        are closed unless open_lower_bound / open_upper_bound."""
        target = self._GetNdArray(target)
        if not (np.issubdtype(target.dtype, np.floating)
                or np.issubdtype(target.dtype, np.integer)):
            raise AssertionError(f"The value of {target} does not have an ordered numeric "
                                 f"type, instead it has type: {target.dtype}")
        nans = _where(np.isnan(target))
        if np.size(nans):
            raise AssertionError(
                f"{len(nans[0])} of the {np.size(target)} element(s) are NaN. Subscripts(s) "
                "and value(s) of the NaN element(s):\n"
                + "\n".join(_format_subscripts(nans, target)))
        range_str = (("(" if open_lower_bound else "[") + str(lower_bound) + ", "
                     + str(upper_bound) + (")" if open_upper_bound else "]"))
        low = np.less_equal if open_lower_bound else np.less
        high = np.greater_equal if open_upper_bound else np.greater
        violations = np.logical_or(low(target, lower_bound), high(target, upper_bound))
        bad = _where(violations)
        if np.size(bad):
            raise AssertionError(
                f"{len(bad[0])} of the {np.size(target)} element(s) are outside the range "
                f"{range_str}. Subscript(s) and value(s) of the offending elements:\n"
                + "\n".join(_format_subscripts(bad, target)))

    def assertAllInSet(self, target: Any, expected_set: Any) -> None:  # noqa: N802
        """Asserts every element of target is in expected_set (a list, tuple or set)."""
        target = self._GetNdArray(target)
        diff = np.setdiff1d(target.flatten(), list(expected_set))
        if np.size(diff):
            raise AssertionError(f"{np.size(diff)} unique element(s) are not in the set "
                                 f"{expected_set}: {diff}")

    def assertDTypeEqual(self, target: Any, expected_dtype: Any) -> None:  # noqa: N802
        """Asserts the numpy dtype of target's value equals expected_dtype."""
        target = self._GetNdArray(target)
        expected = getattr(expected_dtype, "as_numpy_dtype", expected_dtype)
        self.assertEqual(target.dtype, expected)

    def assertShapeEqual(self, input_a: Any, input_b: Any, msg: Any = None) -> None:  # noqa: N802
        """Asserts equal shapes of numpy values and/or Tensors (static shapes, as TF1)."""
        from flowgraph.graph import Tensor
        for label, value in (("input_a", input_a), ("input_b", input_b)):
            if not isinstance(value, (np.ndarray, np.generic, Tensor)):
                raise TypeError(f"{label} must be a Numpy ndarray, Numpy scalar, or a Tensor."
                                f"Instead received {type(value)}")
        shape_a = (input_a.get_shape().as_list() if isinstance(input_a, Tensor)
                   else input_a.shape)
        shape_b = (input_b.get_shape().as_list() if isinstance(input_b, Tensor)
                   else input_b.shape)
        self.assertAllEqual(shape_a, shape_b, msg=msg)

    # -- errors
    @contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type: type,  # noqa: N802
                                       expected_err_re_or_predicate: Any) -> Iterator[None]:
        """A context whose body must raise exception_type with a message matching the
        regular expression (searched, also in the names of the op concerned) or for which
        the predicate (a function of the exception) is true."""
        if callable(expected_err_re_or_predicate):
            predicate: Callable = expected_err_re_or_predicate
        else:
            def predicate(e: BaseException) -> bool:
                if isinstance(e, errors.OpError):
                    err_str, op = str(e.message), e.op
                else:
                    err_str, op = str(e), None
                if op is not None:
                    err_str += "\nCaused by: " + str(getattr(op, "name", op))
                return re.search(expected_err_re_or_predicate, err_str) is not None
        try:
            yield
            self.fail(exception_type.__name__ + " not raised")
        except Exception as e:  # noqa: BLE001 - any other exception is a failure
            if not isinstance(e, exception_type) or not predicate(e):
                raise AssertionError(f"Exception of type {type(e)}: {e}") from e

    def assertRaisesOpError(self, expected_err_re_or_predicate: Any) -> Any:  # noqa: N802
        """assertRaisesWithPredicateMatch for any fg.errors.OpError."""
        return self.assertRaisesWithPredicateMatch(errors.OpError,
                                                   expected_err_re_or_predicate)

    def assertRaisesIncompatibleShapesError(  # noqa: N802
            self, exception_type: type = errors.InvalidArgumentError) -> Any:
        """A context whose body must raise an incompatible-shapes error."""
        return self.assertRaisesWithPredicateMatch(
            exception_type, r"Incompatible shapes|Dimensions must be equal|"
                            r"required broadcastable shapes|[Ii]ncompatible|broadcast")
