"""Grade a generated class and print how many submissions per second the grader gets through.

    python benchmarks/grading_throughput.py [--lab lab3] [-n 100] [--jobs 2]

The class (issue 11): a quarter each of copies of the solution, of the released stub, and of two half-done
notebooks (the solution with its first, or its last, answered function stubbed out), each copy made
unique. Everything a ``grade`` run does counts — reading, sandboxed runs, comparison, gradebook, feedback,
results and the class report — into a fresh output folder. Lab 3 is the default: with six questions it
starts the most sandboxed processes per notebook. The target is at least 1 submission/s with two jobs on
two cores; exits with status 1 below it. On a shared machine the wall-clock rate depends on the others'
load, so the CPU time per submission (grader and sandboxes) is printed too, and the rate two idle cores
would give at that cost.
"""
import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from rnnbook.grading import grader, questions, release

TARGET = 1.0


def half_done(solution, which):
    """The solution with one answered cell (``which``: 0 first, -1 last) back to its stub."""
    nb = nbformat.reads(nbformat.writes(solution), as_version=4)
    answered = [c for c in nb.cells if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source]
    answered[which].source = release.strip_solutions(answered[which].source)
    return nb


def generate(lab, count, folder):
    solution = nbformat.read(next((release.PROJECT / "solutions").glob(f"{lab}_*.ipynb")), as_version=4)
    kinds = [solution, release.student_version(solution), half_done(solution, 0), half_done(solution, -1)]
    for i in range(count):
        nb = nbformat.reads(nbformat.writes(kinds[i % len(kinds)]), as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Submission {i}."))  # no two files alike
        nbformat.write(nb, folder / f"student{i:04d}.ipynb")


def cpu_seconds():
    """User and system time of this process and of its finished children (the sandboxes)."""
    return sum(r.ru_utime + r.ru_stime for r in map(resource.getrusage,
                                                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="lab3", choices=questions.LABS)
    parser.add_argument("-n", type=int, default=100, help="submissions to grade")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subs, out = Path(tmp) / "submissions", Path(tmp) / "grades"
        subs.mkdir()
        generate(args.lab, args.n, subs)
        started, cpu_before = time.monotonic(), cpu_seconds()
        rows = grader.grade_folder(args.lab, subs, out, seed=1, jobs=args.jobs, stream=open(os.devnull, "w"))
        seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu_before
    assert len(rows) == args.n and all(row["status"] == "graded" for row in rows.values())
    rate = args.n / seconds
    print(f"{args.lab}: graded {args.n} submissions in {seconds:.1f} s with --jobs {args.jobs} on "
          f"{os.cpu_count()} cores: {rate:.2f} submissions/s (target >= {TARGET:g})")
    print(f"CPU time {cpu / args.n:.2f} s per submission: {2 * args.n / cpu:.2f} submissions/s on two idle cores; "
          f"load average now {os.getloadavg()[0]:.1f}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
