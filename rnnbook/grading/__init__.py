"""Graded labs: release student notebooks, let students self-check, grade submissions safely.

    python -m rnnbook.grading release                       # solutions/*.ipynb -> labs/*.ipynb
    check("lab3", "q2", globals())                          # inside a lab notebook: public cases only
    python -m rnnbook.grading grade lab3 submissions/ --out grades/ --seed 1234 --jobs 2
    python -m rnnbook.grading autograder lab3 --out dist/ --seed 1234    # the zip Gradescope runs

Modules: release (solutions -> stubs), extract (a submission's definitions only), child + sandbox (the
isolated process and its limits), compare (judging plain data), questions (per-lab cases and references),
selfcheck, grader, gradebook (atomic CSV), report (feedback, results.json), text (names and messages from
outside, made safe to show), classreport (report.html for the instructor) and autograder (Gradescope).
"""
from .selfcheck import check

__all__ = ["check"]
