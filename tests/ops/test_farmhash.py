"""FarmHash Fingerprint64 / FingerprintCat64 against published reference values."""

import pytest

from flowgraph.ops.farmhash import fingerprint64, fingerprint_cat64

# Values of Google's C++ FarmHash ``Fingerprint64`` (via the pyfarmhash bindings) for the
# bytes (i * 37 + 11) % 256, i < n: one length in each code path of farmhashna::Hash64.
REFERENCE = {
    0: 11160318154034397263, 1: 4787810249829893994, 3: 3979540680440595841,
    7: 10810953559526984053, 8: 9029840561075318013, 16: 15579719139305551062,
    17: 6692022265393568454, 31: 5954998855510709538, 32: 11543571239247179175,
    33: 9480451918888261270, 64: 4226431515964725, 65: 18101669290602532278,
    100: 669828348884226933, 128: 3742283891066476345, 129: 14054188206783653085,
    300: 8075393831970212021,
}


@pytest.mark.parametrize("length", sorted(REFERENCE))
def test_fingerprint64_every_length_class(length):
    data = bytes((i * 37 + 11) % 256 for i in range(length))
    assert fingerprint64(data) == REFERENCE[length]


def test_fingerprint64_tensorflow_frozen_values():
    # TensorFlow's fingerprint_test.cc: "IsForeverFrozen".
    assert fingerprint64(b"Hello") == 15404698994557526151
    assert fingerprint64(b"World") == 18308117990299812472
    assert fingerprint64("Hello") == fingerprint64(b"Hello")


def test_fingerprint_cat64_tensorflow_cross_value():
    # TF's sparse_cross_op_test: hashed cross of three strings with the default key.
    h = 0xDECAFCAFFE
    for s in (b"batch1-FC1-F1", b"batch1-FC2-F1", b"batch1-FC3-F1"):
        h = fingerprint_cat64(h, fingerprint64(s))
    assert h % (2**63 - 1) == 1971693436396284976
