"""The graded questions of each lab: which function, how many points, its cases and its reference.

A lab module (lab1.py ... lab5.py) defines ``QUESTIONS``, a list of :class:`Question`. Public cases are
fixed and shown to students by the self-check; hidden cases are drawn from the instructor's seed and
only the autograder uses them. References come from ``rnnbook``'s own implementations, which the
library's tests verify against torch; they run in the grader's process, never in the sandbox.
"""
import importlib
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rnnbook._softmax import log_softmax

LABS = ("lab1", "lab2", "lab3", "lab4", "lab5")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    id: str                      # "q2"
    title: str                   # "CTC forward variables"
    function: str                # the name the student's function must have
    points: float
    reference: Callable          # called like the student's function
    public: Callable[[], list]   # () -> [Case]
    hidden: Callable[[np.random.Generator], list]   # rng -> [Case]
    rtol: float = 1e-6
    atol: float = 1e-8

    def hidden_cases(self, lab, seed):
        # The question's name enters the stream, so questions do not share their hidden draws.
        return self.hidden(np.random.default_rng([seed, zlib.crc32(f"{lab}/{self.id}".encode())]))


def points_text(points):
    return f"{points:g} point{'' if points == 1 else 's'}"


def load(lab):
    """Return the list of questions of ``lab`` ("lab1" ... "lab5")."""
    if lab not in LABS:
        raise ValueError(f"lab must be one of {', '.join(LABS)}, got {lab!r}")
    return importlib.import_module(f"{__name__}.{lab}").QUESTIONS


def question(lab, question_id):
    for q in load(lab):
        if q.id == question_id:
            return q
    raise ValueError(f"{lab} has questions {', '.join(q.id for q in load(lab))}, got {question_id!r}")


def random_log_probs(rng, T, C):
    """(T, C) per-frame log-probabilities: a log-softmax of normal logits, each row summing to one."""
    return log_softmax(rng.normal(scale=1.5, size=(T, C)))


def random_params(rng, shapes, scale=0.5):
    """A parameter dict {name: normal array of the given shape}."""
    return {name: rng.normal(scale=scale, size=shape) for name, shape in shapes.items()}


def random_target(rng, length, num_classes, blank=0):
    """A target of ``length`` labels in [0, num_classes) other than ``blank`` (repeats allowed)."""
    labels = [c for c in range(num_classes) if c != blank]
    return rng.choice(labels, size=length).astype(np.int64)
