"""Run one question of a submission in a separate, resource-limited process and bring back plain data.

Each call gets a fresh scratch directory under the system temp dir (outside the project: no solutions,
tests, gradebook or other submissions in it), a minimal environment and ``python -I`` (no user site, no
script directory on sys.path). Before it loads the submission the child walls itself in (child.py):
resource limits (CPU seconds, address space, size and number of open files, no new processes or threads),
Landlock where the kernel has it, a seccomp filter against signals and sockets, and, when the grader runs as root,
the user ``nobody`` (root ignores the process-count limit, so a forked grandchild could leave the process
group and outlive the grader). A wall-clock timeout kills the child's whole process group. What comes back is read as JSON, never
unpickled, and is judged by the caller, never by the child.
"""
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .child import encode, landlock_abi, seccomp_arch

CHILD_SOURCE = (Path(__file__).with_name("child.py")).read_text()
MAX_RESULT_BYTES = 16 * 2**20
MAX_NOTES = 20
MAX_OPEN_FILES = 64


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    memory_bytes: int = 2 * 2**30
    file_bytes: int = 8 * 2**20


@dataclass
class Run:
    """What came back: setup notes, one entry per finished case, and how the process ended.

    ``cases[i]`` is ("value", plain) or ("error", message); cases after a crash are missing and
    ``failure`` says why ("timed out after 3 s", "killed by SIGSEGV", ...), or is None.
    """
    notes: list
    cases: list
    failure: str | None


def _rlimits(limits):
    """The child's resource limits as [soft, hard] pairs, applied by the child itself (child.py)."""
    cpu = int(limits.wall_seconds) + 1
    return {"RLIMIT_CPU": [cpu, cpu + 1],                  # SIGXCPU first, SIGKILL a second later
            "RLIMIT_AS": [limits.memory_bytes] * 2,
            "RLIMIT_FSIZE": [limits.file_bytes] * 2,
            # memfd files hold memory outside the address-space limit, each up to the file-size limit
            "RLIMIT_NOFILE": [MAX_OPEN_FILES] * 2,
            # Threads count as processes too; numpy is told to use one thread in the environment below.
            "RLIMIT_NPROC": [0, 0],
            "RLIMIT_CORE": [0, 0]}


def _unprivileged():
    """[uid, gid] of ``nobody`` when the grader runs as root, else None (the child keeps the grader's user)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
        return [entry.pw_uid, entry.pw_gid]
    except KeyError:
        return [65534, 65534]


def weaknesses():
    """What this machine cannot enforce, in words for the instructor ([] when every wall stands)."""
    missing = []
    if not landlock_abi():
        missing.append("this kernel offers no Landlock, so file access inside the sandbox is guarded only by Python "
                       "audit hooks, which a determined submission can get around: grade on Linux 5.13 or newer")
    if not seccomp_arch():
        missing.append("the sandbox has no seccomp table for this machine, so only a Python audit hook keeps a "
                       "submission from signalling other processes and opening sockets: grade on x86-64 or arm64 Linux")
    return missing


def _describe_exit(returncode):
    if returncode >= 0:
        return f"the process exited with code {returncode} before finishing"
    name = signal.Signals(-returncode).name
    why = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit: output too large)",
           "SIGSEGV": " (segmentation fault)", "SIGKILL": " (killed, probably out of memory)"}
    return f"the process was killed by {name}{why.get(name, '')}"


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


def run(code, function, cases, limits=Limits()):
    """Call ``function`` (defined by ``code``) on each case ``(args, kwargs)`` inside the sandbox."""
    scratch = Path(tempfile.mkdtemp(prefix="rnnbook-grade-"))
    try:
        job = {"code": code, "function": function, "limits": _rlimits(limits), "user": _unprivileged(),
               "cases": [{"args": encode(list(args)), "kwargs": encode(kwargs)} for args, kwargs in cases]}
        (scratch / "job.json").write_text(json.dumps(job))
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(scratch), "TMPDIR": str(scratch),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        proc = subprocess.Popen([sys.executable, "-I", "-c", CHILD_SOURCE], cwd=scratch, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        failure = None
        try:
            _, stderr = proc.communicate(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            failure = f"timed out after {limits.wall_seconds:g} s"
        finally:
            _kill_group(proc.pid)
            proc.wait()
        notes, results = _read_results(scratch / "results.jsonl")
        results = results[:len(cases)]  # lines the submission wrote itself may come on top
        if failure is None and len(results) < len(cases):
            failure = _describe_exit(proc.returncode)
            if not (scratch / "results.jsonl").exists() and stderr:
                failure += ": " + stderr.decode(errors="replace").strip().splitlines()[-1][:300]
        return Run(notes, results, failure)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
