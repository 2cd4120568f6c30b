"""The grader as a Gradescope autograder: the zip an instructor uploads, and what runs inside it.

Gradescope builds an image from the zip once, running ``setup.sh`` as root, then grades every submission
in a fresh container of that image: the student's files in ``/autograder/submission``, ``run_autograder``
run as root from ``/autograder``, and ``/autograder/results/results.json`` read back (its format:
https://gradescope-autograders.readthedocs.io/en/latest/specs/). A course of any size thus grades on
Gradescope's machines, and no submission shares a container with another.

    python -m rnnbook.grading autograder lab3 --out dist/    # build dist/lab3_autograder.zip (seed inside)
    python -I -m rnnbook.grading.autograder                   # what run_autograder runs, once per container

The zip holds the grader as a wheel of this checkout, the versions of numpy and nbformat it was tested
with, and ``settings.json``: lab, limits and the secret seed. ``AUTOGRADER_ROOT`` (default ``/autograder``)
and ``RNNBOOK_PYTHON`` move the paths, so that a test can lay out a root of its own.
"""
import importlib.metadata
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from .. import _wheel
from . import grader, questions, report, sandbox
from .atomicwrite import atomic_write_text

SETTINGS = "settings.json"
VENV = "/opt/rnnbook"  # outside /autograder/source, which only root may read
RUNTIME_PACKAGES = ("numpy", "nbformat")  # all that grading imports besides the standard library
# Gradescope's container has 768 MB unless the assignment asks for more; the grader itself takes about 100 MB,
# and every lab's solution runs in 400 MB of address space.
MEMORY_MB = 512

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
SOURCE="${{AUTOGRADER_ROOT:-/autograder}}/source"
export DEBIAN_FRONTEND=noninteractive
# The grader needs Python 3.11 or newer: Ubuntu 22.04's python3 is 3.10, 24.04's is 3.12.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then PYTHON=python3; else PYTHON=python3.11; fi
apt-get update -q
apt-get install -y -q "$PYTHON" "$PYTHON-venv"
"$PYTHON" -m venv {VENV}
{VENV}/bin/pip install -q --no-cache-dir -r "$SOURCE/requirements.txt"
{VENV}/bin/pip install -q --no-cache-dir --no-deps "$SOURCE"/rnnbook-*.whl
# The settings hold the seed: root, which runs the grader, reads them; submissions run as another user.
chmod 700 "$SOURCE"
chmod 600 "$SOURCE/{SETTINGS}"
"""

RUN_AUTOGRADER = f"""#!/usr/bin/env bash
# Gradescope runs this as root, once per submission, each time in a fresh container, from /autograder.
# -I: neither the working directory nor PYTHON* variables take part in the grader's imports.
exec "${{RNNBOOK_PYTHON:-{VENV}/bin/python}}" -I -m rnnbook.grading.autograder
"""


def build(lab, out, seed, limits=sandbox.Limits()):
    """Write ``out/<lab>_autograder.zip`` and return its path. ``seed`` draws the hidden cases."""
    questions.load(lab)  # an unknown lab fails here, not in Gradescope
    settings = {"lab": lab, "seed": int(seed), "timeout": limits.wall_seconds,
                "memory_mb": limits.memory_bytes // 2**20}
    requirements = "".join(f"{name}=={importlib.metadata.version(name)}\n" for name in RUNTIME_PACKAGES)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{lab}_autograder.zip"
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _wheel.build(tmp)
        files = [("setup.sh", SETUP_SH.encode(), 0o755), ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
                 ("requirements.txt", requirements.encode(), 0o644),
                 (SETTINGS, json.dumps(settings, indent=1).encode(), 0o600), (wheel.name, wheel.read_bytes(), 0o644)]
        partial = path.with_name(f".{path.name}.tmp")
        # Files at the archive's root (Gradescope looks for setup.sh there), modes kept, fixed dates.
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data, mode in files:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(partial, path)
    return path


def choose_notebook(folder, lab, results):
    """The notebook to grade among the submitted files: the only one, or the only one named after the lab.
    Returns (path, None) or (None, why not)."""
    notebooks = grader.find_submissions(folder, results)
    named = [p for p in notebooks if p.name.startswith(lab)]
    if len(notebooks) == 1 or len(named) == 1:
        return (notebooks[0] if len(notebooks) == 1 else named[0]), None
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())[:20]
    found = ", ".join(files) if files else "no files"
    if not notebooks:
        return None, f"the submission has no notebook (.ipynb); found {found}"
    return None, f"the submission has {len(notebooks)} notebooks and none is the only one named {lab}*.ipynb: {found}"


def grade(folder, lab, seed, limits, results):
    """The SubmissionResult of the notebook in ``folder`` (an "invalid" one when there is none to grade)."""
    prepared = grader.prepare(lab, seed)
    path, why_not = choose_notebook(folder, lab, results)
    if path is None:
        return grader._not_graded(grader.SubmissionResult("submission", "", "invalid", []), prepared, "invalid",
                                  why_not)
    return grader.grade_submission(path, path.relative_to(folder).as_posix(), prepared, limits)


def main():
    """Grade ``$AUTOGRADER_ROOT/submission`` into ``$AUTOGRADER_ROOT/results/results.json``."""
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    settings_path = root / "source" / SETTINGS
    try:
        settings = json.loads(settings_path.read_text())
    except FileNotFoundError:
        sys.exit(f"{settings_path} is gone: the grader deletes it on its first run in a container; "
                 "Gradescope starts each submission in a fresh one")
    # The seed must not be on disk once submission code runs: without Landlock only file modes keep the
    # sandbox from reading it, and not even they where the container lets it keep the right to read every
    # file (walls.drop_root). Each container grades one submission, so the file can go.
    settings_path.unlink()
    limits = sandbox.Limits(wall_seconds=settings["timeout"], memory_bytes=settings["memory_mb"] * 2**20)
    for weakness in sandbox.weaknesses():
        print(f"warning: {weakness}")  # stdout is for instructors: Gradescope shows it to them only
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    result = grade(root / "submission", settings["lab"], settings["seed"], limits, results)
    atomic_write_text(results / "results.json", report.results_json(result))
    print(f"{result.name}: {result.score:g} / {result.max_score:g} points ({result.status}) {result.reason}"[:2000])


if __name__ == "__main__":
    main()
