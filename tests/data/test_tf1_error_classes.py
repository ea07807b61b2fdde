"""Error classes TF1 raises for structure mismatches and bad shard arguments (checked
against TF 1.15's `nest` and ShardDataset kernel behaviour)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, Iterator, experimental
from tests.data.util import elements, scalars


def test_make_initializer_nesting_mismatch_is_value_error():
    pair = Iterator.from_structure((fg.int64, fg.float32))
    with pytest.raises(ValueError, match="same nested structure"):
        pair.make_initializer(Dataset.range(3))                       # tuple vs leaf
    with pytest.raises(ValueError, match="same nested structure"):
        pair.make_initializer(Dataset.zip((Dataset.range(3),) * 3))   # length 2 vs 3
    keyed = Iterator.from_structure({"a": fg.int64})
    with pytest.raises(ValueError, match="same nested structure"):
        keyed.make_initializer(Dataset.zip({"b": Dataset.range(3)}))  # other keys
    with pytest.raises(ValueError, match="same nested structure"):
        Iterator.from_structure(fg.int64).make_initializer(Dataset.zip((Dataset.range(3),)))


def test_make_initializer_dict_against_tuple_is_type_error():
    keyed = Iterator.from_structure({"a": fg.int64})
    with pytest.raises(TypeError, match="same nested structure"):
        keyed.make_initializer(Dataset.zip((Dataset.range(3),)))


def test_output_shapes_of_other_length_is_value_error():
    with pytest.raises(ValueError, match="output_shapes"):
        Iterator.from_structure((fg.int64, fg.int64), (fg.TensorShape([]),))
    with pytest.raises(ValueError, match="output_shapes"):
        Dataset.from_generator(lambda: iter([]), (fg.int64, fg.int64), (fg.TensorShape([]),))


def test_padding_values_structure_errors():
    pairs = Dataset.range(3).map(lambda x: (x, x))
    with pytest.raises(ValueError, match="padding_values"):
        pairs.padded_batch(2, ([], []), padding_values=(np.int64(0),))
    # TF1's map_structure_up_to: a leaf where a tuple is expected is a TypeError
    with pytest.raises(TypeError, match="padding_values"):
        pairs.padded_batch(2, ([], []), padding_values=np.int64(0))


def test_shard_index_is_checked_when_the_iterator_runs():
    bad = Dataset.range(3).shard(2, 2)            # building is fine, as in TF1 graph mode
    with pytest.raises(fg.errors.InvalidArgumentError, match="Index must be between 0 and 1"):
        scalars(bad)
    with pytest.raises(fg.errors.InvalidArgumentError, match="shards must be greater"):
        scalars(Dataset.range(3).shard(0, 0))
    assert scalars(Dataset.range(7).shard(2, 1)) == [1, 3, 5]


def test_filter_for_shard_checks_constants_when_building():
    with pytest.raises(ValueError, match="shard_index must be < num_shards"):
        experimental.filter_for_shard(2, 2)
    with pytest.raises(ValueError, match="num_shards must be >= 1"):
        experimental.filter_for_shard(0, 0)
    assert scalars(Dataset.range(7).apply(experimental.filter_for_shard(3, 2))) == [2, 5]


def test_pad_to_bucket_boundary_rejects_elements_past_the_last_boundary():
    def lengths(n):
        return Dataset.range(1, n).map(lambda x: fg.fill([x], x))

    bucketing = experimental.bucket_by_sequence_length(
        lambda x: fg.shape(x)[0], [3, 5], [2, 2, 2], pad_to_bucket_boundary=True)
    # lengths 1..4 fit: buckets [1, 3) and [3, 5) pad to 2 and 4 columns
    batches = [b.tolist() for b in elements(lengths(5).apply(bucketing))]
    assert batches == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    with pytest.raises(fg.errors.InvalidArgumentError, match="pad_to_bucket_boundary=True"):
        scalars(lengths(8).apply(bucketing).map(lambda b: fg.reduce_sum(b)))


def test_padded_shapes_given_as_a_constant_tensor_are_static():
    rows = Dataset.range(1, 4).map(lambda x: fg.fill([x], x))
    padded = rows.padded_batch(2, padded_shapes=fg.constant([5], fg.int64))
    assert padded.output_shapes.as_list() == [None, 5]
    assert [b.tolist() for b in elements(padded)] == [[[1, 0, 0, 0, 0], [2, 2, 0, 0, 0]],
                                                     [[3, 3, 3, 0, 0]]]
    unknown = rows.padded_batch(2, padded_shapes=fg.constant([-1], fg.int64))
    assert unknown.output_shapes.as_list() == [None, None]


def test_padding_value_must_be_a_scalar():
    with pytest.raises(ValueError, match="Padding value should be a scalar"):
        Dataset.range(3).padded_batch(2, [], padding_values=(np.int64(1), np.int64(2)))


def test_generator_leaf_type_takes_a_whole_yielded_tuple():
    # TF1's flatten_up_to: one output type converts the yielded (1, 2) into one array
    def pairs():
        yield (1, 2)
        yield (3, 4)

    got = elements(Dataset.from_generator(pairs, fg.int32))
    assert [g.tolist() for g in got] == [[1, 2], [3, 4]]
    assert all(g.dtype == np.int32 for g in got)

    def nested():
        yield (1, (2.5, [3, 4]))

    ds = Dataset.from_generator(nested, (fg.int64, (fg.float32, fg.int32)))
    [(a, (b, c))] = elements(ds)
    assert (int(a), float(b), c.tolist()) == (1, 2.5, [3, 4])
    with pytest.raises(fg.errors.InvalidArgumentError, match="did not match the expected"):
        elements(Dataset.from_generator(pairs, (fg.int32, (fg.int32, fg.int32))))
