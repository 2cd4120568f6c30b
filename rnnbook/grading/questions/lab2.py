"""Lab 2: compression, Viterbi alignment with backtrace, and one step of Viterbi training (§7-§8)."""
import numpy as np

from rnnbook import align
from rnnbook._softmax import log_softmax

from . import Case, Question, generator, random_log_probs, random_target


def viterbi_training_step(W, b, x, S, lr):
    """§8.11 for a linear softmax frame classifier y_t = softmax(W x_t + b): align, then one gradient step.

    Returns (loss before the step, W_new, b_new), loss = -sum_t log y_t(best alignment_t).
    """
    log_probs = log_softmax(x @ W.T + b)
    best_log_score, alignment = align.viterbi(log_probs, S)
    dlogits = np.exp(log_probs)
    dlogits[np.arange(len(alignment)), alignment] -= 1.0
    return -best_log_score, W - lr * dlogits.T @ x, b - lr * dlogits.sum(axis=0)


# The notes' example of §8.10: four frames, two symbols.
NOTES_EXAMPLE = np.log(np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]))


def viterbi_inputs(seed, N, C, K):
    rng = generator(seed)
    log_probs = random_log_probs(rng, N, C)
    return {"log_probs": log_probs, "S": random_target(rng, K, C, blank=None)}


def training_inputs(seed, N, D, C, K):
    rng = generator(seed)
    W, b = rng.normal(scale=0.5, size=(C, D)), rng.normal(scale=0.5, size=C)
    x = rng.normal(size=(N, D))
    return {"W": W, "b": b, "x": x, "S": random_target(rng, K, C, blank=None), "lr": 0.1}


def hidden_compress(rng):
    cases = []
    for i in range(4):
        length = int(rng.integers(1, 12))
        cases.append(Case(f"hidden {i}", {"seq": rng.integers(0, 3, size=length).tolist()},
                          probes="random symbols from three, so runs are common"))
    return cases


def hidden_viterbi(rng):
    return [Case(f"hidden {i}", viterbi_inputs(rng, N=int(rng.integers(6, 15)), C=5, K=int(rng.integers(1, 6))),
                 probes="random lengths") for i in range(4)]


def hidden_training(rng):
    return [Case(f"hidden {i}", training_inputs(rng, N=int(rng.integers(5, 12)), D=3, C=4,
                                                K=int(rng.integers(1, 5))),
                 probes="random lengths") for i in range(3)]


QUESTIONS = [
    Question(
        "q1", "compression", 1, "compress(seq)", align.compress,
        public=(
            Case("with repeats", {"seq": [1, 1, 2, 2, 2, 3]}, probes="runs of two and three merge"),
            Case("empty", {"seq": []}, probes="nothing in, nothing out"),
            Case("alternating", {"seq": [1, 2, 1, 2]}, probes="no run at all: a symbol may come back"),
            Case("one symbol repeated", {"seq": [4, 4, 4]}, probes="a single run"),
        ),
        hidden=hidden_compress),
    Question(
        "q2", "Viterbi alignment with backtrace", 4, "viterbi_align(log_probs, S)", align.viterbi,
        public=(
            Case("the notes' example (§8.10)", {"log_probs": NOTES_EXAMPLE, "S": [0, 1]},
                 probes="the worked example, checkable by hand"),
            Case("N=6, 3 symbols", viterbi_inputs(41, N=6, C=4, K=3), probes="a plain case"),
            Case("N = K (one frame each)", viterbi_inputs(42, N=4, C=5, K=4), probes="only one expansion fits"),
            Case("one symbol", viterbi_inputs(43, N=5, C=3, K=1), probes="held for every frame"),
        ),
        hidden=hidden_viterbi),
    Question(
        "q3", "one step of Viterbi training", 3, "viterbi_training_step(W, b, x, S, lr)", viterbi_training_step,
        public=(
            Case("N=6, D=3, C=4, K=3", training_inputs(51, N=6, D=3, C=4, K=3), probes="a plain step"),
            Case("N=K", training_inputs(52, N=3, D=2, C=3, K=3), probes="the alignment is forced"),
        ),
        hidden=hidden_training),
]
