"""rnnbook.ctc against torch (ctc_loss and autograd), finite differences, the notes' loop-by-loop recursions
and exhaustive enumeration of every path on small cases."""
import itertools
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from _helpers import random_log_probs
from rnnbook import ctc, log_softmax, logsumexp

torch.set_num_threads(1)
SETTINGS = settings(max_examples=50, deadline=None)


def random_logits(rng, T, C, scale=2.0):
    return rng.normal(size=(T, C)) * scale


def torch_loss_and_grad(logits, target, blank=0):
    """torch's CTC loss of log_softmax(logits) and its autograd gradient with respect to the logits."""
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    log_probs = torch.log_softmax(z, dim=-1)
    loss = torch.nn.functional.ctc_loss(
        log_probs[:, None, :], torch.tensor([list(target)], dtype=torch.long).reshape(1, -1),
        torch.tensor([len(logits)]), torch.tensor([len(target)]), blank=blank, reduction="none",
        zero_infinity=False)
    loss.sum().backward()
    return loss.item(), z.grad.numpy()


def enumerate_paths(log_probs, target, blank=0):
    """Every length-T path over the C classes that collapses to ``target``, with its log score."""
    T, C = log_probs.shape
    for path in itertools.product(range(C), repeat=T):
        if ctc.collapse(path, blank) == list(target):
            yield path, log_probs[np.arange(T), path].sum()


def notes_forward_backward(probs, target, blank=0):
    """§9.6/§9.7 as the notes write them: loops over t and s, probabilities, 1-based indices shifted to 0.

    Returns alpha and the notes' beta (which excludes the emission at t).
    """
    ext = [blank]
    for label in target:
        ext += [label, blank]
    T, S = len(probs), len(ext)
    alpha = np.zeros((T, S))
    alpha[0, 0] = probs[0, blank]
    if S > 1:
        alpha[0, 1] = probs[0, ext[1]]
    for t in range(1, T):
        for s in range(S):
            bar = alpha[t - 1, s] + (alpha[t - 1, s - 1] if s >= 1 else 0.0)
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                bar += alpha[t - 1, s - 2]
            alpha[t, s] = probs[t, ext[s]] * bar
    beta = np.zeros((T, S))
    beta[T - 1, S - 1] = 1.0
    if S > 1:
        beta[T - 1, S - 2] = 1.0
    for t in range(T - 2, -1, -1):
        for s in range(S):
            total = beta[t + 1, s] * probs[t + 1, ext[s]]
            if s + 1 < S:
                total += beta[t + 1, s + 1] * probs[t + 1, ext[s + 1]]
            if s + 2 < S and ext[s] != blank and ext[s + 2] != ext[s]:
                total += beta[t + 1, s + 2] * probs[t + 1, ext[s + 2]]
            beta[t, s] = total
    return alpha, beta


def no_nan_and_no_warning(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            result = function(*args)
    for part in result if isinstance(result, tuple) else (result,):
        assert not np.isnan(np.asarray(part, dtype=float)).any()
    return result


# --- the lattice and the collapse map ---

def test_extend_notes_example_and_other_blank():
    np.testing.assert_array_equal(ctc.extend([3, 1, 20]), [0, 3, 0, 1, 0, 20, 0])    # "cat", §9.5.1
    np.testing.assert_array_equal(ctc.extend([0, 1], blank=4), [4, 0, 4, 1, 4])
    np.testing.assert_array_equal(ctc.extend([]), [0])
    assert ctc.extend(np.array([2, 2])).dtype == np.int64


def test_collapse_notes_examples():
    c, a, t, e = 1, 2, 3, 4
    assert ctc.collapse([0, c, c, 0, a, a, a, t, 0]) == [c, a, t]                 # §9.3.2 example 1
    assert ctc.collapse("h-e-l-lo", blank="-") == list("hello")
    # §9.3.1 says "remove blanks, then merge repeats"; that would turn this path into "helo". Merging
    # first is the map CTC uses (and the one torch's loss sums over): the blank keeps the two l's apart.
    assert ctc.collapse("hh-ell-lo", blank="-") == list("hello")
    assert ctc.collapse([0, 0, 0]) == []
    assert ctc.collapse(np.array([2, 2, 1, 1, 2]), blank=1) == [2, 2]
    assert ctc.collapse([]) == []


@pytest.mark.parametrize("T, target, expected", [
    (1, [], 1), (4, [], 1), (0, [], 1), (0, [1], 0), (1, [1], 1), (2, [1], 3),
    (2, [1, 1], 0), (3, [1, 1], 1), (3, [1, 2], 5)])
def test_count_alignments_small_by_hand(T, target, expected):
    # (2, [1]): "1-", "-1", "11";  (3, [1, 2]): "12-", "1-2", "-12", "112", "122"
    assert ctc.count_alignments(T, target) == expected


@SETTINGS
@given(T=st.integers(1, 6), target=st.lists(st.integers(1, 2), max_size=4), blank=st.sampled_from([0, 3]))
def test_count_alignments_equals_enumeration(T, target, blank):
    if blank == 3:
        target = [label - 1 for label in target]        # labels 0, 1 with the blank last
    C = 3 if blank == 0 else 4
    log_probs = np.full((T, C), -np.log(C))
    assert ctc.count_alignments(T, target, blank) == sum(1 for _ in enumerate_paths(log_probs, target, blank))


def test_count_alignments_is_exact_for_big_numbers():
    target = [1, 2, 3, 3, 4] * 4
    count = ctc.count_alignments(300, target)
    assert isinstance(count, int) and count > 2 ** 64
    # uniform outputs over C classes: P(target) = count / C**T, which the loss must reproduce
    C, T = 5, 300
    log_probs = np.full((T, C), -np.log(C))
    assert ctc.loss(log_probs, target) == pytest.approx(T * np.log(C) - np.log(float(count)), rel=1e-12)


# --- loss and gradient against torch ---

CASES = {
    "plain": (12, 5, [1, 2, 3], 0),
    "empty target": (6, 4, [], 0),
    "repeat aa": (7, 3, [1, 1], 0),
    "abba": (10, 4, [1, 2, 2, 1], 0),
    "T = L + repeats": (5, 4, [1, 2, 2, 1], 0),
    "T = L, no repeats": (3, 4, [3, 1, 2], 0),
    "blank last": (9, 5, [0, 1, 1, 3], 4),
    "blank in the middle": (9, 5, [0, 4, 1], 2),
    "single frame": (1, 3, [2], 0),
    "long target": (60, 8, list(np.random.default_rng(5).integers(1, 8, 25)), 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_loss_and_grad_logits_equal_torch(name):
    T, C, target, blank = CASES[name]
    logits = random_logits(np.random.default_rng(len(name)), T, C)
    log_probs = log_softmax(logits)
    expected_loss, expected_grad = torch_loss_and_grad(logits, target, blank)
    assert ctc.loss(log_probs, target, blank) == pytest.approx(expected_loss, rel=1e-10)
    np.testing.assert_allclose(ctc.grad_logits(log_probs, target, blank), expected_grad, rtol=1e-8, atol=1e-12)
    both = ctc.loss_and_grad_logits(log_probs, target, blank)
    assert both[0] == pytest.approx(expected_loss, rel=1e-10)
    np.testing.assert_allclose(both[1], expected_grad, rtol=1e-8, atol=1e-12)


def test_grad_logits_equals_finite_differences():
    rng = np.random.default_rng(7)
    logits, target = random_logits(rng, 6, 4), [1, 3, 3]
    grad = ctc.grad_logits(log_softmax(logits), target)
    eps = 1e-6
    numeric = np.zeros_like(logits)
    for index in np.ndindex(*logits.shape):
        step = np.zeros_like(logits)
        step[index] = eps
        numeric[index] = (ctc.loss(log_softmax(logits + step), target)
                          - ctc.loss(log_softmax(logits - step), target)) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_long_sequence_does_not_underflow():
    rng = np.random.default_rng(11)
    T, C = 5000, 10
    target = rng.integers(1, C, 400).tolist()
    logits = random_logits(rng, T, C)
    log_probs = log_softmax(logits)
    expected_loss, expected_grad = torch_loss_and_grad(logits, target)
    loss = ctc.loss(log_probs, target)
    assert np.exp(-loss) == 0.0                 # P itself underflows float64: only log space can hold it
    assert loss == pytest.approx(expected_loss, rel=1e-10)
    grad = ctc.grad_logits(log_probs, target)
    # each entry is a difference of probabilities; torch and we both sum ~5000 rounded log terms
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-10)


def test_too_short_gives_inf_loss_zero_gradient_and_no_nan():
    rng = np.random.default_rng(3)
    logits, target = random_logits(rng, 3, 4), [1, 2, 2]      # needs 4 frames: a blank between the 2s
    log_probs = log_softmax(logits)
    expected_loss, _ = torch_loss_and_grad(logits, target)
    assert expected_loss == np.inf
    assert no_nan_and_no_warning(ctc.loss, log_probs, target) == np.inf
    log_alpha = no_nan_and_no_warning(ctc.forward, log_probs, target)
    log_beta = no_nan_and_no_warning(ctc.backward, log_probs, target)
    assert np.all(log_alpha[-1, -2:] == -np.inf) and np.all(log_beta[0, :2] == -np.inf)
    np.testing.assert_array_equal(no_nan_and_no_warning(ctc.grad_logits, log_probs, target), 0.0)
    np.testing.assert_array_equal(no_nan_and_no_warning(ctc.posteriors, log_probs, target), 0.0)
    loss, grad = no_nan_and_no_warning(ctc.loss_and_grad_logits, log_probs, target)
    assert loss == np.inf and not grad.any()
    # torch's gradient for an infinite loss, with zero_infinity=True, is zero too
    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.ctc_loss(torch.log_softmax(z, -1)[:, None], torch.tensor([target]), torch.tensor([3]),
                                 torch.tensor([3]), reduction="none", zero_infinity=True).sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), 0.0)


def test_zero_probabilities_are_allowed():
    # class 3 never occurs (probability exactly zero); paths through it drop out, nothing becomes NaN
    rng = np.random.default_rng(4)
    probs = np.exp(random_log_probs(rng, 5, 4))
    probs[:, 3] = 0.0
    probs /= probs.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_probs = np.log(probs)
    target = [1, 2]
    exact = logsumexp([score for _, score in enumerate_paths(log_probs, target)])
    assert -no_nan_and_no_warning(ctc.loss, log_probs, target) == pytest.approx(exact, rel=1e-12)
    grad = no_nan_and_no_warning(ctc.grad_logits, log_probs, target)
    np.testing.assert_allclose(grad[:, 3], 0.0, atol=0)
    no_nan_and_no_warning(ctc.backward, log_probs, target)
    no_nan_and_no_warning(ctc.posteriors, log_probs, target)


# --- forward / backward against the notes' recursions and enumeration ---

@pytest.mark.parametrize("target, blank", [([1, 2, 1], 0), ([2, 2], 0), ([], 0), ([0, 0, 1], 2)])
def test_forward_backward_equal_the_notes_loops(target, blank):
    rng = np.random.default_rng(8)
    log_probs = random_log_probs(rng, 7, 3)
    alpha, beta_notes = notes_forward_backward(np.exp(log_probs), target, blank)
    ext = ctc.extend(target, blank)
    np.testing.assert_allclose(np.exp(ctc.forward(log_probs, target, blank)), alpha, rtol=1e-12, atol=0)
    # our beta includes the emission at t: beta = y_t(ext[s]) * beta_notes
    np.testing.assert_allclose(np.exp(ctc.backward(log_probs, target, blank)),
                               np.exp(log_probs[:, ext]) * beta_notes, rtol=1e-12, atol=0)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 6), target=st.lists(st.integers(1, 2), max_size=3))
def test_loss_and_forced_align_equal_enumeration(seed, T, target):
    log_probs = random_log_probs(np.random.default_rng(seed), T, 3)
    paths = list(enumerate_paths(log_probs, target))
    if not paths:
        assert ctc.loss(log_probs, target) == np.inf
        with pytest.raises(ValueError, match="no alignment fits"):
            ctc.forced_align(log_probs, target)
        return
    scores = np.array([score for _, score in paths])
    assert -ctc.loss(log_probs, target) == pytest.approx(logsumexp(scores), rel=1e-12, abs=1e-12)
    path, best = ctc.forced_align(log_probs, target)
    assert best == pytest.approx(scores.max(), rel=1e-12, abs=1e-12)
    assert ctc.collapse(path) == target
    assert log_probs[np.arange(T), path].sum() == pytest.approx(best, rel=1e-12, abs=1e-12)
    assert best <= -ctc.loss(log_probs, target) + 1e-12


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 30), C=st.integers(2, 6), L=st.integers(0, 8),
       blank_last=st.booleans())
def test_lattice_identities(seed, T, C, L, blank_last):
    rng = np.random.default_rng(seed)
    blank = C - 1 if blank_last else 0
    labels = [k for k in range(C) if k != blank]
    target = rng.choice(labels, size=L).tolist()
    logits = random_logits(rng, T, C, scale=3.0)
    log_probs = log_softmax(logits)
    log_p = -ctc.loss(log_probs, target, blank)
    gamma = ctc.posteriors(log_probs, target, blank)
    grad = ctc.grad_logits(log_probs, target, blank)
    if log_p == -np.inf:
        np.testing.assert_array_equal(gamma, 0.0)
        np.testing.assert_array_equal(grad, 0.0)
        return
    # §9.8.1 in our convention: sum_s alpha * beta / y = P at every t
    ext = ctc.extend(target, blank)
    log_alpha, log_beta = ctc.forward(log_probs, target, blank), ctc.backward(log_probs, target, blank)
    np.testing.assert_allclose(logsumexp(log_alpha + log_beta - log_probs[:, ext]), log_p,
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, rtol=0, atol=1e-10)
    assert np.all(gamma >= 0)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-10)
    np.testing.assert_allclose(grad, np.exp(log_probs) - gamma, atol=1e-15)
    assert ctc.forced_align(log_probs, target, blank)[1] <= log_p + 1e-10       # one path <= all paths


def test_posteriors_equal_enumeration():
    rng = np.random.default_rng(9)
    log_probs, target = random_log_probs(rng, 5, 3), [1, 2]
    paths = list(enumerate_paths(log_probs, target))
    weights = np.exp([score for _, score in paths])
    expected = np.zeros((5, 3))
    for (path, _), weight in zip(paths, weights):
        expected[np.arange(5), path] += weight
    np.testing.assert_allclose(ctc.posteriors(log_probs, target), expected / weights.sum(), rtol=1e-12)


# --- forced alignment ---

def test_forced_align_at_the_minimum_length_is_the_only_path():
    log_probs = random_log_probs(np.random.default_rng(2), 5, 4)
    path, score = ctc.forced_align(log_probs, [1, 2, 2, 1])
    np.testing.assert_array_equal(path, [1, 2, 0, 2, 1])
    assert score == pytest.approx(-ctc.loss(log_probs, [1, 2, 2, 1]), rel=1e-12)


def test_forced_align_with_blank_last_and_peaked_outputs():
    # outputs that spell "-aab-b" with blank = 3 (a = 0, b = 1): the best path is that spelling
    spelled = [3, 0, 0, 1, 3, 1]
    probs = np.full((6, 4), 0.02)
    probs[np.arange(6), spelled] = 0.94
    path, score = ctc.forced_align(np.log(probs), [0, 1, 1], blank=3)
    np.testing.assert_array_equal(path, spelled)
    assert score == pytest.approx(6 * np.log(0.94))


# --- a padded batch against torch ---

def test_batch_loss_equals_torch_and_single_losses():
    rng = np.random.default_rng(12)
    T, B, C, blank = 15, 7, 6, 5
    log_probs = log_softmax(rng.normal(size=(T, B, C)) * 2)
    targets = rng.integers(0, 5, size=(B, 6))
    targets[1, :3] = [2, 2, 2]                                    # repeats
    targets[3, :4] = [1, 1, 2, 3]                                 # needs 5 frames, gets 4
    target_lengths = np.array([6, 3, 0, 4, 5, 2, 1])              # an empty target
    input_lengths = np.array([15, 9, 5, 4, 12, 0, 15])            # seq 3 and 5 cannot fit: inf
    targets[np.arange(6)[None, :] >= target_lengths[:, None]] = -7    # padding is ignored
    log_probs[10:, 1] = 3.0                                           # so are frames past input_lengths
    losses = ctc.batch_loss(log_probs, targets, input_lengths, target_lengths, blank=blank)
    expected = torch.nn.functional.ctc_loss(
        torch.tensor(log_probs), torch.tensor(np.where(targets < 0, 0, targets)), torch.tensor(input_lengths),
        torch.tensor(target_lengths), blank=blank, reduction="none", zero_infinity=False).numpy()
    assert np.isinf(expected[[3, 5]]).all()
    np.testing.assert_allclose(losses, expected, rtol=1e-10)
    for b in range(B):
        if input_lengths[b]:
            single = ctc.loss(log_probs[:input_lengths[b], b], targets[b, :target_lengths[b]], blank)
            assert losses[b] == pytest.approx(single, rel=1e-12)


def test_batch_loss_with_empty_input_and_all_empty_targets():
    log_probs = log_softmax(np.random.default_rng(0).normal(size=(4, 3, 3)))
    losses = ctc.batch_loss(log_probs, np.zeros((3, 0), dtype=int), [0, 2, 4], [0, 0, 0])
    assert losses[0] == 0.0                                       # zero frames, empty target: P = 1
    np.testing.assert_allclose(losses[1:], [-log_probs[:2, 1, 0].sum(), -log_probs[:, 2, 0].sum()])


# --- bad input ---

GOOD = log_softmax(np.random.default_rng(0).normal(size=(6, 4)))


@pytest.mark.parametrize("function", [ctc.forward, ctc.backward, ctc.loss, ctc.grad_logits, ctc.posteriors,
                                      ctc.loss_and_grad_logits, ctc.forced_align])
@pytest.mark.parametrize("log_probs, target, blank, match", [
    (GOOD, [1, 4], 0, r"target\[1\] = 4 is out of range: labels must be in \[0, 4\)"),
    (GOOD, [1, -2], 0, r"target\[1\] = -2 is out of range"),
    (GOOD, [1, 0, 2], 0, r"target\[1\] is the blank \(0\)"),
    (GOOD, [3, 1], 3, r"target\[0\] is the blank \(3\)"),
    (GOOD, [[1, 2]], 0, "target must be a 1-D sequence"),
    (GOOD, [1.5], 0, "target must hold integer labels"),
    (GOOD, [1], 4, r"blank must be an integer in \[0, 4\)"),
    (GOOD[0], [1], 0, r"log_probs must be a 2-D array, got shape \(4,\)"),
    (GOOD[None], [1], 0, r"log_probs must be a 2-D array, got shape \(1, 6, 4\)"),
    (np.where(np.eye(6, 4) > 0, np.nan, GOOD), [1], 0, "log_probs contains NaN at index"),
    (np.exp(GOOD), [1], 0, "log_probs must hold log-probabilities .* probabilities sum to"),
    (GOOD + 1.0, [1], 0, r"log_probs must hold log-probabilities .* row \(0,\)"),
    (GOOD[:0], [], 0, "log_probs must have at least one frame"),
])
def test_bad_input_raises_value_error(function, log_probs, target, blank, match):
    with pytest.raises(ValueError, match=match):
        function(log_probs, target, blank)


def test_forced_align_infeasible_and_impossible():
    with pytest.raises(ValueError, match=r"needs at least 6 frames .* T = 4"):
        ctc.forced_align(GOOD[:4], [1, 1, 2, 2])
    impossible = np.array([[np.log(0.5), np.log(0.5), -np.inf]] * 2)       # label 2 never occurs
    with pytest.raises(ValueError, match="every alignment of the target has probability zero"):
        ctc.forced_align(impossible, [2])


@pytest.mark.parametrize("args, match", [
    ((-1, [1]), "T must be a non-negative integer"),
    ((2.0, [1]), "T must be a non-negative integer"),
    ((3, [1, 0]), r"target\[1\] is the blank \(0\)"),
    ((3, [1, -1]), r"target\[1\] = -1 is out of range: labels must be non-negative"),
])
def test_count_alignments_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        ctc.count_alignments(*args)


def test_extend_bad_input():
    with pytest.raises(ValueError, match="blank must be a non-negative integer"):
        ctc.extend([1], blank=-1)
    with pytest.raises(ValueError, match=r"target\[0\] is the blank"):
        ctc.extend([0, 1])


BATCH = log_softmax(np.random.default_rng(0).normal(size=(5, 2, 4)))


@pytest.mark.parametrize("log_probs, targets, input_lengths, target_lengths, match", [
    (BATCH[:, 0], [[1], [2]], [5, 5], [1, 1], r"log_probs must be a 3-D array \(T, B, C\)"),
    (BATCH, [1, 2], [5, 5], [1, 1], r"targets must be a 2-D array \(B, Lmax\) with B = 2"),
    (BATCH, [[1], [2], [3]], [5, 5], [1, 1], r"targets must be a 2-D array \(B, Lmax\) with B = 2"),
    (BATCH, [[1.0], [2.0]], [5, 5], [1, 1], "targets must hold integer labels"),
    (BATCH, [[1], [2]], [5], [1, 1], r"input_lengths must have shape \(2,\)"),
    (BATCH, [[1], [2]], [5, 6], [1, 1], r"input_lengths\[1\] = 6 is out of range: must be in \[0, 5\]"),
    (BATCH, [[1], [2]], [5, 5], [1, 2], r"target_lengths\[1\] = 2 is out of range: must be in \[0, 1\]"),
    (BATCH, [[1], [2]], [5.0, 5.0], [1, 1], "input_lengths must hold integers"),
    (BATCH, [[1], [4]], [5, 5], [1, 1], r"targets\[1, 0\] = 4 is out of range"),
    (BATCH, [[1], [0]], [5, 5], [1, 1], r"targets\[1, 0\] is the blank \(0\)"),
    (np.where(np.ones((5, 2, 4), bool) & (np.arange(4) == 2), np.nan, BATCH), [[1], [2]], [5, 5], [1, 1],
     "log_probs contains NaN"),
    (np.exp(BATCH), [[1], [2]], [5, 5], [1, 1], "log_probs must hold log-probabilities"),
])
def test_batch_loss_bad_input(log_probs, targets, input_lengths, target_lengths, match):
    with pytest.raises(ValueError, match=match):
        ctc.batch_loss(log_probs, np.asarray(targets), np.asarray(input_lengths), np.asarray(target_lengths))
