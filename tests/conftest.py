import pytest

import flowgraph as fg


@pytest.fixture(autouse=True)
def fresh_default_graph():
    """Each test starts with an empty default graph."""
    fg.reset_default_graph()
    yield
