"""tf.train.Example messages: bytes and text checked against TensorFlow 2.21's protos.

The REFERENCE bytes were made by real TensorFlow (``SerializeToString(deterministic=True)``,
which orders map entries by key, as flowgraph always does); the texts are TF's ``str()``.
"""

import copy
import pickle

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.io.example_proto import (
    BytesList,
    DecodeError,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SequenceExample,
)

REFERENCE = {
    "float1": b"\n\x0f\n\r\n\x01x\x12\x08\x12\x06\n\x04\x00\x00\x80?",
    "int_neg": b"\n0\n.\n\x05label\x12%\x1a#\n!\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
               b"\xac\x02\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x80\x80\x80\x80\x80\x80\x80\x80"
               b"\x80\x01",
    "bytes": b"\n\x1a\n\x18\n\x03img\x12\x11\n\x0f\n\x05\x00\xffpng\n\x06h\xc3\xa9llo",
    "floats": b"\n\x1f\n\x1d\n\x01v\x12\x18\x12\x16\n\x14\xcd\xcc\xcc=\x00\x00 \xc0\xff\xe6\xdb."
              b"\xb1\x1a\x82a\x00\x00\x80\x7f",
    "multi": b"\nM\n\x0c\n\x03age\x12\x05\x1a\x03\n\x01*\n\t\n\x05empty\x12\x00\n\x0f\n\x04name"
             b"\x12\x07\n\x05\n\x03ann\n\n\n\x04none\x12\x02\x12\x00\n\x15\n\x05score\x12\x0c"
             b"\x12\n\n\x08\x00\x00\x00?\x00\x00\xc0?",
    "empty_example": b"",
    "empty_features": b"\n\x00",
    "seq": b"\n\x0e\n\x0c\n\x03len\x12\x05\x1a\x03\n\x01\x02\x12\x1a\n\x18\n\x03tok\x12\x11\n"
           b"\x05\n\x03\n\x01a\n\x08\n\x06\n\x01b\n\x01c",
}
TEXT_FLOATS = ('features {\n  feature {\n    key: "v"\n    value {\n      float_list {\n'
               '        value: 0.1\n        value: -2.5\n        value: 1e-10\n'
               '        value: 3e+20\n        value: inf\n      }\n    }\n  }\n}\n')
TEXT_BYTES = ('features {\n  feature {\n    key: "img"\n    value {\n      bytes_list {\n'
              '        value: "\\000\\377png"\n        value: "h\\303\\251llo"\n      }\n'
              '    }\n  }\n}\n')
TEXT_SEQ = ('context {\n  feature {\n    key: "len"\n    value {\n      int64_list {\n'
            '        value: 2\n      }\n    }\n  }\n}\nfeature_lists {\n  feature_list {\n'
            '    key: "tok"\n    value {\n      feature {\n        bytes_list {\n'
            '          value: "a"\n        }\n      }\n      feature {\n        bytes_list {\n'
            '          value: "b"\n          value: "c"\n        }\n      }\n    }\n  }\n}\n')
# FloatList values read back in TF: float32-rounded, as Python floats.
FLOATS_READ = [0.10000000149011612, -2.5, 1.000000013351432e-10, 3.000000060122632e+20,
               float("inf")]


def built():
    """The messages of REFERENCE, built with the TF1 API through `fg.train`."""
    t = fg.train
    return {
        "float1": t.Example(features=t.Features(feature={
            "x": t.Feature(float_list=t.FloatList(value=[1.0]))})),
        "int_neg": t.Example(features=t.Features(feature={"label": t.Feature(
            int64_list=t.Int64List(value=[0, 1, -1, 300, 2**63 - 1, -2**63]))})),
        "bytes": t.Example(features=t.Features(feature={"img": t.Feature(
            bytes_list=t.BytesList(value=[b"\x00\xffpng", "héllo".encode()]))})),
        "floats": t.Example(features=t.Features(feature={"v": t.Feature(
            float_list=t.FloatList(value=[0.1, -2.5, 1e-10, 3e20, float("inf")]))})),
        "multi": t.Example(features=t.Features(feature={
            "score": t.Feature(float_list=t.FloatList(value=[0.5, 1.5])),
            "name": t.Feature(bytes_list=t.BytesList(value=[b"ann"])),
            "age": t.Feature(int64_list=t.Int64List(value=[42])),
            "empty": t.Feature(),
            "none": t.Feature(float_list=t.FloatList())})),
        "empty_example": t.Example(),
        "empty_features": t.Example(features=t.Features()),
        "seq": t.SequenceExample(
            context=t.Features(feature={"len": t.Feature(int64_list=t.Int64List(value=[2]))}),
            feature_lists=t.FeatureLists(feature_list={"tok": t.FeatureList(feature=[
                t.Feature(bytes_list=t.BytesList(value=[b"a"])),
                t.Feature(bytes_list=t.BytesList(value=[b"b", b"c"]))])})),
    }


@pytest.mark.parametrize("key", sorted(REFERENCE))
def test_serialized_bytes_equal_tensorflows(key):
    message = built()[key]
    assert message.SerializeToString() == REFERENCE[key]
    assert message.ByteSize() == len(REFERENCE[key])


@pytest.mark.parametrize("key", sorted(REFERENCE))
def test_parses_tensorflow_bytes_and_round_trips(key):
    cls = SequenceExample if key == "seq" else Example
    parsed = cls.FromString(REFERENCE[key])
    assert parsed == built()[key]
    assert parsed.SerializeToString() == REFERENCE[key]


def test_reading_values_as_tf1_code_does():
    ex = Example.FromString(REFERENCE["multi"])
    feature = ex.features.feature
    assert sorted(feature.keys()) == ["age", "empty", "name", "none", "score"]
    assert list(feature["score"].float_list.value) == [0.5, 1.5]
    assert feature["age"].int64_list.value[0] == 42
    assert feature["name"].bytes_list.value == [b"ann"]
    assert feature["age"].WhichOneof("kind") == "int64_list"
    assert feature["empty"].WhichOneof("kind") is None
    assert feature["none"].WhichOneof("kind") == "float_list"
    assert feature["none"].HasField("float_list") and len(feature["none"].float_list.value) == 0
    floats = Example.FromString(REFERENCE["floats"]).features.feature["v"].float_list.value
    assert list(floats) == FLOATS_READ
    ints = Example.FromString(REFERENCE["int_neg"]).features.feature["label"].int64_list.value
    assert list(ints) == [0, 1, -1, 300, 2**63 - 1, -2**63]
    seq = SequenceExample.FromString(REFERENCE["seq"])
    steps = seq.feature_lists.feature_list["tok"].feature
    assert [list(s.bytes_list.value) for s in steps] == [[b"a"], [b"b", b"c"]]
    assert seq.context.feature["len"].int64_list.value == [2]


def test_text_format_matches_tensorflow():
    assert str(Example.FromString(REFERENCE["floats"])) == TEXT_FLOATS
    assert repr(Example.FromString(REFERENCE["bytes"])) == TEXT_BYTES
    assert str(SequenceExample.FromString(REFERENCE["seq"])) == TEXT_SEQ
    assert str(Example()) == ""
    assert str(FloatList(value=[1.0, 123456789.0, -0.0])) == ("value: 1\nvalue: 123456792\n"
                                                              "value: -0\n")


def test_parse_from_string_and_merge():
    ex = Example()
    assert ex.ParseFromString(REFERENCE["float1"]) == len(REFERENCE["float1"])
    assert ex.features.feature["x"].float_list.value == [1.0]
    ex.ParseFromString(REFERENCE["bytes"])  # replaces, does not merge
    assert list(ex.features.feature) == ["img"]
    ex.MergeFromString(REFERENCE["float1"])
    assert sorted(ex.features.feature) == ["img", "x"]
    # Unpacked repeated numbers (older writers) are read too: values 7, 8 as two varints.
    unpacked = b"\n\x0d\n\x0b\n\x01k\x12\x06\x1a\x04\x08\x07\x08\x08"
    assert Example.FromString(unpacked).features.feature["k"].int64_list.value == [7, 8]
    # The same key twice: the later entry wins, as in protobuf maps.
    twice = REFERENCE["float1"] + b"\n\x0f\n\r\n\x01x\x12\x08\x12\x06\n\x04\x00\x00\x00@"
    assert Example.FromString(twice).features.feature["x"].float_list.value == [2.0]
    # Unknown fields are kept verbatim.
    assert Example.FromString(b"\x10\x05").SerializeToString() == b"\x10\x05"


@pytest.mark.parametrize("data", [b"\n\x05\n\x03", b"\xff", b"\x00\x05",
                                  b"\n\x05\n\x03\n\x01\xff"])
def test_corrupt_bytes_raise_decode_error(data):
    with pytest.raises(DecodeError, match="Error parsing message with type"):
        Example.FromString(data)


def test_building_in_place_sets_parents():
    ex = Example()
    assert ex.features.ByteSize() == 0  # reading alone sets nothing
    assert not ex.HasField("features") and ex.SerializeToString() == b""
    ex.features.feature["x"].float_list.value.append(1.0)
    assert ex.HasField("features")
    assert ex.SerializeToString() == REFERENCE["float1"]
    seq = SequenceExample()
    seq.context.feature["len"].int64_list.value.extend([2])
    tok = seq.feature_lists.feature_list["tok"].feature
    tok.add().bytes_list.value.append(b"a")
    tok.add(bytes_list=BytesList(value=[b"b", b"c"]))
    assert seq.SerializeToString() == REFERENCE["seq"]


def test_oneof_switches_kind():
    feature = Feature(int64_list=Int64List(value=[1]))
    feature.float_list.value.append(2.0)
    assert feature.WhichOneof("kind") == "float_list"
    assert not feature.HasField("int64_list")
    assert feature.SerializeToString() == b"\x12\x06\n\x04\x00\x00\x00@"
    feature.ClearField("kind")
    assert feature.WhichOneof("kind") is None


def test_value_type_checks():
    with pytest.raises(TypeError, match="expected bytes, str found"):
        BytesList(value=["text"])
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        Int64List(value=[1.5])
    with pytest.raises(TypeError):
        Int64List(value=[True])
    with pytest.raises(ValueError, match="Value out of range"):
        Int64List(value=[2**63])
    with pytest.raises(TypeError, match="real number"):
        FloatList(value=["1.0"])
    assert FloatList(value=[0.1]).value == [0.10000000149011612]
    assert FloatList(value=np.array([0.5, 2], np.float64)).value == [0.5, 2.0]
    assert Int64List(value=np.arange(3)).value == [0, 1, 2]
    assert Int64List(value=np.uint8([1, 255])).value == [1, 255]
    assert Int64List(value=(4, np.int32(5))).value == [4, 5]
    assert BytesList(value=np.array([b"a", b"bc"])).value == [b"a", b"bc"]


def test_constructor_and_assignment_errors():
    with pytest.raises(ValueError, match='has no "foo" field'):
        Example(foo=1)
    with pytest.raises(TypeError, match="must be dict or instance of same class"):
        Example(features=1)
    with pytest.raises(AttributeError, match="Assignment not allowed"):
        Example().features = Features()
    with pytest.raises(ValueError, match="may not be assigned"):
        Features().feature["x"] = Feature()
    with pytest.raises(TypeError, match="No positional arguments"):
        Int64List([1])
    with pytest.raises(ValueError, match="does not have presence"):
        Int64List().HasField("value")


def test_dict_constructors_copy_equality_and_pickle():
    from_dicts = Example(features={"feature": {"x": {"float_list": {"value": [1.0]}}}})
    assert from_dicts.SerializeToString() == REFERENCE["float1"]
    original = built()["multi"]
    clone = copy.deepcopy(original)
    assert clone == original and clone is not original
    clone.features.feature["age"].int64_list.value[0] = 43
    assert clone != original
    other = Example()
    other.CopyFrom(original)
    assert other == original
    assert pickle.loads(pickle.dumps(original)) == original
    assert Example() != Example(features=Features())
    assert Int64List(value=[1]) != FloatList(value=[1.0])
    with pytest.raises(TypeError):
        hash(Example())
    assert [f.name for f, _ in original.ListFields()] == ["features"]


def test_feature_list_containers():
    fl = FeatureList(feature=[Feature(int64_list=Int64List(value=[1]))])
    fl.feature.append(Feature(int64_list=Int64List(value=[2])))
    assert [list(f.int64_list.value) for f in fl.feature] == [[1], [2]]
    lists = FeatureLists(feature_list={"a": fl})
    fl.feature[0].int64_list.value[0] = 9  # the map holds a copy
    assert lists.feature_list["a"].feature[0].int64_list.value == [1]
    del lists.feature_list["a"]
    assert len(lists.feature_list) == 0
