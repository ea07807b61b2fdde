"""rejection_resample (TF1 1.15 semantics) and sample_from_datasets with a dataset of
weights; expected counts are worked out by hand in the comments."""

import numpy as np

import flowgraph as fg
from flowgraph.data import Dataset, experimental
from tests.data.util import elements

LABELS = np.array([0] * 90 + [1] * 10, np.int64)
np.random.RandomState(0).shuffle(LABELS)


def _pairs(initial, target, seed=3):
    ds = Dataset.from_tensor_slices((LABELS, np.arange(100, dtype=np.int64)))
    ds = ds.apply(experimental.rejection_resample(lambda label, i: label, target,
                                                  initial_dist=initial, seed=seed))
    return ds, [(int(c), int(label), int(i)) for c, (label, i) in elements(ds)]


def test_structure_is_class_then_element():
    ds, _ = _pairs([0.9, 0.1], [0.5, 0.5])
    assert ds.output_types == (fg.int64, (fg.int64, fg.int64))
    assert [s.as_list() for s in fg.nest.flatten(ds.output_shapes)] == [[], [], []]


def test_mixing_keeps_every_original_and_adds_accepted_rare_class():
    # ratio target/initial = [0.556, 5]: originals are drawn with probability 0.556, the
    # filtered branch accepts class 0 with (0.556-0.556)/(5-0.556) = 0 and class 1 with 1.
    # As in TF 1.15, drawing goes on until both branches are exhausted: all 100 originals
    # plus the 10 class-1 elements once more.
    _, got = _pairs([0.9, 0.1], [0.5, 0.5])
    assert all(c == label for c, label, _ in got)
    assert len(got) == 110
    assert sum(c for c, _, _ in got) == 20
    assert sorted(i for c, _, i in got if c == 1) == \
        sorted(2 * [int(i) for i in np.flatnonzero(LABELS == 1)])


def test_static_cases_skip_the_mixing():
    # target == initial: the min ratio is 1, the data come back unfiltered, in order
    _, same = _pairs([0.9, 0.1], [0.9, 0.1])
    assert [i for _, _, i in same] == list(range(100))
    # ratio [2, 0]: the min ratio is 0, only the filter (accepting class 0 always) remains
    _, only0 = _pairs([0.5, 0.5], [1.0, 0.0])
    assert [i for _, _, i in only0] == [int(i) for i in np.flatnonzero(LABELS == 0)]


def test_estimated_initial_distribution():
    # The mixing weights come from the per-element estimates: one draw per element, at
    # most 100 (a draw of the exhausted filter branch gives nothing, as in TF 1.15).
    # The filter branch accepts only class 1 (its ratio is the largest), so more than the
    # input's 10 class-1 elements come out.
    _, got = _pairs(None, [0.5, 0.5])
    assert all(c == label for c, label, _ in got)
    assert 50 <= len(got) <= 100
    assert sum(c for c, _, _ in got) > 10
    assert all(0 <= i < 100 for _, _, i in got)


def test_sample_from_datasets_with_a_dataset_of_weights():
    weights = Dataset.from_tensor_slices(np.array([[1, 0], [0, 1], [0, 1], [1, 0]],
                                                  np.float32))
    zeros = Dataset.from_tensors(np.int64(0)).repeat()
    ones = Dataset.from_tensors(np.int64(1)).repeat()
    ds = experimental.sample_from_datasets([zeros, ones], weights, seed=1)
    # a weight of 0 has log -inf: the draw always takes the other dataset
    assert [int(v) for v in elements(ds)] == [0, 1, 1, 0]
