"""Graded labs: release student notebooks, let students self-check, grade submissions safely.

    python -m rnnbook.grading release                       # solutions/*.ipynb -> labs/*.ipynb
    check("lab3", "q2", globals())                          # inside a lab notebook: public cases only
    python -m rnnbook.grading grade lab3 submissions/ --out grades/ --seed 1234 --jobs 2

Modules: release (solutions -> stubs), extract (a submission's definitions only), child + sandbox (the
isolated process and its limits), compare (judging plain data), questions (per-lab cases and references),
selfcheck, grader, gradebook (atomic CSV) and report (feedback, results.json).
"""
from .selfcheck import check

__all__ = ["check"]
