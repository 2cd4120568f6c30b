"""Decoding CTC outputs (§9.11.1): greedy best-path decoding and prefix beam search; and scoring them
with the edit distance and the error rate (CER) the chapters report.

Both take log-probabilities ``(T, C)`` whose rows each sum to one in probability (as ``rnnbook.ctc``).
Greedy decoding collapses the single most likely path; it need not give the most likely labeling,
because a labeling's probability is a sum over all of its paths. Prefix beam search keeps the
``beam_width`` most probable labeling prefixes and, for each, the probability of all paths that
collapse to it, split by whether the path's last frame is a blank (Hannun 2017, "Sequence modeling
with CTC", Distill). The split is needed because a label repeated after a blank starts a new symbol,
while a label repeated directly extends the same one. A language model (``rnnbook.lm``) and an
insertion bonus can join the score as in Hannun et al. (2014), "First-pass large vocabulary continuous
speech recognition using bi-directional recurrent DNNs".

The search is written with numpy over the beam and the classes, one frame at a time; chapter 11 writes
the same search in pure Python with dictionaries, and tests/test_decode.py holds a frozen pure-Python
copy that the library equals to the bit.
"""
import math
import numbers

import numpy as np

from rnnbook._checks import as_int, as_labels, as_matrix, check_blank, check_log_probs
from rnnbook.ctc import collapse
from rnnbook.lm import NGram


def _check_log_probs(log_probs, blank):
    log_probs = as_matrix("log_probs", log_probs, allow_neg_inf=True)
    if log_probs.shape[0] == 0:
        raise ValueError(f"log_probs must have at least one frame, got shape {log_probs.shape}")
    blank = check_blank(blank, log_probs.shape[1])
    check_log_probs("log_probs", log_probs)
    return log_probs, blank


def _as_label_sequence(name, value):
    """``value`` as a list of labels, or ValueError naming ``name``: a ``str`` (its characters are the
    labels), or a 1-D sequence of non-negative integer labels under the input rules of ``_checks``
    (bools and floats refused, the position of a negative label named)."""
    return list(value) if isinstance(value, str) else as_labels(name, value).tolist()


def edit_distance(reference, hypothesis):
    """Levenshtein distance between two label sequences: the fewest insertions, deletions and
    substitutions (each costing 1) that turn ``reference`` into ``hypothesis``. Returns an int.

    The distance is symmetric, so the order of the arguments only matters for the error messages.
    A sequence is a 1-D sequence of non-negative integer labels (list, tuple, array) or a string of
    characters (``edit_distance("kitten", "sitting") == 3``); anything else, bools and floats among the
    labels included, raises a ValueError naming the argument.
    Computed one row of the dynamic-programming table at a time, O(len(reference) * len(hypothesis)).
    """
    return _distance(_as_label_sequence("reference", reference), _as_label_sequence("hypothesis", hypothesis))


def _distance(reference, hypothesis):
    """edit_distance of two checked lists (labels or characters)."""
    row = list(range(len(hypothesis) + 1))             # distances from reference[:0] to hypothesis[:j]
    for i, r in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, h in enumerate(hypothesis, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1]


def error_rate(references, hypotheses):
    """Label (character) error rate: the total edit distance of every pair over the total reference
    length, as a float. This is the CER the chapters report; it can exceed 1 when hypotheses are
    longer than the references.

    ``references`` and ``hypotheses`` are equally long lists of label sequences (as ``edit_distance``).
    Raises ValueError when they differ in length, when a sequence is not one, or when the references
    hold no label at all (the rate would be 0/0).
    """
    for name, value in (("references", references), ("hypotheses", hypotheses)):
        if isinstance(value, (str, dict, set)) or not hasattr(value, "__len__"):
            raise ValueError(f"{name} must be a list of label sequences, got {type(value).__name__}")
    if len(references) != len(hypotheses):
        raise ValueError(f"references and hypotheses must be equally long, got {len(references)} "
                         f"references and {len(hypotheses)} hypotheses")
    errors = length = 0
    for i, (reference, hypothesis) in enumerate(zip(references, hypotheses)):
        reference = _as_label_sequence(f"references[{i}]", reference)
        hypothesis = _as_label_sequence(f"hypotheses[{i}]", hypothesis)
        errors += _distance(reference, hypothesis)
        length += len(reference)
    if length == 0:
        raise ValueError("references hold no label (total length 0), so the error rate is undefined")
    return errors / length


def greedy(log_probs, blank=0):
    """Best-path decoding (§9.11.1, method 1): the argmax class of every frame, collapsed. Returns a list."""
    log_probs, blank = _check_log_probs(log_probs, blank)
    return collapse(np.argmax(log_probs, axis=1).tolist(), blank)


def _check_weights(lm, lm_weight, insertion_bonus, num_classes, blank):
    """Validated (use_lm, lm_weight, insertion_bonus) of prefix_beam_search."""
    for name, value in (("lm_weight", lm_weight), ("insertion_bonus", insertion_bonus)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if lm_weight < 0:
        raise ValueError(f"lm_weight must be >= 0 (a negative weight would reward what the language model "
                         f"finds improbable), got {lm_weight!r}")
    if lm is None:
        if lm_weight != 0:
            raise ValueError(f"lm_weight is {lm_weight!r} but no lm was given")
    else:
        if not callable(getattr(lm, "log_prob", None)):
            raise ValueError(f"lm must have a method log_prob(history, label), got {type(lm).__name__}")
        if isinstance(lm, NGram):
            if lm.num_labels != num_classes:
                raise ValueError(f"lm is over {lm.num_labels} labels but log_probs has {num_classes} classes")
            if lm.blank not in (None, blank):
                raise ValueError(f"lm sets aside label {lm.blank} as its blank but the blank here is {blank}")
    return lm is not None and lm_weight > 0, float(lm_weight), float(insertion_bonus)


def _lm_log_prob(lm, history, label):
    value = lm.log_prob(history, label)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or math.isnan(value) \
            or value == math.inf:
        raise ValueError(f"lm.log_prob({history}, {label}) returned {value!r}; it must be a log-probability "
                         f"(a float, -inf for an impossible label)")
    return float(value)


def prefix_beam_search(log_probs, beam_width, blank=0, lm=None, lm_weight=0.0, insertion_bonus=0.0):
    """CTC prefix beam search (§9.11.1, method 3), optionally with a language model.

    Parameters
    ----------
    log_probs : (T, C) log-probabilities.
    beam_width : int >= 1, how many prefixes survive each frame.
    blank : the blank's class index.
    lm : None, or any object with a method ``log_prob(history, label)`` giving the natural log of the
        probability of ``label`` after the tuple of labels ``history`` (class indices, never the blank),
        e.g. ``rnnbook.lm.NGram``. It must give the same value for the same arguments; -inf is allowed
        (the prefix is dropped) and NaN or +inf raise ValueError. There is no end-of-sequence term.
    lm_weight : float >= 0, the weight of the language model's log-probability. 0 ignores ``lm`` (it is
        never called). A negative weight raises ValueError: it would reward improbable labelings.
    insertion_bonus : float, added once per label of the prefix. A positive bonus offsets the language
        model's pull towards short labelings (every label costs a log-probability below zero); a
        negative one is an insertion penalty. Any finite value is allowed.

    Returns
    -------
    list of ``(labeling, score)``, best first, at most ``beam_width`` long, where ``labeling`` is a tuple
    of class indices and

        score = log P_ctc(labeling | x) + lm_weight * log P_lm(labeling) + insertion_bonus * len(labeling)

    ``P_ctc`` is the total probability of the paths kept for the labeling and ``log P_lm(labeling)`` the
    sum of ``lm.log_prob(labeling[:i], labeling[i])``. Pruning only drops paths, so ``P_ctc`` is at most
    ``exp(-ctc.loss(log_probs, labeling))``, with equality when the beam is wide enough to keep every
    prefix: then the search is exhaustive and returns every labeling of nonzero score, ranked. Equal
    scores are ranked by the labeling (ascending tuples), so the result is deterministic. With
    ``lm=None`` and ``insertion_bonus=0`` the score is the log-probability of the labeling.

    Each prefix carries two log-probabilities: of the kept paths that collapse to it and end in a blank
    (``ends_blank``), and of those that end in its last label (``ends_label``). At every frame a prefix is
    extended by the blank (stays the same, now ending in a blank), by its own last label (stays the
    same when it ended in that label, grows when a blank separated them) or by any other label (grows).
    As in Hannun et al. (2014), the language-model and bonus terms enter when a label is appended
    (every path of a prefix has appended the same labels, so a prefix carries one such term), and the
    beam keeps the prefixes of best combined score.
    """
    log_probs, blank = _check_log_probs(log_probs, blank)
    beam_width = as_int("beam_width", beam_width, minimum=1)
    num_classes = log_probs.shape[1]
    use_lm, lm_weight, insertion_bonus = _check_weights(lm, lm_weight, insertion_bonus, num_classes, blank)
    # NGram's own rows are read whole; a subclass may redefine log_prob, so it is asked label by label
    ngram = use_lm and type(lm) is NGram

    # Every frame scores a grid of candidates, one row per beam prefix: column 0 keeps the prefix, column
    # 1 + k appends class k. Each entry is the same floating-point expression the pure search evaluates
    # for that candidate (and np.logaddexp computes max + log1p(exp(min - max)) as it does), so the
    # result is the same to the bit; only the dictionary updates are gone.
    appended = {}     # prefix -> (C + 1,) added to its bonus by each column: 0 to keep it, the lm term per k

    def appended_row(prefix):
        row = appended.get(prefix)
        if row is None:
            if ngram:                                           # one validated row instead of C calls
                lm_row = lm.log_probs(prefix)
            else:
                lm_row = np.array([_lm_log_prob(lm, prefix, k) if k != blank else 0.0
                                   for k in range(num_classes)])
            row = appended[prefix] = np.concatenate([[0.0], lm_weight * lm_row + insertion_bonus])
        return row

    columns = num_classes + 1
    constant_row = np.array([0.0] + [insertion_bonus] * num_classes)
    # The beam, best first: its prefixes, their last labels and, per prefix, a column of ``state``:
    # log ends_blank, log ends_label, their logaddexp (the CTC part of the score) and the bonus
    # (lm_weight * log P_lm + insertion_bonus * length). The empty prefix's "last label" is C - 1, a
    # stand-in that changes nothing: its ends_label is -inf and its ends_blank equals its CTC total, so
    # the "a-a" -> "aa" entry written for it is the one already there.
    prefixes = [()]
    last = np.array([num_classes - 1])
    state = np.array([[0.0], [-math.inf], [0.0], [0.0]])
    beam_rows = np.arange(beam_width)
    into, out_of = [], []     # flat grid positions: prefix i's "keep" entry, its parent's "append" entry
    for frame in log_probs:
        B = len(prefixes)
        ends_blank, ends_label, ctc_total, bonus = state
        last_prob = frame[last]
        # the same four quantities for every candidate; the grid of log ends_label is candidates[1]
        candidates = np.empty((4, B, columns))
        grid = candidates[1]
        # keep the prefix by a blank (it now ends in a blank) ...
        candidates[0] = -math.inf
        np.add(ctc_total, frame[blank], out=candidates[0, :, 0])
        # ... or by repeating its last label ("aa" -> "a")
        np.add(ends_label, last_prob, out=grid[:, 0])
        # append class k to the whole prefix; its own last label only after a blank ("a-a" -> "aa")
        np.add(ctc_total[:, None], frame, out=grid[:, 1:])
        grid[beam_rows[:B], last + 1] = ends_blank + last_prob
        grid[:, blank + 1] = -math.inf
        # a prefix whose parent is in the beam is also reached from it: merge, and drop the duplicate
        flat = grid.reshape(-1)
        if into:
            flat[into] = np.logaddexp(flat[into], flat[out_of])
            flat[out_of] = -math.inf
        candidates[2] = grid
        np.logaddexp(candidates[0, :, 0], grid[:, 0], out=candidates[2, :, 0])
        np.add(bonus[:, None], np.array([appended_row(p) for p in prefixes]) if use_lm else constant_row,
               out=candidates[3])
        candidates = candidates.reshape(4, -1)
        scores = candidates[2] + candidates[3]
        chosen = _best(scores, beam_width, lambda i: prefixes[i // columns] if i % columns == 0
                       else prefixes[i // columns] + (i % columns - 1,))
        if not chosen.size:      # every candidate scored -inf: only an lm giving -inf can do that
            return []
        # the survivors: flat index r * (C + 1) + c is prefix r kept (c = 0) or with class c - 1 appended
        state = candidates[:, chosen]
        scores = scores[chosen]
        prefixes = [prefixes[r] if c == 0 else prefixes[r] + (c - 1,)
                    for r, c in (divmod(i, columns) for i in chosen.tolist())]
        last = np.array([prefix[-1] if prefix else num_classes - 1 for prefix in prefixes])
        position = {prefix: i for i, prefix in enumerate(prefixes)}
        into, out_of = [], []
        for i, prefix in enumerate(prefixes):
            if prefix and prefix[:-1] in position:
                into.append(i * columns)
                out_of.append(position[prefix[:-1]] * columns + prefix[-1] + 1)

    return list(zip(prefixes, scores.tolist()))


def _best(scores, width, prefix_of):
    """Indices of the ``width`` best finite ``scores``, best first, equal scores ordered by
    ``prefix_of(index)`` (the labeling): the order of sorting every candidate by (-score, labeling)."""
    if width == 1:
        top = scores.max()
        chosen = (scores == top).nonzero()[0] if top > -math.inf else np.zeros(0, dtype=int)
        return chosen if chosen.size <= 1 else np.array([min(chosen.tolist(), key=prefix_of)])
    if scores.size > width:
        chosen = np.argpartition(scores, scores.size - width)[scores.size - width:]
        threshold = scores[chosen].min()
        if (scores == threshold).sum() > (scores[chosen] == threshold).sum():
            # more candidates tie at the cut than fit: keep those with the smallest labelings
            above = (scores > threshold).nonzero()[0]
            tied = sorted((scores == threshold).nonzero()[0].tolist(), key=prefix_of)
            chosen = np.concatenate([above, np.array(tied[:width - above.size], dtype=int)])
    else:
        chosen = np.arange(scores.size)
    chosen = chosen[scores[chosen] > -math.inf]
    chosen = chosen[np.argsort(-scores[chosen], kind="stable")]
    ranked = scores[chosen]
    if (ranked[1:] == ranked[:-1]).any():                     # equal scores: order them by the labeling
        chosen = np.array(sorted(chosen.tolist(), key=lambda i: (-scores[i], prefix_of(i))), dtype=int)
    return chosen
