"""The extra assertions TF1's TestCase inherits from absltest.TestCase (assertItemsEqual,
assertLen, assertStartsWith, ...) and its own assertDeviceEqual / assertDictEqual, written
on plain unittest so that flowgraph does not depend on absl.

A mixin: the class using it is a `unittest.TestCase` with ArrayAssertions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph.devices import merge_device

__all__ = ["AbslAssertions"]


class AbslAssertions:
    """absltest-style assertions (names as TF1's tests call them)."""

    def assertItemsEqual(self, first: Any, second: Any, msg: Any = None) -> None:  # noqa: N802
        """The same elements with the same counts, in any order (assertCountEqual)."""
        self.assertCountEqual(first, second, msg)

    def assertSameElements(self, expected_seq: Any, actual_seq: Any,  # noqa: N802
                           msg: Any = None) -> None:
        """The same set of elements, ignoring order and counts."""
        expected, actual = list(expected_seq), list(actual_seq)
        missing = [e for e in expected if e not in actual]
        unexpected = [a for a in actual if a not in expected]
        if missing or unexpected:
            text = []
            if missing:
                text.append(f"Expected, but missing:\n  {missing!r}")
            if unexpected:
                text.append(f"Unexpected, but present:\n  {unexpected!r}")
            self.fail(self._formatMessage(msg, "\n".join(text)))

    def assertStartsWith(self, actual: Any, expected_start: Any,  # noqa: N802
                         msg: Any = None) -> None:
        """`actual` (a str, bytes or sequence) starts with `expected_start`."""
        if not actual.startswith(expected_start):
            self.fail(self._formatMessage(msg, f"{actual!r} does not start with "
                                               f"{expected_start!r}"))

    def assertEndsWith(self, actual: Any, expected_end: Any,  # noqa: N802
                       msg: Any = None) -> None:
        """`actual` ends with `expected_end`."""
        if not actual.endswith(expected_end):
            self.fail(self._formatMessage(msg, f"{actual!r} does not end with "
                                               f"{expected_end!r}"))

    def assertLen(self, container: Any, expected_len: int, msg: Any = None) -> None:  # noqa: N802
        """len(container) == expected_len."""
        try:
            size = len(container)
        except (TypeError, NotImplementedError):
            self.fail(self._formatMessage(msg, f"{container!r} has no length"))
        if size != expected_len:
            self.fail(self._formatMessage(msg, f"{container!r} has length of {size}, "
                                               f"expected {expected_len}."))

    def assertEmpty(self, container: Any, msg: Any = None) -> None:  # noqa: N802
        """len(container) == 0."""
        if len(container):
            self.fail(self._formatMessage(msg, f"{container!r} has length of "
                                               f"{len(container)}."))

    def assertNotEmpty(self, container: Any, msg: Any = None) -> None:  # noqa: N802
        """len(container) > 0."""
        if not len(container):
            self.fail(self._formatMessage(msg, f"{container!r} has length of 0."))

    def assertBetween(self, value: Any, minv: Any, maxv: Any, msg: Any = None) -> None:  # noqa: N802
        """minv <= value <= maxv."""
        if not minv <= value <= maxv:
            self.fail(self._formatMessage(msg, f"{value!r} is not in range "
                                               f"[{minv!r}, {maxv!r}]"))

    def assertContainsSubset(self, expected_subset: Any, actual_set: Any,  # noqa: N802
                             msg: Any = None) -> None:
        """Every element of expected_subset is in actual_set."""
        missing = set(expected_subset) - set(actual_set)
        if missing:
            self.fail(self._formatMessage(msg, f"Missing elements {missing!r}"))

    def assertSequenceStartsWith(self, prefix: Any, whole: Any,  # noqa: N802
                                 msg: Any = None) -> None:
        """The sequence `whole` begins with the items of `prefix`."""
        self.assertEqual(list(whole)[:len(prefix)], list(prefix), msg)

    def assertDeviceEqual(self, device1: Any, device2: Any, msg: Any = None) -> None:  # noqa: N802
        """The two device specs name the same device ("/cpu:0" == "/device:CPU:0")."""
        device1 = merge_device("", str(device1 or ""))
        device2 = merge_device("", str(device2 or ""))
        self.assertEqual(device1, device2,
                         f"Devices {device1} and {device2} are not equal. {msg}")

    def assertDictEqual(self, a: Any, b: Any, msg: Any = None) -> None:  # noqa: N802
        """unittest's dict equality, else the same keys and, per key, assertAllClose for
        floating values and assertAllEqual for others (as TF1: values may be arrays or
        Tensors)."""
        try:
            super().assertDictEqual(a, b, msg)
        except Exception:  # noqa: BLE001 - arrays make the plain comparison fail or raise
            self.assertSameElements(a.keys(), b.keys())
            for k, v in a.items():
                a_k, b_k = self.evaluate_if_both_tensors(v, b[k])
                a_k = self._GetNdArray(a_k)
                if np.issubdtype(a_k.dtype, np.floating):
                    self.assertAllClose(v, b[k], msg=k)
                else:
                    self.assertAllEqual(v, b[k], msg=k)
