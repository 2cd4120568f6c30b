"""Small deterministic data sets for the chapters and labs (no network, ever).

Every generator takes a ``seed`` and returns the same arrays for the same arguments, so a chapter's
numbers do not move between runs. Inputs are float64, labels int64.

========================  =======================================================  ==============
generator                 what it is for                                            notes
========================  =======================================================  ==============
``labelling_task``        time-synchronous labelling with or without context       §3.2, §2.9
``adding_problem``        a long dependency with a single target (many-to-one)     §5.2, §5.7
``delayed_copy``          a long dependency with a target at every step            §4.4, §5.7
``synthetic_utterances``  order-synchronous targets with a known frame alignment   §6.2, §7.5
``digit_strips``          a real OCR-like task: handwritten digits side by side    §6.3, §9
``code_book``             digit strings with structure, for a language model       §9.11, ch. 11
========================  =======================================================  ==============
"""
from collections import namedtuple

import numpy as np

from ._checks import as_int, as_labels

Utterance = namedtuple("Utterance", ["x", "symbols", "frame_labels", "durations"])
Utterance.__doc__ = """One synthetic utterance (§6.2, §7.2).

x (N, D) float64 frames; symbols (K,) int64 the order-synchronous target; frame_labels (N,) int64 the
time-synchronous (expanded) target, i.e. the true alignment; durations (K,) int64 frames per symbol,
so ``np.repeat(symbols, durations) == frame_labels``."""

Strip = namedtuple("Strip", ["image", "digits", "spans"])
Strip.__doc__ = """One digit strip (§6.3: an OCR input whose target is shorter than the input).

image (8, W) float64 in [0, 1], one time step per pixel column; digits (L,) int64 in 0..9 left to
right; spans: list of L half-open column ranges (start, end) where each digit's 8x8 image sits, so
``image[:, start:end]`` is that digit (plus noise)."""


def _int_range(low_name, low, high_name, high, minimum):
    """Two integer bounds, each >= minimum, the first no larger than the second."""
    low, high = as_int(low_name, low, minimum=minimum), as_int(high_name, high, minimum=minimum)
    if low > high:
        raise ValueError(f"{low_name} must be <= {high_name}, got {low} > {high}")
    return low, high


def _symbol_task_sizes(count_name, count, T, shift_name, shift, n_symbols):
    """Sizes of a task on random symbol sequences whose labels look ``shift`` steps back."""
    count, T = as_int(count_name, count, minimum=1), as_int("T", T, minimum=1)
    shift, n_symbols = as_int(shift_name, shift, minimum=0), as_int("n_symbols", n_symbols, minimum=2)
    if shift >= T:
        raise ValueError(f"{shift_name} must be smaller than T={T}, got {shift}")
    return count, T, shift, n_symbols


def _check_noise(noise):
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _one_hot(labels, num_classes):
    return np.eye(num_classes, dtype=np.float64)[labels]


def labelling_task(n_seq, T, lag, n_symbols=4, seed=0):
    """Time-synchronous labelling where the label at t may depend on the input ``lag`` steps back.

    Inputs are uniform random symbols. The label is ``y_t = (x_t + x_{t-lag}) % n_symbols`` for
    ``t >= lag`` and ``y_t = x_t`` for ``t < lag`` (nothing to look back at yet). With ``lag = 0`` the
    label is simply ``y_t = x_t``: a series MLP (§2.3) solves it. For ``lag >= 1`` every label from
    ``t = lag`` on is a function of two inputs, so a memoryless model is at chance (1/n_symbols) on those
    frames and its best accuracy over a sequence is ``lag/T + (T - lag)/(n_symbols*T)`` (§2.9, §3.2).

    Returns X (n_seq, T, n_symbols) one-hot float64 and Y (n_seq, T) int64.
    """
    n_seq, T, lag, n_symbols = _symbol_task_sizes("n_seq", n_seq, T, "lag", lag, n_symbols)
    rng = np.random.default_rng(seed)
    inputs = rng.integers(0, n_symbols, size=(n_seq, T))
    labels = inputs.copy()
    if lag > 0:
        labels[:, lag:] = (inputs[:, lag:] + inputs[:, :-lag]) % n_symbols
    return _one_hot(inputs, n_symbols), labels.astype(np.int64)


def adding_problem(n, T, seed=0):
    """The adding problem (Hochreiter & Schmidhuber 1997): a many-to-one task with a long dependency.

    Channel 0 holds values uniform in [0, 1); channel 1 marks exactly two steps with 1, one in the
    first half ``[0, T//2)`` and one in the second half ``[T//2, T)``. The target is the sum of the two
    marked values, so the network must carry the first one across about T/2 steps (§5.6–5.7).
    Always predicting 1.0 gives a mean squared error of about 1/6.

    Returns X (n, T, 2) float64 and y (n,) float64.
    """
    n = as_int("n", n, minimum=1)
    T = as_int("T", T, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.random((n, T))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = values[rows, first] + values[rows, second]
    return X, y


def delayed_copy(n, T, delay, n_symbols=4, seed=0):
    """Delayed copy: output at t the input symbol seen ``delay`` steps earlier (dense labels, §4.4).

    The alphabet has ``n_symbols`` symbols plus a blank, index ``n_symbols``. Inputs ``x_t`` are random
    symbols for ``t < T - delay`` and the blank afterwards (nothing read then would ever be copied);
    the target is ``y_t = x_{t-delay}`` for ``t >= delay`` and the blank for ``t < delay``. So
    ``Y[:, delay:] == X[:, :T-delay].argmax(-1)``: to score above chance the network must hold each
    symbol for ``delay`` steps.

    Returns X (n, T, n_symbols + 1) one-hot float64 and Y (n, T) int64 in 0..n_symbols.
    """
    n, T, delay, n_symbols = _symbol_task_sizes("n", n, T, "delay", delay, n_symbols)
    blank = n_symbols
    rng = np.random.default_rng(seed)
    inputs = np.full((n, T), blank, dtype=np.int64)
    inputs[:, :T - delay] = rng.integers(0, n_symbols, size=(n, T - delay))
    targets = np.full((n, T), blank, dtype=np.int64)
    targets[:, delay:] = inputs[:, :T - delay]
    return _one_hot(inputs, n_symbols + 1), targets


def utterance_prototypes(n_symbols=4, n_features=8, seed=0):
    """The mean feature vector of each symbol class used by ``synthetic_utterances``.

    Standard normal entries: two prototypes lie about sqrt(2 * n_features) apart, so with the default
    noise the classes overlap little but a frame can still be misread. Returns (n_symbols, n_features).
    """
    n_symbols = as_int("n_symbols", n_symbols, minimum=1)
    n_features = as_int("n_features", n_features, minimum=1)
    return np.random.default_rng(seed).standard_normal((n_symbols, n_features))


def synthetic_utterances(n, n_symbols=4, n_features=8, min_symbols=2, max_symbols=5, min_dur=2, max_dur=6,
                         noise=0.5, allow_repeats=True, seed=0, prototype_seed=0):
    """Synthetic "utterances": symbol sequences held for random durations, with a known alignment.

    Each utterance draws K ~ U{min_symbols..max_symbols} symbols uniformly from ``n_symbols`` classes
    and holds symbol k for d_k ~ U{min_dur..max_dur} frames; frame t is the prototype of its symbol
    plus N(0, noise^2) noise per feature. The order-synchronous target is ``symbols``, the
    time-synchronous expansion ``frame_labels`` is the true alignment (§7.2–7.5).

    ``allow_repeats=False`` forbids equal adjacent symbols; with ``True`` a sequence such as
    /B/ /B/ can occur, whose frames are indistinguishable from one long /B/ — the ambiguity that
    makes naive collapse fail (§6.6). ``prototype_seed`` fixes the class prototypes
    (``utterance_prototypes``), so a training and a test set drawn with different ``seed`` share them.

    Returns a list of n ``Utterance(x (N, n_features), symbols (K,), frame_labels (N,), durations (K,))``.
    """
    n = as_int("n", n, minimum=1)
    n_symbols = as_int("n_symbols", n_symbols, minimum=1 if allow_repeats else 2)
    min_symbols, max_symbols = _int_range("min_symbols", min_symbols, "max_symbols", max_symbols, minimum=1)
    min_dur, max_dur = _int_range("min_dur", min_dur, "max_dur", max_dur, minimum=1)
    _check_noise(noise)
    prototypes = utterance_prototypes(n_symbols, n_features, seed=prototype_seed)
    rng = np.random.default_rng(seed)
    utterances = []
    for _ in range(n):
        K = int(rng.integers(min_symbols, max_symbols + 1))
        if allow_repeats:
            symbols = rng.integers(0, n_symbols, size=K)
        else:
            # A shift in 1..n_symbols-1 from the previous symbol never returns to it.
            symbols = np.empty(K, dtype=np.int64)
            symbols[0] = rng.integers(0, n_symbols)
            for k in range(1, K):
                symbols[k] = (symbols[k - 1] + rng.integers(1, n_symbols)) % n_symbols
        symbols = symbols.astype(np.int64)
        durations = rng.integers(min_dur, max_dur + 1, size=K).astype(np.int64)
        frame_labels = np.repeat(symbols, durations)
        x = prototypes[frame_labels] + noise * rng.standard_normal((frame_labels.size, n_features))
        utterances.append(Utterance(x, symbols, frame_labels, durations))
    return utterances


# Fractions of load_digits' 1797 images that go to each split, as contiguous blocks of the file order.
_SPLIT_BOUNDS = {"train": (0.0, 0.6), "val": (0.6, 0.8), "test": (0.8, 1.0)}


def _digit_source(split):
    """The 8x8 images (scaled to [0, 1]) and labels of load_digits that belong to ``split``.

    Contiguous blocks of the file order rather than a shuffle, so that samples stored next to each other
    (plausibly by the same writer) tend to stay on one side. load_digits carries no writer id: what is
    guaranteed is unseen images, not unseen writers.
    """
    if split not in _SPLIT_BOUNDS:
        raise ValueError(f"split must be one of {sorted(_SPLIT_BOUNDS)}, got {split!r}")
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    digits = load_digits()
    lo, hi = _SPLIT_BOUNDS[split]
    n = len(digits.target)
    block = slice(int(round(lo * n)), int(round(hi * n)))
    return digits.images[block] / 16.0, digits.target[block].astype(np.int64), np.arange(n)[block]


def digit_strip_source_indices(split):
    """Indices into ``sklearn.datasets.load_digits()`` that ``digit_strips(split=...)`` draws from."""
    return _digit_source(split)[2]


def digit_strips(n, min_digits=3, max_digits=6, split="train", seed=0, min_gap=0, max_gap=3, noise=0.05,
                 vocabulary=None):
    """Digit strips: handwritten 8x8 digits side by side, read column by column (§6.3, chapter 9/11).

    Each strip holds L ~ U{min_digits..max_digits} digits drawn at random from the ``split``'s source
    images of scikit-learn's bundled ``load_digits`` (pixel values 0..16 scaled to [0, 1]). Before each
    digit and after the last one come g ~ U{min_gap..max_gap} blank columns; Gaussian noise of standard
    deviation ``noise`` is added and the image clipped to [0, 1]. Each pixel column is one time step,
    so a strip is an input sequence of W = 8 L + gaps frames of 8 features whose target is the digit
    string — a sequence shorter than its input with no alignment given (§6.2).

    The splits "train" (60 %), "val" (20 %) and "test" (20 %) are disjoint blocks of the source images,
    so test strips show digit images never seen in training (not necessarily unseen writers: the data
    set has no writer ids).

    ``vocabulary`` (optional): a list of digit strings (each a sequence of ints 0..9 or a string of
    digits, e.g. from ``code_book``). Each strip then reads one of them, drawn uniformly, instead of
    L random digits (``min_digits`` and ``max_digits`` are not used): strings with a structure that a
    language model can learn (chapter 11). Without it the strips are the same as before the option.

    Returns a list of n ``Strip(image (8, W), digits (L,), spans [(start, end)] * L)``.
    """
    n = as_int("n", n, minimum=1)
    min_digits, max_digits = _int_range("min_digits", min_digits, "max_digits", max_digits, minimum=1)
    min_gap, max_gap = _int_range("min_gap", min_gap, "max_gap", max_gap, minimum=0)
    _check_noise(noise)
    images, labels, _ = _digit_source(split)
    by_digit = None
    if vocabulary is not None:
        vocabulary = _check_vocabulary(vocabulary)
        by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    rng = np.random.default_rng(seed)
    strips = []
    for _ in range(n):
        if by_digit is None:
            L = int(rng.integers(min_digits, max_digits + 1))
            picks = rng.integers(0, len(labels), size=L)
        else:
            string = vocabulary[int(rng.integers(0, len(vocabulary)))]
            L = len(string)
            picks = np.array([by_digit[d][rng.integers(0, len(by_digit[d]))] for d in string], dtype=np.int64)
        gaps = rng.integers(min_gap, max_gap + 1, size=L + 1)
        width = 8 * L + int(gaps.sum())
        image = np.zeros((8, width))
        spans = []
        column = 0
        for k, pick in enumerate(picks):
            column += int(gaps[k])
            image[:, column:column + 8] = images[pick]
            spans.append((column, column + 8))
            column += 8
        image = np.clip(image + noise * rng.standard_normal(image.shape), 0.0, 1.0)
        strips.append(Strip(image, labels[picks], spans))
    return strips


def _check_vocabulary(vocabulary):
    """``vocabulary`` as a list of int64 arrays of digits 0..9, or ValueError naming the bad entry."""
    if isinstance(vocabulary, (str, bytes)) or not hasattr(vocabulary, "__len__") or len(vocabulary) == 0:
        raise ValueError(f"vocabulary must be a non-empty list of digit strings, got {vocabulary!r}")
    checked = []
    for i, string in enumerate(vocabulary):
        if isinstance(string, str):
            if not string.isdigit() or not string.isascii():
                raise ValueError(f"vocabulary[{i}] = {string!r} must hold only the digits 0-9")
            string = [int(c) for c in string]
        if not hasattr(string, "__len__") or len(string) == 0:
            raise ValueError(f"vocabulary[{i}] must be a non-empty sequence of digits 0..9, got {string!r}")
        # the library's label rules: bools (also inside a list) and floats refused, the bad digit named
        checked.append(as_labels(f"vocabulary[{i}]", string, 10))
    return checked


def code_book(n_codes=20, min_digits=4, max_digits=6, seed=0):
    """A small vocabulary of distinct random digit strings ("codes"), for ``digit_strips(vocabulary=...)``.

    Code i has L_i ~ U{min_digits..max_digits} uniform random digits. Strips that read only these codes
    follow a structure a character n-gram (``rnnbook.lm.NGram``) learns from the training strings: after
    a few digits the rest of a code is nearly determined. Returns a list of n_codes int64 arrays.
    """
    n_codes = as_int("n_codes", n_codes, minimum=1)
    min_digits, max_digits = _int_range("min_digits", min_digits, "max_digits", max_digits, minimum=1)
    possible = sum(10 ** L for L in range(min_digits, max_digits + 1))
    if n_codes > possible:
        raise ValueError(f"n_codes = {n_codes} distinct codes do not exist with {min_digits} to "
                         f"{max_digits} digits (there are {possible})")
    rng = np.random.default_rng(seed)
    codes, seen = [], set()
    while len(codes) < n_codes:
        code = rng.integers(0, 10, size=int(rng.integers(min_digits, max_digits + 1)))
        if tuple(code) not in seen:
            seen.add(tuple(code))
            codes.append(code.astype(np.int64))
    return codes


def pad_strips(strips, pad_label=-1):
    """Batch strips for training, batch-first as recurrent layers with ``batch_first=True`` want.

    Returns X (B, W_max, 8) float64 (each strip transposed so a row is a time step, zero-padded on the
    right), lengths (B,) int64 the true widths, targets (B, L_max) int64 padded with ``pad_label``, and
    target_lengths (B,) int64. Digits stay 0..9: add 1 if class 0 is the CTC blank.
    """
    strips = list(strips)
    if not strips:
        raise ValueError("strips must hold at least one Strip, got an empty sequence")
    lengths = np.array([s.image.shape[1] for s in strips], dtype=np.int64)
    target_lengths = np.array([len(s.digits) for s in strips], dtype=np.int64)
    X = np.zeros((len(strips), lengths.max(), 8))
    targets = np.full((len(strips), target_lengths.max()), pad_label, dtype=np.int64)
    for b, strip in enumerate(strips):
        X[b, :lengths[b]] = strip.image.T
        targets[b, :target_lengths[b]] = strip.digits
    return X, lengths, targets, target_lengths
