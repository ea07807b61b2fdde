"""`tf.train.Example` and its relatives, byte-compatible with TensorFlow's protos
(tensorflow/core/example/example.proto and feature.proto), without protobuf or TensorFlow.

>>> ex = fg.train.Example(features=fg.train.Features(feature={
...     "x": fg.train.Feature(float_list=fg.train.FloatList(value=[1.0, 2.5])),
...     "label": fg.train.Feature(int64_list=fg.train.Int64List(value=[3]))}))
>>> data = ex.SerializeToString()          # write it to a TFRecord file, or parse it
>>> fg.train.Example.FromString(data).features.feature["x"].float_list.value
[1.0, 2.5]

Field numbers (the wire format): ``Example.features = 1``; ``Features.feature = 1``
(map<string, Feature>); ``Feature`` oneof kind: ``bytes_list = 1``, ``float_list = 2``,
``int64_list = 3``; ``BytesList/FloatList/Int64List.value = 1`` (numbers packed);
``FeatureList.feature = 1`` (repeated Feature); ``FeatureLists.feature_list = 1``
(map<string, FeatureList>); ``SequenceExample.context = 1``, ``feature_lists = 2``.
"""

from __future__ import annotations

from flowgraph.io.example_message import BYTES, FLOAT, INT64, MAP, MESSAGE, Message, field
from flowgraph.io.example_wire import DecodeError

__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
           "FeatureLists", "Example", "SequenceExample", "DecodeError"]


class BytesList(Message):
    """A list of byte strings: ``BytesList(value=[b"a", b"bc"])`` (`str` is refused:
    encode text first)."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.BytesList"
    _FIELDS = (field("value", 1, BYTES, repeated=True),)


class FloatList(Message):
    """A list of float32 values: ``FloatList(value=[1.0, 2.5])`` (stored as float32, so
    0.1 reads back as 0.10000000149011612, as in TensorFlow)."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.FloatList"
    _FIELDS = (field("value", 1, FLOAT, repeated=True),)


class Int64List(Message):
    """A list of int64 values: ``Int64List(value=[1, 2])``."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.Int64List"
    _FIELDS = (field("value", 1, INT64, repeated=True),)


class Feature(Message):
    """One feature: exactly one of `bytes_list`, `float_list`, `int64_list` (the oneof
    "kind"; ``feature.WhichOneof("kind")`` names the one set)."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.Feature"
    _FIELDS = (field("bytes_list", 1, MESSAGE, message_type=BytesList, oneof="kind"),
               field("float_list", 2, MESSAGE, message_type=FloatList, oneof="kind"),
               field("int64_list", 3, MESSAGE, message_type=Int64List, oneof="kind"))


class Features(Message):
    """Named features: ``Features(feature={"x": Feature(...)})``; ``features.feature`` is
    a map (reading a missing key creates it, as protobuf's maps do)."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.Features"
    _FIELDS = (field("feature", 1, MAP, message_type=Feature),)


class FeatureList(Message):
    """A sequence of features (one per time step): ``FeatureList(feature=[...])``."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.FeatureList"
    _FIELDS = (field("feature", 1, MESSAGE, repeated=True, message_type=Feature),)


class FeatureLists(Message):
    """Named feature lists: ``FeatureLists(feature_list={"tokens": FeatureList(...)})``."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.FeatureLists"
    _FIELDS = (field("feature_list", 1, MAP, message_type=FeatureList),)


class Example(Message):
    """One example: ``Example(features=Features(feature={...}))``."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.Example"
    _FIELDS = (field("features", 1, MESSAGE, message_type=Features),)


class SequenceExample(Message):
    """An example with per-sequence `context` features and per-step `feature_lists`."""

    __slots__ = ()
    _FULL_NAME = "tensorflow.SequenceExample"
    _FIELDS = (field("context", 1, MESSAGE, message_type=Features),
               field("feature_lists", 2, MESSAGE, message_type=FeatureLists))
