"""The sandbox's walls: what a graded function meets once the child program (child.py) has walled itself in.

Each wall is set by the child itself, in this order, before any submission code runs, and none can be
taken down again from inside:

resource limits    CPU seconds, address space, file size, 64 open files, no new process or thread, no core
                   file (the grader's ``sandbox.Limits``). Stops hangs that compute, memory bombs, fork
                   bombs, huge output, and memory hoarded in memfd files. Hard limits, once lowered, cannot
                   be raised by a process that is not root.
IPC namespace      (when the grader runs as root) System V IPC objects of its own, unseen by other sandboxes.
no_new_privs       nothing it could execute gains privileges; Landlock and seccomp require it.
Landlock           it reads only the standard library, numpy and its scratch directory; it creates, changes
                   and executes no file; from ABI 4 no TCP, from ABI 6 no signals out of its domain. Stops
                   reading the solutions, the references, the gradebook, the grader's command line (the
                   seed) and other submissions, and writing anywhere.
seccomp            kill/tkill/tgkill/sigqueue/pidfd_send_signal, ptrace and process_vm_*, socket, System V
                   shared memory, queues and semaphores, POSIX queues and kernel keys fail with EPERM. Stops
                   killing or tracing the grader and the sandboxes beside it (kill(-1)), the network, and
                   passing answers between sandboxes through kernel objects that outlive a process. Foreign
                   ABIs (i386, x32) are refused whole.
own user           (when the grader runs as root) user and group SANDBOX_IDS + its pid, which no other process
                   has, keeping only the right to read (CAP_DAC_READ_SEARCH): it cannot raise its limits, nor
                   lower the limits of, renice or signal a sandbox graded beside it.
death with parent  PR_SET_PDEATHSIG: a grader that is killed leaves no sandbox running.

The Python guards on top (``enter_guards``: an audit hook and an import blocker) are no wall: they give
early, readable refusals ("sandbox: opening '/x' is not allowed while grading"), and Python code can get
around them. ``sandbox.run(..., guards=False)`` leaves them out, to see what the walls alone stop.

How the grader finds out which walls this machine supports: ``landlock_abi()`` asks the kernel for its
Landlock ABI version (landlock_create_ruleset with the VERSION flag; 0 without Landlock), and the ABI
decides which rights and scopes the ruleset can handle (``enter_landlock``); ``seccomp_arch()`` looks the
machine up in ``OUTWARD_SYSCALLS`` (x86-64 and arm64); the own user needs root, and ids of its own need a
user namespace that maps them (``sandbox._unprivileged``). ``sandbox.weaknesses()`` turns each missing wall
into a warning that ``grade`` and the Gradescope autograder print.

How to check them on a new machine: ``python -m rnnbook.grading walls`` (wallcheck.py) runs one probe per
wall inside a real sandbox with the Python guards off and prints whether each wall holds there; run it as
the user who will grade (root, in Gradescope's container).

The child program runs from this module's source (sandbox.CHILD_PROGRAM): it imports only the standard
library and numpy.
"""
import ctypes
import os
import resource
import signal
import struct
import sys

import numpy as np

BLOCKED_PACKAGES = {"rnnbook", "solutions", "tests"}
# Starting processes, signalling the grader, raising the limits, native libraries, sockets.
FORBIDDEN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                    "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill", "resource.setrlimit",
                    "resource.prlimit", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle",
                    "socket.connect", "socket.bind", "os.chdir", "os.chroot"}
# Audit events that change the file system: a graded function has no reason to.
WRITE_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.symlink", "os.link", "os.truncate",
                "os.chmod", "os.chown", "os.utime", "shutil.rmtree", "shutil.copyfile"}
LIST_EVENTS = {"os.listdir", "os.scandir"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

# Landlock (linux/landlock.h). The syscall numbers are the same on every Linux architecture.
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
LANDLOCK_READ_FILE = 1 << 2
LANDLOCK_READ = LANDLOCK_READ_FILE | (1 << 3)   # and ACCESS_FS_READ_DIR
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_KEEPCAPS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 8, 22, 2
CLONE_NEWIPC = 0x08000000
# Seccomp: the system calls that reach out of the process — signals (kill(-1) would kill every process of
# the grader's user, siblings graded at the same time included), ptrace, sockets; and the kernel objects
# that any process may find by number or name and that outlive their maker: System V shared memory,
# message queues and semaphores, POSIX message queues, and keys (a key in the session keyring is the
# grader's). Landlock scopes signals only from ABI 6 (Linux 6.12) and TCP from ABI 4, never UDP, and none
# of the others. (audit arch, numbers) per machine.
OUTWARD_SYSCALLS = {  # kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal,
                      # ptrace, process_vm_readv, process_vm_writev, socket;
                      # shmget, shmat, shmctl, msgget, msgsnd, msgrcv, msgctl, semget, semop, semctl,
                      # semtimedop, mq_open, add_key, request_key, keyctl
    "x86_64": (0xC000003E, (62, 200, 234, 129, 297, 424, 101, 310, 311, 41,
                            29, 30, 31, 68, 69, 70, 71, 64, 65, 66, 220, 240, 248, 249, 250)),
    "aarch64": (0xC00000B7, (129, 130, 131, 138, 240, 424, 117, 270, 271, 198,
                             194, 196, 195, 186, 189, 188, 187, 190, 193, 191, 192, 180, 217, 218, 219)),
}
CAP_DAC_READ_SEARCH = 2
LINUX_CAPABILITY_VERSION_3 = 0x20080522


class BlockReferences:
    """A sys.meta_path finder that refuses the course's own packages, so the references stay out."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED_PACKAGES:
            raise ImportError(f"{name} is not available while grading")
        return None


def standard_library():
    import sysconfig
    return os.path.realpath(sysconfig.get_paths()["stdlib"])


def readable_roots():
    """What a submission may read besides its scratch directory: the standard library and numpy.

    The standard library goes entry by entry, leaving out the site-packages folder some installs keep
    inside it (pyenv, for one): the packages there, torch among them, are not the student's to use.
    """
    stdlib = standard_library()
    numpy_dir = os.path.dirname(np.__file__)
    roots = [os.path.join(stdlib, name) for name in os.listdir(stdlib) if name not in ("site-packages", "dist-packages")]
    # manylinux wheels bundle OpenBLAS in numpy.libs beside the package
    roots += [numpy_dir, numpy_dir + ".libs"]
    return sorted({os.path.realpath(root) for root in roots if os.path.exists(root)})


def _syscall(libc, number, *args):
    result = libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        raise OSError(ctypes.get_errno(), f"syscall {number}: {os.strerror(ctypes.get_errno())}")
    return result


def landlock_abi():
    """The kernel's Landlock ABI version, or 0 when this system has no Landlock."""
    if sys.platform != "linux":
        return 0
    try:
        return _syscall(ctypes.CDLL(None, use_errno=True), LANDLOCK_CREATE_RULESET, ctypes.c_void_p(None),
                        ctypes.c_size_t(0), ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def enter_landlock(readable, abi):
    """Allow reading ``readable`` (files and folders) and nothing else: no writing, creating, executing; no TCP,
    no signals to processes outside (each as far as the kernel's ABI version knows it). Irreversible;
    needs no_new_privs."""
    libc = ctypes.CDLL(None, use_errno=True)
    # every file-system right the ABI knows is handled, i.e. denied unless a rule grants it
    fs_rights = (1 << {1: 13, 2: 14, 3: 15, 4: 15}.get(abi, 16)) - 1
    net_rights = 0b11 if abi >= 4 else 0        # bind and connect TCP
    scopes = 0b11 if abi >= 6 else 0            # abstract unix sockets and signals
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    attr = ctypes.create_string_buffer(struct.pack("=QQQ", fs_rights, net_rights, scopes)[:size], size)
    ruleset = _syscall(libc, LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for root in readable:
            fd = os.open(root, os.O_PATH | os.O_CLOEXEC)
            try:
                rights = LANDLOCK_READ if os.path.isdir(root) else LANDLOCK_READ_FILE
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
                _syscall(libc, LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                         rule, ctypes.c_uint32(0))
            finally:
                os.close(fd)
        _syscall(libc, LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)


def seccomp_arch():
    """(audit arch, syscall numbers) for this machine, or None where the table has no entry."""
    import platform
    return OUTWARD_SYSCALLS.get(platform.machine()) if sys.platform == "linux" else None


def deny_outward_syscalls(arch, numbers):
    """Install a seccomp filter under which those system calls fail with EPERM (needs no_new_privs)."""
    load_arch, load_number = (0x20, 0, 0, 4), (0x20, 0, 0, 0)    # BPF_LD|BPF_W|BPF_ABS: seccomp_data.arch, .nr
    deny, allow = (0x06, 0, 0, 0x00050000 | 1), (0x06, 0, 0, 0x7FFF0000)   # RET ERRNO(EPERM), RET ALLOW
    program = [load_arch, (0x15, 1, 0, arch), deny,              # a foreign ABI (i386 on x86-64) numbers them otherwise
               load_number, (0x35, 0, 1, 0x40000000), deny]      # x32 system calls (JGE) too
    for number in numbers:
        program += [(0x15, 0, 1, number), deny]                  # BPF_JMP|BPF_JEQ|BPF_K
    program.append(allow)
    filters = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *op) for op in program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    libc = ctypes.CDLL(None, use_errno=True)
    fprog = SockFprog(len(program), ctypes.addressof(filters))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def drop_root(uid, gid):
    """Become ``uid``/``gid`` keeping only the right to read (CAP_DAC_READ_SEARCH): the interpreter may live
    where ``nobody`` could not read it (say /root/.pyenv), and Landlock, not file modes, bounds the reading."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    header = ctypes.create_string_buffer(struct.pack("=Ii", LINUX_CAPABILITY_VERSION_3, 0), 8)
    read_only = 1 << CAP_DAC_READ_SEARCH   # effective, permitted, inheritable; then the upper 32 capabilities
    data = ctypes.create_string_buffer(struct.pack("=6I", read_only, read_only, 0, 0, 0, 0), 24)
    # Docker's default capabilities (so Gradescope's container) lack it: keep none, file modes bound reading too.
    if libc.capset(header, data) != 0 and libc.capset(header, ctypes.create_string_buffer(24)) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def make_audit_hook(readable):
    """Return an audit hook that refuses writing any file, reading outside ``readable`` and the FORBIDDEN_EVENTS.

    It mirrors the Landlock rules so that a refusal reads the same with or without Landlock, and names
    what was refused. It is no wall: Python code can patch what it calls or empty the interpreter's hook
    list through the garbage collector.
    """
    def inside(path):
        try:
            real = os.path.realpath(os.fsdecode(path))
        except Exception:
            return False
        return any(real == root or real.startswith(root + os.sep) for root in readable)

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            if any(c in (mode or "") for c in "wax+") or (flags or 0) & WRITE_FLAGS:
                raise PermissionError(f"sandbox: writing {path!r} is not allowed while grading")
            if not inside(path):
                raise PermissionError(f"sandbox: opening {path!r} is not allowed while grading")
        elif event in LIST_EVENTS:
            if args and args[0] is not None and not isinstance(args[0], int) and not inside(args[0]):
                raise PermissionError(f"sandbox: listing {args[0]!r} is not allowed while grading")
        elif event in WRITE_EVENTS or event in FORBIDDEN_EVENTS:
            raise PermissionError(f"sandbox: {event} is not allowed while grading")
    return hook


def enter_walls(limits, user, parent):
    """Put up every wall this machine supports, for good (see the module's text), and return the folders the
    process may read. ``limits``: {RLIMIT_*: [soft, hard]}; ``user``: [uid, gid, own] or None; ``parent``:
    the grader's pid."""
    # Lowered hard limits cannot be raised again by a process that is not root. Where the grader's own
    # hard limit is lower still, that one stays (raising it would fail).
    for name, (soft, hard) in limits.items():
        kind = getattr(resource, name)
        ceiling = resource.getrlimit(kind)[1]
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(kind, (soft, hard))
    readable = [os.path.realpath(os.getcwd()), *readable_roots()]
    libc = ctypes.CDLL(None, use_errno=True)
    if user:
        # An IPC namespace of its own takes root (CAP_SYS_ADMIN), which Docker's default capabilities lack:
        # there the seccomp filter below alone keeps System V IPC out of reach.
        libc.unshare(CLONE_NEWIPC)
    # no_new_privs: nothing executed later (nothing can be) gains privileges; Landlock and seccomp need it.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if abi := landlock_abi():
        enter_landlock(readable, abi)
    if arch := seccomp_arch():
        deny_outward_syscalls(*arch)
    if user:
        uid, gid, own = user
        pid = os.getpid() if own else 0  # a pid is unique among running processes, and so the ids made from it
        drop_root(uid + pid, gid + pid)
    # Die with the grader. Only now: a change of user clears the setting. A grader that died before this
    # point sent nothing, and left this process to another parent.
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        sys.exit("the grader is gone")
    stdlib = standard_library()  # only the standard library is importable; numpy is imported already
    sys.path[:] = [p for p in sys.path if os.path.realpath(p) in (stdlib, os.path.join(stdlib, "lib-dynload"))]
    return readable


def enter_guards(readable):
    """The Python guards, no wall: the course's packages refused at import, and an audit hook that refuses,
    in words, what the walls refuse with an errno."""
    sys.meta_path.insert(0, BlockReferences())
    sys.addaudithook(make_audit_hook(readable))
