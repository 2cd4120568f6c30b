"""Plain data across the sandbox's wall: numbers, numeric arrays, lists, tuples, dicts with str keys, None.

The grader writes a question's cases with ``encode`` and reads the child's answers back with ``decode``
(sandbox.py, grader.py); the self-check runs answers through both so that a student sees exactly what the
grader would judge (selfcheck.py). The child program runs in the sandbox from this module's source
(sandbox.CHILD_PROGRAM), so both sides speak one format. It imports only the standard library and numpy.
"""
import numpy as np

# Arrays travel as tagged JSON objects; nothing is ever pickled, so the parent cannot be made to run
# code by what it reads back.
ARRAY_TAG = "__ndarray__"
NUMERIC_KINDS = "biuf"


def encode(value):
    """Turn numbers, numeric arrays, lists, tuples, dicts with str keys and None into JSON-able data.

    Anything else (a custom object, say one whose ``__eq__`` always answers True) raises TypeError.
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
        return value.item()
    if isinstance(value, np.ndarray):
        arr = np.array(value)  # a plain ndarray copy, whatever subclass came in
        if arr.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"an array of dtype {arr.dtype} is not numbers")
        return {ARRAY_TAG: arr.tolist(), "dtype": str(arr.dtype), "shape": list(arr.shape)}
    if type(value) in (list, tuple):
        return [encode(item) for item in value]
    if type(value) is dict and all(type(key) is str for key in value):
        return {key: encode(item) for key, item in value.items()}
    raise TypeError(f"a value of type {type(value).__name__}, which is not plain data (numbers, arrays, lists, dicts)")


def decode(plain):
    """Inverse of ``encode``; tagged arrays come back as numpy arrays of their (numeric) dtype."""
    if isinstance(plain, dict) and ARRAY_TAG in plain:
        dtype = np.dtype(plain["dtype"])
        if dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"array dtype {dtype} is not numeric")
        return np.array(plain[ARRAY_TAG], dtype=dtype).reshape(plain["shape"])
    if isinstance(plain, list):
        return [decode(item) for item in plain]
    if isinstance(plain, dict):
        return {key: decode(item) for key, item in plain.items()}
    return plain
