"""Decoding CTC outputs (§9.11.1): greedy best-path decoding and prefix beam search.

Both take log-probabilities ``(T, C)`` whose rows each sum to one in probability (as ``rnnbook.ctc``).
Greedy decoding collapses the single most likely path; it need not give the most likely labeling,
because a labeling's probability is a sum over all of its paths. Prefix beam search keeps the
``beam_width`` most probable labeling prefixes and, for each, the probability of all paths that
collapse to it, split by whether the path's last frame is a blank (Hannun 2017, "Sequence modeling
with CTC", Distill). The split is needed because a label repeated after a blank starts a new symbol,
while a label repeated directly extends the same one.
"""
import math

import numpy as np

from rnnbook._checks import as_int, as_matrix, check_blank, check_log_probs
from rnnbook.ctc import collapse


def _check_log_probs(log_probs, blank):
    log_probs = as_matrix("log_probs", log_probs, allow_neg_inf=True)
    if log_probs.shape[0] == 0:
        raise ValueError(f"log_probs must have at least one frame, got shape {log_probs.shape}")
    blank = check_blank(blank, log_probs.shape[1])
    check_log_probs("log_probs", log_probs)
    return log_probs, blank


def _logaddexp(a, b):
    """log(e^a + e^b) of two Python floats (np.logaddexp is ~10x slower on scalars)."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


def _accumulate(table, prefix, ends_blank=-math.inf, ends_label=-math.inf):
    """Add path probability to ``table[prefix]`` = (log ends_blank, log ends_label)."""
    old_blank, old_label = table.get(prefix, (-math.inf, -math.inf))
    table[prefix] = (_logaddexp(old_blank, ends_blank), _logaddexp(old_label, ends_label))


def greedy(log_probs, blank=0):
    """Best-path decoding (§9.11.1, method 1): the argmax class of every frame, collapsed. Returns a list."""
    log_probs, blank = _check_log_probs(log_probs, blank)
    return collapse(np.argmax(log_probs, axis=1).tolist(), blank)


def prefix_beam_search(log_probs, beam_width, blank=0):
    """CTC prefix beam search (§9.11.1, method 3).

    Parameters
    ----------
    log_probs : (T, C) log-probabilities.
    beam_width : int >= 1, how many prefixes survive each frame.

    Returns
    -------
    list of ``(labeling, log_prob)``, best first, at most ``beam_width`` long; ``labeling`` is a tuple of
    class indices and ``log_prob`` the log of the total probability of the paths kept for it. Pruning only
    drops paths, so ``log_prob <= -ctc.loss(log_probs, labeling)``, with equality when the beam is wide
    enough to keep every prefix (then the search is exhaustive).

    Each prefix carries two log-probabilities: of the kept paths that collapse to it and end in a blank
    (``ends_blank``), and of those that end in its last label (``ends_label``). At every frame a prefix is
    extended by the blank (stays the same, now ending in a blank), by its own last label (stays the
    same when it ended in that label, grows when a blank separated them) or by any other label (grows).
    Ties are broken by the labeling, so the result is deterministic.
    """
    log_probs, blank = _check_log_probs(log_probs, blank)
    beam_width = as_int("beam_width", beam_width, minimum=1)

    labels = [k for k in range(log_probs.shape[1]) if k != blank]
    beam = {(): (0.0, -math.inf)}                        # prefix -> (log ends_blank, log ends_label)
    for frame in log_probs.tolist():
        extended = {}
        for prefix, (ends_blank, ends_label) in beam.items():
            total = _logaddexp(ends_blank, ends_label)
            _accumulate(extended, prefix, ends_blank=total + frame[blank])
            last = prefix[-1] if prefix else None
            for k in labels:
                if k == last:
                    _accumulate(extended, prefix, ends_label=ends_label + frame[k])         # "aa" -> "a"
                    _accumulate(extended, prefix + (k,), ends_label=ends_blank + frame[k])  # "a-a" -> "aa"
                else:
                    _accumulate(extended, prefix + (k,), ends_label=total + frame[k])
        ranked = []
        for prefix, (ends_blank, ends_label) in extended.items():
            total = _logaddexp(ends_blank, ends_label)
            # a prefix whose paths all have probability zero (e.g. "a-a" before a blank could be emitted)
            # is no hypothesis at all
            if total > -math.inf:
                ranked.append((-total, prefix, ends_blank, ends_label))
        ranked.sort()                                   # most probable first; ties by the labeling
        beam = {prefix: (ends_blank, ends_label) for _, prefix, ends_blank, ends_label in ranked[:beam_width]}

    return [(prefix, _logaddexp(*scores)) for prefix, scores in beam.items()]
