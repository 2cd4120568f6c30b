"""Lab 2: compression, Viterbi alignment with backtrace, and one step of Viterbi training (§7-§8)."""
import numpy as np

from rnnbook import align
from rnnbook._softmax import log_softmax

from . import Case, Question, random_log_probs, random_target


def viterbi_training_step(W, b, x, S, lr):
    """§8.11 for a linear softmax frame classifier y_t = softmax(W x_t + b): align, then one gradient step.

    Returns (loss before the step, W_new, b_new), loss = -sum_t log y_t(best alignment_t).
    """
    log_probs = log_softmax(x @ W.T + b)
    best_log_score, alignment = align.viterbi(log_probs, S)
    dlogits = np.exp(log_probs)
    dlogits[np.arange(len(alignment)), alignment] -= 1.0
    return -best_log_score, W - lr * dlogits.T @ x, b - lr * dlogits.sum(axis=0)


NOTES_EXAMPLE = np.log(np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]))


def _viterbi_case(name, rng, N, C, K):
    return Case(name, (random_log_probs(rng, N, C), random_target(rng, K, C, blank=None)))


def _training_case(name, rng, N, D, C, K):
    W, b = rng.normal(scale=0.5, size=(C, D)), rng.normal(scale=0.5, size=C)
    return Case(name, (W, b, rng.normal(size=(N, D)), random_target(rng, K, C, blank=None), 0.1))


QUESTIONS = [
    Question("q1", "compression", "compress", 1, align.compress,
             public=lambda: [Case("with repeats", ([1, 1, 2, 2, 2, 3],)), Case("empty", ([],)),
                             Case("alternating", ([1, 2, 1, 2],)), Case("one symbol repeated", ([4, 4, 4],))],
             hidden=lambda rng: [Case(f"hidden {i}", (rng.integers(0, 3, size=int(rng.integers(1, 12))).tolist(),))
                                 for i in range(4)]),
    Question("q2", "Viterbi alignment with backtrace", "viterbi_align", 4, align.viterbi,
             public=lambda: [Case("the notes' example (§8.10)", (NOTES_EXAMPLE, [0, 1])),
                             _viterbi_case("N=6, 3 symbols", np.random.default_rng(41), 6, 4, 3),
                             _viterbi_case("N = K (one frame each)", np.random.default_rng(42), 4, 5, 4),
                             _viterbi_case("one symbol", np.random.default_rng(43), 5, 3, 1)],
             hidden=lambda rng: [_viterbi_case(f"hidden {i}", rng, int(rng.integers(6, 15)), 5,
                                               int(rng.integers(1, 6))) for i in range(4)]),
    Question("q3", "one step of Viterbi training", "viterbi_training_step", 3, viterbi_training_step,
             public=lambda: [_training_case("N=6, D=3, C=4, K=3", np.random.default_rng(51), 6, 3, 4, 3),
                             _training_case("N=K", np.random.default_rng(52), 3, 2, 3, 3)],
             hidden=lambda rng: [_training_case(f"hidden {i}", rng, int(rng.integers(5, 12)), 3, 4,
                                                int(rng.integers(1, 5))) for i in range(3)]),
]
