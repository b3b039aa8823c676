import pytest

import uscipy.uarray as ua


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "process_globals: the test changes process-wide globals itself (and clears them)"
    )


@pytest.fixture(autouse=True)
def isolated_backends(request):
    """Every test starts from, and leaves behind, the same backend state. Inside
    ``reset_state`` globals are the test's own copy, which other threads do not see, so tests
    of process-wide globals opt out with ``@pytest.mark.process_globals``."""
    if request.node.get_closest_marker("process_globals"):
        yield
        return
    with ua.reset_state():
        yield
