"""Generate the student notebooks in labs/ from the one source of each lab in solutions/.

Each question's heading ("## q2 (3 points): forward variables (log alpha)") and the lab's points line
("Points: q1 1, q2 3, ... (12 in total).") are written from the lab's question set (questions/labN.py,
the one home of question names and points) into solutions/ first, so a renamed or re-weighted question
reaches the notebook, the self-check and the grader at once; ``disagreements`` names what else must
match (order, self-check cells, the graded functions' signatures), and release refuses a notebook that
does not. Then, inside
code cells, every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region (markers included) becomes
``# your code here`` and ``raise NotImplementedError`` at the marker's indentation. Outputs and execution
counts are stripped and the notebook is written with fixed formatting, so releasing twice gives the same
bytes and a test can tell whether labs/ is up to date.
"""
import ast
import re
from pathlib import Path

import nbformat

from . import questions

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HEADING = re.compile(r"^## (q\d+)\b")
POINTS = re.compile(r"^Points: q\d.*$", re.M)   # the lab's summary line, "Points: q1 1, q2 4 (5 in total)."
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


def lab_of(path):
    """"lab3" for solutions/lab3_ctc.ipynb."""
    return Path(path).name.split("_")[0]


def question_cells(nb):
    """[(question id, cell)] of the markdown cells that start with a question's heading, in order."""
    found = []
    for cell in nb.cells:
        match = HEADING.match(cell.source) if cell.cell_type == "markdown" else None
        if match:
            found.append((match.group(1), cell))
    return found


def points_line(lab):
    """"Points: q1 1, q2 4 (5 in total).", the summary line a lab's introduction carries."""
    qs = questions.load(lab)
    return f"Points: {', '.join(f'{q.id} {q.points:g}' for q in qs)} ({sum(q.points for q in qs):g} in total)."


def write_headings(nb, lab):
    """Set the first line of each question cell of ``nb`` to the question's heading, and the lab's points line
    to ``points_line``; return whether anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and POINTS.search(cell.source):
            source = POINTS.sub(points_line(lab), cell.source)
            cell.source, changed = source, changed or source != cell.source
    for question_id, cell in question_cells(nb):
        first, newline, rest = cell.source.partition("\n")
        heading = questions.question(lab, question_id).heading
        if first != heading:
            cell.source, changed = heading + newline + rest, True
    return changed


def _check_call(node):
    """(lab, question id) of a top-level ``check("lab3", "q2", globals())`` statement, else None."""
    call = node.value if isinstance(node, ast.Expr) else None
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "check"
            and len(call.args) >= 2 and all(isinstance(a, ast.Constant) for a in call.args[:2])):
        return call.args[0].value, call.args[1].value
    return None


def _parameters(signature):
    return ast.dump(ast.parse(f"def {signature}: pass").body[0].args)


def disagreements(nb, lab):
    """What differs between the notebook ``nb`` and the question set of ``lab``, in words ([] when they agree):
    the questions' headings (name and points) and their order, each question's self-check cell, and the
    function it grades, defined before that cell with the question's signature (name and parameters)."""
    expected = questions.load(lab)
    problems = []
    headings = [(question_id, cell.source.partition("\n")[0]) for question_id, cell in question_cells(nb)]
    if [question_id for question_id, _ in headings] != [q.id for q in expected]:
        problems.append(f"the notebook's questions are {[h for h, _ in headings]}, the grader's "
                        f"{[q.id for q in expected]}")
    problems += [f"heading {text!r} differs from the grader's {q.heading!r}"
                 for (_, text), q in zip(headings, expected) if text != q.heading]
    problems += [f"{line!r} differs from the grader's {points_line(lab)!r}" for cell in nb.cells
                 if cell.cell_type == "markdown" for line in POINTS.findall(cell.source) if line != points_line(lab)]
    defined, checks, current = {}, [], None
    for cell in nb.cells:
        match = HEADING.match(cell.source) if cell.cell_type == "markdown" else None
        current = match.group(1) if match else current
        if cell.cell_type != "code":
            continue
        try:
            body = ast.parse(strip_solutions(cell.source)).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, ast.FunctionDef):
                defined[node.name] = ast.dump(node.args)
            elif _check_call(node):
                checks.append((_check_call(node), current, dict(defined)))
    if [c for c, _, _ in checks] != [(lab, q.id) for q in expected]:
        problems.append(f"the notebook's self-checks are {[c for c, _, _ in checks]}, the grader's questions "
                        f"{[(lab, q.id) for q in expected]}")
    for ((_, question_id), under, functions), q in zip(checks, expected):
        if under != question_id:
            problems.append(f"check of {question_id} stands under the heading of {under}")
        if q.function not in functions:
            problems.append(f"{q.id}: no function {q.function} is defined before its self-check")
        elif functions[q.function] != _parameters(q.signature):
            problems.append(f"{q.id}: {q.function} has other parameters than the grader's {q.signature}")
    return problems


def release(solutions=PROJECT / "solutions", labs=PROJECT / "labs"):
    """Write the question headings into every solutions/lab*.ipynb, then labs/<name>.ipynb from it; return the
    written labs."""
    labs = Path(labs)
    labs.mkdir(exist_ok=True)
    written = []
    for source in sorted(Path(solutions).glob("lab*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        if write_headings(nb, lab_of(source)):
            source.write_text(nbformat.writes(nb) + "\n")
        if problems := disagreements(nb, lab_of(source)):
            raise ValueError(f"{source.name} and questions/{lab_of(source)}.py disagree: " + "; ".join(problems))
        nb = student_version(nb, source.name)
        target = labs / source.name
        target.write_text(nbformat.writes(nb) + "\n")
        written.append(target)
    return written
