"""Helpers shared by the library's tests: import them as ``from _helpers import ...`` (pytest puts tests/ on
the path, as this folder has no __init__.py)."""
import numpy as np

from rnnbook import log_softmax


def assert_close(a, b, rtol=1e-8):
    """``a`` equals the reference ``b`` to ``rtol`` relative to the largest entry of ``b``."""
    assert np.abs(np.asarray(a) - b).max() <= rtol * max(np.abs(b).max(), 1e-300), (a, b)


def random_log_probs(rng, T, C, scale=2.0):
    """(T, C) log-probabilities: the log_softmax of normal logits times ``scale``."""
    return log_softmax(rng.normal(size=(T, C)) * scale)
