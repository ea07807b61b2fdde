"""tf.contrib.training.HParams: parsing, type rules and errors as in TF 1.15."""

import json

import pytest

import flowgraph as tf
from flowgraph.contrib.training import HParams, parse_values


def test_exported_as_tf_contrib_training():
    assert tf.contrib.training.HParams is HParams


def test_attributes_and_values():
    hp = HParams(aaa=1, b=2.0, c_c="relu6", d=[1, 2], flag=True)
    assert hp.aaa == 1 and hp.b == 2.0 and hp.c_c == "relu6" and hp.d == [1, 2]
    assert hp.values() == {"aaa": 1, "b": 2.0, "c_c": "relu6", "d": [1, 2], "flag": True}
    assert "aaa" in hp and "zzz" not in hp
    assert str(hp) == ("[('aaa', 1), ('b', 2.0), ('c_c', 'relu6'), ('d', [1, 2]), "
                       "('flag', True)]")
    assert repr(hp) == "HParams(" + str(hp) + ")"


def test_parse_scalars_and_lists():
    hp = HParams(aaa=1, b=2.0, c_c="relu6", d="/a/b=c/d", lst=[1, 2], fl=[0.5])
    out = hp.parse("aaa=12, b=3,c_c=relu4,d=/x=y,lst=[3, 4 ,5],fl=[1,2.5]")
    assert out is hp
    assert hp.aaa == 12 and type(hp.aaa) is int
    assert hp.b == 3.0 and type(hp.b) is float
    assert hp.c_c == "relu4" and hp.d == "/x=y"
    assert hp.lst == [3, 4, 5]
    assert hp.fl == [1.0, 2.5] and all(type(v) is float for v in hp.fl)


def test_parse_bools():
    hp = HParams(a=False, b=True, c=False)
    hp.parse("a=true,b=False,c=2")
    assert (hp.a, hp.b, hp.c) == (True, False, True)
    hp.parse("a=0,b=True")
    assert (hp.a, hp.b) == (False, True)
    with pytest.raises(ValueError, match="Could not parse hparam 'a' of type 'bool'"):
        hp.parse("a=yes")


@pytest.mark.parametrize("text, match", [
    ("aaa=1.5", "Could not parse hparam 'aaa' of type 'int' with value '1.5'"),
    ("b=relu", "Could not parse hparam 'b' of type 'float'"),
    ("x=1", "Unknown hyperparameter type for x"),
    ("aaa=1,aaa=2", "Multiple assignments to variable 'aaa'"),
    ("aaa", "Malformed hyperparameter value: aaa"),
    ("lst[0]=[1,2]", "Assignment of a list to a list index"),
    ("aaa=[1,2]", "Must not pass a list for single-valued parameter: aaa"),
    ("lst=3", "Must pass a list for multi-valued parameter: lst"),
    ("lst=[1,x]", "Could not parse hparam 'lst' of type 'int' with value '1,x'"),
    ("lst[1]=4", r"assign the whole list: lst=\[v1,v2"),
])
def test_parse_errors(text, match):
    hp = HParams(aaa=1, b=2.0, lst=[1, 2])
    with pytest.raises(ValueError, match=match):
        hp.parse(text)


def test_parse_values_indexed_and_unknown():
    types = {"a": int, "b": float}
    assert parse_values("a[1]=3,a[0]=4,b=2", types) == {"a": {1: 3, 0: 4}, "b": 2.0}
    assert parse_values("zz=1,b=2", types, ignore_unknown=True) == {"b": 2.0}
    with pytest.raises(ValueError, match=r"Multiple assignments to variable 'a\[1\]'"):
        parse_values("a[1]=3,a[1]=4", types)
    with pytest.raises(ValueError, match="Multiple assignments to variable 'a'"):
        parse_values("a=3,a[1]=4", types)


def test_set_hparam_type_rules():
    hp = HParams(i=1, f=1.0, s="x", b=True, lst=[1.0])
    hp.set_hparam("f", 3)
    assert hp.f == 3.0 and type(hp.f) is float
    hp.set_hparam("lst", [1, 2])
    assert hp.lst == [1.0, 2.0] and type(hp.lst[0]) is float
    for name, value in [("i", 2.5), ("i", True), ("b", 1), ("s", 3), ("f", "1.0"),
                        ("i", "3")]:
        with pytest.raises(ValueError, match=f"Could not cast hparam '{name}'"):
            hp.set_hparam(name, value)
    with pytest.raises(KeyError):
        hp.set_hparam("missing", 1)
    assert hp.i == 1 and hp.b is True and hp.s == "x"


def test_add_and_del_hparam():
    hp = HParams(a=1)
    hp.add_hparam("b", [1, 2])
    assert hp.values() == {"a": 1, "b": [1, 2]}
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        hp.add_hparam("values", 3)
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: a"):
        hp.add_hparam("a", 3)
    with pytest.raises(ValueError, match="cannot be empty: e"):
        hp.add_hparam("e", [])
    hp.del_hparam("a")
    assert "a" not in hp and not hasattr(hp, "a")
    hp.del_hparam("a")  # absent: nothing happens
    hp.add_hparam("a", "now a string")
    assert hp.a == "now a string"


def test_json_round_trip_and_override_from_dict():
    hp = HParams(lr=0.1, layers=[64, 32], act="relu", fn=len)
    assert json.loads(hp.to_json()) == {"lr": 0.1, "layers": [64, 32], "act": "relu"}
    assert hp.to_json(sort_keys=True) == '{"act": "relu", "layers": [64, 32], "lr": 0.1}'
    hp.parse_json('{"lr": 1, "layers": [8]}')
    assert hp.lr == 1.0 and type(hp.lr) is float and hp.layers == [8]
    hp.override_from_dict({"act": "tanh"})
    assert hp.act == "tanh"
    with pytest.raises(ValueError, match="Could not cast hparam 'layers'"):
        hp.parse_json('{"layers": [1.5]}')


def test_get_and_model_structure():
    hp = HParams(a=1, lst=[1.0], s="x")
    assert hp.get("a") == 1 and hp.get("missing", 7) == 7 and hp.get("missing") is None
    assert hp.get("a", 5) == 1 and hp.get("lst", [2.0]) == [1.0]
    with pytest.raises(ValueError, match="Hparam 'a' of type .* incompatible with default=2.5"):
        hp.get("a", 2.5)
    with pytest.raises(ValueError, match="incompatible with default=1"):
        hp.get("lst", 1)
    with pytest.raises(ValueError, match="incompatible"):
        hp.get("s", 3)
    assert HParams(model_structure="ms").get_model_structure() == "ms"
    hp.set_model_structure({"k": 1})
    assert hp.get_model_structure() == {"k": 1}


def test_hparam_def_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match="keyword arguments"):
        HParams(hparam_def=b"\x0a\x00")
