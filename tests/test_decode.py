"""rnnbook.decode against exhaustive search over all labelings (the sum over all paths collapsing to each)
and against the exact CTC probability of rnnbook.ctc."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnnbook import ctc, decode

SETTINGS = settings(max_examples=50, deadline=None)


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def all_labelings(log_probs, blank):
    """{labeling: log P(labeling | X)} by summing every one of the C**T paths into its labeling."""
    T, C = log_probs.shape
    totals = {}
    for path in itertools.product(range(C), repeat=T):
        labeling = tuple(ctc.collapse(path, blank))
        totals[labeling] = np.logaddexp(totals.get(labeling, -np.inf), log_probs[np.arange(T), path].sum())
    return totals


def test_greedy_collapses_the_best_path():
    spelled = [1, 1, 0, 2, 3, 0, 3, 4, 4]                  # "h h - e l - l o o" with h,e,l,o = 1,2,3,4
    probs = np.full((9, 5), 0.05)
    probs[np.arange(9), spelled] = 0.8
    assert decode.greedy(np.log(probs)) == [1, 2, 3, 3, 4]
    # the same outputs read with the blank moved to the last class
    assert decode.greedy(np.log(probs[:, [1, 2, 3, 4, 0]]), blank=4) == [0, 1, 2, 2, 3]


def test_greedy_is_not_the_most_probable_labeling_but_beam_search_finds_it():
    # two frames, P(blank) = 0.6 each: the best path "--" gives "" (P = 0.36), but "a" has three paths
    # ("a-", "-a", "aa") worth 0.24 + 0.24 + 0.16 = 0.64
    log_probs = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
    assert decode.greedy(log_probs) == []
    result = decode.prefix_beam_search(log_probs, beam_width=2)
    assert [labeling for labeling, _ in result] == [(1,), ()]
    np.testing.assert_allclose([score for _, score in result], np.log([0.64, 0.36]), rtol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 5), C=st.integers(2, 3), blank_last=st.booleans(),
       scale=st.sampled_from([0.5, 2.0, 6.0]))
def test_wide_beam_equals_exhaustive_search(seed, T, C, blank_last, scale):
    log_probs = log_softmax(np.random.default_rng(seed).normal(size=(T, C)) * scale)
    blank = C - 1 if blank_last else 0
    exact = all_labelings(log_probs, blank)
    # every prefix of length <= T over C - 1 labels fits in this beam, so nothing is ever pruned
    wide = sum((C - 1) ** length for length in range(T + 1))
    result = decode.prefix_beam_search(log_probs, beam_width=wide, blank=blank)
    found = dict(result)
    assert len(found) == len(result)                                 # no labeling twice
    assert set(found) == set(exact)
    for labeling, score in exact.items():
        assert found[labeling] == pytest.approx(score, rel=1e-12, abs=1e-12)
    scores = [score for _, score in result]
    assert scores == sorted(scores, reverse=True)                   # best first
    best = max(exact, key=exact.get)
    assert result[0][1] == pytest.approx(exact[best], rel=1e-12, abs=1e-12)
    assert result[0][0] == best or exact[result[0][0]] == pytest.approx(exact[best], rel=1e-12)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 14), C=st.integers(2, 5),
       beam_width=st.integers(1, 4), blank=st.integers(0, 4))
def test_beam_scores_never_exceed_the_exact_probability(seed, T, C, beam_width, blank):
    blank = blank % C
    log_probs = log_softmax(np.random.default_rng(seed).normal(size=(T, C)) * 3)
    result = decode.prefix_beam_search(log_probs, beam_width, blank=blank)
    assert 1 <= len(result) <= beam_width
    assert len({labeling for labeling, _ in result}) == len(result)
    for labeling, score in result:
        assert all(label != blank for label in labeling)
        assert score <= -ctc.loss(log_probs, labeling, blank) + 1e-12


def test_zero_probability_classes_and_single_frame():
    with np.errstate(divide="ignore"):
        log_probs = np.log(np.array([[0.7, 0.3, 0.0]]))
    assert decode.prefix_beam_search(log_probs, 5) == [((), pytest.approx(np.log(0.7))),
                                                       ((1,), pytest.approx(np.log(0.3)))]
    assert decode.greedy(log_probs) == []


GOOD = log_softmax(np.random.default_rng(0).normal(size=(5, 3)))


@pytest.mark.parametrize("beam_width, match", [(0, "beam_width must be an integer >= 1, got 0"),
                                               (-2, "beam_width must be an integer >= 1, got -2"),
                                               (1.5, "beam_width must be an integer >= 1, got 1.5"),
                                               ("4", "beam_width must be an integer >= 1, got '4'")])
def test_bad_beam_width(beam_width, match):
    with pytest.raises(ValueError, match=match):
        decode.prefix_beam_search(GOOD, beam_width)


@pytest.mark.parametrize("function", [decode.greedy, lambda lp, blank=0: decode.prefix_beam_search(lp, 3, blank)])
@pytest.mark.parametrize("log_probs, blank, match", [
    (GOOD[0], 0, r"log_probs must be a 2-D array, got shape \(3,\)"),
    (GOOD[None], 0, r"log_probs must be a 2-D array, got shape \(1, 5, 3\)"),
    (np.where(np.eye(5, 3) > 0, np.nan, GOOD), 0, "log_probs contains NaN"),
    (np.exp(GOOD), 0, "log_probs must hold log-probabilities"),
    (GOOD, 3, r"blank must be an integer in \[0, 3\)"),
    (GOOD[:0], 0, "log_probs must have at least one frame"),
])
def test_bad_log_probs(function, log_probs, blank, match):
    with pytest.raises(ValueError, match=match):
        function(log_probs, blank=blank)
