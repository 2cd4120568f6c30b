"""rnnbook.gated against torch.nn.LSTM / torch.nn.GRU (weights copied in, float64) and finite differences."""
import numpy as np
import pytest
import torch

from _helpers import assert_close
from rnnbook import gated

torch.set_num_threads(1)
T, D, H = 6, 3, 4


def torch_reference(cell, params, x, dhs, h0, c0):
    """Outputs of torch's layer and the gradients of sum(hs * dhs), i.e. dL/dh_t = dhs[t] from above."""
    layer = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(D, H, batch_first=True).double()
    with torch.no_grad():
        for ours, theirs in (("W_ih", "weight_ih_l0"), ("W_hh", "weight_hh_l0"), ("b_ih", "bias_ih_l0"),
                             ("b_hh", "bias_hh_l0")):
            getattr(layer, theirs).copy_(torch.tensor(params[ours]))
    h = torch.zeros(1, 1, H, dtype=torch.float64) if h0 is None else torch.tensor(h0).reshape(1, 1, H)
    c = torch.zeros(1, 1, H, dtype=torch.float64) if c0 is None else torch.tensor(c0).reshape(1, 1, H)
    h.requires_grad_(True)
    c.requires_grad_(True)
    xt = torch.tensor(x)[None]
    if cell == "lstm":
        out, _ = layer(xt, (h, c))
        cs = []
        # nn.LSTM does not return every c_t: rerun one step at a time to collect them.
        state = (h, c)
        for t in range(T):
            _, state = layer(xt[:, t:t + 1], state)
            cs.append(state[1].reshape(H))
        cs = torch.stack(cs).detach().numpy()
    else:
        out, _ = layer(xt, h)
        cs = None
    (out[0] * torch.tensor(dhs)).sum().backward()
    grads = {ours: getattr(layer, theirs).grad.numpy() for ours, theirs in
             (("W_ih", "weight_ih_l0"), ("W_hh", "weight_hh_l0"), ("b_ih", "bias_ih_l0"), ("b_hh", "bias_hh_l0"))}
    grads["h0"] = h.grad.reshape(H).numpy()
    grads["c0"] = c.grad.reshape(H).numpy() if cell == "lstm" else None
    return out[0].detach().numpy(), cs, grads


def make_case(cell, seed, given_state):
    rng = np.random.default_rng(seed)
    params = gated.init_params(D, H, cell=cell, seed=seed)
    # Larger weights than the default push gates towards saturation, where mistakes would show.
    params = {k: 2.0 * v for k, v in params.items()}
    x = rng.standard_normal((T, D))
    dhs = rng.standard_normal((T, H))
    h0 = rng.standard_normal(H) if given_state else None
    c0 = rng.standard_normal(H) if given_state and cell == "lstm" else None
    return params, x, dhs, h0, c0


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lstm_forward_and_backward_equal_torch(seed, given_state):
    params, x, dhs, h0, c0 = make_case("lstm", seed, given_state)
    ref_hs, ref_cs, ref_grads = torch_reference("lstm", params, x, dhs, h0, c0)
    hs, cs = gated.lstm_forward(params, x, h0, c0)
    assert hs.shape == cs.shape == (T, H)
    assert_close(hs, ref_hs)
    assert_close(cs, ref_cs)
    grads = gated.lstm_backward(params, x, dhs, h0, c0, with_initial_state=True)
    assert set(grads) == {"W_ih", "W_hh", "b_ih", "b_hh", "h0", "c0"}
    for name, ref in ref_grads.items():
        assert_close(grads[name], ref)
    assert set(gated.lstm_backward(params, x, dhs, h0, c0)) == set(params)


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gru_forward_and_backward_equal_torch(seed, given_state):
    params, x, dhs, h0, _ = make_case("gru", seed, given_state)
    ref_hs, _, ref_grads = torch_reference("gru", params, x, dhs, h0, None)
    hs = gated.gru_forward(params, x, h0)
    assert hs.shape == (T, H)
    assert_close(hs, ref_hs)
    grads = gated.gru_backward(params, x, dhs, h0, with_initial_state=True)
    assert set(grads) == {"W_ih", "W_hh", "b_ih", "b_hh", "h0"}
    for name in ("W_ih", "W_hh", "b_ih", "b_hh", "h0"):
        assert_close(grads[name], ref_grads[name])
    # b_hn sits inside r * (...), so the two biases' n-blocks differ (the r- and z-blocks agree).
    assert np.allclose(grads["b_ih"][:2 * H], grads["b_hh"][:2 * H])
    assert not np.allclose(grads["b_ih"][2 * H:], grads["b_hh"][2 * H:])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_backward_equals_finite_differences(cell):
    params, x, dhs, h0, c0 = make_case(cell, 7, True)

    def objective(p):
        hs = gated.lstm_forward(p, x, h0, c0)[0] if cell == "lstm" else gated.gru_forward(p, x, h0)
        return float((hs * dhs).sum())

    grads = (gated.lstm_backward(params, x, dhs, h0, c0) if cell == "lstm"
             else gated.gru_backward(params, x, dhs, h0))
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] += eps
            plus = objective(shifted)
            shifted[name][index] -= 2 * eps
            numeric[index] = (plus - objective(shifted)) / (2 * eps)
        assert_close(grads[name], numeric, rtol=1e-7)


def test_lstm_cell_carries_gradient_when_forget_gate_is_open():
    # Forget gate bias +10 (f ~ 1), input gate bias -10 (i ~ 0): c_t ~ c_0, and dL/dc0 equals the
    # gradient that reaches c_T, undiminished after 50 steps. With the forget gate shut it is gone.
    # W_hh = 0 leaves the cell path as the only route from c_0 to the loss.
    params = gated.init_params(D, H, cell="lstm", seed=3)
    params["W_hh"][:] = 0.0
    params["b_ih"][:H] = -10.0
    x = np.random.default_rng(0).standard_normal((50, D))
    dhs = np.zeros((50, H))
    dhs[-1] = 1.0
    c0 = np.ones(H)
    params["b_ih"][H:2 * H] = 10.0
    grads = gated.lstm_backward(params, x, dhs, c0=c0, with_initial_state=True)
    hs, cs = gated.lstm_forward(params, x, c0=c0)
    assert np.allclose(cs[-1], c0, atol=1e-2)
    output_gate = hs[-1] / np.tanh(cs[-1])
    assert np.allclose(grads["c0"], output_gate * (1 - np.tanh(cs[-1]) ** 2), rtol=0.01)
    params["b_ih"][H:2 * H] = -10.0
    shut = gated.lstm_backward(params, x, dhs, c0=c0, with_initial_state=True)
    assert np.abs(shut["c0"]).max() < 1e-100


@pytest.mark.parametrize("call, fragment", [
    (lambda p, x: gated.lstm_forward(gated.init_params(D, 5, "gru"), x), "4H rows"),
    (lambda p, x: gated.lstm_forward(p, x[:, :2]), "columns"),
    (lambda p, x: gated.lstm_forward(dict(p, W_hh=p["W_hh"][:, :2]), x), "W_hh"),
    (lambda p, x: gated.lstm_forward({"W_ih": p["W_ih"]}, x), "keys"),
    (lambda p, x: gated.lstm_forward(p, x, c0=np.zeros(H + 1)), "c0"),
    (lambda p, x: gated.lstm_backward(p, x, np.zeros((T - 1, H))), "dhs"),
    (lambda p, x: gated.lstm_backward(p, x, np.full((T, H), np.nan)), "NaN"),
    (lambda p, x: gated.gru_forward(gated.init_params(D, 5, "lstm"), x), "3H rows"),
    (lambda p, x: gated.gru_backward(gated.init_params(D, H, "gru"), x, np.zeros((T, H + 1))), "dhs"),
    (lambda p, x: gated.init_params(D, H, cell="rnn"), "cell"),
])
def test_bad_input_raises_value_error(call, fragment):
    params = gated.init_params(D, H, cell="lstm")
    x = np.zeros((T, D))
    with pytest.raises(ValueError, match=fragment):
        call(params, x)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_saturated_gates_do_not_overflow(cell):
    params = {k: 1e3 * v for k, v in gated.init_params(D, H, cell=cell, seed=4).items()}
    x = 10 * np.random.default_rng(0).standard_normal((T, D))
    dhs = np.ones((T, H))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        if cell == "lstm":
            hs = gated.lstm_forward(params, x)[0]
            grads = gated.lstm_backward(params, x, dhs)
        else:
            hs = gated.gru_forward(params, x)
            grads = gated.gru_backward(params, x, dhs)
    ref_hs, _, ref_grads = torch_reference(cell, params, x, dhs, None, None)
    assert np.allclose(hs, ref_hs, rtol=1e-10, atol=1e-12)
    for name in params:
        assert np.all(np.isfinite(grads[name]))
        assert np.allclose(grads[name], ref_grads[name], rtol=1e-8, atol=1e-8 * max(1, np.abs(ref_grads[name]).max()))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_empty_sequence_gives_empty_states_and_zero_gradients(cell):
    params = gated.init_params(D, H, cell=cell)
    x, dhs = np.zeros((0, D)), np.zeros((0, H))
    if cell == "lstm":
        hs, cs = gated.lstm_forward(params, x)
        grads = gated.lstm_backward(params, x, dhs, with_initial_state=True)
        assert cs.shape == (0, H)
    else:
        hs = gated.gru_forward(params, x)
        grads = gated.gru_backward(params, x, dhs, with_initial_state=True)
    assert hs.shape == (0, H)
    assert all(np.all(g == 0) and g.shape == params.get(k, np.zeros(H)).shape for k, g in grads.items())
