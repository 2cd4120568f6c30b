"""A character n-gram language model with add-k smoothing, over integer labels (chapter 11).

    lm = NGram(order=3, num_labels=11, k=0.5, blank=0).fit(training_label_sequences)
    lm.log_prob((4, 2), 7)          # natural log of P(7 | the labels so far were 4, 2)

The model is what ``rnnbook.decode.prefix_beam_search`` takes as ``lm``: any object with a method
``log_prob(history, label)``.

Definitions
-----------
With order ``n``, the probability of a label depends on the last ``n - 1`` labels before it, its
*context*. Training counts, for every position ``i`` of every training sequence ``s``, the label
``s[i]`` under the context ``s[max(0, i - n + 1):i]``. Add-k smoothing gives

    P(label | context) = (count(context, label) + k) / (count(context) + k * V)

where ``V`` is the number of labels the model predicts (``num_labels``, or ``num_labels - 1`` when a
``blank`` is set aside) and ``count(context)`` is the total over labels. A context never seen in
training gets the uniform ``1 / V``. These probabilities sum to one over the ``V`` labels for every
history.

Start of a sequence: at position ``i < n - 1`` there are fewer than ``n - 1`` labels before it, and the
context is all of them (at ``i = 0`` the empty context). Such short contexts are counted only at the
starts of the training sequences, so this is the same as padding every sequence on the left with
``n - 1`` start symbols that are never predicted: the first label is drawn from the distribution of
first labels, not of all labels. There is no end-of-sequence symbol, so the model scores prefixes:
``log_prob_sequence(s)`` is the log-probability that a sequence *starts* with ``s``.

``blank`` (optional) is a label index that is not a label of the model, e.g. the CTC blank, so the model
can be trained on and queried with the network's class indices directly. It may not occur in training
sequences, histories or as the label asked for; the probabilities sum to one over the other labels.
"""
import math
import numbers

import numpy as np

from rnnbook._checks import _is_int, as_int, as_labels, check_blank


def _check_label(name, label, num_labels, blank):
    """``label`` as an int, under the input rules of ``_checks`` (bools and floats refused)."""
    if not _is_int(label):
        raise ValueError(f"{name} must be an integer label, got {label!r}")
    if not 0 <= label < num_labels:
        raise ValueError(f"{name} = {label} is out of range: labels must be in [0, {num_labels})")
    if label == blank:
        raise ValueError(f"{name} is the blank ({blank}), which is not a label of the language model")
    return int(label)


def _check_sequence(name, sequence, num_labels, blank):
    """``sequence`` as a tuple of int labels, or ValueError naming ``name`` and the bad position."""
    return tuple(as_labels(name, sequence, num_labels, forbidden=blank).tolist())


class NGram:
    """Character n-gram model with add-k smoothing over the labels ``0 .. num_labels - 1``.

    Parameters
    ----------
    order : int >= 1, the ``n`` of the n-gram (1: unigram, no context; 3: two labels of context).
    num_labels : int, how many label indices there are (the ``C`` of the network's output when ``blank``
        is given).
    k : float > 0, the pseudo-count added to every (context, label) count. ``k = 1`` is Laplace smoothing;
        a smaller ``k`` trusts the counts more.
    blank : optional int in ``[0, num_labels)``, a label index the model never predicts (see the module).

    Call ``fit(sequences)`` before use (it returns the model). An unfitted model is uniform.
    Bad arguments raise ValueError naming them.
    """

    def __init__(self, order, num_labels, k=1.0, blank=None):
        self.order = as_int("order", order, minimum=1)
        self.num_labels = as_int("num_labels", num_labels, minimum=1 if blank is None else 2)
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Real) or not (0 < k < math.inf):
            raise ValueError(f"k must be a finite number > 0 (the add-k pseudo-count), got {k!r}")
        self.k = float(k)
        self.blank = None if blank is None else check_blank(blank, self.num_labels)
        self.vocabulary = self.num_labels - (blank is not None)      # V, the labels the model predicts
        self.counts = {}                                              # context tuple -> counts (num_labels,)
        self._rows = {}                                               # context tuple -> log-probabilities

    def fit(self, sequences):
        """Count the n-grams of ``sequences`` (an iterable of label sequences), replacing earlier counts.

        Returns the model. Labels follow the input rules of ``rnnbook._checks`` (integers, no bools or
        floats, in range, not the blank); a bad one raises a ValueError naming ``sequences[i][j]``.
        """
        if isinstance(sequences, (str, bytes, dict, set)) or not hasattr(sequences, "__iter__"):
            raise ValueError(f"sequences must be an iterable of label sequences, got {type(sequences).__name__}")
        counts = {}
        for i, sequence in enumerate(sequences):
            sequence = _check_sequence(f"sequences[{i}]", sequence, self.num_labels, self.blank)
            for position, label in enumerate(sequence):
                context = sequence[max(0, position - self.order + 1):position]
                row = counts.get(context)
                if row is None:
                    row = counts[context] = np.zeros(self.num_labels)
                row[label] += 1
        self.counts = counts
        self._rows = {}
        return self

    def _context(self, history):
        return history[max(0, len(history) - self.order + 1):] if self.order > 1 else ()

    def log_probs(self, history):
        """Array (num_labels,): natural log of P(label | history) for every label; ``-inf`` at the blank.

        Only the last ``order - 1`` labels of ``history`` matter (fewer at the start of a sequence).
        The returned array is shared: do not modify it.
        """
        history = _check_sequence("history", history, self.num_labels, self.blank)
        return self._row(self._context(history))

    def _row(self, context):
        row = self._rows.get(context)
        if row is None:
            counts = self.counts.get(context)
            if counts is None:
                counts = np.zeros(self.num_labels)
            row = np.log(counts + self.k) - math.log(counts.sum() + self.k * self.vocabulary)
            if self.blank is not None:
                row[self.blank] = -math.inf
            row.flags.writeable = False
            self._rows[context] = row
        return row

    def log_prob(self, history, label):
        """Natural log of P(``label`` | ``history``), a float; ``history`` is a sequence of labels (the
        labels so far, oldest first), of which the last ``order - 1`` are the context."""
        label = _check_label("label", label, self.num_labels, self.blank)
        return float(self.log_probs(history)[label])

    def log_prob_sequence(self, sequence):
        """Natural log of the probability that a sequence starts with ``sequence``: the sum of
        ``log_prob(sequence[:i], sequence[i])`` (no end-of-sequence term; 0.0 for the empty sequence)."""
        sequence = _check_sequence("sequence", sequence, self.num_labels, self.blank)
        return float(sum(self._row(self._context(sequence[:i]))[label] for i, label in enumerate(sequence)))

    def __repr__(self):
        blank = "" if self.blank is None else f", blank={self.blank}"
        return f"NGram(order={self.order}, num_labels={self.num_labels}, k={self.k:g}{blank})"
