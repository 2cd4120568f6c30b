"""The gradebook CSV: one row per submission, one column per question, kept across runs.

Every write is atomic (atomicwrite.py), so a crash or Ctrl-C leaves either the old or the new gradebook, never a
half-written one, and rows graded earlier are never lost.

Whatever text a cell holds, the file reads back the same: rows end in CRLF, so that the writer quotes a carriage
return as well as a newline, and a cell that a spreadsheet would take for a formula (it starts with =, +, -, @,
a tab or a line break; a submission's file name can) is written with a leading apostrophe, which spreadsheets
read as "text". ``load`` removes it again; a cell that starts with an apostrophe gets one more, so that
removing one is always right.
"""
import csv
import io
from pathlib import Path

from .atomicwrite import atomic_write_text

FIXED_BEFORE = ["submission"]
FIXED_AFTER = ["total", "max", "status", "reason", "sha256"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "'")


def columns(question_ids):
    return FIXED_BEFORE + list(question_ids) + FIXED_AFTER


def load(path, question_ids):
    """Return {submission: row} from an existing gradebook, or {} when there is none yet."""
    path = Path(path)
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != columns(question_ids):
            raise ValueError(f"{path} has columns {reader.fieldnames}, expected {columns(question_ids)}: "
                             "is it the gradebook of another lab?")
        rows = [{key: value[1:] if value.startswith("'") else value for key, value in row.items()} for row in reader]
        return {row["submission"]: row for row in rows}


def save(path, rows, question_ids):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(question_ids), lineterminator="\r\n")
    writer.writeheader()
    for name in sorted(rows):
        writer.writerow({key: "'" + value if value.startswith(FORMULA_STARTS) else value
                         for key, value in rows[name].items()})
    atomic_write_text(path, buffer.getvalue())


def row(result):
    """The gradebook row of a graded submission (a grader.SubmissionResult)."""
    values = {"submission": result.name, "total": f"{result.score:g}", "max": f"{result.max_score:g}",
              "status": result.status, "reason": result.reason, "sha256": result.sha256}
    values.update({q.id: f"{q.score:g}" for q in result.questions})
    return values
