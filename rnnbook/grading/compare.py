"""Judge an answer against the reference, in the grader's own process, and say what differs in plain words.

Both sides arrive as decoded plain data (numbers, numpy arrays, lists, dicts), so nothing the submission
defined — no ``__eq__``, no patched ``numpy.allclose`` — takes part in the comparison. Each difference has a
kind ("wrong shape") and a sentence that shows values; for a hidden case only the kind may be told, since a
returned value can be made of the case's inputs.
"""
import numbers

import numpy as np

from .text import shown


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, dict):
        return shown(f"a dict with keys {sorted(value)}", 120)
    if isinstance(value, list):
        return f"a list of length {len(value)}"
    return shown(f"{type(value).__name__} {value!r}", 120)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _compare_arrays(expected, got, where, rtol, atol):
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return "wrong type", f"{where}: expected {_describe(expected)}, got {_describe(got)}"
    dtype_note = f" (your array has dtype {got.dtype})" if isinstance(got, np.ndarray) and got.dtype != np.float64 else ""
    if got_array.shape != expected.shape:
        return "wrong shape", f"{where}: expected shape {expected.shape}, got shape {got_array.shape}{dtype_note}"
    exact = expected.dtype.kind in "biu"
    expected = expected.astype(np.float64)
    close = got_array == expected if exact else np.isclose(got_array, expected, rtol=rtol, atol=atol,
                                                          equal_nan=True)
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    with np.errstate(invalid="ignore"):
        error = np.nanmax(np.where(close, 0.0, np.abs(got_array - expected)))
    return "wrong values", (f"{where}: {int((~close).sum())} of {close.size} entries differ, max abs error "
                            f"{error:.3g}; first at index {index}: expected {expected[index]:.6g}, "
                            f"got {got_array[index]:.6g}{dtype_note}")


def compare(expected, got, rtol=1e-6, atol=1e-8, where="result", detail=True):
    """Return None when ``got`` matches ``expected``, else one sentence naming the first difference, or with
    ``detail=False`` only its kind ("wrong shape", "wrong values", ...)."""
    found = _difference(expected, got, rtol, atol, where)
    return None if found is None else found[1] if detail else found[0]


def _difference(expected, got, rtol, atol, where):
    """None, or (kind, sentence) of the first difference."""
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, got, where, rtol, atol)
    if isinstance(expected, list):
        if isinstance(got, np.ndarray) and got.ndim == 1:
            got = got.tolist()
        if not isinstance(got, list):
            return "wrong type", f"{where}: expected {_describe(expected)}, got {_describe(got)}"
        if len(got) != len(expected):
            return "wrong length", f"{where}: expected {len(expected)} items, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            found = _difference(e, g, rtol, atol, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or sorted(got) != sorted(expected):
            return "wrong type", f"{where}: expected {_describe(expected)}, got {_describe(got)}"
        for key in sorted(expected):
            found = _difference(expected[key], got[key], rtol, atol, f"{where}[{key!r}]")
            if found:
                return found
        return None
    if _is_number(expected):
        if isinstance(got, np.ndarray) and got.shape == ():
            got = got.item()
        if not _is_number(got):
            return "wrong type", f"{where}: expected the number {expected:.6g}, got {_describe(got)}"
        if isinstance(expected, int) and not isinstance(got, float):
            ok = got == expected
        else:
            ok = bool(np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))
        return None if ok else ("wrong value", f"{where}: expected {expected:.6g}, got {got:.6g}")
    if expected is None:
        return None if got is None else ("wrong type", f"{where}: expected None, got {_describe(got)}")
    raise TypeError(f"reference value of type {type(expected).__name__} cannot be compared")
