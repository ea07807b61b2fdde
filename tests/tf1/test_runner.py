"""The tf1 runner's pieces: the tensorflow alias tree, flags, tf.app.run, logging, gfile,
exit codes, sys.argv / sys.path handling."""

import os
import subprocess
import sys
import textwrap

import pytest

import flowgraph as fg
from flowgraph.tf1 import TF1SymbolError, gfile, install, run_script
from flowgraph.tf1.flags import FlagValues, _Flag, _parse_bool


@pytest.fixture(autouse=True)
def _no_alias_left_behind():
    """Other tests (and tensorboard, which probes for TensorFlow) must not see the alias."""
    yield
    from flowgraph.tf1 import uninstall
    uninstall()
    assert "tensorflow" not in sys.modules


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


def test_alias_resolves_to_flowgraph_and_names_missing_symbols():
    tf = install()
    assert tf.placeholder is fg.placeholder and tf.compat.v1 is tf
    assert tf.nn.conv2d is fg.nn.conv2d and tf.train.AdamOptimizer is fg.train.AdamOptimizer
    assert tf.__version__.startswith("1.")
    with pytest.raises(TF1SymbolError, match=r"tf\.contrib\.foo is not available in flowgraph"):
        tf.contrib.foo  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf\.nn\.no_such_op is not available"):
        tf.nn.no_such_op  # noqa: B018
    assert not hasattr(tf, "no_such_name")
    assert tf.executing_eagerly() is False and tf.disable_v2_behavior() is None
    with pytest.raises(RuntimeError, match="Eager execution is not available"):
        tf.enable_eager_execution()
    assert tf.compat.as_bytes("a") == b"a" and tf.compat.as_text(b"b") == "b"


def test_import_statements_resolve_through_the_finder():
    install()
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
    from tensorflow.contrib import rnn
    from tensorflow.contrib.layers import fully_connected
    from tensorflow.examples.tutorials.mnist import input_data
    assert tf1 is tf and rnn.BasicLSTMCell is fg.nn.rnn_cell.BasicLSTMCell
    assert fully_connected is fg.contrib.layers.fully_connected
    assert input_data.read_data_sets is fg.datasets.mnist.read_data_sets
    from tensorflow.python.client import timeline
    from tensorflow.python.framework import graph_util

    from flowgraph.client.timeline import Timeline
    from flowgraph.graph_util import convert_variables_to_constants
    assert timeline.Timeline is Timeline
    assert graph_util.convert_variables_to_constants is convert_variables_to_constants
    from tensorflow.python.framework import test_util
    from tensorflow.python.platform import test

    assert test.TestCase is fg.test.TestCase and test_util.TestCase is fg.test.TestCase
    with pytest.raises(ModuleNotFoundError, match=r"tf\.python\.ops is not available"):
        import tensorflow.python.ops  # noqa: F401


def test_keras_imports_resolve_through_the_finder():
    install()
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras import backend as K
    from tensorflow.keras.layers import LSTM, Dense
    from tensorflow.keras.models import Sequential
    assert Dense is fg.keras.layers.Dense and LSTM is fg.keras.layers.LSTM
    assert Sequential is fg.keras.Sequential and K.floatx() == "float32"
    assert keras.__version__ == tf.keras.__version__ == "2.2.4-tf"  # TF 1.15's
    from tensorflow.keras.wrappers.scikit_learn import KerasClassifier
    assert KerasClassifier is fg.keras.wrappers.scikit_learn.KerasClassifier
    with pytest.raises(AttributeError, match=r"tf\.keras\.mixed_precision is not available"):
        tf.keras.mixed_precision  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf\.nn\.__version__ is not available"):
        tf.nn.__version__  # noqa: B018


def test_flags_parse_values_booleans_and_pass_unknown_arguments_through():
    flags = FlagValues()
    flags._define(_Flag("lr", 0.1, "", float))
    flags._define(_Flag("name", "x", "", str))
    flags._define(_Flag("fast", False, "", _parse_bool, is_bool=True))
    flags._define(_Flag("slow", True, "", _parse_bool, is_bool=True))
    rest = flags(["prog", "--lr=0.5", "--name", "abc", "--fast", "--noslow", "pos",
                  "--other=1", "--", "--lr=9"])
    assert (flags.lr, flags.name, flags.fast, flags.slow) == (0.5, "abc", True, False)
    assert rest == ["prog", "pos", "--other=1", "--lr=9"]
    with pytest.raises(AttributeError, match="Flag --missing is not defined"):
        flags.missing  # noqa: B018
    with pytest.raises(ValueError, match="--lr: 'abc' is not valid"):
        flags(["prog", "--lr", "abc"])
    flags.lr = 2.0
    assert flags.flag_values_dict()["lr"] == 2.0


def test_run_script_gives_argv_path_exit_code_and_flags(tmp_path):
    write(tmp_path, "helper_module.py", """
        import tensorflow as tf
        def double(x):
            return tf.multiply(x, 2.0)
    """)
    script = write(tmp_path, "script.py", """
        import sys
        import tensorflow as tf
        import helper_module
        tf.app.flags.DEFINE_integer("steps", 1, "how many")
        FLAGS = tf.app.flags.FLAGS
        def main(argv):
            with tf.Session() as sess:
                value = sess.run(helper_module.double(tf.constant(float(FLAGS.steps))))
            print("RESULT", value, argv[1:], __name__)
            return 7
        if __name__ == "__main__":
            tf.app.run()
    """)
    proc = subprocess.run([sys.executable, "-m", "flowgraph.tf1", script, "--steps=4", "x"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 7, proc.stderr
    assert "RESULT 8.0 ['x'] __main__" in proc.stdout


def test_run_script_reports_errors_with_the_script_line(tmp_path, capsys):
    script = write(tmp_path, "bad.py", """
        import tensorflow as tf
        x = tf.placeholder(tf.float32, [2])
        tf.contrib.nonexistent_layer(x)
    """)
    assert run_script(script) == 1
    err = capsys.readouterr().err
    assert "bad.py\", line 4" in err and "tf.contrib.nonexistent_layer is not available" in err
    assert run_script(str(tmp_path / "missing.py")) == 2
    exits = write(tmp_path, "exits.py", "import sys\nsys.exit('stopped: bad data')\n")
    assert run_script(exits) == 1
    assert "stopped: bad data" in capsys.readouterr().err


def test_flowgraph_cli_runs_tf1_scripts(tmp_path):
    script = write(tmp_path, "s.py", """
        import tensorflow as tf
        print("SUM", tf.Session().run(tf.add(2, 3)))
    """)
    from flowgraph.cli import main
    assert main(["tf1", script]) == 0


def test_logging_levels(capsys):
    tf = install()
    tf.logging.set_verbosity(tf.logging.WARN)
    tf.logging.info("hidden %d", 1)
    tf.logging.warning("shown %d", 2)
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.logging.info("now shown")
    err = capsys.readouterr().err
    assert "hidden" not in err and "shown 2" in err and "now shown" in err
    assert tf.logging.get_verbosity() == tf.logging.INFO


def test_gfile(tmp_path):
    folder = tmp_path / "a" / "b"
    gfile.MakeDirs(folder)
    assert gfile.IsDirectory(folder) and gfile.Exists(folder)
    with gfile.GFile(folder / "f.txt", "w") as f:
        f.write("line1\nline2\n")
    with gfile.GFile(folder / "f.txt") as f:
        assert f.read() == "line1\nline2\n"
    with gfile.FastGFile(str(folder / "f.txt"), "rb") as f:
        assert f.read() == b"line1\nline2\n" and f.size() == 12
    assert gfile.Glob(str(folder / "*.txt")) == [str(folder / "f.txt")]
    assert gfile.ListDirectory(folder) == ["f.txt"]
    gfile.Copy(folder / "f.txt", folder / "g.txt")
    with pytest.raises(FileExistsError):
        gfile.Copy(folder / "f.txt", folder / "g.txt")
    gfile.Rename(folder / "g.txt", folder / "h.txt")
    gfile.Remove(folder / "h.txt")
    assert gfile.Stat(folder / "f.txt").length == 12
    gfile.DeleteRecursively(tmp_path / "a")
    assert not gfile.Exists(tmp_path / "a")
    with pytest.raises(fg.errors.UnimplementedError, match="gs://"):
        gfile.Exists("gs://bucket/x")
