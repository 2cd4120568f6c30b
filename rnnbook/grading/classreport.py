"""The class report: one page, ``report.html`` beside the gradebook, that an instructor reads first.

It is rebuilt after every grade run from the whole gradebook (rows kept from earlier runs included) and
the ``results/*.json`` files beside it, which hold each question's summary and time (report.py). The
page is self-contained — inline CSS and SVG, no script, no external file — so it opens offline and can
be mailed. Every figure has a text alternative and its numbers are in a table next to it.
"""
import html
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .atomicwrite import atomic_write_text
from .questions import points_text

BINS = 10
TOP_REASONS = 6
TOP_SLOW = 10
# A question's summary (grader.py) is "N of M cases fail, e.g. <the first failure>" or says why the run
# stopped ("timed out after 3 s (2 of 7 cases pass)"). These put the same kind of failure in one group
# whatever the case, numbers or message; the first match wins, anything else is grouped by its wording
# with the numbers taken out. Exception text is the student's: the patterns never look past its name.
KINDS = [
    (r"^raised (\w+)", r"raised \1"),
    (r"^returned ", "returned something that is not plain data"),
    (r"^not implemented", "not implemented"),
    (r"^not graded", "not graded"),
    (r"timed out", "timed out"),
    (r"killed by (SIG\w+|signal \d+)", r"crashed (killed by \1)"),
    (r"exited with code", "the process exited before finishing"),
    (r"expected shape", "wrong shape"),
    (r"entries differ|expected -?[\d.]+(e[-+]?\d+)?, got", "wrong values"),
    (r"expected \d+ items", "wrong number of items"),
    (r"malformed", "returned something that is not plain data"),
    (r"expected (the number|None|a |an )", "wrong type"),
    (r"no function named", "function missing"),
]
RUN_FAILURES = ("timed out", "crashed", "the process exited")


@dataclass
class Answer:
    """One question of one submission, as the report needs it."""
    submission: str
    score: float
    summary: str         # "" when the results file is missing (graded before the report existed)
    seconds: float | None


def failure_kind(summary):
    """The group a failed question's summary belongs to, e.g. "wrong shape" or "raised IndexError"."""
    head, _, example = summary.partition(", e.g. ")
    text = example or head
    for pattern, kind in KINDS:
        if match := re.search(pattern, text):
            return match.expand(kind)
    return re.sub(r"\d+(\.\d+)?", "#", text)[:80] or "no details recorded"


def _details(out):
    """{submission: parsed results.json} for every results file that names its submission (report.py)."""
    found = {}
    for path in sorted((out / "results").rglob("*.json")):
        try:
            data = json.loads(path.read_bytes())
            found[data["extra_data"]["submission"]] = data
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of ours, or written by an older grader: the gradebook row still counts
    return found


def _answers(rows, questions, details):
    """{question id: [Answer]} over every gradebook row; details only where the results file matches the row."""
    answers = defaultdict(list)
    for name, row in sorted(rows.items()):
        data = details.get(name)
        tests = data["tests"] if data and data["extra_data"].get("sha256") == row["sha256"] else []
        for i, q in enumerate(questions):
            test = tests[i] if i < len(tests) and isinstance(tests[i], dict) else {}
            summary = str(test.get("output", "")).split("\n", 1)[0]
            seconds = (test.get("extra_data") or {}).get("seconds")
            timed = isinstance(seconds, (int, float)) and row["status"] == "graded"  # else nothing ran
            answers[q.id].append(Answer(name, float(row[q.id]), summary, seconds if timed else None))
    return answers


def _t(value):
    """Text for the page, escaped; a file name that is not valid UTF-8 shows its odd bytes as \\udcxx."""
    return html.escape(str(value).encode("utf-8", "backslashreplace").decode("utf-8"))


def _num(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _bins(values, top):
    """Counts in BINS equal bins over [0, top], each from its lower bound up to but not including its upper
    bound, the last one including ``top``; and the bins' labels."""
    counts = [0] * BINS
    for value in values:
        counts[min(int(value / top * BINS), BINS - 1) if top > 0 else 0] += 1
    edges = [top * i / BINS for i in range(BINS + 1)]
    return counts, [f"{_num(a)}–{_num(b)}" for a, b in zip(edges, edges[1:])]


def _histogram(ident, caption, counts, labels, unit):
    """A bar chart as inline SVG with a text alternative, then the same numbers as a table."""
    width, height, pad, bottom = 640, 220, 30, 40
    step = (width - 2 * pad) / len(counts)
    scale = (height - bottom - 20) / max(max(counts), 1)
    bars = []
    for i, (count, label) in enumerate(zip(counts, labels)):
        x, h = pad + i * step, count * scale
        y = height - bottom - h
        bars.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}"/>'
                    f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}">{count}</text>'
                    f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" class="axis">{_t(label)}</text>')
    words = "; ".join(f"{label}: {count}" for label, count in zip(labels, counts))
    alt = f"{caption}. Bar chart of {unit} per range of points: {words}."
    rows = "".join(f'<tr><th scope="row">{_t(label)}</th><td>{count}</td></tr>'
                   for label, count in zip(labels, counts))
    return (f'<figure><svg role="img" aria-labelledby="{ident}-alt" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"><title id="{ident}-alt">{_t(alt)}</title>'
            f'<line x1="{pad}" y1="{height - bottom}" x2="{width - pad}" y2="{height - bottom}"/>'
            f'{"".join(bars)}<text x="{width / 2}" y="{height - 6}" class="axis">points</text></svg>'
            f'<figcaption>{_t(caption)}</figcaption></figure>'
            f'<details><summary>The numbers of this chart</summary><table id="{ident}"><caption>{_t(caption)}'
            f'</caption><thead><tr><th scope="col">points</th><th scope="col">{_t(unit)}</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></details>')


def _table(ident, caption, header, body):
    """A table whose first column heads its row; every cell is text, escaped here."""
    head = "".join(f'<th scope="col">{_t(h)}</th>' for h in header)
    rows = "".join(f'<tr><th scope="row">{_t(r[0])}</th>{"".join(f"<td>{_t(v)}</td>" for v in r[1:])}</tr>'
                   for r in body)
    # On a narrow screen the table scrolls inside its own box, which a keyboard can reach and scroll too.
    return (f'<div class="scroll" tabindex="0" role="region" aria-label="{_t(caption)}">'
            f'<table id="{ident}"><caption>{_t(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table></div>')


def _overview(rows, top):
    totals = [float(row["total"]) for row in rows.values()]
    statuses = Counter(row["status"] for row in rows.values())
    body = [("submissions", len(rows))] + [(f"status {s}", statuses[s]) for s in sorted(statuses)]
    body += [("mean total", _num(statistics.mean(totals))), ("median total", _num(statistics.median(totals))),
             ("lowest total", _num(min(totals))), ("highest total", _num(max(totals))),
             ("full marks", sum(t == top for t in totals))]
    return _table("overview", f"Overview (totals out of {_num(top)})", ["measure", "value"], body)


def _per_question(questions, answers):
    body = []
    for q in questions:
        scores = [a.score for a in answers[q.id]]
        body.append((q.id, q.title, _num(q.points), _num(statistics.mean(scores)),
                     sum(s == q.points for s in scores), sum(s == 0 for s in scores)))
    parts = [_table("questions", "Per question", ["question", "title", "points", "mean score", "full marks",
                                                  "zero"], body)]
    for q in questions:
        counts, labels = _bins([a.score for a in answers[q.id]], q.points)
        parts.append(f"<h3>{_t(q.id)} {_t(q.title)} ({_t(points_text(q.points))})</h3>")
        parts.append(_histogram(f"hist-{q.id}", f"Scores of {q.id} (out of {_num(q.points)})", counts, labels,
                                "submissions"))
    return "".join(parts)


def _reasons(questions, answers, rows):
    parts = []
    for q in questions:
        failed = [a for a in answers[q.id] if a.score < q.points and rows[a.submission]["status"] == "graded"]
        groups = defaultdict(list)
        for a in failed:
            groups[failure_kind(a.summary)].append(a)
        ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        body = [(kind, len(group), f"{group[0].submission}: {group[0].summary[:200]}")
                for kind, group in ranked[:TOP_REASONS]]
        if rest := ranked[TOP_REASONS:]:
            body.append((f"{len(rest)} other reasons", sum(len(g) for _, g in rest), ""))
        parts.append(f"<h3>{_t(q.id)} {_t(q.title)}</h3>")
        parts.append(_table(f"reasons-{q.id}", f"Why {q.id} lost points ({len(failed)} graded submissions)",
                            ["reason", "submissions", "example"], body) if failed
                     else "<p>Every graded submission has full marks on this question.</p>")
    return "".join(parts)


def _troubles(questions, answers, rows):
    body = [(name, row["status"], "", row["reason"]) for name, row in sorted(rows.items())
            if row["status"] != "graded"]
    body += [(a.submission, "graded", q.id, a.summary) for q in questions for a in answers[q.id]
             if rows[a.submission]["status"] == "graded" and failure_kind(a.summary).startswith(RUN_FAILURES)]
    if not body:
        return "<p>None: every submission was read, and no question timed out or crashed.</p>"
    return _table("troubles", "Submissions not graded, and questions that timed out or crashed",
                  ["submission", "status", "question", "what happened"], body)


def _slowest(questions, answers):
    timed = {q.id: [a for a in answers[q.id] if a.seconds is not None] for q in questions}
    body = [(q.id, q.title, _num(statistics.mean(a.seconds for a in timed[q.id])),
             _num(statistics.median(a.seconds for a in timed[q.id])), _num(max(a.seconds for a in timed[q.id])))
            for q in questions if timed[q.id]]
    if not body:
        return "<p>No times recorded.</p>"
    runs = sorted(((a.seconds, q.id, a) for q in questions for a in timed[q.id]), key=lambda r: -r[0])[:TOP_SLOW]
    return (_table("slow-questions", "Seconds per question (one sandboxed run per submission)",
                   ["question", "title", "mean", "median", "longest"], sorted(body, key=lambda r: -float(r[2])))
            + _table("slow-runs", f"The {len(runs)} slowest runs", ["submission", "question", "seconds", "outcome"],
                     [(a.submission, qid, _num(s), a.summary[:200]) for s, qid, a in runs]))


STYLE = """
body { font-family: system-ui, sans-serif; color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; min-width: 20rem; }
summary { cursor: pointer; margin-bottom: 1rem; }
.scroll { overflow-x: auto; margin: 0.5rem 0 1.5rem; }
.scroll table { margin: 0; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #999; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
td { overflow-wrap: break-word; }
figure { margin: 0.5rem 0; }
svg { max-width: 100%; height: auto; }
svg rect { fill: #2f5d9b; }
svg line { stroke: #1a1a1a; }
svg text { font-size: 13px; text-anchor: middle; fill: #1a1a1a; }
svg text.axis { font-size: 11px; }
"""


def render(lab, questions, rows, details):
    """The page as a string."""
    top = sum(q.points for q in questions)
    answers = _answers(rows, questions, details)
    counts, labels = _bins([float(row["total"]) for row in rows.values()], top)
    sections = [
        ("Overview", _overview(rows, top)),
        ("Totals", _histogram("hist-total", f"Totals of {len(rows)} submissions (out of {_num(top)})", counts,
                              labels, "submissions")),
        ("Scores per question", _per_question(questions, answers)),
        ("Most common reasons for lost points", _reasons(questions, answers, rows)),
        ("Timed out, crashed or not graded", _troubles(questions, answers, rows)),
        ("Slowest questions", _slowest(questions, answers)),
    ] if rows else [("Overview", "<p>No submissions graded yet.</p>")]
    written = time.strftime("%Y-%m-%d %H:%M")
    body = "".join(f"<section><h2>{_t(title)}</h2>{content}</section>" for title, content in sections)
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_t(lab)} class report</title><style>{STYLE}</style></head>'
            f'<body><main><h1>{_t(lab)} class report</h1>'
            f'<p>{len(rows)} submissions, written {written}. Scores are in points; each question is worth '
            f'what its heading says.</p>{body}</main></body></html>\n')
    # ASCII with character references: the page reads the same whatever the locale it is written in.
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")


def write(out, lab, questions, rows):
    """Write ``out/report.html`` for the gradebook ``rows`` ({submission: row}); return its path."""
    path = Path(out) / "report.html"
    atomic_write_text(path, render(lab, questions, rows, _details(Path(out))))
    return path
