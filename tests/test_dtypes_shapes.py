"""dtypes and static shapes: as_dtype, constant dtypes, TensorShape and Dimension."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.shapes import Dimension, TensorShape, dimension_value


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("np_type, expected", [
    (np.float16, "float16"), (np.float32, "float32"), (np.float64, "float64"),
    (np.int8, "int8"), (np.int16, "int16"), (np.int32, "int32"), (np.int64, "int64"),
    (np.uint8, "uint8"), (np.uint16, "uint16"), (np.bool_, "bool"),
])
def test_as_dtype_from_numpy_types_and_dtypes(np_type, expected):
    assert fg.as_dtype(np_type).name == expected
    assert fg.as_dtype(np.dtype(np_type)).name == expected
    assert fg.as_dtype(np_type).as_numpy_dtype is np_type


@pytest.mark.parametrize("name, expected", [
    ("float", fg.float32), ("float32", fg.float32), ("double", fg.float64),
    ("float64", fg.float64), ("half", fg.float16), ("int32", fg.int32), ("int64", fg.int64),
    ("bool", fg.bool), ("string", fg.string),
])
def test_as_dtype_from_names(name, expected):
    assert fg.as_dtype(name) is expected


def test_dtype_aliases_and_identity():
    assert fg.double is fg.float64
    assert fg.half is fg.float16
    assert fg.as_dtype(fg.int32) is fg.int32
    assert fg.as_dtype(np.array(["a"]).dtype) is fg.string
    assert fg.as_dtype(np.array([b"a"]).dtype) is fg.string


def test_as_dtype_rejects_unknown():
    with pytest.raises(TypeError, match="flt32"):
        fg.as_dtype("flt32")
    with pytest.raises(TypeError):
        fg.as_dtype(np.dtype("datetime64[s]"))  # (complex64 is supported since H11)


def test_dtype_equality_with_other_spellings():
    assert fg.float32 == np.float32
    assert fg.float32 == "float32"
    assert fg.float32 != fg.float64
    assert fg.float32 != "not-a-dtype"
    assert hash(fg.float32) == hash(fg.as_dtype("float"))


def test_dtype_properties():
    assert fg.float32.is_floating and not fg.float32.is_integer
    assert fg.int32.is_integer and not fg.int32.is_floating
    assert fg.uint8.is_unsigned and not fg.int8.is_unsigned
    assert fg.bool.is_bool
    assert fg.string.is_string and not fg.string.is_numeric
    assert fg.float64.size == 8
    assert fg.int16.size == 2
    assert fg.int8.min == -128 and fg.int8.max == 127
    assert fg.float32.max == np.finfo(np.float32).max


def test_python_float_constant_is_float32():
    c = fg.constant(1.5)
    assert c.dtype is fg.float32
    with fg.Session() as sess:
        value = sess.run(c)
    assert value.dtype == np.float32
    assert value == 1.5


def test_python_int_constant_is_int32():
    c = fg.constant(7)
    assert c.dtype is fg.int32
    with fg.Session() as sess:
        value = sess.run(c)
    assert value.dtype == np.int32
    assert value == 7


def test_python_list_constant_dtypes():
    assert fg.constant([1, 2, 3]).dtype is fg.int32
    assert fg.constant([1, 2.5]).dtype is fg.float32
    assert fg.constant([[1.0, 2.0], [3.0, 4.0]]).dtype is fg.float32
    assert fg.constant(True).dtype is fg.bool
    assert fg.constant("abc").dtype is fg.string
    assert fg.constant(np.float64(2.0)).dtype is fg.float64
    assert fg.constant(np.arange(3, dtype=np.int64)).dtype is fg.int64


def test_constant_with_explicit_dtype_converts():
    c = fg.constant([1, 2], dtype=fg.float64)
    assert c.dtype is fg.float64
    with fg.Session() as sess:
        value = sess.run(c)
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, [1.0, 2.0])


def test_constant_to_int_with_fraction_is_type_error():
    with pytest.raises(TypeError):
        fg.constant(1.5, dtype=fg.int32)


def test_constant_scalar_fills_shape():
    c = fg.constant(3.0, shape=[2, 3])
    assert c.shape.as_list() == [2, 3]
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(c), np.full((2, 3), 3.0, np.float32))


# --------------------------------------------------------------------------- Dimension
def test_dimension_equals_int_and_value():
    assert Dimension(3) == 3
    assert Dimension(3) != 4
    assert Dimension(3) == Dimension(3)
    assert Dimension(3).value == 3
    assert int(Dimension(5)) == 5
    assert Dimension(None).value is None


def test_unknown_dimension_comparisons_are_unknown():
    # As TF1: comparing with an unknown dimension gives None (neither True nor False).
    assert (Dimension(None) == 3) is None
    assert (Dimension(3) == Dimension(None)) is None
    assert (Dimension(None) != 3) is None


def test_dimension_compatibility_and_merge():
    assert Dimension(None).is_compatible_with(4)
    assert Dimension(4).is_compatible_with(None)
    assert Dimension(4).is_compatible_with(4)
    assert not Dimension(4).is_compatible_with(5)
    assert Dimension(None).merge_with(4).value == 4
    assert Dimension(4).merge_with(None).value == 4
    assert Dimension(None).merge_with(None).value is None
    with pytest.raises(ValueError):
        Dimension(4).merge_with(5)


def test_dimension_arithmetic():
    assert (Dimension(3) + 2).value == 5
    assert (Dimension(3) * Dimension(4)).value == 12
    assert (Dimension(None) + 2).value is None
    assert (Dimension(7) // 2).value == 3


def test_dimension_rejects_bad_values():
    with pytest.raises(ValueError):
        Dimension(-1)
    with pytest.raises(TypeError):
        Dimension(1.5)
    with pytest.raises(TypeError):
        int(Dimension(None))


def test_dimension_value_helper():
    assert dimension_value(Dimension(6)) == 6
    assert dimension_value(6) == 6
    assert dimension_value(Dimension(None)) is None


# --------------------------------------------------------------------------- TensorShape
def test_tensorshape_as_list_and_ndims():
    shape = TensorShape([2, None, 5])
    assert shape.as_list() == [2, None, 5]
    assert shape.ndims == 3
    assert len(shape) == 3
    assert shape[0] == 2
    assert shape[1].value is None
    assert shape[1:].as_list() == [None, 5]
    assert not shape.is_fully_defined()
    assert shape.num_elements() is None
    assert TensorShape([2, 3, 4]).num_elements() == 24
    assert TensorShape([]).ndims == 0
    assert TensorShape([]).num_elements() == 1


def test_tensorshape_unknown_rank():
    shape = TensorShape(None)
    assert shape.ndims is None
    assert shape.dims is None
    with pytest.raises(ValueError):
        shape.as_list()
    assert shape.is_compatible_with([1, 2, 3])
    assert shape.merge_with([1, None]).as_list() == [1, None]


def test_tensorshape_merge_with():
    merged = TensorShape([None, 3]).merge_with(TensorShape([2, None]))
    assert merged.as_list() == [2, 3]
    assert TensorShape([None, 3]).merge_with([None, None]).as_list() == [None, 3]
    with pytest.raises(ValueError):
        TensorShape([2, 3]).merge_with([2, 4])
    with pytest.raises(ValueError):
        TensorShape([2, 3]).merge_with([2, 3, 1])


def test_tensorshape_is_compatible_with():
    partial = TensorShape([None, 784])
    assert partial.is_compatible_with([32, 784])
    assert partial.is_compatible_with(TensorShape([None, None]))
    assert not partial.is_compatible_with([32, 10])
    assert not partial.is_compatible_with([32, 784, 1])
    assert not TensorShape([]).is_compatible_with([1])


def test_tensorshape_equality_and_conversion():
    assert TensorShape([1, 2]) == [1, 2]
    assert TensorShape([1, 2]) == (1, 2)
    assert TensorShape([1, 2]) != [2, 1]
    assert TensorShape(5).as_list() == [5]
    assert TensorShape(TensorShape([3, 4])).as_list() == [3, 4]
    assert str(TensorShape([None, 3])) == "(?, 3)"


def test_tensorshape_rank_checks_and_concatenate():
    assert TensorShape([1, 2]).with_rank(2).as_list() == [1, 2]
    assert TensorShape(None).with_rank(3).as_list() == [None, None, None]
    with pytest.raises(ValueError):
        TensorShape([1, 2]).with_rank(3)
    with pytest.raises(ValueError):
        TensorShape([1]).with_rank_at_least(2)
    assert TensorShape([1]).concatenate([None, 4]).as_list() == [1, None, 4]
    assert TensorShape([1]).concatenate(TensorShape(None)).ndims is None


def test_placeholder_shape_is_tensorshape():
    x = fg.placeholder(fg.float32, [None, 784])
    assert isinstance(x.shape, TensorShape)
    assert x.shape.as_list() == [None, 784]
    assert x.get_shape().ndims == 2
    assert x.shape[1] == 784
    y = fg.placeholder(fg.float32)
    assert y.shape.ndims is None
