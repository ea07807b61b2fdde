"""decode_csv (TF1's tf.io.decode_csv): record_defaults types, shapes and errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.decode_csv import decode_csv


def run(records, defaults, **kwargs):
    columns = decode_csv(records, defaults, **kwargs)
    with fg.Session() as sess:
        return sess.run(columns), columns


def test_types_from_record_defaults():
    values, columns = run(["1,2,3.5,4.25,a", "-5,60000000000, 7 , nan ,b c"],
                          [[0], np.int64([0]), [0.0], np.float64([0]), [""]])
    assert [c.dtype for c in columns] == [fg.int32, fg.int64, fg.float32, fg.float64,
                                          fg.string]
    assert [c.op.type for c in columns] == ["DecodeCSV"] * 5
    assert values[0].tolist() == [1, -5] and values[0].dtype == np.int32
    assert values[1].tolist() == [2, 60000000000] and values[1].dtype == np.int64
    assert values[2].tolist() == [3.5, 7.0] and values[2].dtype == np.float32
    assert values[3][0] == 4.25 and np.isnan(values[3][1])
    assert values[4].tolist() == [b"a", b"b c"]


def test_defaults_fill_missing_fields_and_keep_the_records_shape():
    records = fg.placeholder(fg.string, [2, 2])
    a, b = decode_csv(records, [[7], ["dflt"]], na_value="-")
    assert a.shape.as_list() == [2, 2] and b.shape.as_list() == [2, 2]
    with fg.Session() as sess:
        got_a, got_b = sess.run([a, b], {records: [["1,x", ","], ["-,-", "4,"]]})
    assert got_a.tolist() == [[1, 7], [7, 4]]
    assert got_b.tolist() == [[b"x", b"dflt"], [b"dflt", b"dflt"]]


def test_quoting_and_delimiters():
    values, _ = run(['"a,b","say ""hi""",plain', '"",x,"y"'], [[""], [""], [""]])
    assert values[0].tolist() == [b"a,b", b""]
    assert values[1].tolist() == [b'say "hi"', b"x"]
    assert values[2].tolist() == [b"plain", b"y"]
    values, _ = run(['"q"\t1'], [[""], [0]], field_delim="\t")
    assert values[0].tolist() == [b"q"] and values[1].tolist() == [1]
    values, _ = run(['a"b,2'], [[""], [0]], use_quote_delim=False)
    assert values[0].tolist() == [b'a"b']


def test_select_cols():
    values, columns = run(["1,2,3,4", "5,6,7,8"], [[0], [0.0]], select_cols=[1, 3])
    assert values[0].tolist() == [2, 6] and values[1].tolist() == [4.0, 8.0]
    with pytest.raises(ValueError, match="not strictly increasing"):
        decode_csv(["1"], [[0], [0]], select_cols=[2, 1])
    with pytest.raises(ValueError, match="do not match"):
        decode_csv(["1"], [[0], [0]], select_cols=[1])
    with pytest.raises(ValueError, match="negative"):
        decode_csv(["1"], [[0]], select_cols=[-1])


@pytest.mark.parametrize("records,defaults,message", [
    (["1,2"], [[0], [0], [0]], "Expect 3 fields but have 2 in record 0"),
    (["1,2", "1,2,3,4"], [[0], [0]], "Expect 2 fields but have 4 in record 1"),
    (["1,,3"], [[0], np.zeros([0], np.int32), [0]],
     "Field 1 is required but missing in record 0!"),
    (["1,2", "x,2"], [[0], [0]], "Field 0 in record 1 is not a valid int32: x"),
    (["99999999999"], [[0]], "Field 0 in record 0 is not a valid int32: 99999999999"),
    (["1.5.2"], [[0.0]], "Field 0 in record 0 is not a valid float: 1.5.2"),
    (["abc"], [np.float64([0])], "not a valid double: abc"),
    (['a"b'], [[""]], "Unquoted fields cannot have quotes/CRLFs inside"),
    (['"ab'], [[""]], "Quoted field has to end with quote followed by delim or end"),
    (['"a"b'], [[""]], "Quote inside a string has to be escaped by another quote"),
    ([""], [[0]], "Expect 1 fields but have 0 in record 0"),
])
def test_run_time_errors(records, defaults, message):
    columns = decode_csv(records, defaults)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match=message):
            sess.run(columns)


def test_build_time_errors():
    with pytest.raises(TypeError, match="acceptable"):
        decode_csv(["1"], [[True]])
    with pytest.raises(ValueError, match="at most rank 1"):
        decode_csv(["1"], [[[0]]])
    with pytest.raises(ValueError, match="only be 1 default per field but field 0 has 2"):
        decode_csv(["1"], [[0, 1]])
    with pytest.raises(ValueError, match="only 1 char"):
        decode_csv(["1"], [[0]], field_delim="::")
    with pytest.raises((TypeError, ValueError), match="string"):
        decode_csv(fg.constant([1]), [[0]])


def test_a_dtype_marks_a_required_column():
    values, columns = run(["3"], [fg.int64])
    assert columns[0].dtype == fg.int64 and values[0].tolist() == [3]


def test_one_op_reached_under_every_public_name():
    # The op is defined once, in flowgraph/ops/decode_csv.py; fg.decode_csv, fg.io.decode_csv
    # and the former module flowgraph.io.csv_records all give that one builder and op class.
    import importlib

    from flowgraph.ops.registry import lookup

    # (`import flowgraph.ops.decode_csv as m` would give the function, which flowgraph.ops
    # re-exports under the module's name.)
    home = importlib.import_module("flowgraph.ops.decode_csv")
    old_home = importlib.import_module("flowgraph.io.csv_records")

    assert fg.decode_csv is home.decode_csv
    assert fg.io.decode_csv is home.decode_csv
    assert old_home.decode_csv is home.decode_csv and old_home.DecodeCSV is home.DecodeCSV
    assert lookup("DecodeCSV") is home.DecodeCSV
    assert home.DecodeCSV.__module__ == "flowgraph.ops.decode_csv"
