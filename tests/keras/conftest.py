"""Every Keras test starts from a fresh graph and no Keras Session (and leaves none)."""

import pytest

from flowgraph.keras import backend as K


@pytest.fixture(autouse=True)
def fresh_keras_session():
    """`K.clear_session()` around each test: a new default graph, fresh layer names."""
    K.clear_session()
    yield
    K.clear_session()
