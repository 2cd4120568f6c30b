"""rnnbook.data: determinism, shapes, and labels that follow each generator's stated rule."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from rnnbook import data


def assert_same(a, b):
    if isinstance(a, tuple) and hasattr(a, "_fields"):
        for field_a, field_b in zip(a, b):
            assert_same(field_a, field_b)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for item_a, item_b in zip(a, b):
            assert_same(item_a, item_b)
    else:
        assert np.array_equal(a, b)


@pytest.mark.parametrize("make", [
    lambda seed: data.labelling_task(5, 12, 3, seed=seed),
    lambda seed: data.adding_problem(5, 20, seed=seed),
    lambda seed: data.delayed_copy(5, 12, 4, seed=seed),
    lambda seed: data.synthetic_utterances(5, seed=seed),
    lambda seed: data.digit_strips(5, seed=seed),
], ids=["labelling", "adding", "copy", "utterances", "strips"])
def test_same_seed_same_data_other_seed_other_data(make):
    assert_same(make(0), make(0))
    with pytest.raises(AssertionError):
        assert_same(make(0), make(1))


@pytest.mark.parametrize("lag", [0, 1, 4])
def test_labelling_task_follows_its_rule(lag):
    X, Y = data.labelling_task(20, 10, lag, n_symbols=5, seed=2)
    assert X.shape == (20, 10, 5) and X.dtype == np.float64 and Y.shape == (20, 10) and Y.dtype == np.int64
    assert np.all(X.sum(-1) == 1)
    symbols = X.argmax(-1)
    for n in range(20):
        for t in range(10):
            expected = (symbols[n, t] + symbols[n, t - lag]) % 5 if 0 < lag <= t else symbols[n, t]
            assert Y[n, t] == expected


def test_labelling_task_with_lag_needs_context():
    # With lag >= 1 the label is not a function of x_t alone: the same input shows every label.
    X, Y = data.labelling_task(200, 20, 2, n_symbols=4, seed=0)
    symbols = X.argmax(-1)[:, 2:]
    for s in range(4):
        assert set(Y[:, 2:][symbols == s]) == {0, 1, 2, 3}


def test_adding_problem_target_is_sum_of_marked_values():
    X, y = data.adding_problem(50, 16, seed=4)
    assert X.shape == (50, 16, 2) and y.shape == (50,)
    markers = X[..., 1]
    assert np.all(markers.sum(1) == 2) and set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers[:, :8].sum(1) == 1) and np.all(markers[:, 8:].sum(1) == 1)
    assert np.allclose(y, (X[..., 0] * markers).sum(1), rtol=0, atol=1e-15)
    assert np.all((X[..., 0] >= 0) & (X[..., 0] < 1))


@pytest.mark.parametrize("delay", [0, 1, 5])
def test_delayed_copy_target_is_input_delay_steps_back(delay):
    X, Y = data.delayed_copy(10, 12, delay, n_symbols=3, seed=1)
    assert X.shape == (10, 12, 4) and Y.shape == (10, 12)
    symbols = X.argmax(-1)
    assert np.array_equal(Y[:, delay:], symbols[:, :12 - delay])
    assert np.all(Y[:, :delay] == 3) and np.all(symbols[:, 12 - delay:] == 3)
    assert np.all(symbols[:, :12 - delay] < 3)


def test_synthetic_utterances_alignment_is_consistent():
    utts = data.synthetic_utterances(40, n_symbols=3, n_features=6, min_symbols=2, max_symbols=4,
                                     min_dur=1, max_dur=3, noise=0.0, seed=3)
    prototypes = data.utterance_prototypes(3, 6)
    for u in utts:
        assert 2 <= len(u.symbols) <= 4 and np.all((u.durations >= 1) & (u.durations <= 3))
        assert np.array_equal(np.repeat(u.symbols, u.durations), u.frame_labels)
        assert u.x.shape == (u.durations.sum(), 6)
        assert np.array_equal(u.x, prototypes[u.frame_labels])  # noise=0: frames are the prototypes


def test_synthetic_utterances_repeats_and_noise():
    with_repeats = data.synthetic_utterances(200, n_symbols=3, seed=0)
    assert any(np.any(u.symbols[1:] == u.symbols[:-1]) for u in with_repeats)
    without = data.synthetic_utterances(200, n_symbols=3, allow_repeats=False, seed=0)
    assert all(np.all(u.symbols[1:] != u.symbols[:-1]) for u in without)
    prototypes = data.utterance_prototypes()
    residual = np.concatenate([u.x - prototypes[u.frame_labels] for u in with_repeats])
    assert abs(residual.std() - 0.5) < 0.03
    # Another seed draws other utterances over the same prototypes.
    other = data.synthetic_utterances(200, n_symbols=3, noise=0.0, seed=9)
    assert np.array_equal(other[0].x, data.utterance_prototypes(3, 8)[other[0].frame_labels])


def test_digit_strips_spans_digits_and_image_agree():
    strips = data.digit_strips(30, min_digits=2, max_digits=4, split="val", seed=5, noise=0.0)
    digits = load_digits()
    source = data.digit_strip_source_indices("val")
    for s in strips:
        assert s.image.shape[0] == 8 and s.image.dtype == np.float64
        assert 2 <= len(s.digits) <= 4 and len(s.spans) == len(s.digits)
        assert s.image.min() >= 0 and s.image.max() <= 1
        covered = np.zeros(s.image.shape[1], bool)
        previous_end = 0
        for digit, (start, end) in zip(s.digits, s.spans):
            assert end - start == 8 and 0 <= start - previous_end <= 3
            covered[start:end] = True
            previous_end = end
            # noise=0: the span holds exactly one source image of this split with the stated label.
            matches = [i for i in source if np.array_equal(digits.images[i] / 16, s.image[:, start:end])]
            assert matches and all(digits.target[i] == digit for i in matches)
        assert 0 <= s.image.shape[1] - previous_end <= 3
        assert np.all(s.image[:, ~covered] == 0)  # gaps are blank


def test_digit_strip_noise_is_small_and_clipped():
    clean = data.digit_strips(5, seed=1, noise=0.0)
    noisy = data.digit_strips(5, seed=1, noise=0.05)
    for a, b in zip(clean, noisy):
        assert np.array_equal(a.digits, b.digits) and a.spans == b.spans
        assert 0 < np.abs(a.image - b.image).mean() < 0.05
        assert b.image.min() >= 0 and b.image.max() <= 1


def test_digit_strip_splits_are_disjoint_and_cover_the_data():
    parts = [set(data.digit_strip_source_indices(s)) for s in ("train", "val", "test")]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert set.union(*parts) == set(range(len(load_digits().target)))
    assert all(set(load_digits().target[sorted(p)]) == set(range(10)) for p in parts)


def test_pad_strips_batches_batch_first():
    strips = data.digit_strips(4, seed=2)
    X, lengths, targets, target_lengths = data.pad_strips(strips)
    assert X.shape == (4, max(s.image.shape[1] for s in strips), 8)
    for b, s in enumerate(strips):
        assert lengths[b] == s.image.shape[1] and target_lengths[b] == len(s.digits)
        assert np.array_equal(X[b, :lengths[b]], s.image.T) and np.all(X[b, lengths[b]:] == 0)
        assert np.array_equal(targets[b, :target_lengths[b]], s.digits)
        assert np.all(targets[b, target_lengths[b]:] == -1)


@pytest.mark.parametrize("call, fragment", [
    (lambda: data.labelling_task(2, 5, 5), "lag"),
    (lambda: data.labelling_task(0, 5, 1), "n_seq"),
    (lambda: data.adding_problem(3, 1), "T"),
    (lambda: data.delayed_copy(2, 5, -1), "delay"),
    (lambda: data.synthetic_utterances(2, min_dur=4, max_dur=2), "min_dur"),
    (lambda: data.synthetic_utterances(2, n_symbols=1, allow_repeats=False), "n_symbols"),
    (lambda: data.synthetic_utterances(2, noise=-1.0), "noise"),
    (lambda: data.digit_strips(2, split="dev"), "split"),
    (lambda: data.digit_strips(2, min_digits=5, max_digits=3), "min_digits"),
    (lambda: data.pad_strips([]), "at least one"),
])
def test_bad_arguments_raise_value_error(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


def test_default_argument_shapes_and_dtypes():
    X, Y = data.labelling_task(3, 8, 2)
    assert X.shape == (3, 8, 4) and Y.dtype == np.int64 and Y.max() < 4
    X, Y = data.delayed_copy(3, 8, 2)
    assert X.shape == (3, 8, 5) and Y.dtype == np.int64 and Y.max() <= 4
    utt = data.synthetic_utterances(3)[0]
    assert utt.x.shape[1] == 8 and utt.x.dtype == np.float64
    assert utt.symbols.dtype == utt.frame_labels.dtype == utt.durations.dtype == np.int64
    strip = data.digit_strips(1)[0]
    assert strip.digits.dtype == np.int64 and 3 <= len(strip.digits) <= 6
    assert all(isinstance(a, int) and isinstance(b, int) for a, b in strip.spans)


def test_digit_strips_test_split_uses_only_held_out_images():
    # noise=0 makes every span an exact copy of a source image: it must come from the test block.
    digits = load_digits()
    train = set(data.digit_strip_source_indices("train"))
    test_images = {i: digits.images[i] / 16 for i in data.digit_strip_source_indices("test")}
    for strip in data.digit_strips(10, split="test", seed=8, noise=0.0):
        for start, end in strip.spans:
            piece = strip.image[:, start:end]
            assert any(np.array_equal(piece, image) for image in test_images.values())
            assert not any(np.array_equal(piece, digits.images[i] / 16) for i in list(train)[:300])


def test_adding_problem_baseline_error_is_about_one_sixth():
    # Documented: always answering 1.0 leaves a mean squared error of about 1/6 (var of a sum of 2 U(0,1)).
    _, y = data.adding_problem(20000, 10, seed=0)
    assert abs(((y - 1.0) ** 2).mean() - 1 / 6) < 0.01


def test_code_book_is_distinct_and_deterministic():
    codes = data.code_book(25, min_digits=3, max_digits=5, seed=4)
    assert len(codes) == 25 and len({tuple(c) for c in codes}) == 25
    assert all(c.dtype == np.int64 and 3 <= len(c) <= 5 and c.min() >= 0 and c.max() <= 9 for c in codes)
    assert_same(codes, data.code_book(25, min_digits=3, max_digits=5, seed=4))
    with pytest.raises(AssertionError):
        assert_same(codes, data.code_book(25, min_digits=3, max_digits=5, seed=5))
    with pytest.raises(ValueError, match="n_codes"):
        data.code_book(11, min_digits=1, max_digits=1)


@pytest.mark.parametrize("vocabulary", [[[4, 0, 2], [9, 9]], ["402", "99"]], ids=["lists", "strings"])
def test_digit_strips_from_a_vocabulary_read_only_its_strings(vocabulary):
    digits = load_digits()
    test_block = np.asarray(data.digit_strip_source_indices("test"))
    test_images = digits.images[test_block] / 16
    strips = data.digit_strips(40, split="test", seed=3, noise=0.0, vocabulary=vocabulary)
    read = {tuple(s.digits) for s in strips}
    assert read == {(4, 0, 2), (9, 9)}
    for s in strips:
        for (start, end), digit in zip(s.spans, s.digits):
            piece = s.image[:, start:end]
            # the image drawn for each digit is a test-block image of that digit
            matches = test_block[(test_images == piece).all(axis=(1, 2))] if piece.shape == (8, 8) else []
            assert len(matches) and all(digits.target[i] == digit for i in matches)
    assert_same(strips, data.digit_strips(40, split="test", seed=3, noise=0.0, vocabulary=vocabulary))


PIXEL_SUM_SEED_9 = 570.2210483792746       # of digit_strips(6, seed=9)'s images at 87a1f04


def test_digit_strips_without_vocabulary_are_unchanged():
    # what digit_strips(6, seed=9) gave before the vocabulary option existed (commit 87a1f04): the option
    # draws nothing from the random stream when it is not used
    strips = data.digit_strips(6, seed=9)
    assert [s.digits.tolist() for s in strips] == [
        [5, 7, 8, 8], [0, 7, 4, 7], [6, 0, 0, 8, 5], [4, 5, 2, 3, 3, 0], [8, 5, 2], [5, 8, 0, 5, 5, 4]]
    assert [list(s.spans) for s in strips] == [
        [(2, 10), (12, 20), (23, 31), (33, 41)], [(0, 8), (11, 19), (19, 27), (27, 35)],
        [(3, 11), (14, 22), (25, 33), (33, 41), (42, 50)],
        [(3, 11), (14, 22), (24, 32), (33, 41), (42, 50), (50, 58)], [(2, 10), (10, 18), (19, 27)],
        [(3, 11), (14, 22), (25, 33), (34, 42), (44, 52), (53, 61)]]
    assert sum(float(s.image.sum()) for s in strips) == pytest.approx(PIXEL_SUM_SEED_9, rel=1e-12)
    assert_same(strips, data.digit_strips(6, seed=9, vocabulary=None))


@pytest.mark.parametrize("vocabulary, message", [
    ([], "non-empty list"),
    ("123", "non-empty list"),
    ([[1, 2], [3, 10]], r"vocabulary\[1\]"),
    ([[1, 2], []], r"vocabulary\[1\]"),
    (["12a"], r"vocabulary\[0\]"),
    ([[1.0, 2.0]], r"vocabulary\[0\]"),
    ([[1, True, 2]], r"vocabulary\[0\]\[1\] = True is a bool"),
])
def test_digit_strips_refuse_a_bad_vocabulary(vocabulary, message):
    with pytest.raises(ValueError, match=message):
        data.digit_strips(2, vocabulary=vocabulary)
