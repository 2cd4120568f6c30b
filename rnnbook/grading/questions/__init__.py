"""The graded questions of each lab: the one home of their names, points, signatures, cases and references.

A lab module (lab1.py ... lab5.py) defines ``QUESTIONS``, a list of :class:`Question`. Each question's id,
title, points and function signature live there and only there: ``release`` writes the question's heading
into the lab's notebook (``heading``), and a test fails when a notebook and its question set disagree
(name, points, function and its parameters, order). The question's statement is the notebook's prose under
that heading.

A :class:`Case` is data: a name the student sees, the inputs by parameter name, and a line saying what the
case probes. Public cases are fixed and shown to students by the self-check; hidden cases are drawn from
the instructor's seed and only the autograder uses them. References come from ``rnnbook``'s own
implementations, which the library's tests verify against torch; they run in the grader's process, never
in the sandbox.
"""
import ast
import importlib
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rnnbook._softmax import log_softmax

LABS = ("lab1", "lab2", "lab3", "lab4", "lab5")


@dataclass(frozen=True)
class Case:
    name: str                    # shown in the feedback: "T=6, target [1, 2]"
    inputs: dict                 # parameter name -> value, as the student's function receives it
    probes: str = ""             # what the case checks, for whoever maintains the lab


@dataclass(frozen=True)
class Question:
    id: str                      # "q2"
    title: str                   # "forward variables (log alpha)"
    points: float
    signature: str               # "ctc_forward(log_probs, target, blank=0)": the student's def line
    reference: Callable          # called like the student's function
    public: tuple                # (Case, ...)
    hidden: Callable[[np.random.Generator], list]   # rng -> [Case]
    rtol: float = 1e-6
    atol: float = 1e-8
    _parameters: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Parameters without a default are passed by position, the others by name.
        args = ast.parse(f"def {self.signature}: pass").body[0].args
        required = len(args.args) - len(args.defaults)
        object.__setattr__(self, "_parameters", tuple(a.arg for a in args.args[:required]))

    @property
    def function(self):
        """The name the student's function must have."""
        return self.signature.split("(")[0]

    @property
    def heading(self):
        """The notebook's heading of this question, "## q2 (3 points): forward variables (log alpha)"."""
        return f"## {self.id} ({points_text(self.points)}): {self.title}"

    def arguments(self, case):
        """(args, kwargs) to call the function on ``case``: required parameters by position, the rest by name."""
        positional = tuple(case.inputs[name] for name in self._parameters)
        return positional, {name: value for name, value in case.inputs.items() if name not in self._parameters}

    def call(self, function, case):
        args, kwargs = self.arguments(case)
        return function(*args, **kwargs)

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


def generator(seed):
    """A public case's fixed seed (an int) or the hidden cases' generator, as a numpy Generator."""
    return np.random.default_rng(seed)


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
