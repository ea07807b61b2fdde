"""Partitioned variables as TF1 makes them: part names and shapes, lookups, training,
and checkpoints holding the whole variable under one name. Expected values are
hand-computed (and agree with TensorFlow `tf.compat.v1` runs)."""

import os

import numpy as np
import pytest

import flowgraph as fg

TABLE = np.arange(10.0, dtype=np.float32).reshape(5, 2)


@pytest.fixture(autouse=True)
def _fresh_graph():
    with fg.Graph().as_default():
        yield


def _run(fetches):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches)


def test_fixed_size_partitioner_makes_parts_the_first_ones_bigger():
    with fg.variable_scope("s", partitioner=fg.fixed_size_partitioner(2)):
        v = fg.get_variable("v", [5, 3], initializer=fg.ones_initializer())
    assert isinstance(v, fg.PartitionedVariable)
    assert (v.name, len(v), v.get_shape().as_list(), v._get_partitions()) == \
        ("s/v", 2, [5, 3], [2, 1])
    assert [p.name for p in v] == ["s/v/part_0:0", "s/v/part_1:0"]
    assert [p.shape.as_list() for p in v] == [[3, 3], [2, 3]]
    assert [x.name for x in fg.global_variables()] == ["s/v/part_0:0", "s/v/part_1:0"]
    assert _run(fg.reduce_sum(v.as_tensor())) == 15.0


def test_partition_along_axis_one_and_uneven_three_way_split():
    a = fg.get_variable("a", [2, 5], partitioner=fg.fixed_size_partitioner(2, axis=1))
    b = fg.get_variable("b", [4, 2], partitioner=fg.fixed_size_partitioner(3))
    assert [p.shape.as_list() for p in a] == [[2, 3], [2, 2]]
    assert [p.shape.as_list() for p in b] == [[2, 2], [1, 2], [1, 2]]
    assert _run(fg.shape(a.as_tensor())).tolist() == [2, 5]


def test_tensor_initializer_is_sliced_and_lookups_follow_the_strategy():
    v = fg.get_variable("v", initializer=fg.constant(TABLE),
                        partitioner=fg.fixed_size_partitioner(2))
    ids = [0, 4, 2, 1]
    whole, by_mod, by_div = _run([v.as_tensor(), fg.nn.embedding_lookup(v, ids),
                                  fg.nn.embedding_lookup(v, ids, partition_strategy="div")])
    np.testing.assert_array_equal(whole, TABLE)
    np.testing.assert_array_equal(by_div, TABLE[ids])
    # "mod" (TF1's default) reads id i from part i % 2, row i // 2: the parts hold rows
    # [0, 1, 2] and [3, 4] of the table, so ids 0, 4, 2, 1 read rows 0, 2, 1, 3.
    np.testing.assert_array_equal(by_mod, TABLE[[0, 2, 1, 3]])


def test_reuse_and_the_errors_of_tf1():
    partitioner = fg.fixed_size_partitioner(2)
    with fg.variable_scope("s", partitioner=partitioner):
        a = fg.get_variable("v", [4, 2])
    with fg.variable_scope("s", partitioner=partitioner, reuse=True):
        assert fg.get_variable("v", [4, 2]) is a
    with pytest.raises(ValueError, match="Partitioned variable with name s/v already exists"):
        with fg.variable_scope("s", partitioner=partitioner):
            fg.get_variable("v", [4, 2])
    with pytest.raises(ValueError, match="PartitionedVariable t/v does not exist"):
        with fg.variable_scope("t", reuse=True):
            fg.get_variable("v", [4, 2], partitioner=partitioner)
    fg.get_variable("plain", [4, 2])
    with pytest.raises(ValueError, match="unpartitioned version of the variable was found"):
        fg.get_variable("plain", [4, 2], partitioner=partitioner)


def test_training_updates_the_parts_through_a_lookup():
    v = fg.get_variable("v", [4, 2], initializer=fg.ones_initializer(),
                        partitioner=fg.fixed_size_partitioner(2))
    loss = fg.reduce_sum(fg.nn.embedding_lookup(v, [0, 3, 3]))
    train = fg.train.GradientDescentOptimizer(0.5).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        # mod strategy: id 0 -> part 0 row 0 (logical row 0); id 3 -> part 1 row 1
        # (logical row 3), looked up twice: 1 - 0.5 * 2 = 0.
        np.testing.assert_array_equal(sess.run(v.as_tensor()),
                                      [[0.5, 0.5], [1, 1], [1, 1], [0, 0]])
    assert len(fg.trainable_variables()) == 2


def test_axis_size_and_min_max_partitioners():
    by_bytes = fg.variable_axis_size_partitioner(max_shard_bytes=40)
    # rows of 3 float32 = 12 bytes: 3 rows per part -> ceil(10 / 3) = 4 parts
    assert by_bytes(shape=fg.TensorShape([10, 3]), dtype=fg.float32) == [4, 1]
    assert by_bytes(shape=fg.TensorShape([100, 4]), dtype=fg.float32) == [50, 1]
    min_max = fg.min_max_variable_partitioner(max_partitions=3, min_slice_size=16)
    # 7 * 4 * 4 = 112 bytes / 16 = 7 parts, capped at 3
    assert min_max(shape=fg.TensorShape([7, 4]), dtype=fg.float32) == [3, 1]
    w = fg.get_variable("w", [10, 3], partitioner=min_max)
    assert [p.shape.as_list() for p in w] == [[4, 3], [3, 3], [3, 3]]


def test_glorot_scales_by_the_whole_variables_fans():
    v = fg.get_variable("v", [1000, 10], partitioner=fg.fixed_size_partitioner(4))
    values = _run(v.as_tensor())
    limit = np.sqrt(6.0 / (1000 + 10))  # not the parts' sqrt(6 / (250 + 10))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.9 * limit


def test_regularizer_applies_to_each_part():
    fg.get_variable("v", [4, 2], initializer=fg.ones_initializer(),
                    partitioner=fg.fixed_size_partitioner(2),
                    regularizer=lambda w: fg.reduce_sum(w))
    losses = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert [loss.name for loss in losses] == ["v/part_0/Regularizer/Sum:0",
                                              "v/part_1/Regularizer/Sum:0"]
    assert _run(losses) == [4.0, 4.0]


def test_assign_splits_the_value_over_the_parts():
    v = fg.get_variable("v", [3, 2], initializer=fg.ones_initializer(),
                        partitioner=fg.fixed_size_partitioner(2))
    assigns = v.assign(np.arange(6, dtype=np.float32).reshape(3, 2))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(assigns)
        np.testing.assert_array_equal(sess.run(v.as_tensor()), [[0, 1], [2, 3], [4, 5]])


def test_checkpoint_holds_the_whole_variable_under_its_name(tmp_path):
    fg.get_variable("v", initializer=fg.constant(TABLE), partitioner=fg.fixed_size_partitioner(2))
    saver = fg.train.Saver()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        path = saver.save(sess, os.path.join(tmp_path, "m"))
    assert fg.train.list_variables(path) == [("v", [5, 2])]
    np.testing.assert_array_equal(fg.train.load_variable(path, "v"), TABLE)
    # Restored into another partitioning, and into a plain variable.
    with fg.Graph().as_default():
        three = fg.get_variable("v", [5, 2], partitioner=fg.fixed_size_partitioner(3))
        plain = fg.get_variable("u", [5, 2])
        by_list = fg.train.Saver([three])
        by_dict = fg.train.Saver({"v": plain})
        with fg.Session() as sess:
            by_list.restore(sess, path)
            by_dict.restore(sess, path)
            np.testing.assert_array_equal(sess.run(three.as_tensor()), TABLE)
            np.testing.assert_array_equal(sess.run(plain), TABLE)
            assert [p.shape.as_list() for p in three] == [[2, 2], [2, 2], [1, 2]]
    # A checkpoint of another full shape is refused.
    with fg.Graph().as_default():
        wrong = fg.get_variable("v", [4, 2], partitioner=fg.fixed_size_partitioner(2))
        with fg.Session() as sess:
            with pytest.raises(fg.errors.InvalidArgumentError, match="partitioned variable v"):
                fg.train.Saver([wrong]).restore(sess, path)


def test_import_meta_graph_restores_the_parts(tmp_path):
    v = fg.get_variable("v", initializer=fg.constant(TABLE),
                        partitioner=fg.fixed_size_partitioner(2))
    fg.reduce_sum(v.as_tensor(), name="total")
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        path = fg.train.Saver().save(sess, os.path.join(tmp_path, "m"))
    with fg.Graph().as_default():
        saver = fg.train.import_meta_graph(path + ".meta")
        with fg.Session() as sess:
            saver.restore(sess, path)
            assert sess.run("total:0") == 45.0
        # A new Saver of the imported graph still saves the parts as one entry.
        with fg.Session() as sess:
            saver.restore(sess, path)
            again = fg.train.Saver().save(sess, os.path.join(tmp_path, "again"))
        assert fg.train.list_variables(again) == [("v", [5, 2])]


def test_init_from_checkpoint_loads_parts_from_the_whole_tensor(tmp_path):
    with fg.variable_scope("old"):
        fg.get_variable("v", initializer=fg.constant(TABLE))
        fg.get_variable("w", initializer=fg.constant([1.0, 2.0]))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        path = fg.train.Saver().save(sess, os.path.join(tmp_path, "m"))
    with fg.Graph().as_default():
        with fg.variable_scope("new"):
            by_scope = fg.get_variable("v", [5, 2], partitioner=fg.fixed_size_partitioner(2))
            plain = fg.get_variable("w", [2])
        fg.train.init_from_checkpoint(path, {"old/": "new/"})
        by_name = fg.get_variable("x", [5, 2], partitioner=fg.fixed_size_partitioner(3))
        by_list = fg.get_variable("y", [5, 2], partitioner=fg.fixed_size_partitioner(2))
        fg.train.init_from_checkpoint(path, {"old/v": "x"})
        fg.train.init_from_checkpoint(path, {"old/v": list(by_list)})
        values = _run([by_scope.as_tensor(), plain, by_name.as_tensor(), by_list.as_tensor()])
    for value in values[:1] + values[2:]:
        np.testing.assert_array_equal(value, TABLE)
    assert values[1].tolist() == [1.0, 2.0]


def test_optimizer_slots_of_parts_are_saved_as_partitioned_slots(tmp_path):
    v = fg.get_variable("v", [5, 2], initializer=fg.ones_initializer(),
                        partitioner=fg.fixed_size_partitioner(2))
    train = fg.train.AdamOptimizer(0.1).minimize(
        fg.reduce_sum(fg.nn.embedding_lookup(v, [0, 3])))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        path = fg.train.Saver().save(sess, os.path.join(tmp_path, "m"))
    assert [x.name for x in fg.global_variables()][4:] == [
        "v/part_0/Adam:0", "v/part_0/Adam_1:0", "v/part_1/Adam:0", "v/part_1/Adam_1:0"]
    assert fg.train.list_variables(path) == [("beta1_power", []), ("beta2_power", []),
                                             ("v", [5, 2]), ("v/Adam", [5, 2]),
                                             ("v/Adam_1", [5, 2])]
    # First Adam step: m = (1 - 0.9) * g with g = 1 on the looked-up rows. With the "mod"
    # strategy id 0 is row 0 of part 0 (row 0) and id 3 is row 1 of part 1, which holds
    # rows 3 and 4 of the whole variable: row 4.
    expected = np.zeros((5, 2), np.float32)
    expected[[0, 4]] = 0.1
    np.testing.assert_allclose(fg.train.load_variable(path, "v/Adam"), expected, rtol=1e-6)


def test_slots_of_parts_under_a_variable_scope_keep_tf1_names(tmp_path):
    with fg.variable_scope("lin"):
        v = fg.get_variable("v", [4, 1], initializer=fg.ones_initializer(),
                            partitioner=fg.fixed_size_partitioner(2))
        loss = fg.reduce_sum(fg.matmul(fg.ones([1, 4]), v.as_tensor()))
        train = fg.train.FtrlOptimizer(0.1).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        path = fg.train.Saver().save(sess, os.path.join(tmp_path, "m"))
    # TF1's slot_creator names each part's slot from the part's op name, shifted by the
    # scope ("lin/lin/v/part_0/Ftrl" -> "lin/v/t_0/Ftrl"); each holds only its part.
    assert [name for name, _ in fg.train.list_variables(path)] == [
        "lin/v", "lin/v/t_0/Ftrl", "lin/v/t_0/Ftrl_1", "lin/v/t_1/Ftrl", "lin/v/t_1/Ftrl_1"]
    accumulator = fg.train.load_variable(path, "lin/v/t_1/Ftrl")
    assert accumulator[:2].tolist() == [[0.0], [0.0]]  # the other part's rows
    np.testing.assert_allclose(accumulator[2:], [[1.1], [1.1]], rtol=1e-6)  # 0.1 + 1 ** 2


def test_reuse_without_the_partitioner_and_scalars_are_not_partitioned():
    with fg.variable_scope("s", partitioner=fg.fixed_size_partitioner(2)):
        v = fg.get_variable("v", [4, 2])
        scalar = fg.get_variable("scalar", [])
    with fg.variable_scope("s", reuse=True):
        assert fg.get_variable("v", [4, 2]) is v
        assert fg.get_variable("v") is v
    assert isinstance(scalar, fg.Variable) and scalar.name == "s/scalar:0"
    with pytest.raises(ValueError, match="No partitioner was provided, but a partitioned "
                                         "version of the variable was found: s/v/part_0"):
        with fg.variable_scope("s"):
            fg.get_variable("v", [4, 2])
