"""`tf.keras.layers`: Keras' layers (TF 1.15's names, arguments and defaults)."""
# ruff: noqa: I001 - modules append their exports below, one line each

from flowgraph.keras.base_layer import Layer  # noqa: F401
from flowgraph.keras.input_layer import Input, InputLayer  # noqa: F401
from flowgraph.keras.layers.core import Activation, ActivityRegularization, Dense  # noqa: F401
from flowgraph.keras.layers.core import Dropout, Flatten, Lambda, Permute  # noqa: F401
from flowgraph.keras.layers.core import RepeatVector, Reshape  # noqa: F401
from flowgraph.keras.layers.core import SpatialDropout1D, SpatialDropout2D  # noqa: F401
from flowgraph.keras.layers.convolutional import Conv1D, Conv2D, Conv3D  # noqa: F401
from flowgraph.keras.layers.convolutional import Conv2DTranspose, SeparableConv2D  # noqa: F401
from flowgraph.keras.layers.convolutional import Convolution1D, Convolution2D  # noqa: F401
from flowgraph.keras.layers.convolutional import Convolution3D  # noqa: F401
from flowgraph.keras.layers.convolutional import Convolution2DTranspose  # noqa: F401
from flowgraph.keras.layers.convolutional import SeparableConvolution2D  # noqa: F401
from flowgraph.keras.layers.convolutional import UpSampling1D, UpSampling2D  # noqa: F401
from flowgraph.keras.layers.convolutional import ZeroPadding1D, ZeroPadding2D  # noqa: F401
from flowgraph.keras.layers.convolutional import Cropping1D, Cropping2D  # noqa: F401
from flowgraph.keras.layers.pooling import MaxPooling1D, MaxPooling2D, MaxPooling3D  # noqa: F401
from flowgraph.keras.layers.pooling import AveragePooling1D, AveragePooling2D  # noqa: F401
from flowgraph.keras.layers.pooling import AveragePooling3D, GlobalMaxPooling1D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalMaxPooling2D, GlobalMaxPooling3D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalAveragePooling1D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalAveragePooling2D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalAveragePooling3D  # noqa: F401
from flowgraph.keras.layers.pooling import MaxPool1D, MaxPool2D, MaxPool3D  # noqa: F401
from flowgraph.keras.layers.pooling import AvgPool1D, AvgPool2D, AvgPool3D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalMaxPool1D, GlobalMaxPool2D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalMaxPool3D, GlobalAvgPool1D  # noqa: F401
from flowgraph.keras.layers.pooling import GlobalAvgPool2D, GlobalAvgPool3D  # noqa: F401
from flowgraph.keras.layers.merge import Add, Subtract, Multiply, Average  # noqa: F401
from flowgraph.keras.layers.merge import Maximum, Minimum, Concatenate, Dot  # noqa: F401
from flowgraph.keras.layers.merge import add, subtract, multiply, average  # noqa: F401
from flowgraph.keras.layers.merge import maximum, minimum, concatenate, dot  # noqa: F401
from flowgraph.keras.layers.embeddings import Embedding  # noqa: F401
from flowgraph.keras.layers.advanced_activations import LeakyReLU, PReLU, ELU  # noqa: F401
from flowgraph.keras.layers.advanced_activations import ThresholdedReLU, Softmax  # noqa: F401
from flowgraph.keras.layers.advanced_activations import ReLU  # noqa: F401
from flowgraph.keras.layers.noise import GaussianNoise, GaussianDropout  # noqa: F401
from flowgraph.keras.layers.noise import AlphaDropout  # noqa: F401
from flowgraph.keras.layers.normalization import BatchNormalization  # noqa: F401
from flowgraph.keras.layers.normalization import LayerNormalization  # noqa: F401
from flowgraph.keras.layers.recurrent import RNN, SimpleRNN, LSTM, GRU  # noqa: F401
from flowgraph.keras.layers.recurrent import SimpleRNNCell, LSTMCell, GRUCell  # noqa: F401
from flowgraph.keras.layers.wrappers import Wrapper, TimeDistributed  # noqa: F401
from flowgraph.keras.layers.wrappers import Bidirectional  # noqa: F401
from flowgraph.keras.layers.core import Masking  # noqa: F401,E402

from flowgraph.keras.saving import serialize, deserialize  # noqa: F401, E402

from flowgraph.keras.layers.recurrent_more import AbstractRNNCell, StackedRNNCells  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import DepthwiseConv2D, SeparableConv1D  # noqa: F401,E402,E501
from flowgraph.keras.layers.convolutional_more import SeparableConvolution1D  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import Conv3DTranspose, Cropping3D  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import Convolution3DTranspose  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import UpSampling3D, ZeroPadding3D  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import SpatialDropout3D  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import LocallyConnected1D  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_more import LocallyConnected2D  # noqa: F401,E402
from flowgraph.keras.layers.attention import Attention, AdditiveAttention  # noqa: F401,E402
from flowgraph.keras.layers.convolutional_recurrent import ConvLSTM2D  # noqa: F401,E402
from flowgraph.keras.layers.dense_features import DenseFeatures  # noqa: F401,E402
