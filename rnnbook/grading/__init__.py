"""Graded labs: release student notebooks, let students self-check, grade submissions safely.

    python -m rnnbook.grading release                       # solutions/*.ipynb -> labs/*.ipynb
    check("lab3", "q2", globals())                          # inside a lab notebook: public cases only
    python -m rnnbook.grading grade lab3 submissions/ --out grades/ --seed 1234 --jobs 2
    python -m rnnbook.grading autograder lab3 --out dist/ --seed 1234    # the zip Gradescope runs
    python -m rnnbook.grading walls                         # does each wall of the sandbox hold here?

Modules: release (solutions -> stubs), extract (a submission's definitions only), sandbox (runs one
question in an isolated process), child (the program in that process), walls (what walls it in, and how
to check them), wallcheck (the ``walls`` command), plaindata (the codec of what crosses the wall),
compare (judging plain data), questions (per-lab names, points, cases and references), selfcheck,
grader, gradebook (the CSV), atomicwrite, report (feedback, results.json), text (names and messages from
outside, made safe to show), classreport (report.html for the instructor) and autograder (Gradescope).
"""
from .selfcheck import check

__all__ = ["check"]
