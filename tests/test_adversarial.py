"""Submissions that try to hang, crash, fool or read the grader — each a real notebook, each its own test.

They are lab 4 submissions (questions q1 greedy decoding, 1 point; q2 prefix beam search, 4 points; q3
the language-model score): each keeps the correct solution of the other questions and, where the attack is
in a graded function, replaces q2's function by the attack. So "full marks only for what it truly solves"
means q2 = 0 and everything else full, and a hang or crash in q2 must not cost another question. Every
attack is graded through the grader's public entry points (``grader.grade_folder``, ``sandbox.run``).

Many attacks first switch off the child's Python guards (GUARDS_OFF), as any submission can, knowing only
that the harness runs as ``__main__``: what must stop them then is a wall (walls.py: Landlock, seccomp, the
user of its own, resource limits). Those that need Landlock are left out on a kernel without it, where the
grader warns that its walls are weaker. The tests of the walls alone run with ``sandbox.run(...,
guards=False)``.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnnbook.grading import grader, questions, sandbox, walls

# Whole submissions through the sandbox: minutes, not seconds; `make quick` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab4_ctc_decoding.ipynb"
LIMITS = sandbox.Limits(wall_seconds=3, memory_bytes=1024 * 2**20, file_bytes=4 * 2**20)
FULL = sum(q.points for q in questions.load("lab4"))
Q2 = questions.question("lab4", "q2").points
# Switch off the Python guards without naming anything of the harness: empty every set of refused audit
# events (found by what they hold), make the hook's isinstance() wave every open() through, and drop the
# import finders the harness added.
EVENTS_OFF = """
import gc
for found in gc.get_objects():
    if isinstance(found, set) and {"os.kill", "os.remove", "os.listdir"} & found:
        found.clear()
"""
GUARDS_OFF = EVENTS_OFF + """
sys.modules["__main__"].isinstance = lambda *args: True
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "__main__"]
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


def indented(code, prefix="    "):
    return "".join(f"{prefix}{line}\n" for line in code.strip("\n").splitlines())


def attack(body):
    """A notebook whose prefix_beam_search (q2) is ``body``."""
    return notebook("import numpy as np\nimport os, sys, time, builtins\n"
                    "def prefix_beam_search(log_probs, beam_width, blank=0):\n" + indented(body))


@dataclass(frozen=True)
class Attack:
    text: str                  # the notebook as submitted (or garbage)
    words: str                 # what the gradebook row or the feedback must say
    total: float               # the score it must get
    status: str = "graded"


def in_q2(body, words):
    """An attack inside q2's function: q2 scores 0, every other question full marks."""
    return Attack(attack(body), words, FULL - Q2)


PROJECT = str(ROOT)
# Paths the attacks name: where the tests below grade to, and a file outside the sandbox
OUT = os.path.join(tempfile.gettempdir(), f"rnnbook-adversarial-{os.getpid()}-out")
OUTSIDE = os.path.join(tempfile.gettempdir(), f"rnnbook-adversarial-{os.getpid()}-secret.txt")
PLANTED = os.path.join(tempfile.gettempdir(), f"rnnbook-adversarial-{os.getpid()}-planted.txt")
BIG_OUTPUT = nbformat.v4.new_code_cell("print('x')")
BIG_OUTPUT.outputs = [nbformat.v4.new_output("stream", text="x" * 50_000_000)]
ATTACKS = {
    "top_level_loop": Attack(notebook("while True:\n    pass"), "graded", FULL),
    "loop_in_function": in_q2("while True:\n    pass", "timed out after 3 s"),
    "sleep": in_q2("time.sleep(10**6)", "timed out after 3 s"),
    "os_exit": in_q2("os._exit(1)", "exited with code 1"),
    "kill_grader": in_q2("import signal\nos.kill(os.getppid(), signal.SIGKILL)", "os.kill is not allowed"),
    "raise_limits": in_q2("import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
                          "resource.setrlimit is not allowed"),
    "segfault": in_q2("import ctypes\nctypes.string_at(0)", "SIGSEGV"),
    "memory_bomb": in_q2("hog = []\nwhile True:\n    hog.append(np.empty(10**7))", "MemoryError"),
    "monkeypatch": in_q2("""
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, bool)
np.testing.assert_allclose = lambda *a, **k: None
builtins.abs = lambda x: 0
builtins.max = lambda *a, **k: 0
return [((), 0.0)]""", "7 of 7 cases fail"),
    "always_equal": Attack(notebook("""
class AlwaysEqual(list):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
class Anything:
    __eq__ = lambda self, other: True
def prefix_beam_search(log_probs, beam_width, blank=0):
    return Anything()"""), "not plain data", FULL - Q2),
    "import_reference": in_q2("""
from rnnbook.decode import prefix_beam_search as reference
return reference(log_probs, beam_width, blank)""", "rnnbook is not available while grading"),
    "import_reference_by_path": in_q2(f"""
import importlib.util
sys.path.insert(0, {PROJECT!r})
spec = importlib.util.spec_from_file_location("decode", {PROJECT + '/rnnbook/decode.py'!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
return module.prefix_beam_search(log_probs, beam_width, blank)""", "is not allowed while grading"),
    "read_solution": in_q2(f"""
import json, glob
places = ["solutions/lab4_ctc_decoding.ipynb", "../solutions/lab4_ctc_decoding.ipynb",
          "../../solutions/lab4_ctc_decoding.ipynb", {PROJECT + '/solutions/lab4_ctc_decoding.ipynb'!r}]
places += glob.glob("/**/lab4_ctc_decoding.ipynb", recursive=True)
for directory in ["..", "/", {PROJECT!r}]:
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
raise RuntimeError("found no solution to copy")""", "found no solution to copy"),
    "write_gradebook": in_q2(f"""
for name in ["gradebook.csv", "planted.txt"]:
    try:
        open(os.path.join({OUT!r}, name), "w").write("hacked")
    except OSError as exc:
        last = exc
raise last""", "is not allowed while grading"),
    "fork_and_leave": in_q2(GUARDS_OFF + """
if os.fork() == 0:  # a grandchild in its own session would outlive the grader's kill of the process group
    os.setsid()
    time.sleep(60)
    os._exit(0)
return [((), 0.0)]""", "Resource temporarily unavailable"),
    # kill(-1) reaches every process of the sandbox's user; with the guards off only seccomp stops it
    "kill_everyone": in_q2(GUARDS_OFF + "import signal\nos.kill(-1, signal.SIGKILL)", "Operation not permitted"),
    "import_torch": in_q2("import torch\nreturn [((), 0.0)]", "No module named 'torch'"),
    # the submission writes the results file's first line (the setup notes) itself, before the harness:
    # a hundred thousand notes once took the grader minutes (a quadratic de-duplication) and filled the feedback
    "notes_flood": Attack(notebook("""
import json, os
def flood(function):
    os.write(3, (json.dumps({"setup": [f"note {i}" for i in range(100_000)]}) + "\\n").encode())
    return function
@flood
def unused():
    pass""", cells=[]), "note 19", 0),
    "huge_code": Attack(notebook("x = 1\n" * 200_000), "MB of code", 0, "invalid"),
    "malformed": Attack("{\"cells\": [ this is not json", "not a readable notebook", 0, "invalid"),
    "no_code": Attack(notebook(cells=[nbformat.v4.new_markdown_cell("I wrote my answers on paper.")]),
                      "defines no functions", 0, "invalid"),
    "unknown_kernel": Attack(notebook(kernelspec={"name": "no-such-kernel", "display_name": "?",
                                                  "language": "python"}), "kernel name 'no-such-kernel'", FULL),
    "huge_output": Attack(notebook(cells=solution_cells() + [BIG_OUTPUT]), "graded", FULL),
    "deep_nesting": Attack(notebook("def deep():\n    return " + "-" * 900 + "1", "x = " + "[" * 10**5),
                           "nested too deeply", FULL),
    "huge_print": in_q2("print('x' * 50_000_000)\nreturn [((), 0.0)]", "File too large"),
}
# With the guards off, only Landlock stands between these and what they try.
LANDLOCK_ATTACKS = {
    "guards_off_import_reference": in_q2(GUARDS_OFF + f"""
sys.path.insert(0, {PROJECT!r})
from rnnbook.decode import prefix_beam_search as reference
return reference(log_probs, beam_width, blank)""", "Permission denied"),
    "guards_off_read_seed": in_q2(GUARDS_OFF + """
raise RuntimeError(open(f"/proc/{os.getppid()}/cmdline").read())""", "Permission denied: '/proc/"),
    "guards_off_write_gradebook": in_q2(GUARDS_OFF + f"""
open(os.path.join({OUT!r}, "gradebook.csv"), "a").write("hacked")""", "Permission denied"),
    # code in a class body runs while the definitions load; it meets the same walls, and the
    # notebook's own (correct) functions still count once it gives the harness its isinstance back
    "guards_off_at_definition_time": Attack(notebook(
        "import sys, os\nclass Sneaky:\n" + indented(GUARDS_OFF)
        + f"    try:\n        open(os.path.join({OUT!r}, 'planted.txt'), 'w')\n"
        + "    finally:\n        del sys.modules['__main__'].isinstance"),
        "`class Sneaky:` failed: PermissionError: [Errno 13]", FULL),
}


@pytest.fixture
def attack_out():
    """The grader's output folder, at the path the attacks name; empty before and removed after."""
    shutil.rmtree(OUT, ignore_errors=True)
    yield Path(OUT)
    shutil.rmtree(OUT, ignore_errors=True)


@pytest.mark.parametrize("name", list(ATTACKS) + [
    pytest.param(name, marks=pytest.mark.skipif(not LANDLOCK, reason="no Landlock: the grader warns"))
    for name in LANDLOCK_ATTACKS])
def test_an_adversarial_submission_is_contained(tmp_path, attack_out, name):
    case = {**ATTACKS, **LANDLOCK_ATTACKS}[name]
    started = time.monotonic()
    rows, _ = grade(tmp_path, {f"{name}.ipynb": case.text}, out=attack_out)
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"grading {name} took {elapsed:.0f} s"

    with open(attack_out / "gradebook.csv", newline="") as f:
        assert [row["submission"] for row in csv.DictReader(f)] == [f"{name}.ipynb"]
    assert sorted(p.name for p in attack_out.iterdir()) == ["feedback", "gradebook.csv", "report.html", "results"]
    row = rows[f"{name}.ipynb"]
    feedback = (attack_out / "feedback" / f"{name}.txt").read_text()
    assert row["status"] == case.status, f"{name}: {row['status']}: {row['reason']}"
    assert float(row["total"]) == case.total, (row, feedback)
    assert case.words in row["status"] + row["reason"] + feedback, (row, feedback)
    if case.total == FULL - Q2:
        assert row["q2"] == "0" and row["reason"].startswith("q2 "), row
    assert json.loads((attack_out / "results" / f"{name}.json").read_text())["score"] == case.total
    assert "note 20" not in feedback


WITH_GUARDS = {  # what a graded function tries, and how the guards (or, under them, the walls) answer
    "read_outside": (f"return open({OUTSIDE!r}).read()", ("error", "not allowed")),
    "list_parent": ("return os.listdir('..')", ("error", "not allowed")),
    "spawn": ("return subprocess.run(['true']).returncode", ("error", "subprocess.Popen is not allowed")),
    "write_scratch": ("open('mine.txt', 'w')", ("error", "writing 'mine.txt' is not allowed")),
    "read_scratch": ("return sorted(os.listdir('.'))", ("value", ["job.json", "output.txt", "results.jsonl"])),
    "environment": ("return sorted(os.environ)", ("value", ["HOME", "LANG", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                                                            "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR"])),
    "numpy_works": ("return float(np.linalg.norm(np.ones(4)))", ("value", 2.0)),
    # memory-backed files escape the address-space limit; the open-file limit bounds how many
    "hoard_memory_in_files": ("files = []\nwhile len(files) < 100:\n    files.append(os.memfd_create('hoard'))",
                              ("error", "raised OSError: [Errno 24] Too many open files (in hoard_memory_in_files)")),
}


@pytest.fixture
def outside_file():
    """A secret file outside the sandbox; the file an attack may plant is gone before and after."""
    Path(OUTSIDE).write_text("secret")
    Path(PLANTED).unlink(missing_ok=True)
    yield Path(OUTSIDE)
    Path(OUTSIDE).unlink()
    Path(PLANTED).unlink(missing_ok=True)


def sandboxed(name, body, guards=True):
    code = f"import os, subprocess, sys\nimport numpy as np\ndef {name}():\n" + indented(body)
    return sandbox.run(code, name, [((), {})], LIMITS, guards=guards).cases[0]


@pytest.mark.parametrize("name", WITH_GUARDS)
def test_what_a_graded_function_can_and_cannot_do(outside_file, name):
    body, (kind, expected) = WITH_GUARDS[name]
    got_kind, got = sandboxed(name, body)
    assert got_kind == kind, got
    assert expected in got if isinstance(expected, str) and kind == "error" else got == expected


def test_oversized_files_and_folders_named_like_notebooks(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    (subs / "folder.ipynb").mkdir(parents=True)
    (subs / "big.ipynb").write_bytes(SOLUTION.read_bytes())
    monkeypatch.setattr(grader, "MAX_NOTEBOOK_BYTES", 1000)
    rows = grader.grade_folder("lab4", subs, tmp_path / "out", limits=LIMITS, stream=open(os.devnull, "w"))
    assert list(rows) == ["big.ipynb"]
    assert rows["big.ipynb"]["status"] == "invalid" and "more than the 0 MB" in rows["big.ipynb"]["reason"]


WALLS_ALONE = {  # what each attempt meets with the Python guards left out: the wall, with the kernel's error
    "read_outside": f"open({OUTSIDE!r}).read()",
    "read_grader_command_line": "open(f'/proc/{os.getppid()}/cmdline').read()",
    "import_reference": f"sys.path.insert(0, {PROJECT!r}); import rnnbook.ctc",
    "import_torch_by_path": f"sys.path.append({os.path.dirname(os.path.dirname(np.__file__))!r}); import torch",
    "write_outside": f"open({PLANTED!r}, 'w')",
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


@pytest.mark.skipif(not LANDLOCK, reason="this kernel has no Landlock; the grader warns that the sandbox is weaker")
@pytest.mark.parametrize("name", WALLS_ALONE)
def test_the_walls_stand_without_the_python_guards(outside_file, name):
    """Each attempt fails with the kernel's error (errno), not the audit hook's "sandbox: ..." refusal."""
    kind, message = sandboxed(name, WALLS_ALONE[name], guards=False)
    assert kind == "error" and "sandbox:" not in message, message
    assert any(word in message for word in ("[Errno", "can't start new thread", "not allowed to raise")), message
    assert not Path(PLANTED).exists()


# --- The red team's holes (issue 11): each attack is a notebook graded through the real grader. ---

HONEST = SOLUTION.read_text()
STUB = (ROOT / "labs" / "lab4_ctc_decoding.ipynb").read_text()


def grade(tmp_path, files, jobs=1, runs=1, out=None):
    """Write ``files`` ({path under the submissions folder: notebook text}) and grade them as lab 4, ``runs``
    times (a second run reads the gradebook the first one wrote); return the rows and the output folder."""
    subs, out = tmp_path / "submissions", out or tmp_path / "grades"
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
{indented(EVENTS_OFF)}    end = time.monotonic() + 2
    while time.monotonic() < end:
        for pid in range(os.getpid() - 200, os.getpid() + 400):
            if pid != os.getpid():
                try:
                    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
                except (OSError, ValueError):
                    pass""")
    honest = {f"honest_{i}.ipynb": HONEST for i in range(4)}
    rows, _ = grade(tmp_path, {"a_saboteur.ipynb": saboteur, **honest}, jobs=2)
    assert {name: rows[name]["total"] for name in honest} == {name: f"{FULL:g}" for name in honest}, \
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
    prelude = EVENTS_OFF + f"""
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
    assert len(rows) == len(files) + 1 and rows["z_honest.ipynb"]["total"] == f"{FULL:g}"
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
    assert (out / "feedback" / f"{shown.removesuffix('.ipynb')}.txt").read_text().startswith(f"{shown}: 0 / {FULL:g}")


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
    assert rows["z_honest.ipynb"]["total"] == f"{FULL:g}"
