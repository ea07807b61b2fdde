"""embedding_column and shared_embedding_columns: variables, initializers, combiners,
training, checkpoints."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from tests.feature_column.helpers import run

TABLE = np.array([[1.0, 2.0], [3.0, 5.0], [7.0, 11.0], [13.0, 17.0]], np.float32)
# Example 0: ids 0 and 2; example 1: no ids; example 2: id 3 twice; example 3: id 1.
SPARSE = fg.SparseTensorValue(indices=[[0, 0], [0, 1], [2, 0], [2, 1], [3, 0]],
                              values=np.array([0, 2, 3, 3, 1], np.int64),
                              dense_shape=[4, 2])
ROWS = [[0, 2], [], [3, 3], [1]]


def reference(combiner):
    """Combines TABLE's rows per example with numpy (rows without ids give zeros)."""
    out = np.zeros((4, 2), np.float32)
    for r, ids in enumerate(ROWS):
        if not ids:
            continue
        total = TABLE[ids].sum(axis=0)
        out[r] = {"sum": total, "mean": total / len(ids),
                  "sqrtn": total / np.sqrt(len(ids))}[combiner]
    return out


def test_embedding_column_properties_and_validation():
    cat = fc.categorical_column_with_identity("item", 4)
    col = fc.embedding_column(cat, dimension=2)
    assert col.name == "item_embedding" and col.dimension == 2 and col.combiner == "mean"
    assert col._variable_shape.as_list() == [2] and col.trainable
    with pytest.raises(ValueError, match="Invalid dimension 0"):
        fc.embedding_column(cat, 0)
    # TF1 checks the combiner when the column is looked up, not when it is made.
    bad = fc.embedding_column(cat, 2, combiner="max")
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="combiner must be one of"):
            fc.input_layer({"item": [[1]]}, [bad])
    with pytest.raises(ValueError, match="both `ckpt_to_load_from` and"):
        fc.embedding_column(cat, 2, ckpt_to_load_from="x")
    with pytest.raises(ValueError, match="initializer must be callable"):
        fc.embedding_column(cat, 2, initializer=3)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_embedding_combiners_with_known_weights(combiner):
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 4), 2,
                              combiner=combiner, initializer=fg.constant_initializer(TABLE))
    with fg.Graph().as_default():
        out = fc.input_layer({"item": SPARSE}, [col])
        names = [v.name for v in fg.global_variables()]
        np.testing.assert_allclose(run(out), reference(combiner), rtol=1e-6)
    assert names == ["input_layer/item_embedding/embedding_weights:0"]


def test_embedding_ignores_unknown_ids_from_a_vocabulary():
    cat = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c", "d"])
    col = fc.embedding_column(cat, 2, initializer=fg.constant_initializer(TABLE))
    with fg.Graph().as_default():
        out = fc.input_layer({"c": [["a", "zzz"], ["zzz", "zzz"], ["d", "b"]]}, [col])
        value = run(out)
    # "zzz" has id -1 and is ignored by the mean; an example with no known id gives zeros.
    np.testing.assert_allclose(value, [TABLE[0], [0.0, 0.0], (TABLE[3] + TABLE[1]) / 2])


def test_default_initializer_is_truncated_normal_of_stddev_one_over_sqrt_dimension():
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 5000), 4)
    with fg.Graph().as_default():
        fc.input_layer({"item": [[0]]}, [col])
        (table,) = fg.global_variables()
        value = run(table)
    stddev = 1.0 / np.sqrt(4)
    assert value.shape == (5000, 4)
    # Truncated at two standard deviations: |x| <= 1.0; its std is 0.8796 * stddev.
    assert np.abs(value).max() <= 2 * stddev + 1e-6
    assert abs(value.std() - 0.8796 * stddev) < 0.02
    assert abs(value.mean()) < 0.02


def test_embedding_trains_only_the_looked_up_rows():
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 4), 2,
                              combiner="sum", initializer=fg.constant_initializer(TABLE))
    with fg.Graph().as_default():
        out = fc.input_layer({"item": [[1], [1]]}, [col])
        loss = fg.reduce_sum(out)
        train = fg.train.GradientDescentOptimizer(0.5).minimize(loss)
        (table,) = fg.trainable_variables()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(train)
            value = sess.run(table)
    expected = TABLE.copy()
    expected[1] -= 0.5 * 2  # d loss / d row 1 = 2 (two examples use it)
    np.testing.assert_allclose(value, expected)


def test_not_trainable_embedding():
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 4), 2,
                              trainable=False)
    with fg.Graph().as_default():
        fc.input_layer({"item": [[1]]}, [col])
        assert fg.trainable_variables() == [] and len(fg.global_variables()) == 1
    with fg.Graph().as_default():
        fc.input_layer({"item": [[1]]}, [fc.embedding_column(
            fc.categorical_column_with_identity("item", 4), 2)], trainable=False)
        assert fg.trainable_variables() == []


def test_embedding_max_norm_clips_rows():
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 4), 2,
                              combiner="sum", max_norm=3.0,
                              initializer=fg.constant_initializer(TABLE))
    with fg.Graph().as_default():
        value = run(fc.input_layer({"item": [[1]]}, [col]))
    row = TABLE[1] * 3.0 / np.linalg.norm(TABLE[1])
    np.testing.assert_allclose(value, [row], rtol=1e-6)


def test_embedding_loads_from_checkpoint(tmp_path):
    with fg.Graph().as_default():
        saved = fg.get_variable("old_table", initializer=TABLE)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            path = fg.train.Saver([saved]).save(sess, str(tmp_path / "model"))
    col = fc.embedding_column(fc.categorical_column_with_identity("item", 4), 2,
                              combiner="sum", ckpt_to_load_from=path,
                              tensor_name_in_ckpt="old_table")
    with fg.Graph().as_default():
        value = run(fc.input_layer({"item": [[2], [0]]}, [col]))
    np.testing.assert_allclose(value, TABLE[[2, 0]])


def test_shared_embedding_columns_share_one_table():
    a, b = fc.shared_embedding_columns(
        [fc.categorical_column_with_identity("watched", 4),
         fc.categorical_column_with_identity("liked", 4)],
        dimension=2, combiner="sum", initializer=fg.constant_initializer(TABLE))
    assert a.name == "watched_shared_embedding" and b.name == "liked_shared_embedding"
    assert a.shared_embedding_collection_name == "liked_watched_shared_embedding"
    with fg.Graph().as_default():
        out = fc.input_layer({"watched": [[0], [3]], "liked": [[1], [2]]}, [a, b])
        assert [v.name for v in fg.global_variables()] == \
            ["input_layer/liked_watched_shared_embedding/embedding_weights:0"]
        value = run(out)
    # Sorted by name: liked, then watched; both looked up in TABLE.
    np.testing.assert_allclose(value, np.concatenate([TABLE[[1, 2]], TABLE[[0, 3]]], 1))


def test_shared_embedding_columns_validation():
    four = fc.categorical_column_with_identity("a", 4)
    with pytest.raises(ValueError, match="same number of buckets"):
        fc.shared_embedding_columns([four, fc.categorical_column_with_identity("b", 5)], 2)
    with pytest.raises(ValueError, match="same type"):
        fc.shared_embedding_columns(
            [four, fc.categorical_column_with_vocabulary_list("b", ["1", "2", "3", "4"])], 2)
    cols = fc.shared_embedding_columns([four, fc.categorical_column_with_identity("b", 4)],
                                       2, shared_embedding_collection_name="shared")
    assert cols[0]._var_scope_name == "shared"
