"""Input validation shared by the numerical modules.

Every public function checks its inputs here, so a wrong shape, a label out of range or a NaN raises a
``ValueError`` that names what was expected and what came, instead of a silently wrong number.
"""
import numpy as np

from ._softmax import logsumexp


def as_matrix(name, value, *, cols=None, rows=None, allow_neg_inf=False):
    """Return ``value`` as a finite float64 2-D array, or raise ValueError saying what is wrong.

    ``cols`` / ``rows`` fix a dimension when given. ``allow_neg_inf`` admits -inf (log of a zero
    probability) but never NaN or +inf.
    """
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {arr.shape} (rank {arr.ndim})")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows, got shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got shape {arr.shape}")
    check_finite(name, arr, allow_neg_inf=allow_neg_inf)
    return arr


def as_vector(name, value, *, length=None):
    """Return ``value`` as a finite float64 1-D array of the given length."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape} (rank {arr.ndim})")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have length {length}, got shape {arr.shape}")
    check_finite(name, arr)
    return arr


def check_finite(name, arr, *, allow_neg_inf=False):
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN at index {_first_index(np.isnan(arr))}")
    bad = np.isposinf(arr) if allow_neg_inf else ~np.isfinite(arr)
    if bad.any():
        index = _first_index(bad)
        raise ValueError(f"{name} must be finite{' or -inf' if allow_neg_inf else ''}, "
                         f"got {arr[index]} at index {index}")


def _first_index(mask):
    return tuple(int(i) for i in np.argwhere(mask)[0])


def as_labels(name, value, num_classes, *, forbidden=None):
    """Return ``value`` as a 1-D int64 array of labels in [0, num_classes), excluding ``forbidden``.

    ``forbidden`` is the blank index for CTC targets: the blank may not appear inside a target.
    """
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of integer labels, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    out = (arr < 0) | (arr >= num_classes)
    if out.any():
        i = int(np.argmax(out))
        raise ValueError(f"{name}[{i}] = {arr[i]} is out of range: labels must be in [0, {num_classes})")
    if forbidden is not None and (arr == forbidden).any():
        i = int(np.argmax(arr == forbidden))
        raise ValueError(f"{name}[{i}] is the blank ({forbidden}); the blank may not appear inside a target")
    return arr


def check_blank(blank, num_classes):
    if not isinstance(blank, (int, np.integer)) or not 0 <= blank < num_classes:
        raise ValueError(f"blank must be an integer in [0, {num_classes}), got {blank!r}")
    return int(blank)


def check_log_probs(name, arr, *, atol=1e-4):
    """Raise unless every row of ``arr`` (..., C) is a log-probability vector: logsumexp over the last axis ~ 0.

    ``arr`` is already checked for NaN / +inf. ``atol`` is loose enough for log_softmax computed in float32
    and tight enough to catch probabilities or raw logits passed where log-probabilities belong.
    """
    if arr.size == 0:
        return
    log_total = logsumexp(arr)                 # an all -inf row gives -inf, not NaN
    bad = ~(np.abs(log_total) <= atol)
    if bad.any():
        where = _first_index(bad)
        raise ValueError(f"{name} must hold log-probabilities (each row's logsumexp = 0, e.g. a log_softmax "
                         f"output), but row {where} has logsumexp {log_total[where]:.6g}, i.e. its "
                         f"probabilities sum to {np.exp(log_total[where]):.6g}")


def as_int(name, value, minimum=0):
    """Return ``value`` as a Python int >= ``minimum``; bools, floats and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        wanted = "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)
