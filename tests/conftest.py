"""Shared test set-up: Brian2 runs on its numpy target (no compiler, no cython cache), and each
test module leaves Brian2's default clock as it found it."""

import pytest


@pytest.fixture(autouse=True, scope="module")
def numpy_target():
    """Every Brian2 object in the default suite is generated for the numpy target."""
    from brian2 import defaultclock, prefs

    previous = prefs.codegen.target, defaultclock.dt
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target, defaultclock.dt = previous
