"""rnnbook.stability against torch.autograd.functional.jacobian, finite differences and closed forms."""
import numpy as np
import pytest
import torch

from rnnbook import rnn, stability

torch.set_num_threads(1)
H, D = 4, 2


def system(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((H, H)) / np.sqrt(H), rng.standard_normal((H, D)), rng.standard_normal(H)


TORCH_PHI = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_jacobian_equals_torch_autograd(activation):
    W, U, b = system(1)
    x = np.random.default_rng(2).standard_normal((5, D))
    states, pre = stability.recurrence(W, U, x, activation, b=b)
    W_t, U_t, b_t = (torch.tensor(a) for a in (W, U, b))
    previous = np.vstack([np.zeros(H), states[:-1]])
    for t in range(5):
        step = lambda h: TORCH_PHI[activation](W_t @ h + U_t @ torch.tensor(x[t]) + b_t)
        ref = torch.autograd.functional.jacobian(step, torch.tensor(previous[t])).numpy()
        assert np.allclose(stability.jacobian(W, pre_activation=pre[t], activation=activation), ref,
                           rtol=1e-12, atol=1e-14)
        assert np.allclose(stability.jacobian(W, state=states[t], activation=activation), ref,
                           rtol=1e-12, atol=1e-14)
    stacked = stability.jacobian(W, pre_activation=pre, activation=activation)
    assert stacked.shape == (5, H, H)
    assert np.array_equal(stacked[3], stability.jacobian(W, pre_activation=pre[3], activation=activation))


def test_jacobian_equals_finite_differences_of_the_step():
    W, U, b = system(3, scale=1.5)
    x_t = np.array([0.3, -0.7])
    h_prev = np.random.default_rng(0).standard_normal(H)
    step = lambda h: np.tanh(W @ h + U @ x_t + b)
    eps = 1e-6
    numeric = np.column_stack([(step(h_prev + eps * e) - step(h_prev - eps * e)) / (2 * eps) for e in np.eye(H)])
    J = stability.jacobian(W, pre_activation=W @ h_prev + U @ x_t + b)
    assert np.allclose(J, numeric, rtol=1e-8, atol=1e-10)


def test_recurrence_is_the_rnn_hidden_layer():
    params = rnn.init_params(D, H, 3, seed=0)
    x = np.random.default_rng(1).standard_normal((6, D))
    h0 = np.full(H, 0.2)
    states, _ = stability.recurrence(params["W_hh"], params["W_xh"], x, "tanh", b=params["b_h"], h0=h0)
    assert np.allclose(states, rnn.forward(params, x, h0)[0], rtol=1e-14, atol=0)


def test_lag_products_chain_rule_and_identity():
    W, U, b = system(4, scale=1.2)
    x = np.random.default_rng(5).standard_normal((6, D))
    _, pre = stability.recurrence(W, U, x, "tanh", b=b)
    J = stability.jacobian(W, pre_activation=pre)
    products = stability.lag_products(J)
    assert products.shape == (7, H, H) and np.array_equal(products[0], np.eye(H))
    assert np.allclose(products[3], J[5] @ J[4] @ J[3], rtol=1e-13)
    # The product is the Jacobian of the composed map h_2 -> h_5: check it with torch autograd.
    W_t, U_t, b_t = (torch.tensor(a) for a in (W, U, b))
    states, _ = stability.recurrence(W, U, x, "tanh", b=b)

    def three_steps(h):
        for t in (3, 4, 5):
            h = torch.tanh(W_t @ h + U_t @ torch.tensor(x[t]) + b_t)
        return h
    ref = torch.autograd.functional.jacobian(three_steps, torch.tensor(states[2])).numpy()
    assert np.allclose(products[3], ref, rtol=1e-12, atol=1e-14)
    # Singular values: sorted, the first is the spectral norm of the product.
    sv = stability.lag_singular_values(J)
    assert sv.shape == (7, H) and np.all(np.diff(sv, axis=1) <= 0)
    assert np.allclose(sv[:, 0], [np.linalg.norm(P, 2) for P in products], rtol=1e-12)


def test_linear_products_follow_spectral_radius_not_norm():
    # A non-normal W: ||W|| > 1 while rho(W) < 1, so the products still decay (§5.7 is loose here).
    W = np.array([[0.5, 3.0], [0.0, 0.6]])
    rho = stability.spectral_radius(W)
    assert np.isclose(rho, 0.6) and np.linalg.norm(W, 2) > 1
    products = stability.lag_products(np.repeat(stability.jacobian(W, activation="linear")[None], 80, axis=0))
    assert np.allclose(products[5], np.linalg.matrix_power(W, 5), rtol=1e-13)
    norms = np.array([np.linalg.norm(P, 2) for P in products])
    assert norms[1] > 1 and norms[80] < 1e-10
    assert np.isclose(norms[80] ** (1 / 80), rho, rtol=0.05)


@pytest.mark.parametrize("seed", range(4))
def test_spectral_radius_equals_largest_eigenvalue_modulus(seed):
    W = np.random.default_rng(seed).standard_normal((5, 5))
    assert stability.spectral_radius(W) == pytest.approx(np.abs(np.linalg.eigvals(W)).max(), rel=1e-14)
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((5, 5)))[0]
    assert stability.spectral_radius(0.9 * Q) == pytest.approx(0.9, rel=1e-12)   # orthogonal: |eig| = 1


def test_gradient_norms_vs_lag_equal_rnn_bptt():
    params = rnn.init_params(D, H, 3, seed=2, spectral_radius=0.9)
    rng = np.random.default_rng(3)
    x, targets = rng.standard_normal((12, D)), rng.integers(0, 3, 12)
    weights = np.eye(12)[11]
    deltas = rnn.hidden_grads(params, x, targets, weights)
    hs, _ = rnn.forward(params, x)
    J = stability.jacobian(params["W_hh"], state=hs[1:])   # J_1..J_11
    lags, norms = stability.gradient_norms_vs_lag(J, deltas[11])
    assert np.array_equal(lags, np.arange(12))
    assert np.allclose(norms, np.linalg.norm(deltas[::-1], axis=1), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_linear_impulse_response_is_matrix_power_times_input(seed):
    W, U, b = system(seed, scale=0.9)
    impulse = np.array([1.0, -0.5])
    response = stability.impulse_response(W, U, impulse, 10, "linear", b=b, h0=np.ones(H))
    expected = np.stack([np.linalg.matrix_power(W, k) @ U @ impulse for k in range(10)])
    assert np.allclose(response, expected, rtol=1e-12, atol=1e-14)


def test_nonlinear_impulse_response_is_difference_of_runs_and_small_impulse_is_linearised():
    W, U, b = system(7, scale=1.1)
    kicked = np.zeros((8, D))
    kicked[0] = [0.4, 0.1]
    response = stability.impulse_response(W, U, kicked[0], 8, "tanh", b=b)
    expected = stability.recurrence(W, U, kicked, "tanh", b=b)[0] - stability.recurrence(W, U, 0 * kicked, "tanh", b=b)[0]
    assert np.allclose(response, expected, rtol=0, atol=1e-15)
    # A tiny impulse propagates through the Jacobians of the unkicked run: r_k ~ J_k ... J_1 diag(phi') U x.
    tiny = 1e-7 * kicked[0]
    small = stability.impulse_response(W, U, tiny, 8, "tanh", b=b)
    states, pre = stability.recurrence(W, U, 0 * kicked, "tanh", b=b)
    linearised = [(1 - states[0] ** 2) * (U @ tiny)]
    for t in range(1, 8):
        linearised.append(stability.jacobian(W, state=states[t]) @ linearised[-1])
    assert np.allclose(small, np.array(linearised), rtol=1e-5, atol=1e-13)


@pytest.mark.parametrize("call, fragment", [
    (lambda W, U: stability.spectral_radius(np.zeros((2, 3))), "square"),
    (lambda W, U: stability.jacobian(W), "exactly one"),
    (lambda W, U: stability.jacobian(W, pre_activation=np.zeros(H), state=np.zeros(H)), "both"),
    (lambda W, U: stability.jacobian(W, state=np.zeros(H + 1)), "shape"),
    (lambda W, U: stability.jacobian(W, state=np.zeros(H), activation="sigmoid"), "activation"),
    (lambda W, U: stability.lag_products(np.zeros((3, 2, 3))), "square"),
    (lambda W, U: stability.lag_products(np.full((2, 2, 2), np.nan)), "finite"),
    (lambda W, U: stability.gradient_norms_vs_lag(np.zeros((2, H, H)), np.zeros(H + 1)), "grad_last"),
    (lambda W, U: stability.impulse_response(W, U, np.zeros(D + 1), 5), "impulse"),
    (lambda W, U: stability.impulse_response(W, U, np.zeros(D), 0), "T must"),
    (lambda W, U: stability.recurrence(W, U[:-1], np.zeros((3, D))), "U"),
])
def test_bad_input_raises_value_error(call, fragment):
    W, U, _ = system()
    with pytest.raises(ValueError, match=fragment):
        call(W, U)
