"""rnnbook.rnn against torch autograd (nn.RNN and a hand-built graph) and finite differences."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from _helpers import assert_close
from rnnbook import rnn

torch.set_num_threads(1)
RTOL = 1e-8


def make_case(T=7, D=3, H=5, K=4, seed=0, spectral_radius=None):
    rng = np.random.default_rng(seed + 100)
    params = rnn.init_params(D, H, K, seed=seed, spectral_radius=spectral_radius)
    x = rng.standard_normal((T, D))
    targets = rng.integers(0, K, size=T)
    h0 = rng.standard_normal(H) * 0.5
    return params, x, targets, h0


def torch_loss(params, x, targets, weights, h0, truncate):
    """The same loss built step by step in torch, detaching every `truncate` steps like TBPTT code."""
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.zeros(len(params["b_h"]), dtype=torch.float64) if h0 is None else torch.tensor(h0)
    hs = []
    for t in range(x.shape[0]):
        if truncate is not None and t % truncate == 0:
            h = h.detach()
        h = torch.tanh(tp["W_xh"] @ torch.tensor(x[t]) + tp["W_hh"] @ h + tp["b_h"])
        h.retain_grad()
        hs.append(h)
    logits = torch.stack(hs) @ tp["W_hy"].T + tp["b_y"]
    per_time = torch.nn.functional.cross_entropy(logits, torch.tensor(targets), reduction="none")
    w = torch.ones(x.shape[0], dtype=torch.float64) if weights is None else torch.tensor(weights)
    loss = (w * per_time).sum()
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in tp.items()}, np.stack([h.grad.numpy() for h in hs])


@pytest.mark.parametrize("use_h0", [False, True])
def test_forward_equals_torch_nn_rnn(use_h0):
    params, x, _, h0 = make_case()
    h0 = h0 if use_h0 else None
    layer = torch.nn.RNN(3, 5, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.tensor(params["W_xh"]))
        layer.weight_hh_l0.copy_(torch.tensor(params["W_hh"]))
        layer.bias_ih_l0.copy_(torch.tensor(params["b_h"]))
        layer.bias_hh_l0.zero_()
        h_init = None if h0 is None else torch.tensor(h0).reshape(1, 1, 5)
        out, _ = layer(torch.tensor(x)[None], h_init)
    hs, logits = rnn.forward(params, x, h0)
    assert hs.shape == (7, 5) and logits.shape == (7, 4)
    assert_close(hs, out[0].numpy())
    assert_close(logits, hs @ params["W_hy"].T + params["b_y"])



@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_from_torch_gives_the_modules_hidden_states_and_logits(dtype, bias):
    torch.manual_seed(0)
    cell = torch.nn.RNN(3, 5, batch_first=True, bias=bias).to(dtype)
    readout = torch.nn.Linear(5, 4, bias=bias).to(dtype)
    x = torch.randn(1, 7, 3, dtype=dtype)
    with torch.no_grad():
        out, _ = cell(x)
        logits = readout(out)[0]
    params = rnn.from_torch(cell, readout)
    assert list(params) == list(rnn.PARAM_NAMES)
    assert all(v.dtype == np.float64 for v in params.values())
    hs, lib_logits = rnn.forward(params, x[0].double().numpy())
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    np.testing.assert_allclose(hs, out[0].double().numpy(), atol=tol)
    np.testing.assert_allclose(lib_logits, logits.double().numpy(), atol=tol)
    # the params are copies: training the module on does not change them
    before = params["W_hh"].copy()
    with torch.no_grad():
        cell.weight_hh_l0.add_(1.0)
    assert np.array_equal(params["W_hh"], before)


def test_from_torch_sums_the_two_torch_biases_into_b_h():
    torch.manual_seed(1)
    cell, readout = torch.nn.RNN(2, 3), torch.nn.Linear(3, 2)
    params = rnn.from_torch(cell, readout)
    expected = (cell.bias_ih_l0 + cell.bias_hh_l0).detach().double().numpy()
    assert np.array_equal(params["b_h"], expected)
    assert np.array_equal(params["b_y"], readout.bias.detach().double().numpy())


@pytest.mark.parametrize("cell, readout, fragment", [
    (lambda: torch.nn.RNN(2, 3, nonlinearity="relu"), lambda: torch.nn.Linear(3, 2), "tanh"),
    (lambda: torch.nn.GRU(2, 3), lambda: torch.nn.Linear(3, 2), "torch.nn.RNN"),
    (lambda: torch.nn.RNN(2, 3, num_layers=2), lambda: torch.nn.Linear(3, 2), "one layer"),
    (lambda: torch.nn.RNN(2, 3, bidirectional=True), lambda: torch.nn.Linear(6, 2), "one direction"),
    (lambda: torch.nn.RNN(2, 3), lambda: torch.nn.Linear(4, 2), "in_features"),
    (lambda: torch.nn.RNN(2, 3), lambda: None, "torch.nn.Linear"),
])
def test_from_torch_refuses_modules_it_cannot_convert(cell, readout, fragment):
    with pytest.raises(ValueError, match=fragment):
        rnn.from_torch(cell(), readout())


WEIGHTINGS = {
    "dense": lambda T, rng: None,
    "sequence_classification": lambda T, rng: np.eye(T)[T - 1],
    "random_nonnegative": lambda T, rng: rng.uniform(0, 2, T) * (rng.random(T) < 0.7),
}


@pytest.mark.parametrize("weighting", sorted(WEIGHTINGS))
@pytest.mark.parametrize("truncate", [None, 1, 2, 3, 7, 50])
@pytest.mark.parametrize("use_h0", [False, True])
def test_loss_grads_and_deltas_equal_torch_autograd(weighting, truncate, use_h0):
    params, x, targets, h0 = make_case(T=7, seed=3)
    weights = WEIGHTINGS[weighting](7, np.random.default_rng(1))
    h0 = h0 if use_h0 else None
    loss, grads = rnn.loss_and_grads(params, x, targets, weights=weights, h0=h0, truncate=truncate)
    ref_loss, ref_grads, ref_deltas = torch_loss(params, x, targets, weights, h0, truncate)
    assert np.isclose(loss, ref_loss, rtol=RTOL, atol=0)
    assert set(grads) == set(params)
    for name in params:
        assert grads[name].shape == params[name].shape
        assert_close(grads[name], ref_grads[name])
    assert_close(rnn.hidden_grads(params, x, targets, weights, h0, truncate), ref_deltas)
    assert_close(rnn.hidden_grad_norms(params, x, targets, weights, h0, truncate),
                 np.linalg.norm(ref_deltas, axis=1))


def test_gradients_equal_central_finite_differences():
    params, x, targets, h0 = make_case(T=6, D=2, H=3, K=3, seed=5)
    weights = np.random.default_rng(2).uniform(0, 1, 6)
    _, grads = rnn.loss_and_grads(params, x, targets, weights=weights, h0=h0)
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] = value[index] + eps
            plus = rnn.loss_and_grads(shifted, x, targets, weights=weights, h0=h0)[0]
            shifted[name][index] = value[index] - eps
            minus = rnn.loss_and_grads(shifted, x, targets, weights=weights, h0=h0)[0]
            numeric[index] = (plus - minus) / (2 * eps)
        # Central differences are exact to O(eps^2) plus rounding of about 1e-16 / eps.
        assert_close(grads[name], numeric, rtol=1e-7)


def test_truncation_drops_long_range_gradient_only():
    params, x, targets, _ = make_case(T=9, seed=7)
    weights = np.eye(9)[8]
    full = rnn.hidden_grads(params, x, targets, weights)
    cut = rnn.hidden_grads(params, x, targets, weights, truncate=3)
    # The loss at t=8 reaches h_6..h_8 (the block after the cut before step 6) and nothing earlier.
    assert_close(cut[6:], full[6:])
    assert np.all(cut[:6] == 0)


def test_sequence_classification_gradient_vanishes_with_small_spectral_radius():
    params, x, targets, _ = make_case(T=30, H=8, seed=2, spectral_radius=0.5)
    norms = rnn.hidden_grad_norms(params, x, targets, weights=np.eye(30)[29])
    assert norms[0] < 1e-6 * norms[29]


def test_init_params_shapes_seed_and_spectral_radius():
    params = rnn.init_params(3, 6, 2, seed=1, spectral_radius=1.3)
    assert {k: v.shape for k, v in params.items()} == {
        "W_xh": (6, 3), "W_hh": (6, 6), "b_h": (6,), "W_hy": (2, 6), "b_y": (2,)}
    assert np.isclose(np.abs(np.linalg.eigvals(params["W_hh"])).max(), 1.3)
    again = rnn.init_params(3, 6, 2, seed=1, spectral_radius=1.3)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    assert not np.array_equal(params["W_hh"], rnn.init_params(3, 6, 2, seed=2)["W_hh"])


def bad_calls():
    params, x, targets, h0 = make_case()
    missing = {k: v for k, v in params.items() if k != "b_y"}
    wrong_w = dict(params, W_hh=np.zeros((5, 4)))
    nan_x = x.copy()
    nan_x[2, 1] = np.nan
    return [
        (lambda: rnn.forward(missing, x), "keys"),
        (lambda: rnn.forward(wrong_w, x), "W_hh"),
        (lambda: rnn.forward(params, x[:, :2]), "columns"),
        (lambda: rnn.forward(params, x[0]), "2-D"),
        (lambda: rnn.forward(params, nan_x), "NaN"),
        (lambda: rnn.forward(params, x, h0=np.zeros(4)), "h0"),
        (lambda: rnn.loss_and_grads(params, x, np.full(7, 4)), "out of range"),
        (lambda: rnn.loss_and_grads(params, x, targets[:-1]), "length T"),
        (lambda: rnn.loss_and_grads(params, x, targets, weights=-np.ones(7)), ">= 0"),
        (lambda: rnn.loss_and_grads(params, x, targets, weights=np.ones(6)), "weights"),
        (lambda: rnn.loss_and_grads(params, x, targets, truncate=0), "truncate"),
        (lambda: rnn.loss_and_grads(params, x[:0], targets[:0]), "at least one"),
        (lambda: rnn.init_params(3, 0, 2), "H"),
    ]


@pytest.mark.parametrize("case", range(len(bad_calls())))
def test_bad_input_raises_value_error_naming_the_problem(case):
    call, fragment = bad_calls()[case]
    with pytest.raises(ValueError, match=fragment):
        call()


def test_numpy_modules_do_not_import_torch():
    code = ("import sys, rnnbook.rnn, rnnbook.gated, rnnbook.mlp, rnnbook.stability, rnnbook.data, rnnbook.plots;"
            "assert 'torch' not in sys.modules, 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(T=st.integers(1, 9), D=st.integers(1, 3), H=st.integers(1, 4), K=st.integers(2, 4),
       truncate=st.one_of(st.none(), st.integers(1, 10)), seed=st.integers(0, 10_000), dense=st.booleans())
def test_property_random_shapes_equal_torch(T, D, H, K, truncate, seed, dense):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(D, H, K, seed=seed, spectral_radius=rng.uniform(0.1, 2.0))
    x = rng.standard_normal((T, D)) * 2
    targets = rng.integers(0, K, size=T)
    weights = None if dense else rng.uniform(0, 1, T)
    h0 = rng.standard_normal(H)
    loss, grads = rnn.loss_and_grads(params, x, targets, weights=weights, h0=h0, truncate=truncate)
    ref_loss, ref_grads, _ = torch_loss(params, x, targets, weights, h0, truncate)
    assert np.isclose(loss, ref_loss, rtol=RTOL, atol=1e-300)
    for name in params:
        assert np.allclose(grads[name], ref_grads[name], rtol=RTOL, atol=1e-13)


def test_loss_and_gradient_are_linear_in_the_weights():
    params, x, targets, h0 = make_case(seed=11)
    rng = np.random.default_rng(0)
    w1, w2 = rng.uniform(0, 1, 7), rng.uniform(0, 1, 7)
    l1, g1 = rnn.loss_and_grads(params, x, targets, weights=w1, h0=h0)
    l2, g2 = rnn.loss_and_grads(params, x, targets, weights=w2, h0=h0)
    l12, g12 = rnn.loss_and_grads(params, x, targets, weights=2 * w1 + w2, h0=h0)
    assert np.isclose(l12, 2 * l1 + l2, rtol=1e-13)
    for name in params:
        assert np.allclose(g12[name], 2 * g1[name] + g2[name], rtol=1e-12, atol=1e-15)
    zero_loss, zero_grads = rnn.loss_and_grads(params, x, targets, weights=np.zeros(7))
    assert zero_loss == 0 and all(np.all(g == 0) for g in zero_grads.values())


def test_huge_logits_and_saturated_states_stay_finite():
    params, x, targets, _ = make_case(seed=12)
    big = {k: 1e3 * v for k, v in params.items()}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        loss, grads = rnn.loss_and_grads(big, x, targets)
    ref_loss, ref_grads, _ = torch_loss(big, x, targets, None, None, None)
    assert np.isfinite(loss) and np.isclose(loss, ref_loss, rtol=1e-10)
    for name in params:
        assert np.all(np.isfinite(grads[name]))
        assert np.allclose(grads[name], ref_grads[name], rtol=1e-8, atol=1e-8 * np.abs(ref_grads[name]).max())


def test_single_step_sequence():
    params, x, targets, h0 = make_case(T=1, seed=13)
    loss, grads = rnn.loss_and_grads(params, x, targets, h0=h0, truncate=1)
    ref_loss, ref_grads, _ = torch_loss(params, x, targets, None, h0, 1)
    assert np.isclose(loss, ref_loss, rtol=RTOL)
    for name in params:
        assert_close(grads[name], ref_grads[name])
