"""Lab 3: CTC — extended target, forward and backward variables, posteriors, loss and gradient (§9)."""
import numpy as np

from rnnbook import ctc

from . import Case, Question, generator, random_log_probs, random_target


def extend_inputs(seed, L, C, blank=0):
    return {"target": random_target(generator(seed), L, C, blank), "blank": blank}


def lattice_inputs(seed, T, C, L=None, blank=0, target=None):
    """Inputs of the lattice questions: a random target of L labels unless ``target`` is given, then
    random log-probabilities (T, C)."""
    rng = generator(seed)
    target = random_target(rng, L, C, blank) if target is None else np.array(target)
    return {"log_probs": random_log_probs(rng, T, C), "target": target, "blank": blank}


# The same public cases for every question on the lattice: alpha, beta, gamma, the loss and its gradient.
LATTICE_CASES = (
    Case("T=6, target [1, 2]", lattice_inputs(61, T=6, C=3, target=[1, 2]), probes="two distinct labels"),
    Case("repeated label [1, 1] (needs a blank between)", lattice_inputs(62, T=5, C=3, target=[1, 1]),
         probes="no skip transition between equal labels"),
    Case("T=10, C=5, L=4", lattice_inputs(63, T=10, C=5, L=4), probes="a longer random target"),
    Case("blank is the last class", lattice_inputs(64, T=7, C=4, L=3, blank=3), probes="blank is not hard-coded as 0"),
)


def hidden_lattice(rng):
    return [Case(f"hidden {i}", lattice_inputs(rng, T=int(rng.integers(4, 16)), C=5, L=int(rng.integers(1, 4))),
                 probes="random lengths; T may be too short for the target") for i in range(4)]


def hidden_extend(rng):
    return [Case(f"hidden {i}", extend_inputs(rng, L=int(rng.integers(1, 6)), C=6), probes="random target")
            for i in range(3)]


QUESTIONS = [
    Question(
        "q1", "extended target", 1, "ctc_extend(target, blank=0)", ctc.extend,
        public=(
            Case("[1, 2, 2]", {"target": np.array([1, 2, 2])}, probes="a repeat, with the default blank"),
            Case("empty target", {"target": np.array([], dtype=np.int64)}, probes="only the blank is left"),
            Case("blank=3", extend_inputs(60, L=3, C=4, blank=3), probes="blank is not hard-coded as 0"),
        ),
        hidden=hidden_extend),
    Question("q2", "forward variables (log alpha)", 3, "ctc_forward(log_probs, target, blank=0)", ctc.forward,
             public=LATTICE_CASES, hidden=hidden_lattice),
    Question("q3", "backward variables (log beta)", 3, "ctc_backward(log_probs, target, blank=0)", ctc.backward,
             public=LATTICE_CASES, hidden=hidden_lattice),
    Question("q4", "per-frame posteriors gamma", 2, "ctc_posteriors(log_probs, target, blank=0)", ctc.posteriors,
             public=LATTICE_CASES, hidden=hidden_lattice),
    Question(
        "q5", "CTC loss", 1, "ctc_loss(log_probs, target, blank=0)", ctc.loss,
        public=LATTICE_CASES + (
            Case("too short: [1, 1] needs 3 frames, T=2 (loss inf)", lattice_inputs(65, T=2, C=3, target=[1, 1]),
                 probes="no alignment fits: the loss is infinite"),
        ),
        hidden=hidden_lattice),
    Question("q6", "gradient with respect to the logits", 2, "ctc_grad_logits(log_probs, target, blank=0)",
             ctc.grad_logits, public=LATTICE_CASES, hidden=hidden_lattice),
]
