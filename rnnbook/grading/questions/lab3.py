"""Lab 3: CTC — extended target, forward and backward variables, posteriors, loss and gradient (§9)."""
import numpy as np

from rnnbook import ctc

from . import Case, Question, random_log_probs, random_target


def _extend_case(name, rng, L, C, blank=0):
    return Case(name, (random_target(rng, L, C, blank),), {"blank": blank})


def _lattice_case(name, rng, T, C, L, blank=0, target=None):
    target = random_target(rng, L, C, blank) if target is None else np.array(target)
    return Case(name, (random_log_probs(rng, T, C), target), {"blank": blank})


def _public_lattice_cases():
    return [_lattice_case("T=6, target [1, 2]", np.random.default_rng(61), 6, 3, 2, target=[1, 2]),
            _lattice_case("repeated label [1, 1] (needs a blank between)", np.random.default_rng(62), 5, 3, 2,
                          target=[1, 1]),
            _lattice_case("T=10, C=5, L=4", np.random.default_rng(63), 10, 5, 4),
            _lattice_case("blank is the last class", np.random.default_rng(64), 7, 4, 3, blank=3)]


def _hidden_lattice_cases(rng):
    return [_lattice_case(f"hidden {i}", rng, int(rng.integers(4, 16)), 5, int(rng.integers(1, 4)))
            for i in range(4)]


QUESTIONS = [
    Question("q1", "extended target", "ctc_extend", 1, ctc.extend,
             public=lambda: [Case("[1, 2, 2]", (np.array([1, 2, 2]),)), Case("empty target", (np.array([], dtype=np.int64),)),
                             _extend_case("blank=3", np.random.default_rng(60), 3, 4, blank=3)],
             hidden=lambda rng: [_extend_case(f"hidden {i}", rng, int(rng.integers(1, 6)), 6) for i in range(3)]),
    Question("q2", "forward variables (log alpha)", "ctc_forward", 3, ctc.forward,
             public=_public_lattice_cases, hidden=_hidden_lattice_cases),
    Question("q3", "backward variables (log beta)", "ctc_backward", 3, ctc.backward,
             public=_public_lattice_cases, hidden=_hidden_lattice_cases),
    Question("q4", "per-frame posteriors gamma", "ctc_posteriors", 2, ctc.posteriors,
             public=_public_lattice_cases, hidden=_hidden_lattice_cases),
    Question("q5", "CTC loss", "ctc_loss", 1, ctc.loss,
             public=lambda: _public_lattice_cases()
             + [_lattice_case("too short: [1, 1] needs 3 frames, T=2 (loss inf)", np.random.default_rng(65), 2, 3, 2,
                              target=[1, 1])],
             hidden=_hidden_lattice_cases),
    Question("q6", "gradient with respect to the logits", "ctc_grad_logits", 2, ctc.grad_logits,
             public=_public_lattice_cases, hidden=_hidden_lattice_cases),
]
