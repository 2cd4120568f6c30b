"""Generate the student notebooks in labs/ from the one source of each lab in solutions/.

Inside code cells, every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region (markers included) becomes
``# your code here`` and ``raise NotImplementedError`` at the marker's indentation. Outputs and execution
counts are stripped and the notebook is written with fixed formatting, so releasing twice gives the same
bytes and a test can tell whether labs/ is up to date.
"""
import re
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
PROJECT = Path(__file__).resolve().parents[2]


def strip_solutions(source, where="cell"):
    """Replace each solution region of ``source`` by a stub; raise ValueError on unbalanced markers."""
    out, indent = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if indent is not None:
                raise ValueError(f"{where}, line {number}: BEGIN SOLUTION inside another solution region")
            indent = begin.group(1)
        elif END.match(line):
            if indent is None:
                raise ValueError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION")
            out += [f"{indent}# your code here", f"{indent}raise NotImplementedError"]
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError(f"{where}: BEGIN SOLUTION without an END SOLUTION")
    return "\n".join(out)


def student_version(nb, name="notebook"):
    """Return a copy of the solution notebook ``nb`` as the student sees it."""
    nb = nbformat.from_dict(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"{name}, cell {number}")
            cell.outputs = []
            cell.execution_count = None
        cell.metadata = {}
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    return nb


def release(solutions=PROJECT / "solutions", labs=PROJECT / "labs"):
    """Write labs/<name>.ipynb for every solutions/lab*.ipynb; return the written paths."""
    labs = Path(labs)
    labs.mkdir(exist_ok=True)
    written = []
    for source in sorted(Path(solutions).glob("lab*.ipynb")):
        nb = student_version(nbformat.read(source, as_version=4), source.name)
        target = labs / source.name
        target.write_text(nbformat.writes(nb) + "\n")
        written.append(target)
    return written
