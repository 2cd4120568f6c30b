"""The instructor's autograder: every .ipynb under a folder -> gradebook.csv, feedback, results.json.

Per submission: read the notebook, keep only its definitions (extract.py), and for each question run the
student's function on the public and hidden cases in its own sandboxed process (sandbox.py), so a hang,
crash or memory blow-up costs that question only. Answers come back as plain data and are compared here
(compare.py) with references this process computes itself. Partial credit per case.

Everything from outside (file names, what a submission raised or returned) is made safe to show and bounded
(text.py) before it goes into a result, so the gradebook, feedback and results.json are too. Of a hidden case
the feedback says its name and the kind of failure, never its inputs (sandbox.py, compare.py). Symbolic
links among the submissions are not followed: the grader often runs as root, and a link can point anywhere.
"""
import copy
import hashlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import classreport, gradebook, questions, report, sandbox
from .plaindata import decode, encode
from .compare import compare
from .extract import InvalidSubmission, extract, read_notebook
from .text import shown

MAX_NOTEBOOK_BYTES = 100 * 2**20   # a notebook is read whole into memory; a 2 GB "notebook" is not one
# With a lab's few cases per question, these bound a feedback file to some 5 KB per question and 10 KB of notes.
MAX_MESSAGE = 500
MAX_NOTES = 20


@dataclass
class QuestionResult:
    id: str
    title: str
    points: float
    score: float
    summary: str                 # "all 6 cases pass", "timed out after 3 s", ...
    messages: list = field(default_factory=list)
    seconds: float = 0.0         # wall-clock time of its sandboxed run, for the class report's slowest questions

    @property
    def problem(self):
        return None if self.score == self.points else f"{self.id} {self.summary}"


@dataclass
class SubmissionResult:
    name: str                    # path relative to the submissions folder
    sha256: str
    status: str                  # "graded", "invalid" or "error"
    questions: list
    notes: list = field(default_factory=list)
    reason: str = ""

    @property
    def score(self):
        return round(sum(q.score for q in self.questions), 2)

    @property
    def max_score(self):
        return sum(q.points for q in self.questions)

    @property
    def report_name(self):
        """The submission's path without ``.ipynb``: the same folders under feedback/ and results/, so no two
        submissions share a report (flattening "a/b" to "a__b" collided with a file named "a__b.ipynb")."""
        return self.name.removesuffix(".ipynb")


@dataclass
class PreparedQuestion:
    question: questions.Question
    cases: list                  # [Case], public first
    expected: list               # decoded reference answers
    public: int                  # how many of the cases are public; the others are hidden


def prepare(lab, seed):
    """The lab's questions with their cases and reference answers, computed once for all submissions."""
    prepared = []
    for q in questions.load(lab):
        public = list(q.public)
        cases = public + q.hidden_cases(lab, seed)
        # cases are shared module data: the reference gets a copy too, so nothing can change them
        expected = [decode(encode(q.call(q.reference, copy.deepcopy(case)))) for case in cases]
        prepared.append(PreparedQuestion(q, cases, expected, len(public)))
    return prepared


def _score_question(item, run):
    q = item.question
    messages, passed = [], 0
    for i, (case, expected) in enumerate(zip(item.cases, item.expected)):
        hidden = i >= item.public
        if i >= len(run.cases):
            messages.append(f"case {case.name}: not run, {run.failure}")
            continue
        kind, value = run.cases[i]
        if kind == "error":  # of a hidden case, only its kind came back (sandbox.py)
            messages.append(f"case {case.name}: {value}")
            continue
        try:
            message = compare(expected, decode(value), q.rtol, q.atol, detail=not hidden)
        except Exception as exc:  # a result that is not plain data in the expected layout
            message = "result is malformed" + ("" if hidden else f" ({type(exc).__name__}: {str(exc)[:100]})")
        if message:
            messages.append(f"case {case.name}: {message}")
        else:
            passed += 1
    messages = [shown(message, MAX_MESSAGE) for message in messages]
    total = len(item.cases)
    score = round(q.points * passed / total, 2)
    raised = [value for kind, value in run.cases if kind == "error"]
    if passed == total:
        summary = f"all {total} cases pass"
    elif len(raised) == total and all(r.startswith("raised NotImplementedError") for r in raised):
        summary, messages = "not implemented", []
    elif run.failure:
        summary = f"{run.failure} ({passed} of {total} cases pass)"
    else:
        first = messages[0].split(": ", 1)[1]
        summary = f"{total - passed} of {total} cases fail, e.g. {first[:160]}"
    return QuestionResult(q.id, q.title, q.points, score, summary, messages)


def _digest(path):
    """The file's sha256; "" for a symbolic link, which is never followed."""
    if Path(path).is_symlink():
        return ""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _not_graded(result, prepared, status, reason):
    result.status, result.reason = status, reason
    result.questions = [QuestionResult(p.question.id, p.question.title, p.question.points, 0.0, "not graded")
                        for p in prepared]
    return result


def _grader_error(exc):
    return shown(f"grader error: {type(exc).__name__}: {exc}", MAX_MESSAGE)


def grade_submission(path, name, prepared, limits):
    """Grade one notebook; never raises: a problem becomes the submission's status and reason, and one in a
    question (a grader bug that a submission found) costs that question alone."""
    result = SubmissionResult(shown(name), "", "graded", [])
    if Path(path).is_symlink():
        return _not_graded(result, prepared, "invalid", "a symbolic link, which the grader does not follow: "
                                                        "nothing it points to was read; submit the notebook itself")
    try:
        result.sha256 = _digest(path)
        size = Path(path).stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise InvalidSubmission(f"the file has {size / 2**20:.0f} MB, more than the "
                                    f"{MAX_NOTEBOOK_BYTES / 2**20:.0f} MB a notebook may have")
        extracted = extract(read_notebook(path))
    except InvalidSubmission as exc:
        return _not_graded(result, prepared, "invalid", shown(exc, MAX_MESSAGE))
    except Exception as exc:  # a grader bug or a pathological file must not stop the other submissions
        return _not_graded(result, prepared, "error", _grader_error(exc))
    notes = list(extracted.notes)
    for item in prepared:
        started, q = time.monotonic(), item.question
        try:
            run = sandbox.run(extracted.code, q.function, [q.arguments(c) for c in item.cases[:item.public]],
                              limits, hidden=[q.arguments(c) for c in item.cases[item.public:]])
            notes += [n for n in run.notes if n not in notes]
            question = _score_question(item, run)
        except Exception as exc:
            question = QuestionResult(q.id, q.title, q.points, 0.0, _grader_error(exc))
        question.seconds = time.monotonic() - started
        result.questions.append(question)
    result.notes = [shown(note, MAX_MESSAGE) for note in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        result.notes.append(f"{len(notes) - MAX_NOTES} more notes cut")
    problems = [q.problem for q in result.questions if q.problem]
    result.reason = "; ".join(problems + [n for n in result.notes if n.startswith("kernel")])
    return result


def find_submissions(folder, out):
    """The .ipynb files under ``folder`` (not in checkpoints nor under ``out``), symbolic links among them;
    links to folders are not descended into."""
    out = Path(out).resolve()
    return [p for p in sorted(Path(folder).rglob("*.ipynb"))
            if (p.is_symlink() or p.is_file()) and ".ipynb_checkpoints" not in p.parts
            and out not in (p.parent.resolve() / p.name).parents]


def _progress(done, total, name, stream):
    width = 30
    filled = width * done // max(total, 1)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
    stream.flush()


def grade_folder(lab, folder, out, seed=0, jobs=1, regrade=False, limits=sandbox.Limits(), stream=sys.stderr):
    """Grade every .ipynb under ``folder`` into ``out``; return the gradebook rows {submission: row}."""
    started = time.monotonic()
    for weakness in sandbox.weaknesses():
        stream.write(f"warning: {weakness}\n")
    folder, out = Path(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    prepared = prepare(lab, seed)
    ids = [p.question.id for p in prepared]
    book_path = out / "gradebook.csv"
    rows = gradebook.load(book_path, ids)
    todo = []
    for path in find_submissions(folder, out):
        name = shown(path.relative_to(folder).as_posix())
        if regrade or name not in rows or rows[name]["sha256"] != _digest(path):
            todo.append((path, name))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(grade_submission, path, name, prepared, limits) for path, name in todo]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                rows[result.name] = gradebook.row(result)
                gradebook.save(book_path, rows, ids)
                report.write(out, result)
                _progress(done, len(todo), result.name, stream)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            raise
    if todo:
        stream.write("\n")
    gradebook.save(book_path, rows, ids)
    _summary(rows, ids, len(todo), time.monotonic() - started, book_path, stream)
    stream.write(f"class report: {classreport.write(out, lab, [p.question for p in prepared], rows)}\n")
    return rows


def _summary(rows, ids, graded_now, seconds, book_path, stream):
    statuses = [row["status"] for row in rows.values()]
    totals = [float(row["total"]) for row in rows.values()]
    maximum = float(next(iter(rows.values()))["max"]) if rows else 0.0
    lines = [f"graded {graded_now} submission(s) in {seconds:.1f} s "
             f"({len(rows) - graded_now} kept from earlier runs); gradebook: {book_path}"]
    if rows:
        lines.append("status: " + ", ".join(f"{s} {statuses.count(s)}" for s in sorted(set(statuses))))
        lines.append(f"mean total {sum(totals) / len(totals):.2f} / {maximum:g}; per question: " +
                     ", ".join(f"{q} {sum(float(r[q]) for r in rows.values()) / len(rows):.2f}" for q in ids))
    stream.write("\n".join(lines) + "\n")
