"""Lab 1: the tanh RNN forward pass and backpropagation through time, full and truncated (§3-§5)."""
import numpy as np

from rnnbook import rnn

from . import Case, Question, generator, random_params


def rnn_sequence(rng, T, D, K):
    """Parameters (H drawn from 2..5), inputs x (T, D) and targets (T,) in [0, K), drawn in that order."""
    H = int(rng.integers(2, 6))
    params = random_params(rng, {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (K, H), "b_y": (K,)})
    return params, rng.normal(size=(T, D)), rng.integers(0, K, size=T)


def forward_inputs(seed, T, D, K, h0=False):
    """Inputs of rnn_forward; ``seed`` is a public case's int or the hidden cases' generator."""
    rng = generator(seed)
    params, x, _ = rnn_sequence(rng, T, D, K)
    inputs = {"params": params, "x": x}
    if h0:
        inputs["h0"] = rng.normal(size=params["W_hh"].shape[0])
    return inputs


def loss_inputs(seed, T, D, K, weights=None, truncate=None):
    params, x, targets = rnn_sequence(generator(seed), T, D, K)
    return {"params": params, "x": x, "targets": targets, "weights": weights, "truncate": truncate}


def last_frame_only(T):
    """Loss weights of sequence classification (§5.4): one at T-1, zero elsewhere."""
    weights = np.zeros(T)
    weights[-1] = 1.0
    return weights


def loss_and_grads(params, x, targets, weights=None, truncate=None):
    return rnn.loss_and_grads(params, x, targets, weights=weights, truncate=truncate)


def hidden_forward(rng):
    return [Case(f"hidden {i}", forward_inputs(rng, T=int(rng.integers(2, 9)), D=3, K=4, h0=i % 2 == 1),
                 probes="random length; every other case starts from a given h0")
            for i in range(4)]


def hidden_loss(rng):
    cases = [Case(f"hidden {i}", loss_inputs(rng, T=int(rng.integers(2, 10)), D=3, K=3), probes="random length")
             for i in range(3)]
    weights = rng.uniform(size=7)
    return cases + [Case("hidden weighted", loss_inputs(rng, T=7, D=2, K=3, weights=weights),
                         probes="random weights on every frame")]


def hidden_truncated(rng):
    return [Case(f"hidden {i}", loss_inputs(rng, T=int(rng.integers(4, 12)), D=3, K=3,
                                            truncate=int(rng.integers(2, 5))),
                 probes="random length and truncation")
            for i in range(4)]


QUESTIONS = [
    Question(
        "q1", "RNN forward pass", 3, "rnn_forward(params, x, h0=None)", rnn.forward,
        public=(
            Case("T=5, D=3, K=2", forward_inputs(11, T=5, D=3, K=2), probes="a plain sequence from h0 = 0"),
            Case("T=1 (one step)", forward_inputs(12, T=1, D=2, K=3), probes="no recurrence at all"),
            Case("given h0", forward_inputs(13, T=4, D=3, K=3, h0=True), probes="h0 is used, not zeros"),
        ),
        hidden=hidden_forward),
    Question(
        "q2", "loss and full BPTT gradients", 4, "rnn_loss_and_grads(params, x, targets, weights=None, truncate=None)",
        loss_and_grads,
        public=(
            Case("dense targets, T=6", loss_inputs(21, T=6, D=3, K=3), probes="a target at every frame"),
            Case("T=1", loss_inputs(22, T=1, D=2, K=2), probes="no gradient through time"),
            Case("sequence classification (weight only at T-1)", loss_inputs(23, T=5, D=2, K=3,
                                                                             weights=last_frame_only(5)),
                 probes="weights: the gradient starts at the last frame only"),
        ),
        hidden=hidden_loss),
    Question(
        "q3", "truncated BPTT", 3, "rnn_loss_and_grads(params, x, targets, weights=None, truncate=None)",
        loss_and_grads,
        public=(
            Case("T=8, truncate=3", loss_inputs(31, T=8, D=3, K=3, truncate=3), probes="cuts at t = 3 and 6"),
            Case("truncate=1 (no gradient through time)", loss_inputs(32, T=5, D=2, K=2, truncate=1),
                 probes="every frame cut: W_hh still gets its per-frame term"),
            Case("truncate >= T (same as full BPTT)", loss_inputs(33, T=4, D=2, K=3, truncate=10),
                 probes="only the cut at t = 0, which changes nothing"),
        ),
        hidden=hidden_truncated),
]
