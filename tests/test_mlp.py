"""rnnbook.mlp: the series MLP against torch autograd, finite differences and its per-time decomposition."""
import numpy as np
import pytest
import torch

from _helpers import assert_close
from rnnbook import mlp, rnn

torch.set_num_threads(1)


def make_case(T=6, D=3, H=5, K=4, seed=0):
    rng = np.random.default_rng(seed)
    return mlp.init_params(D, H, K, seed=seed), rng.standard_normal((T, D)), rng.integers(0, K, size=T)


@pytest.mark.parametrize("seed", [0, 1])
def test_forward_loss_and_grads_equal_torch(seed):
    params, x, targets = make_case(seed=seed)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    model_hidden = torch.tanh(torch.tensor(x) @ tp["W1"].T + tp["b1"])
    model_logits = model_hidden @ tp["W2"].T + tp["b2"]
    ref_loss = torch.nn.functional.cross_entropy(model_logits, torch.tensor(targets), reduction="sum")
    ref_loss.backward()
    hidden, logits = mlp.forward(params, x)
    assert hidden.shape == (6, 5) and logits.shape == (6, 4)
    assert_close(logits, model_logits.detach().numpy())
    loss, grads = mlp.loss_and_grads(params, x, targets)
    assert np.isclose(loss, ref_loss.item(), rtol=1e-12, atol=0)
    for name in params:
        assert grads[name].shape == params[name].shape
        assert_close(grads[name], tp[name].grad.numpy())


def test_gradients_equal_finite_differences():
    params, x, targets = make_case(T=4, D=2, H=3, K=3, seed=4)
    _, grads = mlp.loss_and_grads(params, x, targets)
    eps = 1e-6
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] += eps
            plus = mlp.loss_and_grads(shifted, x, targets)[0]
            shifted[name][index] -= 2 * eps
            numeric = (plus - mlp.loss_and_grads(shifted, x, targets)[0]) / (2 * eps)
            assert abs(grads[name][index] - numeric) <= 1e-7 * max(1.0, abs(numeric))


def test_per_time_terms_sum_to_total_and_each_sees_only_its_frame():
    params, x, targets = make_case(T=5)
    losses, per_time = mlp.per_time_loss_and_grads(params, x, targets)
    loss, grads = mlp.loss_and_grads(params, x, targets)
    assert losses.shape == (5,) and np.isclose(losses.sum(), loss, rtol=1e-13)
    for name in params:
        assert per_time[name].shape == (5,) + params[name].shape
        assert_close(per_time[name].sum(axis=0), grads[name], rtol=1e-12)
    # §2.5: the gradient at t is that of a one-frame sequence (x_t, y_t): no coupling across time.
    for t in range(5):
        single_loss, single = mlp.loss_and_grads(params, x[t:t + 1], targets[t:t + 1])
        assert np.isclose(losses[t], single_loss, rtol=1e-13)
        for name in params:
            assert_close(per_time[name][t], single[name], rtol=1e-12)


def test_series_mlp_is_an_rnn_without_recurrence():
    params, x, targets = make_case()
    as_rnn = {"W_xh": params["W1"], "W_hh": np.zeros((5, 5)), "b_h": params["b1"],
              "W_hy": params["W2"], "b_y": params["b2"]}
    assert_close(mlp.forward(params, x)[1], rnn.forward(as_rnn, x)[1], rtol=1e-14)
    assert np.isclose(mlp.loss_and_grads(params, x, targets)[0], rnn.loss_and_grads(as_rnn, x, targets)[0])


def test_permuting_time_permutes_outputs():
    params, x, _ = make_case(T=8)
    order = np.random.default_rng(0).permutation(8)
    assert np.array_equal(mlp.forward(params, x[order])[1], mlp.forward(params, x)[1][order])


@pytest.mark.parametrize("call, fragment", [
    (lambda p, x, y: mlp.forward({"W1": p["W1"]}, x), "keys"),
    (lambda p, x, y: mlp.forward(p, x[:, :2]), "columns"),
    (lambda p, x, y: mlp.forward(dict(p, b1=np.zeros(4)), x), "b1"),
    (lambda p, x, y: mlp.forward(p, np.full((2, 3), np.inf)), "finite"),
    (lambda p, x, y: mlp.loss_and_grads(p, x, y[:-1]), "length T"),
    (lambda p, x, y: mlp.loss_and_grads(p, x, y + 4), "out of range"),
    (lambda p, x, y: mlp.per_time_loss_and_grads(p, x, y.astype(float) + 0.5), "integer"),
])
def test_bad_input_raises_value_error(call, fragment):
    params, x, targets = make_case()
    with pytest.raises(ValueError, match=fragment):
        call(params, x, targets)
