"""Stability of a recurrence: Jacobians dh_t/dh_{t-1}, their products over a lag, and memory decay.

For h_t = phi(z_t), z_t = W_hh h_{t-1} + U x_t + b, the chain rule gives (§4.5, §5.7)

    J_t = dh_t / dh_{t-1} = diag(phi'(z_t)) W_hh
    dh_t / dh_{t-k} = J_t J_{t-1} ... J_{t-k+1}

whose norm decides whether a gradient (or the memory of an input) fades or blows up with the lag k.
phi is "tanh", "relu" or "linear". For the linear recurrence the product is W_hh^k: its norm behaves like
rho(W_hh)^k for large k, with rho the spectral radius — not like ||W_hh||^k, which only bounds it
(the looseness of §5.7 that chapter 10 shows in numbers).
"""
import numpy as np

from ._checks import as_int, as_matrix, as_vector

ACTIVATIONS = ("tanh", "relu", "linear")


def _check_activation(activation):
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def _square(name, W):
    W = as_matrix(name, W)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be a square (H, H) matrix, got shape {W.shape}")
    return W


def _activate(z, activation):
    if activation == "tanh":
        return np.tanh(z)
    if activation == "relu":
        return np.maximum(z, 0.0)
    return z


def spectral_radius(W):
    """rho(W) = max |eigenvalue| of a square matrix W (H, H)."""
    return float(np.max(np.abs(np.linalg.eigvals(_square("W", W)))))


def recurrence(W_hh, U, x, activation="tanh", b=None, h0=None):
    """Run h_t = phi(W_hh h_{t-1} + U x_t + b) over x (T, D) from h0 (zeros by default).

    W_hh (H, H), U (H, D), b (H,) or None. Returns states (T, H) and pre_activations (T, H) = z_t.
    """
    _check_activation(activation)
    W_hh = _square("W_hh", W_hh)
    H = W_hh.shape[0]
    U = as_matrix("U", U, rows=H)
    x = as_matrix("x", x, cols=U.shape[1])
    b = np.zeros(H) if b is None else as_vector("b", b, length=H)
    h = np.zeros(H) if h0 is None else as_vector("h0", h0, length=H)
    input_part = x @ U.T + b
    states, pre_activations = np.empty((x.shape[0], H)), np.empty((x.shape[0], H))
    for t in range(x.shape[0]):
        pre_activations[t] = W_hh @ h + input_part[t]
        h = _activate(pre_activations[t], activation)
        states[t] = h
    return states, pre_activations


def jacobian(W_hh, pre_activation=None, state=None, activation="tanh"):
    """J_t = dh_t/dh_{t-1} = diag(phi'(z_t)) W_hh (§4.5), for one step or a whole sequence.

    Give the pre-activation z_t or the state h_t = phi(z_t), (H,) or (T, H): phi' follows from either
    (tanh: 1 - h^2; relu: 1 where z > 0, i.e. where h > 0; linear: 1, and neither is needed).
    Returns (H, H) for a single step, (T, H, H) for a sequence.
    """
    _check_activation(activation)
    W_hh = _square("W_hh", W_hh)
    H = W_hh.shape[0]
    if (pre_activation is None) == (state is None):
        if activation == "linear" and pre_activation is None:
            return W_hh.copy()
        raise ValueError("give exactly one of pre_activation and state, got "
                         f"{'both' if pre_activation is not None else 'neither'}")
    name, values = ("pre_activation", pre_activation) if state is None else ("state", state)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim not in (1, 2) or values.shape[-1] != H:
        raise ValueError(f"{name} must have shape (H,) or (T, H) with H={H}, got {values.shape}")
    single_step = values.ndim == 1
    values = as_matrix(name, np.atleast_2d(values))
    if activation == "tanh":
        slope = 1.0 - (np.tanh(values) if state is None else values) ** 2
    elif activation == "relu":
        slope = (values > 0).astype(np.float64)
    else:
        slope = np.ones_like(values)
    jacobians = slope[:, :, None] * W_hh[None, :, :]   # diag(slope) @ W_hh, row by row
    return jacobians[0] if single_step else jacobians


def _check_jacobians(jacobians):
    jacobians = np.asarray(jacobians, dtype=np.float64)
    if jacobians.ndim != 3 or jacobians.shape[1] != jacobians.shape[2]:
        raise ValueError(f"jacobians must be a stack (L, H, H) of square matrices, got shape {jacobians.shape}")
    if not np.isfinite(jacobians).all():
        raise ValueError("jacobians must be finite (no NaN or inf)")
    return jacobians


def lag_products(jacobians):
    """Products of Jacobians over growing lags, from the last step backwards (§5.7).

    jacobians (L, H, H) in time order J_1..J_L (J_t = dh_t/dh_{t-1}). Returns products (L+1, H, H) with
    products[k] = J_L J_{L-1} ... J_{L-k+1} = dh_L / dh_{L-k}, and products[0] the identity.
    """
    jacobians = _check_jacobians(jacobians)
    L, H, _ = jacobians.shape
    products = np.empty((L + 1, H, H))
    products[0] = np.eye(H)
    for k in range(1, L + 1):
        products[k] = products[k - 1] @ jacobians[L - k]
    return products


def lag_singular_values(jacobians):
    """Singular values of dh_L/dh_{L-k} for k = 0..L, shape (L+1, H), largest first in each row.

    Column 0 is the spectral norm (the most a perturbation can grow over k steps), the last column the
    least; for a linear recurrence both approach rho(W_hh)^k at the rate set by the eigenvalues.
    """
    return np.linalg.svd(lag_products(jacobians), compute_uv=False)


def gradient_norms_vs_lag(jacobians, grad_last):
    """How a gradient fades going back: norms of dL/dh_{L-k} for k = 0..L when the loss sits at step L.

    jacobians (L, H, H) in time order; grad_last (H,) = dL/dh_L. Uses the BPTT recursion of §5.5,
    g_{t-1} = g_t J_t. Returns (lags (L+1,) int, norms (L+1,)), ready for ``plots.grad_norm_vs_lag``.
    """
    jacobians = _check_jacobians(jacobians)
    grad = as_vector("grad_last", grad_last, length=jacobians.shape[1])
    L = jacobians.shape[0]
    norms = np.empty(L + 1)
    norms[0] = np.linalg.norm(grad)
    for k in range(1, L + 1):
        grad = grad @ jacobians[L - k]
        norms[k] = np.linalg.norm(grad)
    return np.arange(L + 1), norms


def impulse_response(W_hh, U, impulse, T, activation="linear", b=None, h0=None):
    """The state's response to a single input impulse: how long the recurrence remembers it.

    Runs the recurrence for T steps with x_0 = impulse (D,) and x_t = 0 afterwards, and subtracts the
    same run with x_0 = 0, so only the impulse's effect remains. Returns responses (T, H); for the
    linear recurrence responses[k] = W_hh^k U impulse exactly, whatever b and h0 (superposition).
    """
    T = as_int("T", T, minimum=1)
    W_hh = _square("W_hh", W_hh)
    U = as_matrix("U", U, rows=W_hh.shape[0])
    impulse = as_vector("impulse", impulse, length=U.shape[1])
    kicked = np.zeros((T, U.shape[1]))
    kicked[0] = impulse
    with_impulse, _ = recurrence(W_hh, U, kicked, activation, b, h0)
    without, _ = recurrence(W_hh, U, np.zeros_like(kicked), activation, b, h0)
    return with_impulse - without
