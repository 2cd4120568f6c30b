"""Run one question of a submission in a separate, resource-limited process and bring back plain data.

Each call gets a fresh scratch directory under the system temp dir (outside the project: no solutions,
tests, gradebook or other submissions in it), a minimal environment and ``python -I`` (no user site, no
script directory on sys.path). Before it loads the submission the child walls itself in (walls.py):
resource limits (CPU seconds, address space, size and number of open files, no new processes or threads),
Landlock where the kernel has it, a seccomp filter against signals, sockets, IPC and kernel keys, death with the
grader, and, when the grader runs as root, an IPC namespace and a user id of its own, ``SANDBOX_IDS`` plus its pid
(root ignores the process-count limit, so a forked grandchild could leave the process group and outlive the
grader; one user shared by sandboxes graded side by side let one lower the others' limits). A wall-clock
timeout kills the child's whole process group. What comes back is read as JSON, never unpickled, and is judged
by the caller, never by the child.

Hidden cases reach the child only after its notes and public results are in this process (child.py), and
what comes back from them is reduced to its kind ("raised ValueError", "timed out"): code that has seen a
hidden input can change a score but can write none of it into the feedback.
"""
import builtins
import json
import os
import pwd
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .plaindata import encode
from .walls import landlock_abi, seccomp_arch

# The child program: the codec, the walls, then the program itself (child.py says why one source).
CHILD_PROGRAM = "\n\n".join(Path(__file__).with_name(name).read_text()
                              for name in ("plaindata.py", "walls.py", "child.py"))
MAX_RESULT_BYTES = 16 * 2**20
MAX_NOTES = 20
MAX_OPEN_FILES = 64
# The first of the user and group ids that sandboxes take, each plus its pid (pid_max is at most 2**22): the
# range 1879048192-2147483647 that systemd leaves unused (https://systemd.io/UIDS-GIDS/), so no account,
# file or other process has one of these ids.
SANDBOX_IDS = 0x70000000
PID_MAX = 2**22


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    memory_bytes: int = 2 * 2**30
    file_bytes: int = 8 * 2**20


@dataclass
class Run:
    """What came back: setup notes, one entry per finished case, and how the process ended.

    ``cases[i]`` is ("value", plain) or ("error", message), public cases first, then hidden ones (their error
    a kind only); cases after a crash are missing and ``failure`` says why ("timed out after 3 s", "killed by
    SIGSEGV", ...), or is None.
    """
    notes: list
    cases: list
    failure: str | None


def _rlimits(limits):
    """The child's resource limits as [soft, hard] pairs, applied by the child itself (walls.enter_walls)."""
    cpu = int(limits.wall_seconds) + 1
    return {"RLIMIT_CPU": [cpu, cpu + 1],                  # SIGXCPU first, SIGKILL a second later
            "RLIMIT_AS": [limits.memory_bytes] * 2,
            "RLIMIT_FSIZE": [limits.file_bytes] * 2,
            # memfd files hold memory outside the address-space limit, each up to the file-size limit
            "RLIMIT_NOFILE": [MAX_OPEN_FILES] * 2,
            # Threads count as processes too; numpy is told to use one thread in the environment below.
            "RLIMIT_NPROC": [0, 0],
            "RLIMIT_CORE": [0, 0]}


def _ids_mapped():
    """Whether this process's user namespace maps the sandboxes' ids (a container may map only 65536)."""
    for kind in ("uid_map", "gid_map"):
        try:
            ranges = [[int(n) for n in line.split()] for line in open(f"/proc/self/{kind}")]
        except OSError:
            return False
        if not any(first <= SANDBOX_IDS and SANDBOX_IDS + PID_MAX <= first + count for first, _, count in ranges):
            return False
    return True


def _unprivileged():
    """[uid, gid, own] for the child to become when the grader runs as root (see walls.py), else None (the
    child keeps the grader's user): ids of its own where they are mapped, else those of ``nobody``."""
    if os.geteuid() != 0:
        return None
    if _ids_mapped():
        return [SANDBOX_IDS, SANDBOX_IDS, True]
    try:
        entry = pwd.getpwnam("nobody")
        return [entry.pw_uid, entry.pw_gid, False]
    except KeyError:
        return [65534, 65534, False]


def weaknesses():
    """What this machine cannot enforce, in words for the instructor ([] when every wall stands)."""
    missing = []
    if not landlock_abi():
        missing.append("this kernel offers no Landlock, so file access inside the sandbox is guarded only by Python "
                       "audit hooks, which a determined submission can get around: grade on Linux 5.13 or newer")
    if not seccomp_arch():
        missing.append("the sandbox has no seccomp table for this machine, so only a Python audit hook keeps a "
                       "submission from signalling other processes, opening sockets and sharing IPC objects or "
                       "kernel keys: grade on x86-64 or arm64 Linux")
    user = _unprivileged()
    if not user:
        missing.append("the sandbox runs as your user, so a submission can lower the resource limits and priority "
                       "of your other processes, the grader and the submissions graded beside it included: "
                       "grade as root")
    elif not user[2]:
        missing.append("this user namespace does not map the sandboxes' own user ids, so sandboxes graded at the same "
                       "time share the user nobody and one can lower the limits of another: grade with --jobs 1")
    return missing


def _describe_exit(returncode):
    if returncode >= 0:
        return f"the process exited with code {returncode} before finishing"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:  # real-time signals have no name of their own
        name = f"signal {-returncode}"
    why = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit: output too large)",
           "SIGSEGV": " (segmentation fault)", "SIGKILL": " (killed, probably out of memory)"}
    return f"the process was killed by {name}{why.get(name, '')}"


def _kind(entry):
    """What may be said of a hidden case's result: a value (judged by kind in the grader) or its error's kind.

    The child writes the error text, and code that has seen the case's inputs may have written it, down to
    an exception class named after them: only a built-in exception's name is kept.
    """
    what, message = entry
    if what == "value":
        return entry
    if message.startswith("raised "):
        name = message.removeprefix("raised ").split(":")[0].split(" ")[0]
        known = isinstance(getattr(builtins, name, None), type) and issubclass(getattr(builtins, name), BaseException)
        return "error", f"raised {name}" if known else "raised an exception"
    return "error", "returned something that is not plain data" if message.startswith("returned ") else "failed"


def _read_results(path):
    notes, cases = [], []
    try:
        # Without Landlock a submission running as the grader's user could put a symlink or a FIFO there.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return notes, cases
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return notes, cases
        lines = f.read(MAX_RESULT_BYTES).splitlines()
    for number, line in enumerate(lines):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            break  # a half-written last line, or garbage written by the submission
        if number == 0:
            setup = record.get("setup") if isinstance(record, dict) else None
            # a submission can write this line itself: a million notes must not become a million-line feedback
            notes = [str(note)[:300] for note in setup[:MAX_NOTES]] if isinstance(setup, list) else []
        elif isinstance(record, dict) and "value" in record:
            cases.append(("value", record["value"]))
        else:
            error = record.get("error") if isinstance(record, dict) else None
            cases.append(("error", str(error)[:500] if error else "malformed result"))
    return notes, cases


def run(code, function, cases, limits=Limits(), hidden=(), guards=True):
    """Call ``function`` (defined by ``code``) on each case ``(args, kwargs)`` of ``cases``, then of ``hidden``,
    inside the sandbox. Hidden results come back as their kind only (``_kind``); so does a failure among them.
    ``guards=False`` leaves out the Python guards (walls.enter_guards): what is stopped then, the walls stop."""
    scratch = Path(tempfile.mkdtemp(prefix="rnnbook-grade-"))
    results_path = scratch / "results.jsonl"
    try:
        job = {"code": code, "function": function, "limits": _rlimits(limits), "user": _unprivileged(),
               "parent": os.getpid(), "guards": bool(guards),
               "cases": [{"args": encode(list(args)), "kwargs": encode(kwargs)} for args, kwargs in cases]}
        (scratch / "job.json").write_text(json.dumps(job))
        hidden_job = json.dumps([{"args": encode(list(args)), "kwargs": encode(kwargs)}
                                 for args, kwargs in hidden]).encode()
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(scratch), "TMPDIR": str(scratch),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        deadline = time.monotonic() + limits.wall_seconds
        proc = subprocess.Popen([sys.executable, "-I", "-c", CHILD_PROGRAM], cwd=scratch, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        failure, public = None, None
        try:
            # Whoever says "public cases done" (the child, or the submission pretending to), the notes and
            # public results are read now, before a hidden input leaves this process; later lines cannot change them.
            if select.select([proc.stdout], [], [], limits.wall_seconds)[0] and os.read(proc.stdout.fileno(), 64):
                public = _read_results(results_path)
            proc.stdout.close()
            _, stderr = proc.communicate(hidden_job if public else None, timeout=max(0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            failure = f"timed out after {limits.wall_seconds:g} s"
        finally:
            _kill_group(proc.pid)
            proc.wait()
        notes, results = _read_results(results_path)
        if public:  # else no hidden input was sent: what the file says is safe to show
            notes, public_results = public
            results = public_results[:len(cases)] + (
                [_kind(entry) for entry in results[len(cases):len(cases) + len(hidden)]]
                if len(public_results) >= len(cases) else [])
        results = results[:len(cases) + len(hidden)]  # lines the submission wrote itself may come on top
        if failure is None and len(results) < len(cases) + len(hidden):
            if public:  # once hidden inputs were sent, the exit code or the signal could be made to carry them
                failure = "the process ended during the hidden cases (a crash, or an exit)"
            else:
                failure = _describe_exit(proc.returncode)
                lines = stderr.decode(errors="replace").strip().splitlines()
                if not results_path.exists() and lines:
                    failure += ": " + lines[-1][:300]
        return Run(notes, results, failure)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
