"""LSTM and GRU forward and backward passes in torch's gate order and weight layout.

The notes' title promises gated cells but only sketch why they are needed (§5.7: products of
Jacobians vanish); chapter 10 of the book builds them. The layout is torch's single-layer
``nn.LSTM`` / ``nn.GRU`` (weight_ih_l0 -> W_ih, ...), so weights copy across one to one:

    LSTM params {"W_ih": (4H, D), "W_hh": (4H, H), "b_ih": (4H,), "b_hh": (4H,)}, row blocks (i, f, g, o)
        i, f, o = sigmoid(.), g = tanh(.)  of  W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        c_t = f * c_{t-1} + i * g          the additive cell path the gradient can travel unshrunk
        h_t = o * tanh(c_t)
    GRU params the same with 3H rows, row blocks (r, z, n)
        r, z = sigmoid(W_i. x_t + b_i. + W_h. h_{t-1} + b_h.)
        n    = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
        h_t  = (1 - z) * n + z * h_{t-1}

The backward passes take dhs (T, H), the gradient of the loss with respect to each h_t coming from
above (an output layer, say), and return the gradient for every parameter by BPTT (§4.5–4.7).
"""
import numpy as np

from ._checks import as_int, as_matrix, as_seed, as_vector

PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh")
GATES = {"lstm": 4, "gru": 3}


def init_params(D, H, cell="lstm", seed=0):
    """Random LSTM (``cell="lstm"``) or GRU (``cell="gru"``) parameters, uniform in [-1/sqrt(H), 1/sqrt(H)]
    as torch initialises them. Returns the params dict described in the module docstring."""
    if not isinstance(cell, str) or cell not in GATES:
        raise ValueError(f"cell must be 'lstm' or 'gru', got {cell!r}")
    D, H = as_int("D", D, minimum=1), as_int("H", H, minimum=1)
    rng = np.random.default_rng(as_seed(seed))
    bound = 1.0 / np.sqrt(H)
    rows = GATES[cell] * H
    return {"W_ih": rng.uniform(-bound, bound, (rows, D)), "W_hh": rng.uniform(-bound, bound, (rows, H)),
            "b_ih": rng.uniform(-bound, bound, rows), "b_hh": rng.uniform(-bound, bound, rows)}


def _check(params, x, cell):
    """Validate params and x for ``cell``; return (float64 params, x, H)."""
    n_gates = GATES[cell]
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{cell.upper()} params must be a dict with keys {list(PARAM_NAMES)}, got {got}")
    W_ih = as_matrix("W_ih", params["W_ih"])
    if W_ih.shape[0] % n_gates:
        raise ValueError(f"W_ih must have {n_gates}H rows for an {cell.upper()}, got shape {W_ih.shape}")
    H = W_ih.shape[0] // n_gates
    checked = {
        "W_ih": W_ih,
        "W_hh": as_matrix("W_hh", params["W_hh"], rows=n_gates * H, cols=H),
        "b_ih": as_vector("b_ih", params["b_ih"], length=n_gates * H),
        "b_hh": as_vector("b_hh", params["b_hh"], length=n_gates * H),
    }
    return checked, as_matrix("x", x, cols=W_ih.shape[1]), H


def _state(name, value, H):
    return np.zeros(H) if value is None else as_vector(name, value, length=H)


def _check_dhs(dhs, T, H):
    return as_matrix("dhs", dhs, rows=T, cols=H)


def _sigmoid(a):
    # Written with exp(-|a|) so that neither branch overflows.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _lstm_run(params, x, h0, c0, H):
    """Forward pass keeping what the backward pass needs: gates (T, 4H) after their nonlinearities."""
    T = x.shape[0]
    input_part = x @ params["W_ih"].T + params["b_ih"] + params["b_hh"]
    hs, cs, gates = np.empty((T, H)), np.empty((T, H)), np.empty((T, 4 * H))
    h, c = h0, c0
    for t in range(T):
        a = input_part[t] + params["W_hh"] @ h
        i, f, o = _sigmoid(a[:H]), _sigmoid(a[H:2 * H]), _sigmoid(a[3 * H:])
        g = np.tanh(a[2 * H:3 * H])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[t], cs[t] = h, c
        gates[t] = np.concatenate([i, f, g, o])
    return hs, cs, gates


def lstm_forward(params, x, h0=None, c0=None):
    """LSTM over one sequence. x (T, D); h0, c0 (H,) or None for zeros. Returns hs (T, H), cs (T, H)."""
    params, x, H = _check(params, x, "lstm")
    hs, cs, _ = _lstm_run(params, x, _state("h0", h0, H), _state("c0", c0, H), H)
    return hs, cs


def lstm_backward(params, x, dhs, h0=None, c0=None, with_initial_state=False):
    """Gradients of an LSTM given dhs (T, H) = dL/dh_t from above, by BPTT through h and c.

    Returns a dict with the keys and shapes of params; ``with_initial_state=True`` adds "h0" and "c0",
    dL/dh0 and dL/dc0 (H,).
    """
    params, x, H = _check(params, x, "lstm")
    T = x.shape[0]
    dhs = _check_dhs(dhs, T, H)
    h0, c0 = _state("h0", h0, H), _state("c0", c0, H)
    hs, cs, gates = _lstm_run(params, x, h0, c0, H)
    previous_h = np.vstack([h0[None, :], hs])[:-1]
    previous_c = np.vstack([c0[None, :], cs])[:-1]
    dpre = np.empty((T, 4 * H))   # dL/d(gate pre-activations)
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    for t in range(T - 1, -1, -1):
        i, f, g, o = gates[t, :H], gates[t, H:2 * H], gates[t, 2 * H:3 * H], gates[t, 3 * H:]
        tanh_c = np.tanh(cs[t])
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
        dpre[t] = np.concatenate([dc * g * i * (1.0 - i),
                                  dc * previous_c[t] * f * (1.0 - f),
                                  dc * i * (1.0 - g ** 2),
                                  dh * tanh_c * o * (1.0 - o)])
        dh_next = dpre[t] @ params["W_hh"]
        dc_next = dc * f   # the cell path: scaled by the forget gate only
    grads = {"W_ih": dpre.T @ x, "W_hh": dpre.T @ previous_h, "b_ih": dpre.sum(axis=0), "b_hh": dpre.sum(axis=0)}
    if with_initial_state:
        grads["h0"], grads["c0"] = dh_next, dc_next
    return grads


def _gru_run(params, x, h0, H):
    """Forward pass keeping r, z, n (T, H) each and the hidden-side candidate term W_hn h + b_hn."""
    T = x.shape[0]
    input_part = x @ params["W_ih"].T + params["b_ih"]
    hs = np.empty((T, H))
    r, z, n, hidden_n = (np.empty((T, H)) for _ in range(4))
    h = h0
    for t in range(T):
        hidden_part = params["W_hh"] @ h + params["b_hh"]
        r[t] = _sigmoid(input_part[t, :H] + hidden_part[:H])
        z[t] = _sigmoid(input_part[t, H:2 * H] + hidden_part[H:2 * H])
        hidden_n[t] = hidden_part[2 * H:]
        n[t] = np.tanh(input_part[t, 2 * H:] + r[t] * hidden_n[t])
        h = (1.0 - z[t]) * n[t] + z[t] * h
        hs[t] = h
    return hs, r, z, n, hidden_n


def gru_forward(params, x, h0=None):
    """GRU over one sequence. x (T, D); h0 (H,) or None for zeros. Returns hs (T, H)."""
    params, x, H = _check(params, x, "gru")
    return _gru_run(params, x, _state("h0", h0, H), H)[0]


def gru_backward(params, x, dhs, h0=None, with_initial_state=False):
    """Gradients of a GRU given dhs (T, H) = dL/dh_t from above, by BPTT.

    Returns a dict with the keys and shapes of params; ``with_initial_state=True`` adds "h0" (H,).
    The input and hidden biases get different gradients for n: b_hn sits inside r * (...).
    """
    params, x, H = _check(params, x, "gru")
    T = x.shape[0]
    dhs = _check_dhs(dhs, T, H)
    h0 = _state("h0", h0, H)
    hs, r, z, n, hidden_n = _gru_run(params, x, h0, H)
    previous_h = np.vstack([h0[None, :], hs])[:-1]
    d_input = np.empty((T, 3 * H))    # dL/d(W_ih x_t + b_ih)
    d_hidden = np.empty((T, 3 * H))   # dL/d(W_hh h_{t-1} + b_hh)
    dh_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh = dhs[t] + dh_next
        dn_pre = dh * (1.0 - z[t]) * (1.0 - n[t] ** 2)
        dr_pre = dn_pre * hidden_n[t] * r[t] * (1.0 - r[t])
        dz_pre = dh * (previous_h[t] - n[t]) * z[t] * (1.0 - z[t])
        d_input[t] = np.concatenate([dr_pre, dz_pre, dn_pre])
        d_hidden[t] = np.concatenate([dr_pre, dz_pre, dn_pre * r[t]])
        dh_next = dh * z[t] + d_hidden[t] @ params["W_hh"]
    grads = {"W_ih": d_input.T @ x, "W_hh": d_hidden.T @ previous_h,
             "b_ih": d_input.sum(axis=0), "b_hh": d_hidden.sum(axis=0)}
    if with_initial_state:
        grads["h0"] = dh_next
    return grads
