"""rnnbook.decode against exhaustive search over all labelings (the sum over all paths collapsing to each)
and against the exact CTC probability of rnnbook.ctc."""
import functools
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnnbook import ctc, decode, log_softmax
from rnnbook._softmax import logaddexp
from rnnbook.lm import NGram

from _helpers import random_log_probs

SETTINGS = settings(max_examples=50, deadline=None)


def all_labelings(log_probs, blank):
    """{labeling: log P(labeling | X)} by summing every one of the C**T paths into its labeling."""
    T, C = log_probs.shape
    totals = {}
    for path in itertools.product(range(C), repeat=T):
        labeling = tuple(ctc.collapse(path, blank))
        totals[labeling] = np.logaddexp(totals.get(labeling, -np.inf), log_probs[np.arange(T), path].sum())
    return totals


# ---------------------------------------------------------------- the frozen pure-Python reference

def _accumulate(table, prefix, ends_blank=-math.inf, ends_label=-math.inf):
    old_blank, old_label = table.get(prefix, (-math.inf, -math.inf))
    table[prefix] = (logaddexp(old_blank, ends_blank), logaddexp(old_label, ends_label))


def pure_prefix_beam_search(log_probs, beam_width, blank=0, lm=None, lm_weight=0.0, insertion_bonus=0.0):
    """The frozen reference: rnnbook.decode.prefix_beam_search as it was before this work (commit 87a1f04,
    pure Python, dictionary updates over T x beam x C), input checks left out, with the language-model
    lines marked "# lm" added (as in the library at 59e2906, before it was vectorized).

    Without an lm and with insertion_bonus = 0, every bonus is 0.0 and adding 0.0 changes no value, so the
    marked lines change nothing: this is then the search of 87a1f04, which the library must equal.
    """
    use_lm = lm is not None and lm_weight > 0                                                 # lm
    labels = [k for k in range(log_probs.shape[1]) if k != blank]
    bonus = {(): 0.0}                                                                         # lm

    def extend(prefix, k):                                                                    # lm
        child = prefix + (k,)                                                                 # lm
        if child not in bonus:                                                                # lm
            term = lm_weight * lm.log_prob(prefix, k) + insertion_bonus if use_lm else insertion_bonus  # lm
            bonus[child] = bonus[prefix] + term                                               # lm
        return child                                                                          # lm

    beam = {(): (0.0, -math.inf)}
    for frame in log_probs.tolist():
        extended = {}
        for prefix, (ends_blank, ends_label) in beam.items():
            total = logaddexp(ends_blank, ends_label)
            _accumulate(extended, prefix, ends_blank=total + frame[blank])
            last = prefix[-1] if prefix else None
            for k in labels:
                if k == last:
                    _accumulate(extended, prefix, ends_label=ends_label + frame[k])
                    _accumulate(extended, extend(prefix, k), ends_label=ends_blank + frame[k])      # lm: extend
                else:
                    _accumulate(extended, extend(prefix, k), ends_label=total + frame[k])           # lm: extend
        ranked = []
        for prefix, (ends_blank, ends_label) in extended.items():
            total = logaddexp(ends_blank, ends_label) + bonus[prefix]                       # lm: + bonus
            if total > -math.inf:
                ranked.append((-total, prefix, ends_blank, ends_label))
        ranked.sort()
        beam = {prefix: (ends_blank, ends_label) for _, prefix, ends_blank, ends_label in ranked[:beam_width]}
    return [(prefix, logaddexp(*scores) + bonus[prefix]) for prefix, scores in beam.items()]  # lm: + bonus


class RandomLM:
    """A language model that is no n-gram: every history gets its own random distribution over the labels
    (the same one each time it is asked), so the whole history matters."""

    def __init__(self, num_classes, blank, seed):
        self.num_classes, self.blank, self.seed = num_classes, blank, seed
        self.rows = {}

    def log_prob(self, history, label):
        assert label != self.blank and self.blank not in history
        history = tuple(history)
        if history not in self.rows:
            logits = np.random.default_rng([self.seed, len(history), *history]).normal(size=self.num_classes)
            logits[self.blank] = -np.inf
            self.rows[history] = log_softmax(2 * logits).tolist()
        return self.rows[history][label]


class NeverCalled:
    def log_prob(self, history, label):
        raise AssertionError("the language model was called")


def lm_score(lm, labeling):
    return sum(lm.log_prob(labeling[:i], labeling[i]) for i in range(len(labeling)))


def random_case(seed, T, C, scale=3.0):
    return random_log_probs(np.random.default_rng(seed), T, C, scale)


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
    log_probs = random_case(seed, T, C, scale)
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
    log_probs = random_case(seed, T, C)
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


GOOD = random_case(0, 5, 3, scale=1.0)


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


# ---------------------------------------------------------------- the language model in the beam

@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 14), C=st.integers(2, 6),
       beam_width=st.integers(1, 12), blank=st.integers(0, 5), scale=st.sampled_from([0.5, 3.0, 10.0]))
def test_without_lm_the_search_is_exactly_the_one_before(seed, T, C, beam_width, blank, scale):
    blank = blank % C
    log_probs = random_case(seed, T, C, scale)
    expected = pure_prefix_beam_search(log_probs, beam_width, blank)
    assert decode.prefix_beam_search(log_probs, beam_width, blank=blank) == expected
    # a language model with weight 0 is never asked
    assert decode.prefix_beam_search(log_probs, beam_width, blank, lm=NeverCalled(), lm_weight=0.0) == expected


@pytest.mark.slow          # a sweep of many cases; `make quick` runs the hypothesis version above
def test_without_lm_the_search_is_exactly_the_one_before_on_many_cases():
    rng = np.random.default_rng(2024)
    for case in range(150):
        T, C = int(rng.integers(1, 25)), int(rng.integers(2, 12))
        log_probs = random_case(case, T, C, scale=float(rng.choice([0.3, 2.0, 8.0])))
        if case % 10 == 0:                                       # some impossible classes (-inf)
            with np.errstate(divide="ignore"):
                probs = np.exp(log_probs) * (rng.random((T, C)) > 0.3)
                probs[:, 0] += 1e-3
                log_probs = np.log(probs / probs.sum(1, keepdims=True))
        for width in (1, 2, 5, 16):
            blank = int(rng.integers(0, C))
            assert decode.prefix_beam_search(log_probs, width, blank) == \
                pure_prefix_beam_search(log_probs, width, blank), (case, width)


def exhaustive(log_probs, blank, lm, lm_weight, insertion_bonus):
    """Every labeling's score by brute force: all C**T alignments summed per labeling (all_labelings),
    plus the language-model and bonus terms."""
    scores = {}
    for labeling, log_p in all_labelings(log_probs, blank).items():
        score = log_p + insertion_bonus * len(labeling)
        if lm is not None and lm_weight > 0:
            score += lm_weight * lm_score(lm, labeling)
        scores[labeling] = score
    return {labeling: score for labeling, score in scores.items() if score > -np.inf}


lm_cases = dict(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 5), C=st.integers(2, 4),
                blank=st.integers(0, 3), kind=st.sampled_from(["none", "ngram", "random"]),
                lm_weight=st.sampled_from([0.0, 0.3, 1.0, 2.5]), insertion_bonus=st.sampled_from([0.0, 1.5, -0.7]))


def make_lm(kind, seed, C, blank):
    if kind == "none":
        return None
    if kind == "random":
        return RandomLM(C, blank, seed)
    labels = [k for k in range(C) if k != blank]
    rng = np.random.default_rng(seed)
    training = [rng.choice(labels, size=int(rng.integers(0, 6))).tolist() for _ in range(8)]
    return NGram(int(rng.integers(1, 4)), C, k=float(rng.choice([0.1, 1.0])), blank=blank).fit(training)


def tied_case(rng, T, C):
    """log_probs of small integer ratios (some zero, so -inf): many candidates tie exactly."""
    counts = rng.integers(0, 3, size=(T, C)).astype(float)
    counts[counts.sum(1) == 0, int(rng.integers(0, C))] = 1.0
    with np.errstate(divide="ignore"):
        return np.log(counts / counts.sum(1, keepdims=True))


@SETTINGS
@given(beam_width=st.integers(1, 40), tied=st.booleans(), **lm_cases)
def test_vectorized_search_equals_the_pure_one_to_the_bit(seed, T, C, blank, kind, lm_weight, insertion_bonus,
                                                           beam_width, tied):
    blank = blank % C
    rng = np.random.default_rng(seed)
    T = T * 3                                            # longer than the exhaustive tests can afford
    log_probs = tied_case(rng, T, C) if tied else random_case(seed, T, C)
    lm = make_lm(kind, seed, C, blank)
    lm_weight = lm_weight if lm is not None else 0.0
    assert decode.prefix_beam_search(log_probs, beam_width, blank, lm=lm, lm_weight=lm_weight,
                                     insertion_bonus=insertion_bonus) == \
        pure_prefix_beam_search(log_probs, beam_width, blank, lm, lm_weight, insertion_bonus)


@pytest.mark.slow          # a sweep of many cases; `make quick` runs the hypothesis version above
def test_vectorized_search_equals_the_pure_one_on_many_cases():
    rng = np.random.default_rng(7)
    for case in range(60):
        T, C = int(rng.integers(1, 20)), int(rng.integers(2, 12))
        blank = int(rng.integers(0, C))
        scale = float(rng.choice([0.5, 4.0]))
        log_probs = tied_case(rng, T, C) if case % 4 == 0 else random_case(case, T, C, scale)
        lm = make_lm(["none", "ngram", "random"][case % 3], case, C, blank)
        lm_weight = float(rng.choice([0.2, 1.0, 3.0])) if lm is not None else 0.0
        insertion_bonus = float(rng.choice([0.0, 0.8, -1.3]))
        for width in (1, 3, 8, 32):
            assert decode.prefix_beam_search(log_probs, width, blank, lm=lm, lm_weight=lm_weight,
                                             insertion_bonus=insertion_bonus) == \
                pure_prefix_beam_search(log_probs, width, blank, lm, lm_weight, insertion_bonus), (case, width)


def test_an_lm_that_forbids_everything_leaves_no_hypothesis():
    class ForbidAll:
        def log_prob(self, history, label):
            return -math.inf
    with np.errstate(divide="ignore"):
        log_probs = np.log(np.array([[0.0, 0.5, 0.5], [0.2, 0.4, 0.4]]))
    assert decode.prefix_beam_search(log_probs, 4, lm=ForbidAll(), lm_weight=1.0) == []
    assert pure_prefix_beam_search(log_probs, 4, 0, ForbidAll(), 1.0) == []


@SETTINGS
@given(beam_width=st.integers(1, 6), **lm_cases)
def test_beam_against_exhaustive_search_with_lm_and_bonus(seed, T, C, blank, kind, lm_weight, insertion_bonus,
                                                          beam_width):
    blank = blank % C
    log_probs = random_case(seed, T, C)
    lm = make_lm(kind, seed, C, blank)
    lm_weight = lm_weight if lm is not None else 0.0
    exact = exhaustive(log_probs, blank, lm, lm_weight, insertion_bonus)

    def search(width):
        return decode.prefix_beam_search(log_probs, width, blank, lm=lm, lm_weight=lm_weight,
                                         insertion_bonus=insertion_bonus)

    # a beam that holds every prefix prunes nothing: it returns every labeling with its exhaustive score
    result = search(sum((C - 1) ** length for length in range(T + 1)))
    found = dict(result)
    assert len(found) == len(result) and set(found) == set(exact)
    for labeling, score in exact.items():
        assert found[labeling] == pytest.approx(score, rel=1e-12, abs=1e-12)
    assert exact[result[0][0]] == pytest.approx(max(exact.values()), rel=1e-12, abs=1e-12)
    # pruning only drops paths: every score is at most the labeling's exhaustive score, and the best
    # score of any beam at most the best of the complete beam
    pruned = search(beam_width)
    assert 1 <= len(pruned) <= beam_width
    for labeling, score in pruned:
        assert blank not in labeling
        assert score <= exact[labeling] + 1e-9
    assert pruned[0][1] <= result[0][1] + 1e-9
    for ranked in (result, pruned):                      # best first, equal scores by the labeling
        keys = [(-score, labeling) for labeling, score in ranked]
        assert keys == sorted(keys)


@st.composite
def dominated_by_one_path(draw):
    """log_probs whose best path has probability > 1/2: each frame's top class gets at least 2**(-1/T)."""
    T, C = draw(st.integers(1, 12)), draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    floor = 0.5 ** (1 / T)
    probs = np.empty((T, C))
    for t in range(T):
        top = floor + (1 - floor) * rng.uniform(0.01, 1.0)
        rest = rng.dirichlet(np.ones(C - 1)) * (1 - top)
        probs[t] = np.insert(rest, 0, top)[np.argsort(rng.permutation(C))]
    assert np.prod(probs.max(1)) > 0.5
    return np.log(probs), draw(st.integers(0, C - 1)), draw(st.integers(1, 6))


@SETTINGS
@given(case=dominated_by_one_path())
def test_beam_agrees_with_greedy_when_the_best_path_has_probability_above_one_half(case):
    # the best path's prefix then holds more than half the mass at every frame, so it is the unique
    # best candidate at every frame, whatever the width: the beam's best is the collapsed best path
    log_probs, blank, beam_width = case
    greedy = decode.greedy(log_probs, blank)
    assert list(decode.prefix_beam_search(log_probs, beam_width, blank)[0][0]) == greedy
    assert list(decode.prefix_beam_search(log_probs, 1, blank)[0][0]) == greedy


def test_beam_of_one_is_not_greedy_in_general():
    # the prefix "a" keeps both its blank and its "a" mass (0.3 + 0.3), while greedy follows "b" (0.4)
    log_probs = np.log(np.array([[0.05, 0.9, 0.05], [0.3, 0.3, 0.4]]))
    assert decode.greedy(log_probs) == [1, 2]
    assert decode.prefix_beam_search(log_probs, 1)[0][0] == (1,)


def test_equal_scores_are_ranked_by_the_labeling():
    log_probs = np.log(np.full((2, 3), 1 / 3))
    result = decode.prefix_beam_search(log_probs, 10)
    # "a" and "b" have 3 paths each, "", "ab" and "ba" one each: ties ranked by the labeling
    assert [labeling for labeling, _ in result] == [(1,), (2,), (), (1, 2), (2, 1)]
    assert result[0][1] == result[1][1] and result[2][1] == result[3][1] == result[4][1]


def test_a_language_model_changes_the_decision():
    # the network hesitates between "12" and "21"; the language model has only seen "21"
    probs = np.array([[0.02, 0.50, 0.48], [0.9, 0.05, 0.05], [0.02, 0.48, 0.50]])
    log_probs = np.log(probs)
    assert decode.prefix_beam_search(log_probs, 4)[0][0] == (1, 2)
    lm = NGram(2, 3, k=0.5, blank=0).fit([[2, 1]] * 10)
    with_lm = decode.prefix_beam_search(log_probs, 4, lm=lm, lm_weight=1.0)
    assert with_lm[0][0] == (2, 1)
    for labeling, score in with_lm:
        assert score == pytest.approx(-ctc.loss(log_probs, list(labeling)) + lm.log_prob_sequence(labeling))
    # an insertion penalty this large prefers the empty labeling
    assert decode.prefix_beam_search(log_probs, 4, insertion_bonus=-10.0)[0][0] == ()


def test_an_impossible_label_under_the_lm_drops_the_prefix():
    class ForbidTwo:
        def log_prob(self, history, label):
            return -math.inf if label == 2 else math.log(0.5)
    log_probs = np.log(np.array([[0.1, 0.2, 0.7], [0.1, 0.2, 0.7]]))
    result = decode.prefix_beam_search(log_probs, 20, lm=ForbidTwo(), lm_weight=1.0)
    assert all(2 not in labeling for labeling, _ in result)
    assert {labeling for labeling, _ in result} == {(), (1,)}


@pytest.mark.parametrize("kwargs, match", [
    (dict(lm_weight=-0.5, lm=NGram(2, 3)), "lm_weight must be >= 0 .* got -0.5"),
    (dict(lm_weight=0.5), "lm_weight is 0.5 but no lm was given"),
    (dict(lm_weight=float("nan"), lm=NGram(2, 3)), "lm_weight must be a finite number, got nan"),
    (dict(lm_weight=True, lm=NGram(2, 3)), "lm_weight must be a finite number, got True"),
    (dict(insertion_bonus=float("inf")), "insertion_bonus must be a finite number, got inf"),
    (dict(insertion_bonus="1"), "insertion_bonus must be a finite number, got '1'"),
    (dict(lm=object(), lm_weight=1.0), r"lm must have a method log_prob\(history, label\), got object"),
    (dict(lm=NGram(2, 4), lm_weight=1.0), "lm is over 4 labels but log_probs has 3 classes"),
    (dict(lm=NGram(2, 3, blank=2), lm_weight=1.0), "lm sets aside label 2 as its blank but the blank here is 0"),
])
def test_bad_language_model_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decode.prefix_beam_search(GOOD, 3, **kwargs)


@pytest.mark.parametrize("value", [float("nan"), math.inf, None, "x"])
def test_a_language_model_returning_no_log_probability(value):
    class Broken:
        def log_prob(self, history, label):
            return value
    with pytest.raises(ValueError, match=r"lm.log_prob\(\(\), 1\) returned .*; it must be a log-probability"):
        decode.prefix_beam_search(GOOD, 3, lm=Broken(), lm_weight=1.0)


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
    # tuples from the beam, arrays, ranges and numpy integers all read as labels
    assert decode.edit_distance((1, 2), np.array([1, 2])) == 0
    assert decode.edit_distance([1, np.int64(2)], range(1, 3)) == 0
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


def test_error_rate_reads_strings_as_edit_distance_does():
    # each string's characters are its labels, as in edit_distance("kitten", "sitting") == 3
    assert decode.error_rate(["kitten", "ab"], ["sitting", "ab"]) == 3 / 8


def test_a_subclass_of_ngram_is_asked_through_its_own_log_prob():
    from rnnbook.lm import NGram

    class FavoursTwo(NGram):
        def log_prob(self, history, label):
            return 0.0 if label == 2 else -10.0

    lm = FavoursTwo(1, 3, blank=0).fit([[1], [1], [1]])
    log_probs = np.log(np.array([[0.1, 0.5, 0.4]]))
    assert decode.prefix_beam_search(log_probs, 3, lm=lm, lm_weight=1.0)[0][0] == (2,)


def test_error_rate_can_exceed_one_and_allows_empty_references_among_others():
    assert decode.error_rate([[1], []], [[2, 2, 2], [5]]) == 4.0


@pytest.mark.parametrize("reference, hypothesis, match", [
    (5, [1], r"reference must be a 1-D sequence of integer labels, got shape \(\)"),
    ([1], None, r"hypothesis must be a 1-D sequence of integer labels, got shape \(\)"),
    (np.zeros((2, 2), int), [1], r"reference must be a 1-D sequence of integer labels, got shape \(2, 2\)"),
    ([[1, 2]], [1], r"reference must be a 1-D sequence of integer labels, got shape \(1, 2\)"),
    ([1, True], [1], r"reference\[1\] = True is a bool"),
    ([1], [False], "hypothesis must hold integer labels, got dtype bool"),
    ([1.0], [1], "reference must hold integer labels, got dtype float64"),
    ([1], [float("nan")], "hypothesis must hold integer labels, got dtype float64"),
    ([1, -2], [1], r"reference\[1\] = -2 is out of range: labels must be non-negative"),
    (["a", "b"], "ab", "reference must hold integer labels, got dtype <U1"),
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
    ([[1], 2], [[1], [2]], r"references\[1\] must be a 1-D sequence of integer labels"),
    ([[1], [2]], [[1], [2, True]], r"hypotheses\[1\]\[1\] = True is a bool"),
])
def test_error_rate_bad_input(references, hypotheses, match):
    with pytest.raises(ValueError, match=match):
        decode.error_rate(references, hypotheses)
