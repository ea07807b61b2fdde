"""`fg.quantization`: TF1's `tf.quantization` names (fake quantization and
quantize_and_dequantize)."""

from flowgraph.ops.fake_quant import (  # noqa: F401
    fake_quant_with_min_max_args,
    fake_quant_with_min_max_args_gradient,
    fake_quant_with_min_max_vars,
    fake_quant_with_min_max_vars_gradient,
    fake_quant_with_min_max_vars_per_channel,
    fake_quant_with_min_max_vars_per_channel_gradient,
)
from flowgraph.ops.quantize_dequantize import quantize_and_dequantize  # noqa: F401
