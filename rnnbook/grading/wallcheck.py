"""``python -m rnnbook.grading walls``: does each wall of the sandbox hold on this machine?

One probe per wall (walls.py lists them) runs inside a real sandbox, with the Python guards left out, so
that only the wall stands between the probe and what it tries. Run it on a new machine, as the user who
will grade (root in Gradescope's container), before grading with it.
"""
import os
from dataclasses import dataclass
from pathlib import Path

from . import sandbox

# Each probe returns [held, what it saw]; they run as the sandboxed function with no arguments.
PROBES = """
import ctypes, os, resource, socket

libc = ctypes.CDLL(None, use_errno=True)


def resource_limits():
    try:
        pid = os.fork()
    except OSError as exc:
        forked = None, f"fork: {exc.strerror}"
    else:
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        forked = "a process forked", None
    try:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        raised = "the address-space limit raised", None
    except (OSError, ValueError) as exc:
        raised = None, f"raising RLIMIT_AS: {exc}"
    failures = [f for f, _ in (forked, raised) if f]
    return [not failures, "; ".join(failures or [s for _, s in (forked, raised)])]


def no_new_privs():
    value = libc.prctl(39, 0, 0, 0, 0)  # PR_GET_NO_NEW_PRIVS
    return [value == 1, f"PR_GET_NO_NEW_PRIVS = {value}"]


def landlock():
    seen = []
    for what, path, mode in (("reading the grader's code", GRADER_FILE, "r"), ("creating a file", "probe.txt", "w")):
        try:
            open(path, mode).close()
            seen.append(f"{what} worked")
        except OSError as exc:
            seen.append(f"{what}: {exc.strerror}")
    return [not any(s.endswith("worked") for s in seen), "; ".join(seen)]


def seccomp():
    seen = []
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
        seen.append("a socket opened")
    except OSError as exc:
        seen.append(f"socket: {exc.strerror}")
    if libc.shmget(0, 4096, 0o600) == -1:  # IPC_PRIVATE
        seen.append(f"shmget: {os.strerror(ctypes.get_errno())}")
    else:
        seen.append("a shared memory segment made")
    return [not any(s.startswith("a ") for s in seen), "; ".join(seen)]


def own_user():
    uid = os.getuid()
    if uid == GRADER_UID:
        return [False, f"runs as the grader's user (uid {uid})"]
    return [uid >= SANDBOX_IDS, f"uid {uid}" + ("" if uid >= SANDBOX_IDS else ", shared with other sandboxes")]


def ipc_namespace():
    try:
        mine = os.readlink("/proc/self/ns/ipc")
    except OSError as exc:
        return [False, f"cannot tell: {exc.strerror}"]
    return [mine != GRADER_IPC, f"{mine}, the grader's {GRADER_IPC}"]


def death_with_parent():
    signal_number = ctypes.c_int(0)
    libc.prctl(2, ctypes.byref(signal_number), 0, 0, 0)  # PR_GET_PDEATHSIG
    return [signal_number.value == 9, f"PR_GET_PDEATHSIG = {signal_number.value}"]
"""


@dataclass(frozen=True)
class Wall:
    name: str
    probe: str        # the probe's function in PROBES
    stops: str
    root_only: bool = False


WALLS = (
    Wall("resource limits", "resource_limits", "fork bombs, memory bombs, hangs, huge output"),
    Wall("no_new_privs", "no_new_privs", "gaining privileges; Landlock and seccomp need it"),
    Wall("Landlock", "landlock", "reading the solutions, the seed, other submissions; writing anywhere"),
    Wall("seccomp", "seccomp", "signals, ptrace, sockets, System V IPC and kernel keys"),
    Wall("own user", "own_user", "lowering the limits of, or renicing, the sandboxes beside it", root_only=True),
    Wall("IPC namespace", "ipc_namespace", "System V IPC shared with the sandboxes beside it", root_only=True),
    Wall("death with parent", "death_with_parent", "a sandbox outliving a killed grader"),
)


def probe(wall, limits=sandbox.Limits(wall_seconds=10)):
    """(held, what the probe saw) for ``wall``, tried in a sandbox with the Python guards left out."""
    try:
        grader_ipc = os.readlink("/proc/self/ns/ipc")
    except OSError:
        grader_ipc = None
    code = (f"GRADER_FILE = {str(Path(sandbox.__file__).resolve())!r}\nGRADER_UID = {os.getuid()}\n"
            f"GRADER_IPC = {grader_ipc!r}\nSANDBOX_IDS = {sandbox.SANDBOX_IDS}\n" + PROBES)
    run = sandbox.run(code, wall.probe, [((), {})], limits, guards=False)
    if run.cases and run.cases[0][0] == "value":
        held, seen = run.cases[0][1]
        return bool(held), str(seen)
    return False, f"the probe failed: {run.cases[0][1] if run.cases else run.failure}"


def report(stream):
    """Print each wall, whether it holds here and what its probe saw; return how many do not hold."""
    down = 0
    for wall in WALLS:
        held, seen = probe(wall)
        if not held and wall.root_only and os.geteuid() != 0:
            seen += " (only a grader running as root gets this wall)"
        down += not held
        stream.write(f"{wall.name:<18} {'holds' if held else 'DOES NOT HOLD':<14} stops {wall.stops}\n"
                     f"{'':<33} probe: {seen}\n")
    for weakness in sandbox.weaknesses():
        stream.write(f"warning: {weakness}\n")
    return down
