"""Take from a submitted notebook only what may run: top-level imports, function and class definitions.

Everything else at the top level — prints, loops, ``check(...)`` calls, an ``os._exit(1)`` — is dropped
before any code runs, so a notebook's top-level statements never execute while grading. IPython magics
and shell lines (``%time``, ``!pip``) are not Python and become ``pass``.
"""
import ast
import threading
from dataclasses import dataclass

import nbformat

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Parsing takes the grader's own memory, up to some 600 bytes per character of code (10 MB of `x=1` lines
# took 6 GB); a lab's answers fit in a few dozen KB.
MAX_CODE_CHARS = 2**20
# CPython 3.11 keeps the recursion depth of its syntax-tree builder in one place per interpreter, not per
# thread: two grading threads parsing at once can fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905), which cost an honest submission its marks. One parse at a time.
_PARSING = threading.Lock()


class InvalidSubmission(Exception):
    """The file cannot be graded at all (not a notebook, not Python, no code)."""


@dataclass
class Extracted:
    code: str       # the kept definitions, regenerated from the syntax tree
    notes: list     # what was skipped and why, in plain words, for the feedback


def read_notebook(path):
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise InvalidSubmission(f"not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})") from None


def _without_magics(source):
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append(line[: len(line) - len(stripped)] + "pass" if stripped[:1] in ("%", "!") else line)
    return "\n".join(lines)


def _imports_self_check(node):
    # `from rnnbook.grading import check` serves the student's own runs; the sandbox would refuse it anyway
    return isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnnbook.grading")


def extract(nb):
    """Return the notebook's definitions as code; raise InvalidSubmission when there is nothing to grade."""
    notes = []
    spec = nb.metadata.get("kernelspec", {})
    language = spec.get("language") or nb.metadata.get("language_info", {}).get("name") or "python"
    if str(language).lower() != "python":
        raise InvalidSubmission(f"the notebook's kernel language is {language!r}, not Python")
    if spec.get("name") not in (None, "python3"):
        notes.append(f"kernel name {spec.get('name')!r} is unknown; the code was read as Python 3")
    code_cells = [(number, cell) for number, cell in enumerate(nb.cells, start=1)
                  if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str)]
    size = sum(len(cell.source) for _, cell in code_cells)
    if size > MAX_CODE_CHARS:
        raise InvalidSubmission(f"the code cells hold {size / 2**20:.1f} MB of code, more than the "
                                f"{MAX_CODE_CHARS / 2**20:g} MB a lab's answers need")
    kept = []
    for number, cell in code_cells:
        try:
            with _PARSING:
                tree = ast.parse(_without_magics(cell.source))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            notes.append(f"code cell {number} is not valid Python and was skipped "
                         f"({type(exc).__name__}: {getattr(exc, 'msg', exc)})")
            continue
        for node in tree.body:
            if not isinstance(node, KEPT) or _imports_self_check(node):
                continue
            try:
                kept.append((node, ast.unparse(node)))
            except RecursionError:
                notes.append(f"code cell {number}: a statement nested too deeply to read was skipped")
    if not any(isinstance(node, KEPT[2:]) for node, _ in kept):
        raise InvalidSubmission("the notebook defines no functions or classes")
    return Extracted("\n".join(source for _, source in kept), notes)
