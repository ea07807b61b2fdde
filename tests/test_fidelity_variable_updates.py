"""TF1 behaviours of Variables and variable scopes: sparse and sliced updates, count_up_to,
string variables, VariableDef fields, scopes opened in the graph of `values`.
Expected values are hand-computed and agree with TensorFlow (`tf.compat.v1`) runs."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches)


@pytest.fixture(autouse=True)
def _fresh_graph():
    with fg.Graph().as_default():
        yield


def test_scatter_mul_div_max_min_apply_duplicates_in_turn():
    v = fg.Variable([1.0, 2.0, 3.0])
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(fg.scatter_mul(v, [1, 1], [3.0, 4.0])).tolist() == [1, 24, 3]
        assert sess.run(fg.scatter_max(v, [0, 0], [5.0, 7.0])).tolist() == [7, 24, 3]
        assert sess.run(fg.scatter_min(v, [2, 2], [2.0, 1.0])).tolist() == [7, 24, 1]
        assert sess.run(fg.scatter_div(v, [1], [8.0])).tolist() == [7, 3, 1]
        # A scalar update applies to every indexed row, as TF1's kernels.
        assert sess.run(fg.scatter_update(v, [0, 2], 5.0)).tolist() == [5, 3, 5]


def test_integer_scatter_div_truncates_toward_zero():
    v = fg.Variable([7, 8, 9])
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(fg.scatter_div(v, [0, 1], [2, -3])).tolist() == [3, -2, 9]


def test_scatter_nd_updates_elements_and_slices():
    v = fg.Variable(np.zeros((2, 3), np.float32))
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(
            sess.run(fg.scatter_nd_update(v, [[0, 1], [1, 2]], [5.0, 6.0])),
            [[0, 5, 0], [0, 0, 6]])
        np.testing.assert_array_equal(
            sess.run(fg.scatter_nd_add(v, [[1]], [[1.0, 1.0, 1.0]])), [[0, 5, 0], [1, 1, 7]])
        np.testing.assert_array_equal(
            sess.run(fg.scatter_nd_sub(v, [[0, 1], [0, 1]], [1.0, 1.0])),
            [[0, 3, 0], [1, 1, 7]])


def test_batch_scatter_update_indexes_within_each_row():
    v = fg.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(
            sess.run(fg.batch_scatter_update(v, [[0], [2]], [[9.0], [8.0]])),
            [[9, 2, 3], [4, 5, 8]])


def test_variable_sparse_update_methods_take_indexed_slices():
    v = fg.Variable([1.0, 2.0, 3.0])
    delta = fg.IndexedSlices(fg.constant([10.0]), fg.constant([1]))
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.scatter_update(delta)).tolist() == [1, 10, 3]
        assert sess.run(v.scatter_add(delta)).tolist() == [1, 20, 3]
        assert sess.run(v.scatter_sub(delta)).tolist() == [1, 10, 3]
        assert sess.run(v.scatter_mul(delta)).tolist() == [1, 100, 3]
        assert sess.run(v.scatter_div(delta)).tolist() == [1, 10, 3]
        assert sess.run(v.scatter_nd_update([[0]], [4.0])).tolist() == [4, 10, 3]
        assert sess.run(v.scatter_nd_add([[0]], [4.0])).tolist() == [8, 10, 3]
    with pytest.raises(TypeError, match="IndexedSlices"):
        v.scatter_update([1.0])


def test_sliced_variable_assign_writes_the_slice():
    v = fg.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    first_row = v[0]
    assert first_row.shape.as_list() == [2]
    assign_row = first_row.assign([9.0, 9.0])
    assign_column = v[1:, 1].assign([7.0, 8.0])
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(assign_row), [[9, 9], [3, 4], [5, 6]])
        np.testing.assert_array_equal(sess.run(assign_column), [[9, 9], [3, 7], [5, 8]])
        with pytest.raises(fg.errors.InvalidArgumentError, match="shape"):
            sess.run(v[0].assign([1.0, 2.0, 3.0]))


def test_count_up_to_method_counts_then_stops():
    v = fg.Variable(0)
    step = v.count_up_to(2)
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(step), sess.run(step)] == [0, 1]
        with pytest.raises(fg.errors.OutOfRangeError):
            sess.run(step)
        assert sess.run(v) == 2


def test_get_variable_of_strings_defaults_to_empty_strings():
    s = fg.get_variable("s", [2], dtype=fg.string)
    i = fg.get_variable("i", [2], dtype=fg.int32)
    values = _run([s, i])
    assert values[0].tolist() == [b"", b""]
    assert values[1].tolist() == [0, 0]


def test_to_proto_fields_read_as_attributes():
    v = fg.Variable(2.0, name="x")
    proto = v.to_proto()
    assert (proto.variable_name, proto.initializer_name, proto.snapshot_name,
            proto.trainable) == ("x:0", "x/Assign", "x/read:0", True)
    assert fg.Variable.from_proto(proto).name == "x:0"


def test_variable_scope_opens_in_the_graph_of_values():
    other = fg.Graph()
    with other.as_default():
        c = fg.constant(1.0)
    with fg.variable_scope("x", values=[c]):
        v = fg.get_variable("v", [1])
    assert v.graph is other and v.name == "x/v:0"


def test_original_name_scope_without_auxiliary_name_scope_at_top_level():
    with fg.variable_scope("a", auxiliary_name_scope=False) as scope:
        v = fg.get_variable("v", [1])
    assert scope.original_name_scope == "" and v.name == "a/v:0"


def test_variable_with_an_unknown_shape_argument_takes_other_shapes():
    v = fg.Variable(fg.zeros([2, 3]), shape=fg.TensorShape(None), validate_shape=False)
    assert v.shape.ndims is None
    grow = fg.assign(v, fg.ones([4]), validate_shape=False)
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(grow).tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="not compatible"):
        fg.Variable(fg.zeros([2]), shape=[3])


def test_constant_pads_a_short_value_with_its_last_element():
    padded = fg.constant([1, 2], shape=[5])
    with fg.Session() as sess:
        assert sess.run(padded).tolist() == [1, 2, 2, 2, 2]
    with pytest.raises(ValueError, match="Too many elements provided"):
        fg.constant([1, 2, 3], shape=[2])
    init = fg.get_variable("c", [4], initializer=fg.constant_initializer([1.0, 2.0]))
    assert _run(init).tolist() == [1, 2, 2, 2]


def test_initialize_local_variables_alias():
    v = fg.Variable(3.0, collections=[fg.GraphKeys.LOCAL_VARIABLES])
    with fg.Session() as sess:
        sess.run(fg.initialize_local_variables())
        assert sess.run(v) == 3.0


def test_get_variable_refuses_a_shape_with_a_constant_initializer():
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        fg.get_variable("v", [2], initializer=np.array([1.0, 2.0], np.float32))
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        fg.get_variable("w", [2], initializer=fg.constant([1.0, 2.0]))


def test_initializer_functions_taking_partition_info_get_it():
    v = fg.get_variable("v", [2], initializer=lambda shape, dtype, partition_info:
                        fg.ones(shape, dtype) * (3.0 if partition_info is None else 0.0))
    assert _run(v).tolist() == [3.0, 3.0]
