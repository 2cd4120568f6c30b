"""The program that runs one question of one submission inside the sandbox, and the plain-data codec.

The grader (sandbox.py) runs this file's *source* with ``python -I -c`` in an empty scratch directory, so
the child never learns the project's path from its arguments and cannot import the package it comes
from. It therefore imports only the standard library and numpy. The parent imports the same file for
``encode`` / ``decode``, so both sides speak exactly one format.

Protocol (files in the scratch directory):
    job.json       written by the parent: {"code": str, "function": str, "cases": [{"args", "kwargs"}]}
    results.jsonl  written here: line 0 {"setup": [notes]}, then one line per case, {"value": plain} or
                   {"error": "..."}; flushed after each case so a later crash keeps the earlier cases
    output.txt     whatever the submission prints (stdout and stderr), bounded by the file-size limit
"""
import json
import os
import sys
import traceback

import numpy as np

# Arrays travel as tagged JSON objects; nothing is ever pickled, so the parent cannot be made to run
# code by what it reads back.
ARRAY_TAG = "__ndarray__"
NUMERIC_KINDS = "biuf"
BLOCKED_PACKAGES = {"rnnbook", "solutions", "tests"}
# Starting processes, signalling the grader, raising the limits (root may), native libraries, sockets.
FORBIDDEN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                    "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill", "resource.setrlimit",
                    "resource.prlimit", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle",
                    "socket.connect", "socket.bind", "os.chdir", "os.chroot"}
# Audit events that change the file system, with the positions of their path arguments.
WRITE_EVENTS = {"os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1),
                "os.symlink": (0, 1), "os.link": (0, 1), "os.truncate": (0,), "os.chmod": (0,),
                "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,)}
LIST_EVENTS = {"os.listdir", "os.scandir"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


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


def describe_exception(exc):
    """'ValueError: message (in ctc_forward)' — the exception and the submission's function it came from."""
    try:
        message = str(exc)[:300]
    except Exception:  # a hostile __str__
        message = "<unprintable>"
    # Point at the submission's own function, not at numpy internals or the sandbox's hooks.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "submission"]
    where = f" (in {frames[-1].name})" if frames and frames[-1].name != "<module>" else ""
    return f"{type(exc).__name__}: {message}{where}" if message else f"{type(exc).__name__}{where}"


class BlockReferences:
    """A sys.meta_path finder that refuses the course's own packages, so the references stay out."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED_PACKAGES:
            raise ImportError(f"{name} is not available while grading")
        return None


def make_audit_hook(scratch, read_roots):
    """Return an audit hook that keeps file access inside ``scratch`` (reading and listing also in ``read_roots``).

    It also refuses the FORBIDDEN_EVENTS (processes, signals, limits, native libraries, sockets). Python code cannot
    remove an audit hook; native code (ctypes memory writes) could, which is why the real walls are the
    separate process, its limits and the comparison in the parent.
    """
    def inside(path, roots):
        try:
            real = os.path.realpath(os.fsdecode(path))
        except Exception:
            return False
        return any(real == root or real.startswith(root + os.sep) for root in roots)

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
            if not inside(path, [scratch] if writing else [scratch, *read_roots]):
                raise PermissionError(f"sandbox: opening {path!r} is not allowed while grading")
        elif event in LIST_EVENTS:
            # the import system lists package folders of the Python install, so those stay listable
            if args and args[0] is not None and not isinstance(args[0], int) and not inside(args[0], [scratch, *read_roots]):
                raise PermissionError(f"sandbox: listing {args[0]!r} is not allowed while grading")
        elif event in WRITE_EVENTS:
            for i in WRITE_EVENTS[event]:
                if not isinstance(args[i], int) and not inside(args[i], [scratch]):
                    raise PermissionError(f"sandbox: {event} on {args[i]!r} is not allowed while grading")
        elif event in FORBIDDEN_EVENTS:
            raise PermissionError(f"sandbox: {event} is not allowed while grading")
    return hook


def load_definitions(code):
    """Execute the submission's imports/defs one statement at a time; a failing import is noted, not fatal."""
    import ast
    namespace = {"__name__": "submission"}
    notes = []
    for node in ast.parse(code).body:
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), "submission", "exec"), namespace)
        except Exception as exc:
            notes.append(f"`{ast.unparse(node).splitlines()[0]}` failed: {describe_exception(exc)}")
    return namespace, notes


def main():
    scratch = os.path.realpath(os.getcwd())
    with open("job.json") as f:
        job = json.load(f)
    cases = [(decode(case["args"]), decode(case["kwargs"])) for case in job["cases"]]
    results = open("results.jsonl", "w")
    output = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(output, 1)
    os.dup2(output, 2)

    import sysconfig
    paths = sysconfig.get_paths()
    read_roots = sorted({os.path.realpath(paths[key]) for key in ("stdlib", "purelib", "platlib")})
    sys.path[:] = [p for p in sys.path if any(os.path.realpath(p).startswith(root) for root in read_roots)]
    sys.meta_path.insert(0, BlockReferences())
    sys.addaudithook(make_audit_hook(scratch, read_roots))

    namespace, notes = load_definitions(job["code"])
    function = namespace.get(job["function"])
    results.write(json.dumps({"setup": notes}) + "\n")
    results.flush()
    for args, kwargs in cases:
        try:
            if not callable(function):
                raise NameError(f"no function named {job['function']} is defined")
            answer = function(*args, **kwargs)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they are the case's answer
            record = {"error": f"raised {describe_exception(exc)}"}
        else:
            try:
                record = {"value": encode(answer)}
            except BaseException as exc:  # not plain data, or a hostile object's methods
                record = {"error": f"returned {str(exc)[:200]}"}
        results.write(json.dumps(record) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
