"""fg.metrics at thresholds, AUC and sensitivity/specificity, against numpy written here
from TF1's definitions (positive means strictly above a threshold)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import metrics
from tests.metrics.auc_reference import confusion as _confusion
from tests.metrics.auc_reference import reference_auc as _reference_auc
from tests.metrics.auc_reference import tf1_thresholds as _tf1_thresholds

RNG = np.random.default_rng(1)


def _batches(count=3, size=20):
    return [(RNG.integers(0, 2, size), RNG.uniform(size=size).astype(np.float32),
             RNG.uniform(0.5, 2.0, size).astype(np.float32)) for _ in range(count)]


def _run_stream(pairs, placeholders, batches):
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        for batch in batches:
            sess.run([u for _, u in pairs], dict(zip(placeholders, batch)))
        return sess.run([v for v, _ in pairs])


@pytest.mark.parametrize("curve,method", [("ROC", "trapezoidal"), ("PR", "trapezoidal"),
                                          ("ROC", "minoring"), ("ROC", "majoring"),
                                          ("PR", "careful_interpolation")])
def test_auc_matches_tf1_bucketing(curve, method):
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.float32, [None])
    w = fg.placeholder(fg.float32, [None])
    pair = metrics.auc(y, p, weights=w, num_thresholds=50, curve=curve,
                       summation_method=method)
    batches = _batches()
    (got,) = _run_stream([pair], [y, p, w], batches)
    ys, ps, ws = (np.concatenate(parts) for parts in zip(*batches))
    assert got == pytest.approx(_reference_auc(ys, ps, ws, 50, curve, method), rel=1e-4)


def test_auc_default_is_close_to_exact_rank_auc_and_names():
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.float32, [None])
    pair = metrics.auc(y, p)
    assert [v.op.name for v in fg.local_variables()] == [
        "auc/true_positives", "auc/false_negatives", "auc/true_negatives",
        "auc/false_positives"]
    assert fg.local_variables()[0].shape.as_list() == [200]
    ys = RNG.integers(0, 2, 400)
    ps = np.clip(0.3 * ys + RNG.uniform(size=400) * 0.7, 0, 1).astype(np.float32)
    (got,) = _run_stream([pair], [y, p], [(ys[:200], ps[:200]), (ys[200:], ps[200:])])
    pos, neg = ps[ys == 1], ps[ys == 0]
    exact = np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :])
    assert got == pytest.approx(exact, abs=0.01)


def test_auc_rejects_predictions_outside_unit_interval():
    value, update = metrics.auc(fg.constant([1, 0]), fg.constant([0.5, 1.5]))
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        with pytest.raises(fg.errors.InvalidArgumentError, match=r"predictions must be in"):
            sess.run(update)


def test_auc_bad_curve():
    with pytest.raises(ValueError, match="ROC or PR"):
        metrics.auc(fg.constant([1]), fg.constant([0.5]), curve="XY")


def test_counts_precision_recall_at_thresholds():
    thresholds = [0.2, 0.5, 0.8]
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.float32, [None])
    w = fg.placeholder(fg.float32, [None])
    pairs = [metrics.true_positives_at_thresholds(y, p, thresholds, w),
             metrics.false_positives_at_thresholds(y, p, thresholds, w),
             metrics.true_negatives_at_thresholds(y, p, thresholds, w),
             metrics.false_negatives_at_thresholds(y, p, thresholds, w),
             metrics.precision_at_thresholds(y, p, thresholds, w),
             metrics.recall_at_thresholds(y, p, thresholds, w)]
    names = [v.op.name for v in fg.local_variables()]
    assert names[:4] == ["true_positives/true_positives", "false_positives/false_positives",
                         "true_negatives/true_negatives", "false_negatives/false_negatives"]
    assert "precision_at_thresholds/true_positives" in names
    batches = _batches(2, 15)
    got = _run_stream(pairs, [y, p, w], batches)
    ys, ps, ws = (np.concatenate(parts) for parts in zip(*batches))
    c = _confusion(ys, ps, ws, thresholds)
    np.testing.assert_allclose(got[0], c["tp"], rtol=1e-5)
    np.testing.assert_allclose(got[1], c["fp"], rtol=1e-5)
    np.testing.assert_allclose(got[2], c["tn"], rtol=1e-5)
    np.testing.assert_allclose(got[3], c["fn"], rtol=1e-5)
    np.testing.assert_allclose(got[4], c["tp"] / (1e-7 + c["tp"] + c["fp"]), rtol=1e-5)
    np.testing.assert_allclose(got[5], c["tp"] / (1e-7 + c["tp"] + c["fn"]), rtol=1e-5)


def test_sensitivity_and_specificity():
    n = 20
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.float32, [None])
    sens = metrics.sensitivity_at_specificity(y, p, specificity=0.7, num_thresholds=n)
    spec = metrics.specificity_at_sensitivity(y, p, sensitivity=0.6, num_thresholds=n)
    batches = [(b[0], b[1]) for b in _batches(2, 25)]
    got = _run_stream([sens, spec], [y, p], batches)
    ys = np.concatenate([b[0] for b in batches])
    ps = np.concatenate([b[1] for b in batches])
    ones = np.ones_like(ps)
    eps = 1e-7
    c = _confusion(ys, ps, ones, _tf1_thresholds(n))
    specificities = c["tn"] / (c["tn"] + c["fp"] + eps)
    i = int(np.argmin(np.abs(specificities - 0.7)))
    assert got[0] == pytest.approx(c["tp"][i] / (c["tp"][i] + c["fn"][i] + eps), rel=1e-5)
    top = _tf1_thresholds(n)[:-1] + [1 - eps]
    c = _confusion(ys, ps, ones, top)
    gaps = np.abs(c["tp"] / (c["tp"] + c["fn"] + eps) - 0.6)
    j = int(np.flatnonzero(gaps == gaps.min())[-1])
    assert got[1] == pytest.approx(c["tn"][j] / (c["tn"][j] + c["fp"][j] + eps), rel=1e-5)
    with pytest.raises(ValueError, match="specificity"):
        metrics.sensitivity_at_specificity(y, p, specificity=1.5)
