"""rnnbook.align against the notes' worked examples (§7.3, §7.4, §8.10) and brute force over expansions."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from _helpers import random_log_probs
from rnnbook import align

SETTINGS = settings(max_examples=50, deadline=None)


def brute_force_viterbi(log_probs, S):
    """Score every expansion; return the best score and the set of expansions reaching it."""
    scored = [(log_probs[np.arange(len(e)), e].sum(), tuple(e)) for e in align.expansions(S, len(log_probs))]
    best = max(score for score, _ in scored)
    return best, {e for score, e in scored if np.isclose(score, best, rtol=0, atol=1e-12)}


# --- compression (§7.3) ---

def test_compress_notes_example():
    assert align.compress(["B", "B", "AH", "AH", "AH", "T"]) == ["B", "AH", "T"]


def test_compress_arrays_strings_and_empty():
    assert align.compress(np.array([3, 3, 1, 1, 3])) == [3, 1, 3]
    assert all(type(x) is int for x in align.compress(np.array([3, 3, 1])))
    assert align.compress("hello") == ["h", "e", "l", "o"]
    assert align.compress([]) == []
    assert align.compress([7]) == [7]


def test_compress_rejects_2d_array():
    with pytest.raises(ValueError, match="1-D"):
        align.compress(np.zeros((2, 3)))


# --- expansion (§7.4) ---

def test_expansions_notes_example():
    S = ["B", "AH", "T"]
    found = [tuple(e) for e in align.expansions(S, 6)]
    for valid in (["B", "B", "AH", "AH", "AH", "T"], ["B", "AH", "AH", "T", "T", "T"],
                  ["B", "B", "B", "AH", "AH", "T"], ["B", "AH", "T", "T", "T", "T"]):
        assert tuple(valid) in found
    assert ("B", "AH", "B", "AH", "T", "T") not in found
    assert len(found) == len(set(found)) == math.comb(5, 2) == align.count_expansions(3, 6)


@pytest.mark.parametrize("S, N", [([0, 1, 2], 5), ([2, 0], 4), ([1], 3), ([0, 1, 0, 1], 6)])
def test_expansions_equal_all_sequences_that_compress_to_S(S, N):
    # brute force over every length-N sequence of the symbols in S (S has no equal neighbours here)
    alphabet = sorted(set(S))
    expected = {seq for seq in itertools.product(alphabet, repeat=N) if align.compress(seq) == S}
    found = [tuple(e) for e in align.expansions(S, N)]
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_expansions_edge_cases():
    assert list(align.expansions([], 0)) == [[]]
    assert list(align.expansions([], 3)) == []
    assert list(align.expansions([1, 2, 3], 2)) == []
    assert list(align.expansions([1, 2], 2)) == [[1, 2]]
    # equal neighbours keep the positional meaning: the two splits of (a, a) over 3 frames look alike
    assert list(align.expansions(["a", "a"], 3)) == [["a", "a", "a"], ["a", "a", "a"]]


def test_count_expansions_edge_cases():
    assert align.count_expansions(0, 0) == 1
    assert align.count_expansions(0, 4) == 0
    assert align.count_expansions(5, 4) == 0
    assert align.count_expansions(1, 100) == 1
    assert align.count_expansions(10, 100) == math.comb(99, 9)     # §7.8's ~1e12
    assert isinstance(align.count_expansions(np.int64(3), 7), int)


@pytest.mark.parametrize("args, match", [((-1, 3), "K must be a non-negative integer"),
                                         ((2, 2.5), "N must be a non-negative integer"),
                                         ((2, -3), "N must be a non-negative integer")])
def test_count_expansions_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        align.count_expansions(*args)


def test_expansions_bad_input():
    with pytest.raises(ValueError, match="N must be a non-negative integer"):
        list(align.expansions([1, 2], -1))
    with pytest.raises(ValueError, match="S must be a 1-D"):
        list(align.expansions(np.zeros((2, 2), dtype=int), 4))


@SETTINGS
@given(K=st.integers(0, 5), N=st.integers(0, 9))
def test_count_expansions_equals_enumeration(K, N):
    assert align.count_expansions(K, N) == len(list(align.expansions(list(range(K)), N)))


# --- Viterbi (§8.8) ---

def test_viterbi_notes_worked_example():
    # §8.10: V* = 0.3024 along (A, A, B, B)
    probs = np.array([[.9, .1], [.6, .4], [.3, .7], [.2, .8]])
    score, alignment = align.viterbi(np.log(probs), [0, 1])
    assert score == pytest.approx(np.log(0.3024), rel=1e-12)
    assert alignment == [0, 0, 1, 1]
    assert all(type(x) is int for x in alignment)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), N=st.integers(1, 7), C=st.integers(1, 4), K=st.integers(1, 4))
def test_viterbi_equals_brute_force(seed, N, C, K):
    rng = np.random.default_rng(seed)
    if K > N:
        K = N
    S = rng.integers(0, C, size=K).tolist()
    log_probs = random_log_probs(rng, N, C)
    score, alignment = align.viterbi(log_probs, S)
    best, best_alignments = brute_force_viterbi(log_probs, S)
    assert score == pytest.approx(best, rel=1e-12, abs=1e-12)
    assert tuple(alignment) in best_alignments
    assert log_probs[np.arange(N), alignment].sum() == pytest.approx(score, rel=1e-12, abs=1e-12)


def test_viterbi_ties_prefer_stay_like_the_notes():
    # all scores equal: the notes' rule "stay if stay >= advance", followed back from the end, holds the
    # last symbol as long as possible
    log_probs = np.log(np.full((4, 3), 1 / 3))
    assert align.viterbi(log_probs, [2, 0])[1] == [2, 0, 0, 0]


def test_viterbi_with_zero_probabilities_and_unnormalised_scores():
    with np.errstate(divide="ignore"):
        log_probs = np.log(np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]))
    # [0, 0, 1] and [0, 1, 1] both score log 0.5; the tie at the last frame goes to "stay"
    assert align.viterbi(log_probs, [0, 1]) == (pytest.approx(np.log(0.5)), [0, 1, 1])
    # Viterbi only compares sums, so shifting a frame's scores shifts the best score and not the path
    scores = random_log_probs(np.random.default_rng(0), 6, 3)
    best, path = align.viterbi(scores, [1, 0, 2])
    shifted = scores + np.arange(6)[:, None]
    assert align.viterbi(shifted, [1, 0, 2]) == (pytest.approx(best + 15), path)


def test_viterbi_minimum_length_and_single_symbol():
    log_probs = random_log_probs(np.random.default_rng(1), 3, 4)
    score, alignment = align.viterbi(log_probs, [3, 1, 2])
    assert alignment == [3, 1, 2]
    assert score == pytest.approx(log_probs[[0, 1, 2], [3, 1, 2]].sum())
    score, alignment = align.viterbi(log_probs, [2])
    assert alignment == [2, 2, 2] and score == pytest.approx(log_probs[:, 2].sum())
    assert align.viterbi(np.zeros((0, 4)), []) == (0.0, [])


@pytest.mark.parametrize("log_probs, S, match", [
    (np.log(np.full((2, 3), 1 / 3)), [0, 1, 2], r"S has 3 symbols but log_probs has only N = 2 frames"),
    (np.log(np.full((4, 3), 1 / 3)), [0, 3], r"S\[1\] = 3 is out of range"),
    (np.log(np.full((4, 3), 1 / 3)), [0, -1], r"S\[1\] = -1 is out of range"),
    (np.log(np.full((4, 3), 1 / 3)), [[0, 1]], "S must be a 1-D"),
    (np.log(np.full((4, 3), 1 / 3)), [0.5], "S must hold integer labels"),
    (np.log(np.full(4, 1 / 3)), [0], r"log_probs must be a 2-D array, got shape \(4,\)"),
    (np.array([[0.0, np.nan], [0.0, 0.0]]), [0], "log_probs contains NaN"),
    (np.array([[0.0, np.inf], [0.0, 0.0]]), [0], "log_probs must be finite or -inf"),
    (np.log(np.full((4, 3), 1 / 3)), [], "S is empty but log_probs has N = 4 frames"),
    (np.array([[0.0, -np.inf], [0.0, -np.inf]]), [0, 1], "every expansion of S has probability zero"),
])
def test_viterbi_bad_input(log_probs, S, match):
    with pytest.raises(ValueError, match=match):
        align.viterbi(log_probs, S)
