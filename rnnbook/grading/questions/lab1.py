"""Lab 1: the tanh RNN forward pass and backpropagation through time, full and truncated (§3-§5)."""
import numpy as np

from rnnbook import rnn

from . import Case, Question, random_params


def _params(rng, D, H, K):
    return random_params(rng, {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (K, H), "b_y": (K,)})


def _sequence(rng, T, D, K):
    params = _params(rng, D, H=int(rng.integers(2, 6)), K=K)
    return params, rng.normal(size=(T, D)), rng.integers(0, K, size=T)


def _forward_case(name, rng, T, D, K, with_h0=False):
    params, x, _ = _sequence(rng, T, D, K)
    kwargs = {"h0": rng.normal(size=params["W_hh"].shape[0])} if with_h0 else {}
    return Case(name, (params, x), kwargs)


def _loss_case(name, rng, T, D, K, weights=None, truncate=None):
    params, x, targets = _sequence(rng, T, D, K)
    return Case(name, (params, x, targets), {"weights": weights, "truncate": truncate})


def loss_and_grads(params, x, targets, weights=None, truncate=None):
    return rnn.loss_and_grads(params, x, targets, weights=weights, truncate=truncate)


def _sequence_classification(T):
    weights = np.zeros(T)
    weights[-1] = 1.0
    return weights


QUESTIONS = [
    Question("q1", "RNN forward pass", "rnn_forward", 3, rnn.forward,
             public=lambda: [_forward_case("T=5, D=3, K=2", np.random.default_rng(11), 5, 3, 2),
                             _forward_case("T=1 (one step)", np.random.default_rng(12), 1, 2, 3),
                             _forward_case("given h0", np.random.default_rng(13), 4, 3, 3, with_h0=True)],
             hidden=lambda rng: [_forward_case(f"hidden {i}", rng, int(rng.integers(2, 9)), 3, 4, i % 2 == 1)
                                 for i in range(4)]),
    Question("q2", "loss and full BPTT gradients", "rnn_loss_and_grads", 4, loss_and_grads,
             public=lambda: [_loss_case("dense targets, T=6", np.random.default_rng(21), 6, 3, 3),
                             _loss_case("T=1", np.random.default_rng(22), 1, 2, 2),
                             _loss_case("sequence classification (weight only at T-1)",
                                        np.random.default_rng(23), 5, 2, 3, weights=_sequence_classification(5))],
              hidden=lambda rng: [_loss_case(f"hidden {i}", rng, int(rng.integers(2, 10)), 3, 3) for i in range(3)]
             + [_loss_case("hidden weighted", rng, 7, 2, 3, weights=rng.uniform(size=7))]),
    Question("q3", "truncated BPTT", "rnn_loss_and_grads", 3, loss_and_grads,
             public=lambda: [_loss_case("T=8, truncate=3", np.random.default_rng(31), 8, 3, 3, truncate=3),
                             _loss_case("truncate=1 (no gradient through time)",
                                        np.random.default_rng(32), 5, 2, 2, truncate=1),
                             _loss_case("truncate >= T (same as full BPTT)",
                                        np.random.default_rng(33), 4, 2, 3, truncate=10)],
             hidden=lambda rng: [_loss_case(f"hidden {i}", rng, int(rng.integers(4, 12)), 3, 3,
                                            truncate=int(rng.integers(2, 5))) for i in range(4)]),
]
