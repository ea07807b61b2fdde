"""EstimatorSpec checks each eval_metric_ops member as TF1's
_check_is_tensor_or_operation does."""

import pytest

import flowgraph as fg


def test_eval_metric_ops_members_must_be_tensors_or_operations():
    with fg.Graph().as_default():
        loss = fg.constant(1.0)
        value, update = fg.metrics.mean(loss)
        spec = fg.estimator.EstimatorSpec("eval", loss=loss,
                                          eval_metric_ops={"m": (value, update.op)})
        assert spec.eval_metric_ops["m"] == (value, update.op)
        with pytest.raises(TypeError, match=r"eval_metric_ops\[m\] must be Operation or "
                                            r"Tensor, given: 5"):
            fg.estimator.EstimatorSpec("eval", loss=loss, eval_metric_ops={"m": (value, 5)})
        with pytest.raises(TypeError, match=r"eval_metric_ops\[m\] must be Operation"):
            fg.estimator.EstimatorSpec("eval", loss=loss,
                                       eval_metric_ops={"m": ((value, "x"), update)})
