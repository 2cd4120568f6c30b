"""The released student notebooks run top to bottom as handed out, and their self-checks say "not implemented
yet" for every question (the solutions themselves are executed by `pytest --nbval-lax solutions/`)."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnnbook.grading import questions

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "labs").glob("lab*.ipynb"))


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
