"""`fg.profiler` (TF1's ``tf.profiler``): model parameters, float operations, op time.

    params = fg.profiler.profile(
        fg.get_default_graph(),
        options=fg.profiler.ProfileOptionBuilder.trainable_variables_parameter())
    print(params.total_parameters)
"""

from flowgraph.profiler.flops import counted_op_types
from flowgraph.profiler.model_analyzer import profile
from flowgraph.profiler.nodes import GraphNodeProto, MultiGraphNodeProto
from flowgraph.profiler.option_builder import ProfileOptionBuilder

__all__ = ["GraphNodeProto", "MultiGraphNodeProto", "ProfileOptionBuilder", "profile",
           "counted_op_types"]

from flowgraph.profiler.profiler_api import ALL_ADVICE, Profiler, advise, write_op_log  # noqa: E402,F401,E501
from flowgraph.profiler.protos import AdviceProto, OpLogProto  # noqa: E402,F401 - tf.profiler protos

__all__ += ["ALL_ADVICE", "AdviceProto", "OpLogProto", "Profiler", "advise", "write_op_log"]
