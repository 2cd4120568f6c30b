"""The series MLP of chapter 2: one memoryless MLP applied to every x_t on its own (§2.3–2.6).

    hidden_t = tanh(W1 x_t + b1)            the same weights at every t, no state between steps
    logits_t = W2 hidden_t + b2             softmax(logits_t) is y_t
    L        = sum_t cross_entropy(softmax(logits_t), target_t)       (§2.4, §2.6)

Parameters are a dict ``{"W1": (H, D), "b1": (H,), "W2": (K, H), "b2": (K,)}`` of float64 arrays. It is
the RNN of ``rnnbook.rnn`` with W_hh = 0 — the comparison §2.10 draws.
"""
import numpy as np

from ._checks import as_int, as_labels, as_matrix, as_seed, as_vector
from ._softmax import log_softmax

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def init_params(D, H, K, seed=0):
    """Random parameters, uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)] as torch's nn.Linear."""
    D, H, K = (as_int(name, value, minimum=1) for name, value in (("D", D), ("H", H), ("K", K)))
    rng = np.random.default_rng(as_seed(seed))
    b_in, b_out = 1.0 / np.sqrt(D), 1.0 / np.sqrt(H)
    return {"W1": rng.uniform(-b_in, b_in, (H, D)), "b1": rng.uniform(-b_in, b_in, H),
            "W2": rng.uniform(-b_out, b_out, (K, H)), "b2": rng.uniform(-b_out, b_out, K)}


def _check_params(params):
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}, got {got}")
    W1 = as_matrix("W1", params["W1"])
    W2 = as_matrix("W2", params["W2"], cols=W1.shape[0])
    return {"W1": W1, "b1": as_vector("b1", params["b1"], length=W1.shape[0]),
            "W2": W2, "b2": as_vector("b2", params["b2"], length=W2.shape[0])}


def forward(params, x):
    """Apply the MLP to every frame of x (T, D) independently (§2.3).

    Returns hidden (T, H) and logits (T, K); row t depends on x_t alone.
    """
    params = _check_params(params)
    x = as_matrix("x", x, cols=params["W1"].shape[1])
    hidden = np.tanh(x @ params["W1"].T + params["b1"])
    return hidden, hidden @ params["W2"].T + params["b2"]


def _backward_pieces(params, x, targets):
    """Per-time losses (T,) and the per-time error signals at the output and the hidden pre-activation."""
    params = _check_params(params)
    x = as_matrix("x", x, cols=params["W1"].shape[1])
    targets = as_labels("targets", targets, params["W2"].shape[0])
    if targets.shape != (x.shape[0],):
        raise ValueError(f"targets must have length T={x.shape[0]} (one label per frame), got shape {targets.shape}")
    hidden, logits = forward(params, x)
    log_probs = log_softmax(logits)
    frames = np.arange(x.shape[0])
    losses = -log_probs[frames, targets]
    dlogits = np.exp(log_probs)
    dlogits[frames, targets] -= 1.0                           # softmax - one_hot: dl_t/dlogits_t
    dpre = (dlogits @ params["W2"]) * (1.0 - hidden ** 2)    # dl_t/d(W1 x_t + b1)
    return x, hidden, losses, dlogits, dpre


def per_time_loss_and_grads(params, x, targets):
    """The decomposition of §2.5: the loss and gradient of each time step on its own.

    Returns losses (T,) and a dict of per-time gradients, grads[name][t] = d l_t / d name, shapes
    (T, H, D), (T, H), (T, K, H), (T, K). Row t depends only on x_t, targets[t] and the parameters;
    summing over t gives ``loss_and_grads``.
    """
    x, hidden, losses, dlogits, dpre = _backward_pieces(params, x, targets)
    grads = {"W1": np.einsum("th,td->thd", dpre, x), "b1": dpre,
             "W2": np.einsum("tk,th->tkh", dlogits, hidden), "b2": dlogits}
    return losses, grads


def loss_and_grads(params, x, targets):
    """Summed cross-entropy over time (§2.6) and its gradient (§2.5), for x (T, D), targets (T,) in [0, K).

    Returns (loss: float, grads: dict with the keys and shapes of params). The sums over t are matrix
    products; no gradient crosses between time steps because nothing in the model does.
    """
    x, hidden, losses, dlogits, dpre = _backward_pieces(params, x, targets)
    grads = {"W1": dpre.T @ x, "b1": dpre.sum(axis=0), "W2": dlogits.T @ hidden, "b2": dlogits.sum(axis=0)}
    return float(losses.sum()), grads
