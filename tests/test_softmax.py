"""rnnbook.softmax, rnnbook.log_softmax and rnnbook.logsumexp against torch and their defining properties."""
import numpy as np
import pytest
import torch

import rnnbook
from rnnbook import log_softmax, logsumexp, softmax

torch.set_num_threads(1)
SHAPES = [(4,), (3, 5), (2, 3, 4)]


def logits_of(shape, seed=0, scale=3.0):
    return np.random.default_rng(seed).normal(size=shape) * scale


@pytest.mark.parametrize("shape", SHAPES)
def test_against_torch(shape):
    z = logits_of(shape)
    np.testing.assert_allclose(softmax(z), torch.softmax(torch.tensor(z), -1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(log_softmax(z), torch.log_softmax(torch.tensor(z), -1).numpy(),
                               rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(logsumexp(z), torch.logsumexp(torch.tensor(z), -1).numpy(), rtol=1e-14)
    assert logsumexp(z, keepdims=True).shape == shape[:-1] + (1,)


@pytest.mark.parametrize("shape", SHAPES)
def test_rows_sum_to_one_and_log_softmax_is_log_of_softmax(shape):
    z = logits_of(shape, seed=1)
    np.testing.assert_allclose(softmax(z).sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(log_softmax(z)).sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), atol=1e-13)
    np.testing.assert_allclose(logsumexp(log_softmax(z)), 0.0, atol=1e-14)


def test_shift_invariance_and_no_overflow():
    z = logits_of((3, 4), seed=2)
    shift = np.array([[1000.0], [-1000.0], [1e6]])
    np.testing.assert_allclose(softmax(z + shift), softmax(z), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(log_softmax(z + shift), log_softmax(z), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(logsumexp(z + shift) - shift[:, 0], logsumexp(z), rtol=1e-9, atol=1e-9)


def test_minus_inf_entries_are_zero_probabilities():
    z = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, 2.0]])
    y = softmax(z)
    assert y[0, 1] == 0 and y[1, 2] == 1
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)
    assert log_softmax(z)[0, 1] == -np.inf and log_softmax(z)[1, 2] == 0
    np.testing.assert_allclose(softmax(z), torch.softmax(torch.tensor(z), -1).numpy(), rtol=1e-14)
    np.testing.assert_allclose(logsumexp(z), torch.logsumexp(torch.tensor(z), -1).numpy(), rtol=1e-14)
    # an all -inf row has no distribution, but its logsumexp is log(0) = -inf, as in torch
    assert logsumexp(np.full((1, 3), -np.inf))[0] == -np.inf


def test_float32_stays_float32_and_lists_are_accepted():
    z32 = logits_of((2, 3)).astype(np.float32)
    assert softmax(z32).dtype == log_softmax(z32).dtype == logsumexp(z32).dtype == np.float32
    assert softmax([1, 2, 3]).dtype == np.float64
    np.testing.assert_allclose(softmax([0.0, 0.0]), [0.5, 0.5])


def test_public_names_are_the_library_functions():
    from rnnbook import _softmax
    assert rnnbook.softmax is _softmax.softmax
    assert rnnbook.log_softmax is _softmax.log_softmax
    assert rnnbook.logsumexp is _softmax.logsumexp


@pytest.mark.parametrize("a, b", [(0.0, 0.0), (-1.5, 2.0), (3.0, -700.0), (-np.inf, -2.0), (-np.inf, -np.inf),
                                  (1e300, 1e300)])
def test_scalar_logaddexp_equals_numpy(a, b):
    from rnnbook._softmax import logaddexp
    assert logaddexp(a, b) == pytest.approx(np.logaddexp(a, b), rel=1e-15)
    assert logaddexp(b, a) == logaddexp(a, b)
