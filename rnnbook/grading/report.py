"""Per-submission reports: a plain-text feedback file for the student and a Gradescope-style results.json."""
import hashlib
import json

from .atomicwrite import atomic_write_text
from .questions import points_text


def feedback_text(result):
    lines = [f"{result.name}: {result.score:g} / {result.max_score:g} points ({result.status})"]
    if result.reason:
        lines.append(f"Summary: {result.reason}")
    lines += [f"Note: {note}" for note in result.notes]
    for q in result.questions:
        lines.append("")
        lines.append(f"{q.id} {q.title} — {q.score:g} / {points_text(q.points)}: {q.summary}")
        lines += [f"  {message}" for message in q.messages]
    return "\n".join(lines) + "\n"


def results_json(result):
    """Gradescope's autograder format: a score per test (here per question) and an overall output."""
    tests = [{"name": f"{q.id} {q.title}", "score": q.score, "max_score": q.points,
              "output": "\n".join([q.summary, *q.messages]), "visibility": "visible",
              "extra_data": {"seconds": round(q.seconds, 3)}}
             for q in result.questions]
    output = "\n".join(filter(None, [f"status: {result.status}", result.reason, *result.notes]))
    # extra_data is stored by Gradescope, not shown; the class report (classreport.py) reads it back.
    extra = {"submission": result.name, "sha256": result.sha256, "status": result.status}
    return json.dumps({"score": result.score, "output": output, "tests": tests, "extra_data": extra},
                      indent=1) + "\n"


def write(out, result):
    """Write feedback/<submission>.txt and results/<submission>.json under ``out``.

    Where that path cannot be had — another submission's report folder is in its way ("c/a.txt/b.ipynb" beside
    "c/a.ipynb"), or the path is longer than the file system allows — the report goes to
    feedback/<sha256 of the submission's name>.txt (results/... .json) instead; its first line, or its
    extra_data, names the submission.
    """
    for folder, suffix, text in (("feedback", ".txt", feedback_text(result)), ("results", ".json", results_json(result))):
        path = out / folder / f"{result.report_name}{suffix}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
        except OSError:
            atomic_write_text(out / folder / f"{hashlib.sha256(result.name.encode()).hexdigest()}{suffix}", text)
