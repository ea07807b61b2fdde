"""tf.app.flags / tf.flags beyond the basics: multi and list flags, aliases, enum classes,
validators (required, mutual exclusion, bounds, custom), defaults and FlagValues methods.
Expected messages and values were taken from absl-py (what TF 1.15 re-exports)."""

import enum
import subprocess
import sys
import textwrap
import types

import pytest

import flowgraph as tf
from flowgraph.tf1 import flags


def fresh():
    return flags.FlagValues()


def test_names_are_reachable_as_tf_app_flags_and_tf_flags():
    for name in ["DEFINE_multi_integer", "DEFINE_multi_float", "DEFINE_multi_enum",
                 "DEFINE_spaceseplist", "DEFINE_alias", "DEFINE_enum_class",
                 "mark_flags_as_required", "mark_flags_as_mutual_exclusive",
                 "mark_bool_flags_as_mutual_exclusive", "register_validator", "validator",
                 "register_multi_flags_validator", "multi_flags_validator", "set_default",
                 "declare_key_flag", "adopt_module_key_flags", "flag_dict_to_args", "Error",
                 "ValidationError", "UnparsedFlagAccessError", "IllegalFlagValueError",
                 "UnrecognizedFlagError", "FlagValues"]:
        assert getattr(tf.app.flags, name) is getattr(flags, name)
        assert getattr(tf.flags, name) is getattr(flags, name)
    assert tf.flags.FLAGS is tf.app.flags.FLAGS
    for cls in [flags.ValidationError, flags.IllegalFlagValueError,
                flags.UnrecognizedFlagError, flags.UnparsedFlagAccessError,
                flags.DuplicateFlagError]:
        assert issubclass(cls, flags.Error)


def test_multi_flags_repeat_replace_the_default_and_parse_each_value():
    fv = fresh()
    flags.DEFINE_multi_integer("m", [7, 8], "", flag_values=fv)
    flags.DEFINE_multi_float("mf", "0.5", "", flag_values=fv)
    flags.DEFINE_multi_enum("me", ["a"], ["a", "b", "C"], "", flag_values=fv)
    flags.DEFINE_multi_string("ms", None, "", flag_values=fv)
    assert fv["mf"].default == [0.5]
    rest = fv(["p", "--m=1", "--m", "2", "--mf=1.5", "--me=b", "--me=C", "pos"])
    assert rest == ["p", "pos"]
    assert (fv.m, fv.mf, fv.me, fv.ms) == ([1, 2], [1.5], ["b", "C"], None)
    assert fv["m"].present == 2
    with pytest.raises(flags.IllegalFlagValueError, match="--me"):
        fv(["p", "--me=c"])  # case-sensitive by default
    with pytest.raises(flags.IllegalFlagValueError, match="--m: 'x' is not valid"):
        fv(["p", "--m=x"])


def test_multi_integer_bounds_are_checked_when_parsed_not_on_assignment():
    # absl: a multi flag's bounds live in its parser only (assignment is not validated).
    fv = fresh()
    flags.DEFINE_multi_integer("m", [1], "", lower_bound=0, upper_bound=5, flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError,
                       match=r"--m: '6' is not valid \(6 is not an integer in the range "
                             r"\[0, 5\]\)"):
        fv(["p", "--m=2", "--m=6"])
    fv.unparse_flags()
    fv(["p", "--m=2", "--m=5"])
    assert fv.m == [2, 5]
    fv.m = [3, 9]
    assert fv.m == [3, 9]


def test_spaceseplist_list_and_enum_class():
    class Color(enum.Enum):
        RED = 1
        BLUE = 2

    fv = fresh()
    flags.DEFINE_spaceseplist("s", "u v", "", flag_values=fv)
    flags.DEFINE_spaceseplist("sc", None, "", comma_compat=True, flag_values=fv)
    flags.DEFINE_list("l", "a,b", "", flag_values=fv)
    flags.DEFINE_enum_class("col", Color.RED, Color, "", flag_values=fv)
    assert fv["s"].default == ["u", "v"] and fv["l"].default == ["a", "b"]
    fv(["p", "--s=a  b c", "--sc=x,y z", "--col=blue"])
    assert (fv.s, fv.sc, fv.l, fv.col) == (["a", "b", "c"], ["x", "y", "z"], ["a", "b"],
                                           Color.BLUE)
    with pytest.raises(flags.IllegalFlagValueError, match="--col"):
        fv(["p", "--col=green"])
    with pytest.raises(TypeError, match="enum.Enum subclass"):
        flags.DEFINE_enum_class("bad", None, int, "", flag_values=fv)


def test_alias_shares_the_value_of_its_original():
    fv = fresh()
    flags.DEFINE_integer("steps", 3, "", flag_values=fv)
    flags.DEFINE_alias("n", "steps", flag_values=fv)
    fv(["p", "--n=9"])
    assert (fv.steps, fv.n) == (9, 9)
    fv.steps = 4
    assert fv.n == 4
    fv.n = 5
    assert fv.steps == 5
    with pytest.raises(flags.UnrecognizedFlagError, match="--nope"):
        flags.DEFINE_alias("x", "nope", flag_values=fv)


def test_required_flag_missing_names_it_but_the_flags_count_as_parsed():
    fv = fresh()
    flags.DEFINE_string("x", None, "", flag_values=fv)
    flags.DEFINE_string("y", None, "", flag_values=fv)
    flags.mark_flags_as_required(["x", "y"], flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError) as info:
        fv(["p", "--y=1"])
    assert str(info.value) == "flag --x=None: Flag --x must have a value other than None."
    assert fv.is_parsed()
    assert fv(["p", "--x=a", "--y=b"]) == ["p"]
    with pytest.warns(UserWarning, match="non-None default"):
        flags.DEFINE_integer("z", 1, "", flag_values=fv)
        flags.mark_flag_as_required("z", flag_values=fv)


def test_mutual_exclusion_messages_match_absl():
    fv = fresh()
    flags.DEFINE_string("a", None, "", flag_values=fv)
    flags.DEFINE_string("b", None, "", flag_values=fv)
    flags.mark_flags_as_mutual_exclusive(["a", "b"], flag_values=fv)
    fv(["p"])  # none given is fine unless required
    with pytest.raises(flags.IllegalFlagValueError) as info:
        fv(["p", "--a=1", "--b=2"])
    assert str(info.value) == ("flags a=1, b=2: At most one of (a, b) must have a value "
                               "other than None.")

    fv = fresh()
    flags.DEFINE_boolean("c", False, "", flag_values=fv)
    flags.DEFINE_boolean("d", False, "", flag_values=fv)
    flags.DEFINE_string("e", None, "", flag_values=fv)
    flags.mark_bool_flags_as_mutual_exclusive(["c", "d"], required=True, flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError) as info:
        fv(["p"])
    assert str(info.value) == "flags c=False, d=False: Exactly one of (c, d) must be True."
    fv(["p", "--d"])
    assert (fv.c, fv.d) == (False, True)
    with pytest.raises(flags.ValidationError, match="--e is not Boolean"):
        flags.mark_bool_flags_as_mutual_exclusive(["c", "e"], flag_values=fv)


def test_validators_run_on_parse_and_assignment_and_keep_the_old_value():
    fv = fresh()
    flags.DEFINE_integer("j", 2, "", flag_values=fv)
    flags.DEFINE_integer("k", None, "", flag_values=fv)
    seen = []

    @flags.validator("j", message="j must be even", flag_values=fv)
    def even(value):
        seen.append(value)
        return value % 2 == 0

    assert even(4) is True  # the decorator returns the checker
    fv(["p", "--j=6"])
    assert seen[-1] == 6
    with pytest.raises(flags.IllegalFlagValueError, match="^flag --j=3: j must be even$"):
        fv.j = 3
    assert fv.j == 6
    with pytest.raises(flags.IllegalFlagValueError, match="^flag --j=7: j must be even$"):
        fv(["p", "--j=7"])

    @flags.multi_flags_validator(["j", "k"], message="k needs j > 4", flag_values=fv)
    def pair(values):
        return values["k"] is None or values["j"] > 4

    with pytest.raises(flags.IllegalFlagValueError,
                       match="^flags j=2, k=1: k needs j > 4$"):
        fv(["p", "--j=2", "--k=1"])

    def raising(values):
        raise flags.ValidationError("custom text")
    fv2 = fresh()
    flags.DEFINE_integer("q", 1, "", flag_values=fv2)
    flags.register_multi_flags_validator(["q"], raising, flag_values=fv2)
    with pytest.raises(flags.IllegalFlagValueError, match="^flags q=1: custom text$"):
        fv2(["p"])
    with pytest.raises(TypeError, match="list of flag names"):
        flags.register_multi_flags_validator("q", raising, flag_values=fv2)


def test_integer_bounds_use_absl_wording():
    fv = fresh()
    flags.DEFINE_integer("i", 3, "", lower_bound=0, flag_values=fv)
    flags.DEFINE_float("f", 0.5, "", lower_bound=0.0, upper_bound=1.0, flag_values=fv)
    flags.DEFINE_integer("p", 3, "", lower_bound=1, flag_values=fv)
    fv(["p"])
    with pytest.raises(flags.IllegalFlagValueError,
                       match="^flag --i=-1: -1 is not a non-negative integer$"):
        fv.i = -1
    assert fv.i == 3
    with pytest.raises(flags.IllegalFlagValueError,
                       match=r"^flag --f=2.0: 2.0 is not a number in the range \[0.0, 1.0\]$"):
        fv.f = 2.0
    with pytest.raises(flags.IllegalFlagValueError, match="0 is not a positive integer"):
        fv.p = 0


def test_set_default_parses_text_and_only_moves_unset_values():
    fv = fresh()
    holder = flags.DEFINE_integer("j", 3, "", flag_values=fv)
    flags.DEFINE_integer("k", 3, "", flag_values=fv)
    fv.set_default("j", "11")
    assert (fv["j"].value, fv["j"].default) == (11, 11)
    fv(["p", "--k=5"])
    fv.set_default("k", 8)
    assert (fv.k, fv["k"].default) == (5, 8)
    flags.set_default(holder, 12)
    assert (holder.value, holder.default, holder.present) == (12, 12, False)
    fv.unparse_flags()
    assert (fv["k"].value, fv.is_parsed()) == (8, False)
    with pytest.raises(flags.UnrecognizedFlagError):
        fv.set_default("nope", 1)


def test_flag_values_methods():
    fv = fresh()
    flags.DEFINE_integer("k", None, "", flag_values=fv)
    flags.DEFINE_string("name", "x", "", flag_values=fv)
    with pytest.raises(flags.UnparsedFlagAccessError,
                       match="Trying to access flag --k before flags were parsed"):
        fv.k  # noqa: B018
    fv.mark_as_parsed()
    assert fv.is_parsed()
    assert list(fv) == ["k", "name"] and len(fv) == 2
    assert "k" in fv and "zz" not in fv
    assert fv.flag_values_dict() == {"k": None, "name": "x"}
    assert fv.get_flag_value("k", 5) == 5
    assert fv.get_flag_value("name", 5) == "x"
    assert fv["name"].default == "x"
    assert set(getattr(fv, "__flags")) == {"k", "name"}
    with pytest.raises(flags.UnrecognizedFlagError):
        fv.zz = 1
    with pytest.raises(flags.UnrecognizedFlagError, match="Unknown command line flag 'zz'"):
        fv(["p", "--zz=1"], known_only=False)
    del fv.name
    assert "name" not in fv
    flags.DEFINE_string("name", "y", "", flag_values=fv)  # may be defined again
    with pytest.raises(flags.DuplicateFlagError):
        flags.DEFINE_string("name", "y", "", flag_values=fv)


def test_key_flags_and_flag_dict_to_args():
    fv = fresh()
    flags.DEFINE_integer("k", 1, "", flag_values=fv)
    flags.declare_key_flag("k", flag_values=fv)
    with pytest.raises(ValueError, match="Flag --zzz is undefined"):
        flags.declare_key_flag("zzz", flag_values=fv)
    flags.adopt_module_key_flags(types.ModuleType("m"), flag_values=fv)
    with pytest.raises(flags.Error, match="Expected a module object, not 'notmodule'."):
        flags.adopt_module_key_flags("notmodule", flag_values=fv)
    args = flags.flag_dict_to_args({"a": None, "b": True, "c": False, "d": "s", "e": [1, 2],
                                    "f": [3, 4], "g": 5}, multi_flags={"f"})
    assert list(args) == ["--a", "--b", "--noc", "--d=s", "--e=1,2", "--f=3", "--f=4",
                          "--g=5"]


def test_global_flags_via_tf_app_flags():
    saved = dict(getattr(tf.app.flags.FLAGS, "__flags"))
    was_parsed = tf.app.flags.FLAGS.is_parsed()
    try:
        tf.app.flags.DEFINE_multi_integer("fg_test_more_ids", [1], "ids")
        rest = tf.app.flags.FLAGS(["prog", "--fg_test_more_ids=4", "--fg_test_more_ids=5"])
        assert rest == ["prog"]
        assert tf.flags.FLAGS.fg_test_more_ids == [4, 5]
    finally:
        getattr(tf.app.flags.FLAGS, "__flags").clear()
        getattr(tf.app.flags.FLAGS, "__flags").update(saved)
        if not was_parsed:
            tf.app.flags.FLAGS.unparse_flags()


def test_script_run_with_a_missing_required_flag_fails_naming_it(tmp_path):
    script = tmp_path / "req.py"
    script.write_text(textwrap.dedent("""
        import tensorflow as tf
        tf.app.flags.DEFINE_string("data_dir", None, "where")
        tf.app.flags.DEFINE_multi_integer("ids", [1], "ids")
        tf.app.flags.mark_flag_as_required("data_dir")
        FLAGS = tf.app.flags.FLAGS
        def main(argv):
            print("GOT", FLAGS.data_dir, FLAGS.ids)
        if __name__ == "__main__":
            tf.app.run()
    """))
    ok = subprocess.run([sys.executable, "-m", "flowgraph.tf1", str(script), "--data_dir=/d",
                         "--ids=3", "--ids=4"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "GOT /d [3, 4]" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "flowgraph.tf1", str(script)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "FATAL Flags parsing error: flag --data_dir=None: Flag --data_dir must have a " \
        "value other than None." in bad.stderr
    assert "Traceback" not in bad.stderr  # a message, as absl's app.run
