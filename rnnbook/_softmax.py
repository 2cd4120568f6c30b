"""Softmax, log-softmax and logsumexp over the last axis: the one home of these helpers.

The models, the CTC checks and the grader's references all use these; the public names are
``rnnbook.softmax``, ``rnnbook.log_softmax`` and ``rnnbook.logsumexp``. Every one shifts by the row
maximum first, so large logits never overflow ``exp``. ``logaddexp`` is the two-float case for pure-Python
loops (the tests' frozen reference beam search; on arrays, ``np.logaddexp`` is the one to use).
"""
import math

import numpy as np


def _as_float_array(values):
    """``values`` as an array; floating dtypes are kept (float32 stays float32), anything else is float64."""
    arr = np.asarray(values)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)


def _row_shift(arr):
    """The row maxima (..., 1), with 0 in place of an infinite maximum so an all -inf row gives no NaN."""
    row_max = arr.max(axis=-1, keepdims=True)
    return np.where(np.isfinite(row_max), row_max, 0.0).astype(arr.dtype, copy=False)


def logsumexp(values, keepdims=False):
    """``log(sum(exp(values)))`` over the last axis, shape (...) (or (..., 1) with ``keepdims``).

    An all -inf row gives -inf (a log of zero), not NaN.
    """
    arr = _as_float_array(values)
    shift = _row_shift(arr)
    with np.errstate(divide="ignore"):
        total = np.log(np.exp(arr - shift).sum(axis=-1, keepdims=True)) + shift
    return total if keepdims else total[..., 0]


def log_softmax(logits):
    """Row-wise log-softmax of ``logits`` (..., K), shifted by the row maximum so nothing overflows.

    ``-inf`` entries (a class ruled out) stay ``-inf``; each row's ``exp`` sums to 1. A row needs at least
    one finite entry (a row of only ``-inf`` rules out every class and gives NaN).
    """
    logits = _as_float_array(logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits):
    """Row-wise softmax of ``logits`` (..., K): ``y = exp(z - max z) / sum exp(z - max z)`` over the last axis.

    A 1-D ``logits`` is one row. Rows sum to 1; ``-inf`` entries get probability 0. A row needs at least
    one finite entry (a row of only ``-inf`` gives NaN).
    """
    logits = _as_float_array(logits)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def logaddexp(a, b):
    """log(e^a + e^b) of two Python floats (np.logaddexp is ~10x slower on scalars)."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))
