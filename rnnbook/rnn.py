"""The Elman (tanh) RNN and backpropagation through time (chapters 3–5 of the notes).

    h_t      = tanh(W_xh x_t + W_hh h_{t-1} + b_h)        (§3.3, h_{-1} = h0, zero by default)
    logits_t = W_hy h_t + b_y                             softmax(logits_t) is y_t
    L        = sum_t w_t * cross_entropy(softmax(logits_t), target_t)     (§4.4, §5.4, §5.8)

Parameters are a dict ``{"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (K, H), "b_y": (K,)}``
of float64 arrays; gradients come back as a dict with the same keys and shapes.
"""
import numbers

import numpy as np

from ._checks import as_int, as_labels, as_matrix, as_seed, as_vector
from ._softmax import log_softmax

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def init_params(D, H, K, seed=0, spectral_radius=None):
    """Random parameters for an RNN with D inputs, H hidden units and K classes.

    Entries are uniform in [-1/sqrt(H), 1/sqrt(H)], torch's ``nn.RNN`` default. If ``spectral_radius``
    is given, W_hh is rescaled to have exactly that spectral radius — the knob of the stability
    experiments (§5.7). Returns the params dict.
    """
    D, H, K = (as_int(name, value, minimum=1) for name, value in (("D", D), ("H", H), ("K", K)))
    rng = np.random.default_rng(as_seed(seed))
    bound = 1.0 / np.sqrt(H)
    params = {
        "W_xh": rng.uniform(-bound, bound, (H, D)),
        "W_hh": rng.uniform(-bound, bound, (H, H)),
        "b_h": rng.uniform(-bound, bound, H),
        "W_hy": rng.uniform(-bound, bound, (K, H)),
        "b_y": rng.uniform(-bound, bound, K),
    }
    if spectral_radius is not None:
        if isinstance(spectral_radius, (bool, np.bool_)) or not isinstance(spectral_radius, numbers.Real) \
                or not np.isfinite(spectral_radius) or spectral_radius < 0:
            raise ValueError(f"spectral_radius must be a finite number >= 0, got {spectral_radius!r}")
        current = np.max(np.abs(np.linalg.eigvals(params["W_hh"])))
        params["W_hh"] *= spectral_radius / current
    return params


def check_params(params):
    """Validate an RNN params dict; return (float64 copy, D, H, K) or raise ValueError."""
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}, got {got}")
    W_xh = as_matrix("W_xh", params["W_xh"])
    H, D = W_xh.shape
    W_hh = as_matrix("W_hh", params["W_hh"], rows=H, cols=H)
    b_h = as_vector("b_h", params["b_h"], length=H)
    W_hy = as_matrix("W_hy", params["W_hy"], cols=H)
    K = W_hy.shape[0]
    b_y = as_vector("b_y", params["b_y"], length=K)
    return {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h, "W_hy": W_hy, "b_y": b_y}, D, H, K


def _tensor_to_numpy(tensor):
    """A float64 numpy copy of a torch tensor (a copy: the params never alias the module's weights)."""
    return tensor.detach().cpu().double().numpy().copy()


def from_torch(cell, readout):
    """The params dict of a trained ``torch.nn.RNN`` (tanh, one layer, one direction) and the
    ``torch.nn.Linear`` readout that maps its hidden states to the K logits.

    torch keeps two biases, ``bias_ih_l0`` and ``bias_hh_l0``; only their sum enters the recurrence,
    and that sum is ``b_h``. A module built with ``bias=False`` gets zero biases. The arrays are float64
    copies, so ``forward(from_torch(cell, readout), x)`` gives the module's hidden states and logits.
    torch is not imported here: the function reads the modules' weights.
    """
    if getattr(cell, "mode", None) != "RNN_TANH":
        what = getattr(cell, "mode", type(cell).__name__)
        raise ValueError(f"cell must be a torch.nn.RNN with nonlinearity='tanh', got {what!r}")
    if cell.num_layers != 1 or cell.bidirectional:
        raise ValueError(f"cell must have one layer and one direction, got num_layers={cell.num_layers}, "
                         f"bidirectional={cell.bidirectional}")
    if not all(hasattr(readout, name) for name in ("weight", "bias", "in_features")):
        raise ValueError(f"readout must be a torch.nn.Linear, got {type(readout).__name__}")
    if readout.in_features != cell.hidden_size:
        raise ValueError(f"readout must take the cell's {cell.hidden_size} hidden units as input, "
                         f"got in_features={readout.in_features}")
    W_hh = _tensor_to_numpy(cell.weight_hh_l0)
    W_hy = _tensor_to_numpy(readout.weight)
    params = {
        "W_xh": _tensor_to_numpy(cell.weight_ih_l0),
        "W_hh": W_hh,
        # summed in the module's dtype, then widened: what the chapters' copies of this function did
        "b_h": _tensor_to_numpy(cell.bias_ih_l0 + cell.bias_hh_l0) if cell.bias else np.zeros(len(W_hh)),
        "W_hy": W_hy,
        "b_y": np.zeros(len(W_hy)) if readout.bias is None else _tensor_to_numpy(readout.bias),
    }
    check_params(params)
    return params


def _initial_state(h0, H):
    return np.zeros(H) if h0 is None else as_vector("h0", h0, length=H)


def forward(params, x, h0=None):
    """Run the RNN over one sequence (§3.3, the forward pass of §4.7).

    x (T, D), h0 (H,) or None for zeros. Returns hs (T, H), the hidden states h_0..h_{T-1}, and
    logits (T, K), the pre-softmax outputs.
    """
    params, D, H, K = check_params(params)
    x = as_matrix("x", x, cols=D)
    h = _initial_state(h0, H)
    # The input projections do not depend on the recurrence: one matrix product for all t.
    input_part = x @ params["W_xh"].T + params["b_h"]
    hs = np.empty((x.shape[0], H))
    for t in range(x.shape[0]):
        h = np.tanh(input_part[t] + params["W_hh"] @ h)
        hs[t] = h
    logits = hs @ params["W_hy"].T + params["b_y"]
    return hs, logits


def _check_loss_inputs(x, targets, weights, truncate, D, K):
    x = as_matrix("x", x, cols=D)
    T = x.shape[0]
    if T == 0:
        raise ValueError("x must hold at least one time step, got shape (0, D)")
    targets = as_labels("targets", targets, K)
    if targets.shape != (T,):
        raise ValueError(f"targets must have length T={T} (one label per frame), got shape {targets.shape}")
    if weights is None:
        weights = np.ones(T)
    else:
        weights = as_vector("weights", weights, length=T)
        if (weights < 0).any():
            raise ValueError(f"weights must be >= 0, got {weights[weights < 0][0]} at index "
                             f"{int(np.argmax(weights < 0))}")
    if truncate is not None:
        as_int("truncate", truncate, minimum=1)
    return x, targets, weights


def _bptt(params, x, targets, weights, h0, truncate):
    """Shared forward + backward pass: returns (loss, grads, deltas) with deltas[t] = dL/dh_t."""
    params, D, H, K = check_params(params)
    x, targets, weights = _check_loss_inputs(x, targets, weights, truncate, D, K)
    h_init = _initial_state(h0, H)
    hs, logits = forward(params, x, h_init)
    T = x.shape[0]
    log_probs = log_softmax(logits)
    frames = np.arange(T)
    loss = float(-(weights * log_probs[frames, targets]).sum())

    # d loss_t / d logits_t = w_t (softmax - one_hot(target)): the familiar softmax + cross-entropy pair.
    dlogits = np.exp(log_probs)
    dlogits[frames, targets] -= 1.0
    dlogits *= weights[:, None]

    deltas = np.empty((T, H))      # dL/dh_t: the local term plus what flows back from h_{t+1} (§4.5)
    dpre = np.empty((T, H))        # dL/da_t, a_t the pre-activation (the book keeps z for logits)
    from_future = np.zeros(H)
    for t in range(T - 1, -1, -1):
        deltas[t] = dlogits[t] @ params["W_hy"] + from_future
        dpre[t] = deltas[t] * (1.0 - hs[t] ** 2)
        # Truncation as torch's h.detach() before step t when t % k == 0: h_{t-1} is a constant there.
        cut = truncate is not None and t % truncate == 0
        from_future = np.zeros(H) if cut else dpre[t] @ params["W_hh"]

    previous = np.vstack([h_init[None, :], hs[:-1]])
    # Shared weights collect one contribution per time step (§4.6): sums over t as matrix products.
    grads = {
        "W_xh": dpre.T @ x,
        "W_hh": dpre.T @ previous,
        "b_h": dpre.sum(axis=0),
        "W_hy": dlogits.T @ hs,
        "b_y": dlogits.sum(axis=0),
    }
    return loss, grads, deltas


def loss_and_grads(params, x, targets, weights=None, h0=None, truncate=None):
    """Weighted cross-entropy over time and its gradient by BPTT (§4.4–4.7, §5.4–5.8).

    x (T, D); targets (T,) ints in [0, K); weights (T,) >= 0 or None for all ones (dense supervision,
    §4.4). A weight vector that is one at T-1 and zero elsewhere is sequence classification (§5.4);
    any other non-negative weights give the weighted loss of §5.8 (targets where the weight is zero
    are ignored but must still be valid labels).

    ``truncate=k`` is truncated BPTT as torch does it: before step t with ``t % k == 0`` the previous
    state is detached, so no gradient flows from h_t into h_{t-1} there. (The notes' §4.9 states a
    sliding window of k steps per loss instead; the block version is what training code does.)

    Returns (loss: float, grads: dict with the keys and shapes of params).
    """
    loss, grads, _ = _bptt(params, x, targets, weights, h0, truncate)
    return loss, grads


def hidden_grads(params, x, targets, weights=None, h0=None, truncate=None):
    """The error signals delta_t = dL/dh_t of §4.5 for t = 0..T-1, shape (T, H).

    Same arguments as ``loss_and_grads``. With one-hot weights at T-1, row t is the gradient that
    reaches h_t from the single loss at the end, T-1-t steps later (§5.5–5.7).
    """
    return _bptt(params, x, targets, weights, h0, truncate)[2]


def hidden_grad_norms(params, x, targets, weights=None, h0=None, truncate=None):
    """Euclidean norms ||dL/dh_t|| for t = 0..T-1, shape (T,): the gradient-vs-lag curves of §5.7."""
    return np.linalg.norm(hidden_grads(params, x, targets, weights, h0, truncate), axis=1)
