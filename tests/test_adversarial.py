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
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnnbook.grading import grader, questions, sandbox, walls

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
LANDLOCK = walls.landlock_abi() > 0


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
    assert sorted(p.name for p in out.iterdir()) == ["feedback", "gradebook.csv", "report.html", "results"]
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


# --- The red team's holes (issue 11): each attack is a notebook graded through the real grader. ---

HONEST = SOLUTION.read_text()
STUB = (ROOT / "labs" / "lab4_ctc_decoding.ipynb").read_text()
# What any submission can do first: empty the audit hook's list of refused events (the kernel is the wall).
EVENTS_OFF = 'sys.modules["__main__"].FORBIDDEN_EVENTS.clear()'


def grade(tmp_path, files, jobs=1, runs=1):
    """Write ``files`` ({path under the submissions folder: notebook text}) and grade them as lab 4, ``runs``
    times (a second run reads the gradebook the first one wrote); return the rows and the output folder."""
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    for name, text in files.items():
        path = subs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for _ in range(runs):
        rows = grader.grade_folder("lab4", subs, out, seed=3, jobs=jobs, limits=LIMITS, stream=open(os.devnull, "w"))
    return rows, out


def reports(out, report_name):
    return (out / "feedback" / f"{report_name}.txt").read_text() + (out / "results" / f"{report_name}.json").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="without root the sandboxes share the grader's user; the grader warns")
def test_a_submission_cannot_lower_the_limits_of_submissions_graded_beside_it(tmp_path):
    """Hole 1: sandboxes graded at the same time ran as one user, so one could prlimit() the others."""
    saboteur = notebook(f"""
import os, sys, time, resource
class Saboteur:  # runs while the definitions load, in the sandbox of every question
    {EVENTS_OFF}
    end = time.monotonic() + 2
    while time.monotonic() < end:
        for pid in range(os.getpid() - 200, os.getpid() + 400):
            if pid != os.getpid():
                try:
                    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
                except (OSError, ValueError):
                    pass""")
    honest = {f"honest_{i}.ipynb": HONEST for i in range(4)}
    rows, _ = grade(tmp_path, {"a_saboteur.ipynb": saboteur, **honest}, jobs=2)
    assert {name: rows[name]["total"] for name in honest} == {name: "5" for name in honest}, \
        {name: rows[name]["reason"] for name in honest}


IPC = {  # (publish 4711, read it back) with the kernel's System V IPC objects and keys, through libc
    "shared_memory": ("""
address = libc.shmat(libc.shmget(KEY, 4096, 0o1666), None, 0)
ctypes.memmove(address, b"4711", 4)""", """
address = libc.shmat(libc.shmget(KEY, 4096, 0), None, 0)
found = ctypes.string_at(address, 4).decode() if address not in (None, 2**64 - 1) else None"""),
    "message_queue": ("""
message = struct.pack("l8s", 1, b"4711")
libc.msgsnd(libc.msgget(KEY, 0o1666), message, 8, 0o4000)""", """
buffer = ctypes.create_string_buffer(16)
found = buffer.raw[8:12].decode() if libc.msgrcv(libc.msgget(KEY, 0), buffer, 8, 0, 0o4000) > 0 else None"""),
    "semaphore": ("""
libc.semctl(libc.semget(KEY, 1, 0o1666), 0, 16, 4711)  # SETVAL""", """
value = libc.semctl(libc.semget(KEY, 1, 0), 0, 12)  # GETVAL
found = str(value) if value >= 0 else None"""),
    "user_keyring": ("""
libc.syscall(ADD_KEY, b"user", b"answers", b"4711", 4, -4)  # KEY_SPEC_USER_KEYRING""", """
key = libc.syscall(KEYCTL, 10, -4, b"user", b"answers", 0)  # KEYCTL_SEARCH
buffer = ctypes.create_string_buffer(4)
found = buffer.raw.decode() if key > 0 and libc.syscall(KEYCTL, 11, key, buffer, 4) == 4 else None"""),
    "session_keyring": ("""
libc.syscall(ADD_KEY, b"user", b"answers", b"4711", 4, -3)  # KEY_SPEC_SESSION_KEYRING""", """
key = libc.syscall(KEYCTL, 10, -3, b"user", b"answers", 0)
buffer = ctypes.create_string_buffer(4)
found = buffer.raw.decode() if key > 0 and libc.syscall(KEYCTL, 11, key, buffer, 4) == 4 else None"""),
}


@pytest.mark.parametrize("channel", IPC)
def test_sandboxes_cannot_talk_through_kernel_ipc_or_keys(tmp_path, channel):
    """Hole 2: one submission published an answer in a SysV IPC object or a kernel key, a later one read it."""
    publish, read = IPC[channel]
    prelude = f"""{EVENTS_OFF}
import ctypes, platform, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
KEY = 0x4711 + {list(IPC).index(channel)}
ADD_KEY, KEYCTL = {{"x86_64": (248, 250), "aarch64": (217, 219)}}[platform.machine()]
"""
    rows, out = grade(tmp_path, {"a_publisher.ipynb": attack(prelude + publish + "\nreturn []"),
                                 "b_reader.ipynb": attack(prelude + read + "\nraise RuntimeError(f'read {found}')")})
    assert "read None" in reports(out, "b_reader") and "read 4711" not in reports(out, "b_reader")


NAMES = {  # what the red team put into a submissions folder to stop the run (path: notebook text)
    "lone_surrogate_in_an_exception": {"a.ipynb": attack("raise ValueError('\\udcff')")},
    "name_not_utf8": {os.fsdecode(b"caf\xe9.ipynb"): HONEST},
    "name_of_255_bytes": {"x" * 249 + ".ipynb": HONEST},
    "folder_named_like_a_report": {"c/a.ipynb": HONEST, "c/a.txt/b.ipynb": HONEST},
}


@pytest.mark.parametrize("files", NAMES.values(), ids=NAMES)
def test_no_file_name_or_message_stops_the_run(tmp_path, files):
    """Hole 3: one file stopped the whole run, on every rerun."""
    rows, out = grade(tmp_path, {**files, "z_honest.ipynb": HONEST}, runs=2)
    assert len(rows) == len(files) + 1 and rows["z_honest.ipynb"]["total"] == "5"
    graded = [row for name, row in rows.items() if name != "z_honest.ipynb"]
    assert all(row["status"] == "graded" for row in graded), graded
    assert len(list((out / "feedback").rglob("*.txt"))) == len(list((out / "results").rglob("*.json"))) == len(rows)


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http:\\\\evil\",\"5\").ipynb", "+1+1.ipynb", "-1+1.ipynb",
                                  "@SUM(1).ipynb", "\t=1.ipynb", "\r=1.ipynb", "a\rb.ipynb", "a\nb.ipynb"])
def test_a_file_name_cannot_corrupt_the_gradebook_or_put_a_formula_into_it(tmp_path, name):
    """Hole 4: a carriage return split a row (and the next run crashed); =, +, -, @ made formulas."""
    rows, out = grade(tmp_path, {name: STUB, "z_other.ipynb": STUB}, runs=2)
    text = (out / "gradebook.csv").read_text()
    with open(out / "gradebook.csv", newline="") as f:
        table = list(csv.reader(f))
    assert len(table) == 3 and all(len(row) == len(table[0]) for row in table), text
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in table for cell in row), text
    assert sorted(rows) == sorted(row[0].removeprefix("'") for row in table[1:])
    shown = next(row for row in table[1:] if row[0] != "z_other.ipynb")[0].removeprefix("'")
    if name.isprintable():
        assert shown == name  # the name as typed, wherever it is safe to show
    assert (out / "feedback" / f"{shown.removesuffix('.ipynb')}.txt").read_text().startswith(f"{shown}: 0 / 5")


@pytest.mark.parametrize("signal_number", [40, 63])
def test_a_question_killed_by_any_signal_costs_that_question_alone(tmp_path, signal_number):
    """Hole 5: a real-time signal (no name in Python's signal.Signals) made the whole submission an error."""
    # the kernel sends it (SIGIO, renumbered with F_SETSIG) when the pipe becomes readable: no kill() needed
    rows, out = grade(tmp_path, {"a.ipynb": attack(f"""
import fcntl
read_end, write_end = os.pipe()
fcntl.fcntl(read_end, fcntl.F_SETOWN, os.getpid())
fcntl.fcntl(read_end, fcntl.F_SETSIG, {signal_number})
fcntl.fcntl(read_end, fcntl.F_SETFL, os.O_ASYNC)
os.write(write_end, b"x")
time.sleep(2)""")})
    row = rows["a.ipynb"]
    assert (row["status"], row["q1"], row["q2"]) == ("graded", "1", "0"), row
    assert f"signal {signal_number}" in row["reason"]


# Every hidden input the attacks below can find, as each prints it: an array's sum with six decimals.
FIND_INPUTS = """
import json, numpy as np
found = []
def collect(obj, found=found, np=np):  # every array in the JSON it reads
    if "__ndarray__" in obj:
        found.append(np.array(obj["__ndarray__"]).sum())
    return obj
try:
    json.load(open("job.json"), object_hook=collect)
except Exception:
    pass
"""
LEAKS = {
    "exception_text": attack("raise ValueError(f'inputs: {log_probs.sum():.6f}')"),
    "note_at_definition_time": notebook("class Leak:\n" + "".join(f"    {line}\n" for line in FIND_INPUTS.splitlines())
                                        + "    raise RuntimeError(' '.join(f'{s:.6f}' for s in found))"),
    "job_file_in_a_public_case": attack(FIND_INPUTS + "raise RuntimeError(' '.join(f'{s:.6f}' for s in found))"),
    # say "public cases done" on every pipe it holds, then read whatever comes on standard input
    "hidden_cases_asked_for_early": attack(FIND_INPUTS + """
import stat
for fd in range(1, 30):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"done\\n")
    except OSError:
        pass
import select
if select.select([0], [], [], 1)[0]:
    for line in os.read(0, 10**6).decode(errors="replace").splitlines():
        try:
            json.loads(line, object_hook=collect)
        except ValueError:
            pass
raise RuntimeError(' '.join(f'{s:.6f}' for s in found))"""),
}


@pytest.mark.parametrize("submission", LEAKS.values(), ids=LEAKS)
def test_hidden_inputs_never_reach_the_feedback(tmp_path, submission):
    """Hole 6: exception text and code run at definition time carried hidden inputs into the feedback."""
    rows, out = grade(tmp_path, {"a.ipynb": submission})
    text = reports(out, "a")
    hidden = [case for q in questions.load("lab4") for case in q.hidden_cases("lab4", 3)]
    assert not [case.name for case in hidden if f"{case.inputs['log_probs'].sum():.6f}" in text], text
    assert rows["a.ipynb"]["status"] == "graded" and rows["a.ipynb"]["q1"] == "1"


def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError):
            continue
        if int(parent) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_grader_leaves_no_sandbox_running(tmp_path):
    """Hole 7: a sandbox that sleeps (no CPU, so no CPU limit ends it) outlived a grader killed mid-run."""
    subs = tmp_path / "submissions"
    subs.mkdir()
    (subs / "sleeper.ipynb").write_text(notebook("import time\ndef ctc_greedy(log_probs, blank=0):\n"
                                                 "    time.sleep(10**6)", cells=[]))
    grading = subprocess.Popen([sys.executable, "-m", "rnnbook.grading", "grade", "lab4", str(subs), "--out",
                                str(tmp_path / "out"), "--timeout", "120"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sandboxes = []
    try:
        deadline = time.monotonic() + 30
        while not sandboxes and time.monotonic() < deadline:
            time.sleep(0.1)
            sandboxes = _children(grading.pid)
        assert sandboxes, "the grader started no sandbox"
        time.sleep(1.5)  # the sandbox has walled itself in and sleeps
        grading.kill()
        grading.wait()
        deadline = time.monotonic() + 5
        while any(map(_alive, sandboxes)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, sandboxes))
    finally:
        grading.kill()
        for pid in filter(_alive, sandboxes):
            os.kill(pid, 9)


BLOATS = {
    "returned_value": attack("return {f'key {i}': i for i in range(200_000)}"),
    "kernel_name": notebook(kernelspec={"name": "k" * 10**6, "display_name": "?", "language": "python"}),
    "kernel_language": notebook(kernelspec={"name": "python3", "display_name": "?", "language": "p" * 10**6}),
}


@pytest.mark.parametrize("submission", BLOATS.values(), ids=BLOATS)
def test_feedback_and_results_are_bounded(tmp_path, submission):
    """Hole 8: one returned value made 1.9 MB of feedback and as much of results.json."""
    rows, out = grade(tmp_path, {"a.ipynb": submission})
    for path in (out / "feedback" / "a.txt", out / "results" / "a.json", out / "gradebook.csv"):
        assert path.stat().st_size < 64_000, (path.name, path.stat().st_size)
    assert "cut" in reports(out, "a")
    json.loads((out / "results" / "a.json").read_text())


@pytest.mark.parametrize("target", ["secret", "solution"])
def test_symbolic_links_in_the_submissions_folder_are_not_followed(tmp_path, target):
    """Hole 9: a link was followed (the grader often runs as root) and part of its target showed in the feedback."""
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRET-HASH:19000:0:99999:7:::\n")
    subs = tmp_path / "submissions"
    subs.mkdir()
    (subs / "link.ipynb").symlink_to({"secret": secret, "solution": SOLUTION}[target])
    rows, out = grade(tmp_path, {"z_honest.ipynb": HONEST})
    row = rows["link.ipynb"]
    assert row["total"] == "0" and row["status"] == "invalid" and "symbolic link" in row["reason"], row
    assert "SECRET" not in reports(out, "link") and "SECRET" not in (out / "gradebook.csv").read_text()
    assert rows["z_honest.ipynb"]["total"] == "5"
