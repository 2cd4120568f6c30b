"""The class report (report.html): graded on a generated class of lab 4 — copies of the solution and the
student stub, broken variants, a hang, a crash and an unreadable file — its numbers are read back from the
page and checked against the gradebook; the page is self-contained and accessible."""
import csv
import os
import re
import statistics
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from rnnbook.grading import classreport, grader, questions, sandbox

# Whole submissions through the sandbox: minutes, not seconds; `make quick` leaves them out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "lab4_ctc_decoding.ipynb"
STUB = ROOT / "labs" / "lab4_ctc_decoding.ipynb"
# Generous: in `make test` the grader shares two cores with the browser and notebook tests (2 s timed out
# an honest solution there); the one hanging submission pays it once.
LIMITS = sandbox.Limits(wall_seconds=8)
QUIET = open(os.devnull, "w")
POINTS = {q.id: q.points for q in questions.load("lab4")}
FULL = sum(POINTS.values())


def variant(**functions):
    """The solution with some functions replaced: {name: body}."""
    nb = nbformat.read(SOLUTION, as_version=4)
    for name, body in functions.items():
        cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {name}(" in c.source)
        signature = cell.source.split("\n", 1)[0]
        cell.source = signature + "\n" + "".join(f"    {line}\n" for line in body.strip().splitlines())
    return nbformat.writes(nb)


CLASS = {
    **{f"solution{i}.ipynb": SOLUTION.read_text() for i in range(3)},
    **{f"stub{i}.ipynb": STUB.read_text() for i in range(2)},
    # keeps repeated labels: wrong answers to q1, in the same way twice
    **{f"repeats{i}.ipynb": variant(ctc_greedy="return [int(k) for k in np.argmax(log_probs, axis=1) if k != blank]")
       for i in range(2)},
    "index_error.ipynb": variant(prefix_beam_search="return [][0]"),
    "hangs.ipynb": variant(prefix_beam_search="while True:\n    pass"),
    "exits.ipynb": variant(prefix_beam_search="import os\nos._exit(3)"),
    "unreadable <b> & co.ipynb": "{ not a notebook",   # and a name that must not become markup
}


class Tables(HTMLParser):
    """{table id: [[cell text, ...] per row]}, header row included; plus every <svg> and its <title>."""

    def __init__(self):
        super().__init__()
        self.tables, self.svgs, self.current, self.cell, self.in_title = {}, [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("th", "td") and self.current is not None:
            self.cell = []
        elif tag == "svg":
            self.svgs.append([attrs, ""])
        elif tag == "title" and self.svgs:
            self.in_title = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("th", "td") and self.cell is not None:
            self.current[-1].append("".join(self.cell))
            self.cell = None
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_title:
            self.svgs[-1][1] += data


def read_report(out):
    parser = Tables()
    text = (out / "report.html").read_text()
    parser.feed(text)
    return text, parser


def column(table, name):
    """{row header: value in the column named ``name``}."""
    header, *rows = table
    return {row[0]: row[header.index(name)] for row in rows}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("grades")
    for name, text in CLASS.items():
        (subs / name).write_text(text)
    grader.grade_folder("lab4", subs, out, seed=5, jobs=2, limits=LIMITS, stream=QUIET)
    with open(out / "gradebook.csv", newline="") as f:
        book = {row["submission"]: row for row in csv.DictReader(f)}
    return subs, out, book


def test_the_numbers_match_the_gradebook(graded):
    _, out, book = graded
    _, page = read_report(out)
    totals = [float(row["total"]) for row in book.values()]
    overview = column(page.tables["overview"], "value")
    assert overview["submissions"] == str(len(CLASS)) == str(len(book))
    assert overview["status graded"] == str(len(CLASS) - 1) and overview["status invalid"] == "1"
    assert float(overview["mean total"]) == pytest.approx(statistics.mean(totals), abs=0.005)
    assert float(overview["median total"]) == pytest.approx(statistics.median(totals), abs=0.005)
    assert overview["full marks"] == str(sum(t == FULL for t in totals)) == "3"

    bins = [0] * 10   # ten equal bins over 0..FULL, the last one closed
    for t in totals:
        bins[min(int(t / FULL * 10), 9)] += 1
    assert [int(c) for c in column(page.tables["hist-total"], "submissions").values()] == bins
    for q, points in POINTS.items():
        scores = [float(row[q]) for row in book.values()]
        counts = [0] * 10
        for s in scores:
            counts[min(int(s / points * 10), 9)] += 1
        assert [int(c) for c in column(page.tables[f"hist-{q}"], "submissions").values()] == counts
        assert float(column(page.tables["questions"], "mean score")[q]) == \
            pytest.approx(statistics.mean(scores), abs=0.005)
        assert column(page.tables["questions"], "full marks")[q] == str(sum(s == points for s in scores))


def test_failures_are_grouped_and_troubles_listed(graded):
    _, out, book = graded
    _, page = read_report(out)
    q1 = column(page.tables["reasons-q1"], "submissions")
    q2 = column(page.tables["reasons-q2"], "submissions")
    assert q1.pop("not implemented") == "2" and list(q1.values()) == ["2"], q1   # both "repeats" in one group
    assert q2 == {"not implemented": "2", "timed out": "1", "raised IndexError": "1",
                  "the process exited before finishing": "1"}, q2
    # each group's count is the gradebook's number of graded submissions that lost points there
    lost = sum(float(r["q2"]) < POINTS["q2"] for r in book.values() if r["status"] == "graded")
    assert sum(map(int, q2.values())) == lost

    troubles = {(row[0], row[2]): row for row in page.tables["troubles"][1:]}
    unreadable = ("unreadable <b> & co.ipynb", "")
    assert set(troubles) == {unreadable, ("hangs.ipynb", "q2"), ("exits.ipynb", "q2")}
    assert troubles[unreadable][1] == "invalid" and "not a readable notebook" in \
        troubles[unreadable][3] == book[unreadable[0]]["reason"]
    assert f"timed out after {LIMITS.wall_seconds:g} s" in troubles[("hangs.ipynb", "q2")][3]

    slow = column(page.tables["slow-questions"], "longest")
    assert float(slow["q2"]) >= 2 > float(slow["q1"])
    slowest = page.tables["slow-runs"][1]
    assert slowest[:2] == ["hangs.ipynb", "q2"]


def test_the_page_is_self_contained_and_accessible(graded):
    _, out, _ = graded
    text, page = read_report(out)
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|https?:", text, re.I)
    assert text.isascii() and '<html lang="en">' in text and text.count("<h1>") == 1
    assert text.count("<h2>") == 6 and "<title>lab4 class report</title>" in text
    # every table has a caption and column headers; every figure is an image with a text alternative
    assert text.count("<table") == text.count("<caption>") == len(page.tables)
    assert all(table[0] and all(re.match(r"\S", h) for h in table[0]) for table in page.tables.values())
    assert text.count('<th scope="col">') >= 2 * len(page.tables)
    assert len(page.svgs) == 1 + len(POINTS)   # the totals and each question
    for attrs, title in page.svgs:
        assert attrs["role"] == "img" and attrs["aria-labelledby"].endswith("-alt")
        assert re.search(r"\d+–\d+(\.\d+)?: \d+", title), title    # the counts in words
    # a name is shown as typed, never as markup
    assert "unreadable &lt;b&gt; &amp; co.ipynb" in text and "<b>" not in text


def test_kept_rows_stay_in_the_report_when_a_rerun_grades_one_more(graded):
    subs, out, book = graded
    (subs / "late.ipynb").write_text(STUB.read_text())
    try:
        grader.grade_folder("lab4", subs, out, seed=5, jobs=2, limits=LIMITS, stream=QUIET)
    finally:
        (subs / "late.ipynb").unlink()
    _, page = read_report(out)
    assert column(page.tables["overview"], "value")["submissions"] == str(len(book) + 1)
    assert column(page.tables["reasons-q2"], "submissions")["not implemented"] == "3"
    assert column(page.tables["reasons-q2"], "submissions")["timed out"] == "1"   # from the first run's files


@pytest.mark.parametrize("summary, kind", [
    ("not implemented", "not implemented"),
    ("timed out after 10 s (2 of 7 cases pass)", "timed out"),
    ("the process was killed by SIGSEGV (segmentation fault) (0 of 7 cases pass)", "crashed (killed by SIGSEGV)"),
    ("3 of 7 cases fail, e.g. result: expected shape (3, 4), got shape (4, 3)", "wrong shape"),
    ("1 of 6 cases fail, e.g. result: 2 of 9 entries differ, max abs error 0.5; first at index (1,)", "wrong values"),
    ("7 of 7 cases fail, e.g. raised KeyError: 'x' (in f)", "raised KeyError"),
    ("1 of 7 cases fail, e.g. raised ValueError: timed out, expected shape (2,) (in f)", "raised ValueError"),
    ("2 of 4 cases fail, e.g. something new happened 3 times", "something new happened # times"),
    ("", "no details recorded"),
])
def test_failure_kinds(summary, kind):
    assert classreport.failure_kind(summary) == kind
