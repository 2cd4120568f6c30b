"""rnnbook.lm.NGram against its definition: counts taken by brute force over left-padded sequences,
add-k smoothing, and distributions that sum to one for every history."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnnbook.lm import NGram

SETTINGS = settings(max_examples=60, deadline=None)
START = "<s>"


def reference_probability(order, num_labels, k, blank, sequences, history, label):
    """P(label | history) from the definition: pad every sequence and the history on the left with
    order - 1 start symbols, count how often the last order - 1 symbols were followed by each label."""
    def padded(s):
        return [START] * (order - 1) + list(s)
    context = padded(history)[len(padded(history)) - (order - 1):] if order > 1 else []
    followed = {l: 0 for l in range(num_labels)}
    for s in sequences:
        p = padded(s)
        for i in range(order - 1, len(p)):
            if p[i - order + 1:i] == context:
                followed[p[i]] += 1
    vocabulary = [l for l in range(num_labels) if l != blank]
    return (followed[label] + k) / (sum(followed.values()) + k * len(vocabulary))


@st.composite
def models(draw):
    order = draw(st.integers(1, 4))
    num_labels = draw(st.integers(2, 4))
    blank = draw(st.sampled_from([None, 0, num_labels - 1]))
    labels = [l for l in range(num_labels) if l != blank]
    sequences = draw(st.lists(st.lists(st.sampled_from(labels), max_size=7), max_size=6))
    k = draw(st.sampled_from([1.0, 0.5, 0.01, 3.0]))
    history = draw(st.lists(st.sampled_from(labels), max_size=6))
    return order, num_labels, k, blank, sequences, history


@SETTINGS
@given(case=models())
def test_log_prob_is_the_add_k_estimate_over_padded_sequences(case):
    order, num_labels, k, blank, sequences, history = case
    lm = NGram(order, num_labels, k=k, blank=blank).fit(sequences)
    for label in range(num_labels):
        if label == blank:
            assert lm.log_probs(history)[label] == -math.inf
            continue
        expected = reference_probability(order, num_labels, k, blank, sequences, history, label)
        assert lm.log_prob(history, label) == pytest.approx(math.log(expected), rel=1e-12, abs=1e-12)
        assert lm.log_prob(tuple(history), np.int64(label)) == lm.log_prob(np.array(history, int), label)


@SETTINGS
@given(case=models())
def test_probabilities_sum_to_one_for_every_history(case):
    order, num_labels, k, blank, sequences, history = case
    lm = NGram(order, num_labels, k=k, blank=blank).fit(sequences)
    assert math.fsum(math.exp(lm.log_prob(history, l)) for l in range(num_labels) if l != blank) \
        == pytest.approx(1.0, abs=1e-12)
    assert np.exp(lm.log_probs(history)).sum() == pytest.approx(1.0, abs=1e-12)


@SETTINGS
@given(case=models(), length=st.integers(0, 4))
def test_sequence_scores_are_prefix_probabilities(case, length):
    # no end-of-sequence term: the probabilities that a sequence starts with s, over every s of one
    # length, sum to one
    order, num_labels, k, blank, sequences, _ = case
    lm = NGram(order, num_labels, k=k, blank=blank).fit(sequences)
    labels = [l for l in range(num_labels) if l != blank]
    total = math.fsum(math.exp(lm.log_prob_sequence(s)) for s in itertools.product(labels, repeat=length))
    assert total == pytest.approx(1.0, abs=1e-12)
    for s in itertools.islice(itertools.product(labels, repeat=length), 5):
        assert lm.log_prob_sequence(s) == pytest.approx(sum(lm.log_prob(s[:i], s[i]) for i in range(length)))


def test_a_bigram_by_hand():
    lm = NGram(2, 3, k=1.0).fit([[1, 2, 1, 2], [2]])
    assert lm.log_prob((1,), 2) == pytest.approx(math.log((2 + 1) / (2 + 3)))          # 1 -> 2 twice
    assert lm.log_prob((0, 2), 1) == pytest.approx(math.log((1 + 1) / (1 + 3)))        # 2 -> 1 once
    assert lm.log_prob((), 2) == pytest.approx(math.log((1 + 1) / (2 + 3)))            # first labels: 1, 2
    assert lm.log_prob((0,), 0) == pytest.approx(math.log(1 / 3))                      # unseen: uniform
    assert lm.log_prob_sequence([]) == 0.0
    # a smaller k trusts the counts more
    sharp = NGram(2, 3, k=0.01).fit([[1, 2, 1, 2], [2]])
    assert sharp.log_prob((1,), 2) > lm.log_prob((1,), 2)


def test_start_of_sequence_uses_the_first_labels_not_all_labels():
    # every sequence starts with 3, but 3 is rare overall
    lm = NGram(3, 4, k=0.1).fit([[3, 1, 1, 1, 1], [3, 2, 2, 2]])
    assert math.exp(lm.log_prob((), 3)) == pytest.approx((2 + 0.1) / (2 + 0.4))     # not 2/9 of all
    assert lm.log_prob((3,), 1) == lm.log_prob((3,), 2)        # after the first 3: one 1 and one 2
    assert lm.log_prob((1, 3), 1) == pytest.approx(math.log(1 / 4))   # (1, 3) never seen: uniform
    # a history shorter than the context is the start of a sequence, not the end of a longer one
    lm = NGram(4, 2, k=1.0).fit([[0, 0]])
    assert lm.log_prob((0, 0), 0) == pytest.approx(math.log(1 / 2))   # (start, 0, 0) never seen
    assert lm.log_prob((0,), 0) == pytest.approx(math.log(2 / 3))     # (start, start, 0) -> 0 once


def test_unigram_ignores_the_history_and_fit_replaces_counts():
    lm = NGram(1, 3, k=1.0, blank=0).fit([[1, 1, 1, 2]])
    assert lm.log_prob((2, 2, 1), 1) == lm.log_prob((), 1) == pytest.approx(math.log(4 / 6))
    lm.fit([[2]])
    assert lm.log_prob((), 1) == pytest.approx(math.log(1 / 3))
    assert repr(lm) == "NGram(order=1, num_labels=3, k=1, blank=0)"
    assert NGram(2, 3).log_prob((1,), 2) == pytest.approx(math.log(1 / 3))     # unfitted: uniform


@pytest.mark.parametrize("kwargs, match", [
    (dict(order=0), "order must be an integer >= 1, got 0"),
    (dict(order=True), "order must be an integer >= 1, got True"),
    (dict(order=2.0), "order must be an integer >= 1, got 2.0"),
    (dict(num_labels=0), "num_labels must be an integer >= 1, got 0"),
    (dict(num_labels=1, blank=0), "num_labels must be an integer >= 2, got 1"),
    (dict(k=0), r"k must be a finite number > 0 \(the add-k pseudo-count\), got 0"),
    (dict(k=-1.0), "k must be a finite number > 0.*got -1.0"),
    (dict(k=float("nan")), "k must be a finite number > 0.*got nan"),
    (dict(k=float("inf")), "k must be a finite number > 0.*got inf"),
    (dict(k=True), "k must be a finite number > 0.*got True"),
    (dict(k="1"), "k must be a finite number > 0.*got '1'"),
    (dict(blank=3), r"blank must be an integer in \[0, 3\), got 3"),
    (dict(blank=True), r"blank must be an integer in \[0, 3\), got True"),
])
def test_bad_constructor_arguments(kwargs, match):
    arguments = dict(order=2, num_labels=3, k=1.0) | kwargs
    with pytest.raises(ValueError, match=match):
        NGram(**arguments)


@pytest.mark.parametrize("sequences, match", [
    ([[0, 1], [1, 3]], r"sequences\[1\]\[1\] = 3 is out of range: labels must be in \[0, 3\)"),
    ([[0, -1]], r"sequences\[0\]\[1\] = -1 is out of range"),
    ([[0, True]], r"sequences\[0\]\[1\] = True is a bool"),
    ([[1.0]], r"sequences\[0\] must hold integer labels, got dtype float64"),
    ([["1"]], r"sequences\[0\] must hold integer labels, got dtype <U1"),
    ([np.zeros((2, 2), int)], r"sequences\[0\] must be a 1-D sequence of integer labels, got shape \(2, 2\)"),
    ([5], r"sequences\[0\] must be a 1-D sequence of integer labels, got shape \(\)"),
    ("012", "sequences must be an iterable of label sequences, got str"),
    (7, "sequences must be an iterable of label sequences, got int"),
])
def test_bad_training_sequences(sequences, match):
    with pytest.raises(ValueError, match=match):
        NGram(2, 3).fit(sequences)


def test_blank_is_not_a_label_of_the_model():
    lm = NGram(2, 3, blank=0)
    with pytest.raises(ValueError, match=r"sequences\[0\]\[1\] is the blank \(0\)"):
        lm.fit([[1, 0, 2]])
    with pytest.raises(ValueError, match=r"label is the blank \(0\)"):
        lm.log_prob((1,), 0)
    with pytest.raises(ValueError, match=r"history\[0\] is the blank \(0\)"):
        lm.log_prob((0,), 1)


@pytest.mark.parametrize("history, label, match", [
    ((1,), 3, r"label = 3 is out of range: labels must be in \[0, 3\)"),
    ((1,), False, "label must be an integer label, got False"),
    ((1,), 1.0, "label must be an integer label, got 1.0"),
    ((4, 1), 1, r"history\[0\] = 4 is out of range"),          # outside the context, still checked
    ((1, True), 1, r"history\[1\] = True is a bool"),
    (1, 1, r"history must be a 1-D sequence of integer labels, got shape \(\)"),
])
def test_bad_queries(history, label, match):
    with pytest.raises(ValueError, match=match):
        NGram(2, 3).fit([[1, 2]]).log_prob(history, label)
