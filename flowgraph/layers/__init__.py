"""`fg.layers`: TF1's `tf.layers` (`tf.compat.v1.layers`): layer classes and their
functional forms. Variables are made with `fg.get_variable` in a variable scope named after
the layer (``dense/kernel``, ``conv2d_1/bias``, ``batch_normalization/moving_mean``), so
`fg.variable_scope(..., reuse=True)` shares them as in TF1.

>>> h = fg.layers.conv2d(images, 16, 5, padding="same", activation=fg.nn.relu)
>>> h = fg.layers.max_pooling2d(h, 2, 2)
>>> logits = fg.layers.dense(fg.layers.flatten(h), 10)
"""

from flowgraph.layers import regularizers  # noqa: F401
from flowgraph.layers.base import InputSpec, Layer
from flowgraph.layers.conv_transpose import (
    Conv2DTranspose,
    SeparableConv2D,
    conv2d_transpose,
    separable_conv2d,
)
from flowgraph.layers.convolutional import Conv1D, Conv2D, conv1d, conv2d
from flowgraph.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from flowgraph.layers.normalization import BatchNormalization, batch_normalization
from flowgraph.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    MaxPooling1D,
    MaxPooling2D,
    average_pooling1d,
    average_pooling2d,
    max_pooling1d,
    max_pooling2d,
)

# TF1's aliases.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
BatchNorm = BatchNormalization

__all__ = [
    "Layer", "InputSpec", "Dense", "Dropout", "Flatten", "Conv1D", "Conv2D",
    "Conv2DTranspose", "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
    "AveragePooling2D", "BatchNormalization", "dense", "dropout", "flatten", "conv1d",
    "conv2d", "conv2d_transpose", "separable_conv2d", "max_pooling1d", "max_pooling2d",
    "average_pooling1d", "average_pooling2d", "batch_normalization", "regularizers",
    "Convolution1D", "Convolution2D", "Convolution2DTranspose", "Deconvolution2D",
    "SeparableConvolution2D", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "BatchNorm",
]

# 3-D convolution and pooling layers.
from flowgraph.layers.convolutional3d import (  # noqa: E402
    AveragePooling3D,
    Conv3D,
    Conv3DTranspose,
    MaxPooling3D,
    average_pooling3d,
    conv3d,
    conv3d_transpose,
    max_pooling3d,
)

Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
Deconvolution3D = Conv3DTranspose
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D

__all__ += ["Conv3D", "Conv3DTranspose", "MaxPooling3D", "AveragePooling3D", "conv3d",
            "conv3d_transpose", "max_pooling3d", "average_pooling3d", "Convolution3D",
            "Convolution3DTranspose", "Deconvolution3D", "MaxPool3D", "AvgPool3D"]

from flowgraph.layers.separable_conv1d import SeparableConv1D, separable_conv1d  # noqa: E402

__all__ += ["SeparableConv1D", "separable_conv1d"]
