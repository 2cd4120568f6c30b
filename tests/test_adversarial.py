"""Submissions that try to hang, crash, fool or read the grader — each a real notebook written here.

They are lab 4 submissions (two questions: q1 greedy decoding, 1 point; q2 prefix beam search, 4 points):
each keeps the correct solution of q1 and, where the attack is in a graded function, replaces q2's
function by the attack. So "full marks only for what it truly solves" means exactly q1 = 1 and q2 = 0,
and a hang or crash in q2 must not cost q1. All of them are graded in one run with short limits; the whole
run must stay well inside a minute and leave a complete, untouched gradebook.

Many attacks first switch off the child's Python-level guards (HOOKS_OFF), as any submission can: what
must stop them then is the kernel (Landlock, seccomp, the user nobody, resource limits). Those cases
need Landlock and are left out on a kernel without it, where the grader warns that its walls are weaker.
"""
import csv
import json
import os
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnnbook.grading import child, grader, sandbox

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab4_ctc_decoding.ipynb"
LIMITS = sandbox.Limits(wall_seconds=3, memory_bytes=1024 * 2**20, file_bytes=4 * 2**20)
# Empty the audit hook's event sets, make its isinstance() wave every open() through, drop the import blocker.
HOOKS_OFF = """
harness = sys.modules["__main__"]
harness.FORBIDDEN_EVENTS.clear(); harness.WRITE_EVENTS.clear(); harness.LIST_EVENTS.clear()
harness.isinstance = lambda *args: True
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "BlockReferences"]
"""
LANDLOCK = child.landlock_abi() > 0


def solution_cells():
    return [cell for cell in nbformat.read(SOLUTION, as_version=4).cells if cell.cell_type == "code"]


def notebook(*extra_sources, cells=None, **metadata):
    nb = nbformat.v4.new_notebook(cells=list(solution_cells() if cells is None else cells))
    nb.cells += [nbformat.v4.new_code_cell(source) for source in extra_sources]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb.metadata.update(metadata)
    return nbformat.writes(nb)


def attack(body):
    """A notebook whose prefix_beam_search (q2) is ``body``."""
    return notebook("import numpy as np\nimport os, sys, time, builtins\n"
                    "def prefix_beam_search(log_probs, beam_width, blank=0):\n"
                    + "".join(f"    {line}\n" for line in body.strip("\n").splitlines()))


def submissions(out):
    project = str(ROOT)
    big_output = nbformat.v4.new_code_cell("print('x')")
    big_output.outputs = [nbformat.v4.new_output("stream", text="x" * 50_000_000)]
    return {
        "top_level_loop": (notebook("while True:\n    pass"), "graded", 5),
        "loop_in_function": (attack("while True:\n    pass"), "timed out after 3 s", 1),
        "sleep": (attack("time.sleep(10**6)"), "timed out after 3 s", 1),
        "os_exit": (attack("os._exit(1)"), "exited with code 1", 1),
        "kill_grader": (attack("import signal\nos.kill(os.getppid(), signal.SIGKILL)"), "os.kill is not allowed", 1),
        "raise_limits": (attack("import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))"),
                         "resource.setrlimit is not allowed", 1),
        "segfault": (attack("import ctypes\nctypes.string_at(0)"), "SIGSEGV", 1),
        "memory_bomb": (attack("hog = []\nwhile True:\n    hog.append(np.empty(10**7))"), "MemoryError", 1),
        "monkeypatch": (attack("""
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, bool)
np.testing.assert_allclose = lambda *a, **k: None
builtins.abs = lambda x: 0
builtins.max = lambda *a, **k: 0
return [((), 0.0)]"""), "7 of 7 cases fail", 1),
        "always_equal": (notebook("""
class AlwaysEqual(list):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
class Anything:
    __eq__ = lambda self, other: True
def prefix_beam_search(log_probs, beam_width, blank=0):
    return Anything()"""), "not plain data", 1),
        "import_reference": (attack("""
from rnnbook.decode import prefix_beam_search as reference
return reference(log_probs, beam_width, blank)"""), "rnnbook is not available while grading", 1),
        "import_reference_by_path": (attack(f"""
import importlib.util
sys.path.insert(0, {project!r})
spec = importlib.util.spec_from_file_location("decode", {project + '/rnnbook/decode.py'!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
return module.prefix_beam_search(log_probs, beam_width, blank)"""), "is not allowed while grading", 1),
        "read_solution": (attack(f"""
import json, glob
places = ["solutions/lab4_ctc_decoding.ipynb", "../solutions/lab4_ctc_decoding.ipynb",
          "../../solutions/lab4_ctc_decoding.ipynb", {project + '/solutions/lab4_ctc_decoding.ipynb'!r}]
places += glob.glob("/**/lab4_ctc_decoding.ipynb", recursive=True)
for directory in ["..", "/", {project!r}]:
    try:
        places += [os.path.join(directory, name) for name in os.listdir(directory)]
    except OSError:
        pass
for place in places:
    try:
        cells = json.load(open(place))["cells"]
    except (OSError, ValueError):
        continue
    namespace = {{}}
    for cell in cells:
        if cell["cell_type"] == "code" and "def prefix_beam_search" in "".join(cell["source"]):
            exec("".join(cell["source"]).replace("### BEGIN SOLUTION", ""), namespace)
    return namespace["prefix_beam_search"](log_probs, beam_width, blank)
raise RuntimeError("found no solution to copy")"""), "found no solution to copy", 1),
        "write_gradebook": (attack(f"""
for name in ["gradebook.csv", "planted.txt"]:
    try:
        open(os.path.join({str(out)!r}, name), "w").write("hacked")
    except OSError as exc:
        last = exc
raise last"""), "is not allowed while grading", 1),
        "fork_and_leave": (attack(HOOKS_OFF + """
if os.fork() == 0:  # a grandchild in its own session would outlive the grader's kill of the process group
    os.setsid()
    time.sleep(60)
    os._exit(0)
return [((), 0.0)]"""), "Resource temporarily unavailable", 1),
        "kill_everyone": (attack(HOOKS_OFF + """
import signal
os.kill(-1, signal.SIGKILL)"""), "Operation not permitted", 1),
        "import_torch": (attack("""
import torch
return [((), 0.0)]"""), "No module named 'torch'", 1),
        # the submission writes the results file's first line (the setup notes) itself, before the harness:
        # a hundred thousand notes once took the grader minutes (a quadratic de-duplication) and filled the feedback
        "notes_flood": (notebook("""
import json, os
def flood(function):
    os.write(3, (json.dumps({"setup": [f"note {i}" for i in range(100_000)]}) + "\\n").encode())
    return function
@flood
def unused():
    pass""", cells=[]), "note 19", 0),
        "huge_code": (notebook("x = 1\n" * 200_000), "MB of code", 0),
        "malformed": ("{\"cells\": [ this is not json", "not a readable notebook", 0),
        "no_code": (notebook(cells=[nbformat.v4.new_markdown_cell("I wrote my answers on paper.")]),
                    "defines no functions", 0),
        "unknown_kernel": (notebook(kernelspec={"name": "no-such-kernel", "display_name": "?",
                                                "language": "python"}), "kernel name 'no-such-kernel'", 5),
        "huge_output": (notebook(cells=solution_cells() + [big_output]), "graded", 5),
        "deep_nesting": (notebook("def deep():\n    return " + "-" * 900 + "1", "x = " + "[" * 10**5), "nested too deeply", 5),
        "huge_print": (attack("print('x' * 50_000_000)\nreturn [((), 0.0)]"), "File too large", 1),
    } | ({
        "hooks_off_import_reference": (attack(HOOKS_OFF + f"""
sys.path.insert(0, {project!r})
from rnnbook.decode import prefix_beam_search as reference
return reference(log_probs, beam_width, blank)"""), "Permission denied", 1),
        "hooks_off_read_seed": (attack(HOOKS_OFF + """
raise RuntimeError(open(f"/proc/{os.getppid()}/cmdline").read())"""), "Permission denied: '/proc/", 1),
        "hooks_off_write_gradebook": (attack(HOOKS_OFF + f"""
open(os.path.join({str(out)!r}, "gradebook.csv"), "a").write("hacked")"""), "Permission denied", 1),
        # code in a class body runs while the definitions load; it meets the same walls, and the
        # notebook's own (correct) functions still count once it gives the harness its isinstance back
        "hooks_off_at_definition_time": (notebook(
            "import sys, os\nclass Sneaky:\n" + "".join(f"    {line}\n" for line in HOOKS_OFF.strip().splitlines())
            + f"    try:\n        open(os.path.join({str(out)!r}, 'planted.txt'), 'w')\n"
            + "    finally:\n        del harness.isinstance"), "`class Sneaky:` failed: PermissionError: [Errno 13]", 5),
    } if LANDLOCK else {})


def test_adversarial_submissions_are_contained(tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    subs.mkdir()
    cases = submissions(out)
    for name, (text, _, _) in cases.items():
        (subs / f"{name}.ipynb").write_text(text)
    started = time.monotonic()
    grader.grade_folder("lab4", subs, out, seed=3, jobs=2, limits=LIMITS, stream=open(os.devnull, "w"))
    elapsed = time.monotonic() - started
    assert elapsed < 50, f"grading the adversarial submissions took {elapsed:.0f} s"

    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert sorted(rows) == sorted(f"{name}.ipynb" for name in cases)
    assert sorted(p.name for p in out.iterdir()) == ["feedback", "gradebook.csv", "results"]
    for name, (_, expected_words, expected_total) in cases.items():
        row = rows[f"{name}.ipynb"]
        feedback = (out / "feedback" / f"{name}.txt").read_text()
        assert row["status"] == ("invalid" if name in ("malformed", "no_code", "huge_code") else "graded"), \
            f"{name}: {row['status']}: {row['reason']}"
        assert float(row["total"]) == expected_total, (name, row, feedback)
        assert expected_words in row["status"] + row["reason"] + feedback, (name, row, feedback)
        if expected_total == 1:
            assert row["q1"] == "1" and row["q2"] == "0" and row["reason"].startswith("q2 "), (name, row)
        assert json.loads((out / "results" / f"{name}.json").read_text())["score"] == expected_total
    assert "note 20" not in (out / "feedback" / "notes_flood.txt").read_text()


def test_the_sandbox_walls(tmp_path):
    """What a graded function can and cannot do inside the sandbox, checked one wall at a time."""
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    code = f"""
import os, subprocess, numpy as np
def read_outside():
    return open({str(outside)!r}).read()
def list_parent():
    return os.listdir("..")
def spawn():
    return subprocess.run(["true"]).returncode
def write_scratch():
    open("mine.txt", "w")
def read_scratch():
    return sorted(os.listdir("."))
def environment():
    return sorted(os.environ)
def numpy_works():
    return np.linalg.norm(np.ones(4))
def hoard_memory_in_files():
    # memory-backed files escape the address-space limit; the open-file limit bounds how many
    files = []
    while len(files) < 100:
        files.append(os.memfd_create("hoard"))
"""
    results = {name: sandbox.run(code, name, [((), {})], LIMITS).cases[0]
               for name in ("read_outside", "list_parent", "spawn", "write_scratch", "read_scratch", "environment",
                            "numpy_works", "hoard_memory_in_files")}
    assert results["read_outside"][0] == "error" and "not allowed" in results["read_outside"][1]
    assert results["list_parent"][0] == "error" and "not allowed" in results["list_parent"][1]
    assert results["spawn"][0] == "error" and "subprocess.Popen is not allowed" in results["spawn"][1]
    assert results["write_scratch"][0] == "error" and "writing 'mine.txt' is not allowed" in results["write_scratch"][1]
    assert results["read_scratch"] == ("value", ["job.json", "output.txt", "results.jsonl"])
    assert "PYTHONPATH" not in results["environment"][1] and len(results["environment"][1]) <= 8
    assert results["numpy_works"] == ("value", pytest.approx(2.0))
    assert results["hoard_memory_in_files"] == (
        "error", "raised OSError: [Errno 24] Too many open files (in hoard_memory_in_files)")


def test_oversized_files_and_folders_named_like_notebooks(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    (subs / "folder.ipynb").mkdir(parents=True)
    (subs / "big.ipynb").write_bytes(SOLUTION.read_bytes())
    monkeypatch.setattr(grader, "MAX_NOTEBOOK_BYTES", 1000)
    rows = grader.grade_folder("lab4", subs, tmp_path / "out", limits=LIMITS, stream=open(os.devnull, "w"))
    assert list(rows) == ["big.ipynb"]
    assert rows["big.ipynb"]["status"] == "invalid" and "more than the 0 MB" in rows["big.ipynb"]["reason"]


@pytest.mark.skipif(not LANDLOCK, reason="this kernel has no Landlock; the grader warns that the sandbox is weaker")
def test_the_walls_stand_with_the_python_guards_switched_off(tmp_path):
    """Each attempt fails with the kernel's error (errno), not the audit hook's "sandbox: ..." refusal."""
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    attempts = {
        "read_outside": f"open({str(outside)!r}).read()",
        "read_grader_command_line": "open(f'/proc/{os.getppid()}/cmdline').read()",
        "import_reference": f"sys.path.insert(0, {str(ROOT)!r}); import rnnbook.ctc",
        "import_torch_by_path": f"sys.path.append({os.path.dirname(os.path.dirname(np.__file__))!r}); import torch",
        "write_outside": f"open({str(tmp_path / 'planted.txt')!r}, 'w')",
        "create_in_scratch": "open('mine.txt', 'w')",
        "fork": "os.fork()",
        "thread": "import threading; threading.Thread(target=print).start()",
        "raise_memory_limit": "import resource; resource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        "signal_grader": "import signal; os.kill(os.getppid(), signal.SIGCONT)",
        # kill(-1) would reach every process of the sandbox's user: submissions graded alongside, and the
        # grader itself when it does not run as root
        "signal_everyone": "import signal; os.kill(-1, signal.SIGKILL)",
        "send_out": "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))",
    }
    code = "import os, sys\n" + "".join(
        f"def {name}():\n" + "".join(f"    {line}\n" for line in HOOKS_OFF.strip().splitlines()) + f"    {attempt}\n"
        for name, attempt in attempts.items())
    for name in attempts:
        kind, message = sandbox.run(code, name, [((), {})], LIMITS).cases[0]
        assert kind == "error" and "sandbox:" not in message, (name, message)
        assert any(word in message for word in ("[Errno", "can't start new thread", "not allowed to raise")), \
            (name, message)
    assert [p.name for p in tmp_path.iterdir()] == ["secret.txt"]
