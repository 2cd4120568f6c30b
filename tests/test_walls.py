"""``python -m rnnbook.grading walls``: each wall's probe says whether it holds here, and notices a wall taken down."""
import pytest

from rnnbook.grading import sandbox, wallcheck, walls
from rnnbook.grading.__main__ import main

# Whole submissions through the sandbox: minutes, not seconds; `make quick` leaves them out.
pytestmark = pytest.mark.slow

WALLS = {wall.name: wall for wall in wallcheck.WALLS}


def expected_here():
    user = sandbox._unprivileged()
    own = bool(user and user[2])
    return {"resource limits": True, "no_new_privs": True, "Landlock": walls.landlock_abi() > 0,
            "seccomp": walls.seccomp_arch() is not None, "own user": own,
            # root without CAP_SYS_ADMIN (Docker's default) cannot make one: the seccomp filter stands in
            "IPC namespace": None if user else False, "death with parent": True}


def test_the_command_names_every_wall_and_what_this_machine_supports(capsys):
    expected = expected_here()
    status = main(["walls"])
    text = capsys.readouterr().out
    held = {name: "DOES NOT HOLD" not in line for line in text.splitlines() for name in expected
            if line.startswith(name)}
    assert sorted(held) == sorted(expected), text
    assert {name: holds for name, holds in held.items() if expected[name] is not None} == \
        {name: holds for name, holds in expected.items() if holds is not None}, text
    assert status == (0 if all(held.values()) else 1)


@pytest.mark.parametrize("name, wall_call", [("seccomp", "deny_outward_syscalls(*arch)"),
                                             ("Landlock", "enter_landlock(readable, abi)")])
def test_a_wall_taken_down_is_reported(monkeypatch, name, wall_call):
    if not expected_here()[name]:
        pytest.skip(f"this machine has no {name}")
    assert wall_call in sandbox.CHILD_PROGRAM
    monkeypatch.setattr(sandbox, "CHILD_PROGRAM", sandbox.CHILD_PROGRAM.replace(wall_call, "pass"))
    held, seen = wallcheck.probe(WALLS[name])
    assert not held, seen


def test_the_command_fails_when_a_wall_is_down(monkeypatch):
    monkeypatch.setattr(wallcheck, "report", lambda stream: 2)
    assert main(["walls"]) == 1
    monkeypatch.setattr(wallcheck, "report", lambda stream: 0)
    assert main(["walls"]) == 0
