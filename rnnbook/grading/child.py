"""The program that runs one question of one submission inside the sandbox.

The grader (sandbox.py) runs it with ``python -I -c`` in an empty scratch directory, its source being
plaindata.py, walls.py and this file one after the other (sandbox.CHILD_PROGRAM): the child never learns
the project's path from its arguments and cannot import the package it comes from, so it imports only the
standard library and numpy. Before any submission code runs, it walls itself in (walls.py says with what,
and why); then it loads the submission's definitions and runs the cases.

Protocol (files in the scratch directory, and the child's standard input and output):
    job.json       written by the parent: {"code": str, "function": str, "limits": {RLIMIT_*: [soft, hard]},
                   "user": [uid, gid, own] to become (the grader is root; own: each plus the child's pid) or
                   null, "parent": the grader's pid, "guards": whether to add the Python guards,
                   "cases": [{"args", "kwargs"}] (the public cases only)}
    results.jsonl  written here: line 0 {"setup": [notes]}, then one line per case, {"value": plain} or
                   {"error": "..."}; flushed after each case so a later crash keeps the earlier cases
    stdout         one line once the public cases are done; the parent then reads the notes and the public
                   results and only after that sends the hidden cases on stdin (a JSON list, then EOF), so no
                   code that could write into those ever sees a hidden input
    output.txt     whatever the submission prints (stdout and stderr), bounded by the file-size limit
"""
import json
import os
import traceback

if __package__:  # imported as rnnbook.grading.child, to be read or tested
    from .plaindata import decode, encode
    from .walls import enter_guards, enter_walls
# else run by the sandbox (python -c): plaindata.py and walls.py came first in this program's source


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


def run_cases(function, name, cases, results):
    """Call ``function`` on each case and write one line per case to ``results`` (see the protocol)."""
    for args, kwargs in cases:
        try:
            if not callable(function):
                raise NameError(f"no function named {name} is defined")
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


def read_cases(fd):
    """The cases the parent sends on ``fd`` (a JSON list, then end of file), decoded."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return [(decode(case["args"]), decode(case["kwargs"])) for case in json.loads(b"".join(chunks))]


def main():
    with open("job.json") as f:
        job = json.load(f)
    cases = [(decode(case["args"]), decode(case["kwargs"])) for case in job["cases"]]
    results = open("results.jsonl", "w")
    output = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    # The pipes from and to the parent move off 0 and 1, where a submission's input() and print() would meet them.
    hidden_cases, public_done = os.dup(0), os.dup(1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(output, 1)
    os.dup2(output, 2)

    readable = enter_walls(job["limits"], job["user"], job["parent"])
    if job["guards"]:
        enter_guards(readable)

    namespace, notes = load_definitions(job["code"])
    function = namespace.get(job["function"])
    results.write(json.dumps({"setup": notes}) + "\n")
    results.flush()
    run_cases(function, job["function"], cases, results)
    os.write(public_done, b"public cases done\n")
    os.close(public_done)
    run_cases(function, job["function"], read_cases(hidden_cases), results)


if __name__ == "__main__":
    main()
