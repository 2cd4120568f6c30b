"""rnnbook.decode against exhaustive search over all labelings (the sum over all paths collapsing to each)
and against the exact CTC probability of rnnbook.ctc."""
import functools
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


# ---------------------------------------------------------------- edit distance and error rate

def edit_distance_by_search(reference, hypothesis):
    """The definition itself: breadth-first search over sequences, one insertion, deletion or
    substitution per step (symbols from the two sequences suffice), until ``hypothesis`` is reached."""
    alphabet = sorted(set(reference) | set(hypothesis))
    start, goal = tuple(reference), tuple(hypothesis)
    seen, frontier, steps = {start}, [start], 0
    limit = max(len(start), len(goal)) + 1
    while goal not in seen:
        following = []
        for s in frontier:
            neighbours = [s[:i] + s[i + 1:] for i in range(len(s))]
            if len(s) < limit:
                neighbours += [s[:i] + (a,) + s[i:] for i in range(len(s) + 1) for a in alphabet]
            neighbours += [s[:i] + (a,) + s[i + 1:] for i in range(len(s)) for a in alphabet]
            for n in neighbours:
                if n not in seen:
                    seen.add(n)
                    following.append(n)
        frontier, steps = following, steps + 1
    return steps


@functools.lru_cache(maxsize=None)
def edit_distance_recursive(a, b):
    """The textbook recursion on the first symbols (no table, tuples only)."""
    if not a or not b:
        return len(a) + len(b)
    return min(edit_distance_recursive(a[1:], b) + 1, edit_distance_recursive(a, b[1:]) + 1,
               edit_distance_recursive(a[1:], b[1:]) + (a[0] != b[0]))


def test_edit_distance_cases_from_the_chapters():
    assert decode.edit_distance("kitten", "sitting") == 3
    assert decode.edit_distance([], [1, 2]) == 2
    assert decode.edit_distance([1, 2, 3], [1, 2, 3]) == 0
    assert decode.edit_distance([1, 2, 3], [3, 2, 1]) == 2
    assert decode.edit_distance([1, 3], [1, 2, 3]) == 1
    assert decode.edit_distance([2, 1], [1, 2]) == 2
    assert decode.edit_distance([7, 8, 9], [9]) == 2
    # tuples from the beam, arrays, floats holding integers and numpy integers all read as labels
    assert decode.edit_distance((1, 2), np.array([1, 2])) == 0
    assert decode.edit_distance([1.0, np.int64(2)], range(1, 3)) == 0
    assert isinstance(decode.edit_distance([1], [2]), int)


every_short_pair = [(a, b) for n in range(4) for m in range(4)
                    for a in itertools.product(range(3), repeat=n) for b in itertools.product(range(3), repeat=m)]


def test_edit_distance_equals_the_definition_on_every_short_pair():
    # every pair of sequences of length <= 3 over 3 symbols: 1600 pairs
    for a, b in every_short_pair:
        expected = edit_distance_recursive(a, b)
        assert decode.edit_distance(list(a), list(b)) == expected, (a, b)
    for a, b in every_short_pair[::7]:
        assert decode.edit_distance(a, b) == edit_distance_by_search(a, b), (a, b)


sequences = st.lists(st.integers(0, 3), max_size=7)


@SETTINGS
@given(a=sequences, b=sequences)
def test_edit_distance_recursion_and_bounds(a, b):
    d = decode.edit_distance(a, b)
    assert d == edit_distance_recursive(tuple(a), tuple(b))
    assert d == decode.edit_distance(b, a)                                  # symmetric
    assert (d == 0) == (a == b)                                             # zero iff equal
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))                  # bounded by the lengths
    assert d <= sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))    # substitute, then pad
    assert decode.edit_distance(a + b, a) == len(b)                         # appending costs its length


@SETTINGS
@given(a=sequences, b=sequences, c=sequences)
def test_edit_distance_triangle_inequality(a, b, c):
    assert decode.edit_distance(a, c) <= decode.edit_distance(a, b) + decode.edit_distance(b, c)


@SETTINGS
@given(pairs=st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=6), sequences),
                      min_size=1, max_size=5))
def test_error_rate_is_total_edits_over_total_reference_length(pairs):
    references, hypotheses = [list(r) for r, _ in pairs], [list(h) for _, h in pairs]
    expected = sum(edit_distance_recursive(tuple(r), tuple(h)) for r, h in pairs) / sum(map(len, references))
    assert decode.error_rate(references, hypotheses) == pytest.approx(expected, rel=1e-15)
    assert decode.error_rate(references, references) == 0.0


def test_error_rate_can_exceed_one_and_allows_empty_references_among_others():
    assert decode.error_rate([[1], []], [[2, 2, 2], [5]]) == 4.0


@pytest.mark.parametrize("reference, hypothesis, match", [
    (5, [1], "reference must be a sequence of labels .* got int"),
    ([1], None, "hypothesis must be a sequence of labels .* got NoneType"),
    ({1, 2}, [1], "reference must be a sequence of labels .* got set"),
    (np.zeros((2, 2)), [1], r"reference must be a 1-D sequence of labels, got an array of shape \(2, 2\)"),
    ([1, True], [1], r"reference\[1\] = True is a bool"),
    ([1], [np.bool_(False)], r"hypothesis\[0\] = .*False_? is a bool"),
    ([1.5], [1], r"reference\[0\] = 1.5 is not a label"),
    ([1], [float("nan")], r"hypothesis\[0\] = nan is not a label"),
    ([[1, 2]], [1], r"reference\[0\] = \[1, 2\] is not a label"),
])
def test_edit_distance_bad_input(reference, hypothesis, match):
    with pytest.raises(ValueError, match=match):
        decode.edit_distance(reference, hypothesis)


@pytest.mark.parametrize("references, hypotheses, match", [
    ([[1]], [[1], [2]], "references and hypotheses must be equally long, got 1 references and 2 hypotheses"),
    ([[], []], [[1], []], r"references hold no label \(total length 0\)"),
    ([], [], r"references hold no label"),
    ("12", ["1", "2"], "references must be a list of label sequences, got str"),
    ([[1]], 3, "hypotheses must be a list of label sequences, got int"),
    ([[1], 2], [[1], [2]], r"references\[1\] must be a sequence of labels"),
    ([[1], [2]], [[1], [True]], r"hypotheses\[1\]\[0\] = True is a bool"),
])
def test_error_rate_bad_input(references, hypotheses, match):
    with pytest.raises(ValueError, match=match):
        decode.error_rate(references, hypotheses)
