"""Input validation shared by the numerical modules.

Every public function checks its inputs here, so a wrong shape, a label out of range or a NaN raises a
``ValueError`` that names the argument, what was expected and what came, instead of a silently wrong
number (or a TypeError from deep inside numpy).

The input rules, the same in every module (``tests/test_input_rules.py`` runs each rule over every public
function that takes such an argument):

1. **Integers are integers.** Sizes, counts, lengths, seeds, the blank and labels must be Python or
   numpy integers (integer arrays for label sequences and lengths). A float is refused even when it
   holds a whole number (``2.0``), as numpy refuses float indices and torch float CTC targets: a float
   label usually means the wrong array was passed. Strings are refused, and None too except where a
   function documents it as "not given" (``seed=None``, ``truncate=None``).
2. **Bools are not integers.** ``True`` is refused wherever an integer, a label or a size is expected:
   alone, as a bool array, or inside a list (numpy would read ``[1, True]`` as ``[1, 1]``).
3. **Labels are non-negative**, and below the number of classes where that is known; a CTC target may
   not contain the blank. The error names the argument and the position (``target[1] = -2 is out of
   range: labels must be in [0, 4)``).
4. **An empty label sequence** is accepted whatever its dtype (``np.array([])`` is float64).
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


def _integer_array(name, value, what):
    """``value`` as an integer numpy array (dtype kept), or ValueError naming ``name`` and ``what`` it must hold.

    An empty array passes whatever its dtype (``np.array([])`` is float64). Bool arrays, and lists that mix
    bools with integers (numpy would read ``[1, True]`` as ``[1, 1]``), are refused, as are float arrays
    even where every entry is a whole number.
    """
    arr = np.asarray(value)
    if arr.size == 0:
        return arr
    if np.issubdtype(arr.dtype, np.integer) and not isinstance(value, np.ndarray):
        entries = np.asarray(value, dtype=object).ravel()
        flagged = [i for i, entry in enumerate(entries) if isinstance(entry, (bool, np.bool_))]
        if flagged:
            index = np.unravel_index(flagged[0], arr.shape)
            raise ValueError(f"{_where(name, index)} = {entries[flagged[0]]!r} is a bool; {name} must hold {what}")
    if not np.issubdtype(arr.dtype, np.integer):
        hint = " (convert with .astype(int))" if np.issubdtype(arr.dtype, np.floating) else ""
        raise ValueError(f"{name} must hold {what}, got dtype {arr.dtype}{hint}")
    return arr


def _where(name, index):
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def as_label_array(name, value, ndim=1):
    """Return ``value`` as an int64 array of rank ``ndim`` under the rules above; values are not range-checked."""
    shape = np.shape(value)
    if len(shape) != ndim:
        wanted = "a 1-D sequence of integer labels" if ndim == 1 else f"a {ndim}-D array of integer labels"
        raise ValueError(f"{name} must be {wanted}, got shape {shape}")
    return _integer_array(name, value, "integer labels").astype(np.int64)


def as_labels(name, value, num_classes=None, *, forbidden=None, ndim=1, valid=None):
    """Return ``value`` as an int64 array of labels in ``[0, num_classes)`` (no upper bound when
    ``num_classes`` is None), excluding ``forbidden``.

    ``forbidden`` is the blank index for CTC targets: the blank may not appear inside a target. ``ndim``
    is the rank (1 for a target, 2 for a padded batch ``(B, Lmax)``). ``valid`` is a boolean mask of the
    entries that are labels; the others (the padding of a batch) are not range-checked.
    """
    arr = as_label_array(name, value, ndim)
    checked = np.ones(arr.shape, dtype=bool) if valid is None else valid
    out = checked & ((arr < 0) | (arr >= (np.iinfo(np.int64).max if num_classes is None else num_classes)))
    if out.any():
        index = tuple(np.argwhere(out)[0])
        wanted = "non-negative" if num_classes is None else f"in [0, {num_classes})"
        raise ValueError(f"{_where(name, index)} = {arr[index]} is out of range: labels must be {wanted}")
    if forbidden is not None:
        is_blank = checked & (arr == forbidden)
        if is_blank.any():
            raise ValueError(f"{_where(name, np.argwhere(is_blank)[0])} is the blank ({forbidden}); the blank may "
                             f"not appear inside a target")
    return arr


def as_lengths(name, value, count, upper, upper_name):
    """Return ``value`` as an int64 vector of ``count`` lengths in ``[0, upper]`` (``upper_name`` says what
    ``upper`` is), as the per-sequence lengths of a padded batch."""
    arr = np.asarray(value)
    if arr.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), one length per sequence, got shape {arr.shape}")
    arr = _integer_array(name, value, "integers").astype(np.int64)
    bad = (arr < 0) | (arr > upper)
    if bad.any():
        b = int(np.argmax(bad))
        raise ValueError(f"{name}[{b}] = {arr[b]} is out of range: must be in [0, {upper}] ({upper_name})")
    return arr


def check_blank(blank, num_classes):
    """Return the blank index as an int in ``[0, num_classes)``; bools and floats are refused."""
    if not _is_int(blank) or not 0 <= blank < num_classes:
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


def _is_int(value):
    """True for a Python or numpy integer; False for bools (rule 2), floats (rule 1) and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_int(name, value, minimum=0):
    """Return ``value`` as a Python int >= ``minimum``; bools, floats and strings are refused."""
    if not _is_int(value) or value < minimum:
        wanted = "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)


def as_seed(seed):
    """Return ``seed`` for ``np.random.default_rng``: None (fresh entropy) or a non-negative integer."""
    return None if seed is None else as_int("seed", seed)
