"""flowgraph: a static computational-graph runtime on numpy, in the style of TensorFlow 1.x.

Build a graph of constants, placeholders, Variables and ops, then run parts of it in a
Session::

    import flowgraph as fg
    x = fg.placeholder(fg.float32, [None, 3])
    y = fg.reduce_sum(x * 2.0, axis=1)
    with fg.Session() as sess:
        print(sess.run(y, feed_dict={x: [[1, 2, 3]]}))
"""

# Core: dtypes, shapes, graphs, ops, Variables, gradients, Sessions.
from flowgraph import errors
from flowgraph.dtypes import (DType, as_dtype, double, float16, float32, float64, half, int8,
                              int16, int32, int64, string, uint8, uint16)
from flowgraph.dtypes import bool_ as bool
from flowgraph.gradients import *  # noqa: F401,F403
from flowgraph.graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection,
                             add_to_collections, colocate_with, control_dependencies, device,
                             get_collection, get_collection_ref, get_default_graph,
                             get_default_session, name_scope, reset_default_graph,
                             set_random_seed)
from flowgraph.indexed_slices import IndexedSlices, IndexedSlicesValue
from flowgraph.initializers import *  # noqa: F401,F403
from flowgraph.ops import *  # noqa: F401,F403 - the op builders are the public API
from flowgraph.runtime.config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions,
                                      RunMetadata, RunOptions)
from flowgraph.runtime.session import InteractiveSession, Session
from flowgraph.shapes import Dimension, TensorShape, dimension_value
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue
from flowgraph.template import make_template
from flowgraph.variable_scope import *  # noqa: F401,F403
from flowgraph.variables import *  # noqa: F401,F403

# TF1's sub-namespaces and the libraries built on the core.
from flowgraph.api import initializers, linalg, math, random, sparse, strings, test
from flowgraph import (contrib, data, datasets, estimator, feature_column, image, io, layers,
                       lookup, losses, metrics, nn, onnx, saved_model, summary, train, viz)
from flowgraph.image import random_crop
from flowgraph.control_flow import (TensorArray, case, cond, foldl, foldr, map_fn, nest, scan,
                                    while_loop)
from flowgraph.dtypes import variant
from flowgraph.graph import init_scope
from flowgraph.ops.decode_csv import decode_csv
from flowgraph.io import GraphDef, MetaGraphDef, NodeDef, import_graph_def
from flowgraph.io.example_parsing import parse_example, parse_single_example
from flowgraph.io.sequence_example_parsing import parse_single_sequence_example
from flowgraph.io.example_spec import FixedLenFeature, FixedLenSequenceFeature, VarLenFeature
from flowgraph import python_io
from flowgraph import client, graph_util, profiler  # tf.graph_util, tf.profiler, timeline
from flowgraph.devices import DeviceSpec
from flowgraph.tensor_util import make_ndarray, make_tensor_proto
from flowgraph.summary import (Event, HistogramProto, LogMessage, SessionLog, Summary,
                               SummaryMetadata, TaggedRunMetadata)

__version__ = "0.1.0"


class _Compat:
    """`fg.compat.v1` is flowgraph itself: TF1 code written against tf.compat.v1 runs as is.
    Also TF1's `tf.compat` helpers (as_bytes, as_text, dimension_value, forward_compatible,
    the type tuples, ...)."""

    def __init__(self, module: object) -> None:
        import builtins

        import numpy as np

        from flowgraph import compat_helpers, shapes
        from flowgraph.tf1 import compat_text
        self.v1 = module
        self.as_bytes = compat_text.as_bytes
        self.as_text = self.as_str = compat_text.as_text
        self.as_str_any = compat_text.as_str_any
        self.path_to_str = compat_text.path_to_str
        self.dimension_value = shapes.dimension_value
        self.dimension_at_index = compat_helpers.dimension_at_index
        self.forward_compatible = compat_helpers.forward_compatible
        self.forward_compatibility_horizon = compat_helpers.forward_compatibility_horizon
        self.bytes_or_text_types = (bytes, str)
        self.integral_types = (int, np.integer)
        self.real_types = (int, float, np.integer, np.floating)
        # (builtins: this module's `complex` is tf.complex)
        self.complex_types = (int, float, builtins.complex, np.number)


compat = _Compat(__import__(__name__))

# --- TF1 names added by the fidelity pass ---
from flowgraph.api import debugging  # noqa: E402
from flowgraph.api.tf1_misc import *  # noqa: E402,F401,F403 - v1/v2 switches, is_tensor, ...
from flowgraph.gradient_registry import (NoGradient, NotDifferentiable,  # noqa: E402
                                         RegisterGradient, custom_gradient, no_gradient)
from flowgraph.tf1 import app, flags, gfile  # noqa: E402 - tf.app, tf.flags, tf.gfile
from flowgraph.tf1 import tf_logging as logging  # noqa: E402 - tf.logging
from flowgraph.image.boxes import extract_image_patches  # noqa: E402 - tf.extract_image_patches
from flowgraph.input import (FIFOQueue, FixedLengthRecordReader, PaddingFIFOQueue,  # noqa: E402
                             QueueBase, RandomShuffleQueue, ReaderBase, TextLineReader,
                             TFRecordReader, WholeFileReader)

from flowgraph.api import sets  # noqa: E402

from flowgraph.ops.edit_distance import edit_distance  # noqa: E402 - tf.edit_distance

# TF1 namespaces and aliases: tf.queue, tf.manip, tf.resource_loader, build constants,
# op_scope, variable_op_scope, get_logger, ... and tf.dtypes' bool/cast/saturate_cast/as_string.
from flowgraph.api import manip, queue  # noqa: E402 - tf.manip, tf.queue
from flowgraph.tf1 import resource_loader  # noqa: E402 - tf.resource_loader
from flowgraph.api.tf1_names import *  # noqa: E402,F401,F403 - tf.VERSION, tf.op_scope, ...
from flowgraph.api import tf1_names as _tf1_names  # noqa: E402
from flowgraph import dtypes as _dtypes_module  # noqa: E402

_tf1_names.add_dtypes_names(_dtypes_module)
logging.TaskLevelStatusMessage = _tf1_names.TaskLevelStatusMessage

# tf.print, py_function, searchsorted, switch_case, tf.bitwise and other TF1 names.
from flowgraph.ops.printing_v2 import print_v2 as print  # noqa: E402,A001 - tf.print
from flowgraph.ops.search_ops import searchsorted  # noqa: E402
from flowgraph.ops.bitwise import bitcast  # noqa: E402
from flowgraph.ops.scatter_extrema import tensor_scatter_nd_max, tensor_scatter_nd_min  # noqa: E402
from flowgraph.ops.misc_tf1 import (add_check_numerics_ops, grad_pass_through,  # noqa: E402
                                    guarantee_const, parallel_stack, py_function,
                                    recompute_grad, sparse_matmul, switch_case, timestamp)
from flowgraph.api import bitwise  # noqa: E402 - tf.bitwise

from flowgraph.dtypes import uint32, uint64  # noqa: E402 - tf.uint32, tf.uint64

from flowgraph import distributions  # noqa: E402 - tf.distributions

from flowgraph.api import quantization  # noqa: E402 - tf.quantization
from flowgraph.ops.fake_quant import *  # noqa: E402,F401,F403 - tf.fake_quant_with_min_max_*

from flowgraph.api import audio  # noqa: E402 - tf.audio
from flowgraph.ops.strings_more import string_to_hash_bucket, string_to_hash_bucket_strong  # noqa: E402,F401,E501 - tf.string_to_hash_bucket*
from flowgraph.ops.decode_more import decode_compressed, decode_json_example  # noqa: E402,F401 - tf.decode_*

from flowgraph.dtypes import complex64, complex128  # noqa: E402 - tf.complex64, tf.complex128
from flowgraph.ops.complex_ops import angle, complex, conj, imag, real  # noqa: E402,A004 - tf.complex, tf.real, ...

from flowgraph.ops.fft_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d  # noqa: E402 - tf.fft, ...

from flowgraph import signal  # noqa: E402 - tf.signal
from flowgraph.api import spectral  # noqa: E402 - tf.spectral (TF1 alias)

# tf.Module, tf.TensorSpec family, tf.function (graph mode).
from flowgraph.module import Module  # noqa: E402 - tf.Module
from flowgraph.type_spec import (IndexedSlicesSpec, SparseTensorSpec, TensorSpec,  # noqa: E402
                                 TypeSpec, type_spec_from_value)
from flowgraph.function_decorator import function  # noqa: E402 - tf.function

from flowgraph.input.accumulators import (  # noqa: E402 - tf.ConditionalAccumulator, ...
    ConditionalAccumulator,
    ConditionalAccumulatorBase,
    SparseConditionalAccumulator,
)
from flowgraph.input.priority_queue import PriorityQueue  # noqa: E402 - tf.PriorityQueue

from flowgraph.control_flow.vectorized_map import vectorized_map  # noqa: E402 - tf.vectorized_map
from flowgraph.tensor_conversion import register_tensor_conversion_function  # noqa: E402
from flowgraph.variable_creator import variable_creator_scope  # noqa: E402

from flowgraph.api import version  # noqa: E402 - tf.version
from flowgraph.api import config_namespace as config  # noqa: E402 - tf.config

from flowgraph.io.sparse_feature import SparseFeature  # noqa: E402 - tf.SparseFeature

from flowgraph.ops.session_handle_ops import (  # noqa: E402 - tf.get_session_handle, ...
    TensorHandle, delete_session_tensor, get_session_handle, get_session_tensor)

from flowgraph import keras  # noqa: E402 - tf.keras (TF 1.15 graph-mode Keras)

from flowgraph.variable_enums import VariableAggregation, VariableSynchronization  # noqa: E402
from flowgraph.container_scope import container  # noqa: E402 - tf.container
from flowgraph.ops.cast_complex import to_complex64, to_complex128  # noqa: E402 - tf.to_complex*
from flowgraph.ops.volume_patches import extract_volume_patches  # noqa: E402
from flowgraph.ops.fingerprint_op import fingerprint  # noqa: E402 - tf.fingerprint

from flowgraph.gradient_tape import GradientTape  # noqa: E402 - tf.GradientTape
