"""The released student notebooks run top to bottom as handed out, and their self-checks say "not implemented
yet" for every question (the solutions themselves are executed by `pytest --nbval-lax solutions/`)."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnnbook.grading import questions, release

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "labs").glob("lab*.ipynb"))


@pytest.mark.slow                   # runs each released lab in a kernel; `make quick` leaves it out
@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_released_lab_runs_and_self_checks_say_not_implemented(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    lab = path.name.split("_")[0]
    for q in questions.load(lab):
        assert f"{lab} {q.id} {q.title} [{questions.points_text(q.points)}]: not implemented yet." in printed


SOLUTIONS = sorted((ROOT / "solutions").glob("lab*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_notebook_and_question_set_agree(path):
    """Names, points, order, self-check cells and graded functions: the notebook says what the grader grades."""
    assert release.disagreements(nbformat.read(path, as_version=4), release.lab_of(path)) == []


def edited(path, old, new):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if old in c.source)
    cell.source = cell.source.replace(old, new, 1)
    return release.disagreements(nb, release.lab_of(path))


@pytest.mark.parametrize("old, new, found", [
    ("## q2 (4 points): prefix", "## q2 (5 points): prefix", "heading '## q2 (5 points)"),
    ("## q1 (1 point): greedy (best path) decoding", "## q1 (1 point): greedy", "differs from the grader's"),
    ("## q2 (4 points)", "## q3 (4 points)", "the notebook's questions are ['q1', 'q3', 'q3']"),
    ("def ctc_greedy(log_probs, blank=0):", "def greedy(log_probs, blank=0):", "no function ctc_greedy"),
    ("def ctc_greedy(log_probs, blank=0):", "def ctc_greedy(log_probs, blank):", "other parameters"),
    ('check("lab4", "q2", globals())', 'check("lab4", "q1", globals())', "the notebook's self-checks are"),
])
def test_a_disagreement_is_named(old, new, found):
    problems = edited(ROOT / "solutions" / "lab4_ctc_decoding.ipynb", old, new)
    assert any(found in problem for problem in problems), problems


def test_release_writes_the_headings_from_the_question_set(tmp_path):
    source = ROOT / "solutions" / "lab4_ctc_decoding.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("## q2"))
    cell.source = cell.source.replace("(4 points): prefix beam search", "(9 points): old title", 1)
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / source.name).write_text(nbformat.writes(nb) + "\n")
    release.release(tmp_path / "solutions", tmp_path / "labs")
    assert (tmp_path / "solutions" / source.name).read_bytes() == source.read_bytes()
    assert (tmp_path / "labs" / source.name).read_bytes() == (ROOT / "labs" / source.name).read_bytes()
