"""Connectionist temporal classification: the blank-extended lattice, forward-backward, loss, gradient and
forced alignment (chapter 9 of the notes), in log space and float64.

Conventions (fixed for the whole project)
------------------------------------------
* Indices start at 0. The extended target of §9.5 is ``ext = extend(target)`` of length ``S = 2L + 1``:
  blanks at even states ``s = 0, 2, ..., 2L`` and ``target[i]`` at the odd state ``2i + 1``
  (the notes count from 1, so their odd indices are our even ones).
* ``log_alpha[t, s]`` is the log of the total probability of all path prefixes ``pi_0 .. pi_t`` that
  follow the lattice and sit in state ``s`` at frame ``t``; it includes the emission ``y_t(ext[s])``
  (the notes' §9.6 ``alpha``).
* ``log_beta[t, s]`` is the log probability of emitting frames ``t .. T-1`` starting from state ``s`` at
  frame ``t`` and ending in one of the last two states: it **includes** the emission ``y_t(ext[s])``
  (Graves et al. 2006). The notes' §9.7 starts from ``beta_T = 1`` and so excludes it:
  ``beta_notes[t, s] = beta[t, s] / y_t(ext[s])``. Our convention is the one §9.8.1's identity needs,
  ``sum_s alpha[t, s] * beta[t, s] / y_t(ext[s]) = P(target | X)`` at every ``t``; with the notes' own
  beta it reads ``sum_s alpha * beta_notes = P``.
* Gradients: ``dP / dy_t(k) = sum_{s: ext[s] = k} alpha[t, s] * beta[t, s] / y_t(k)**2``, so
  ``d loss / d y_t(k) = -(1 / (P * y_t(k))) * sum_{s: ext[s] = k} alpha[t, s] * beta_notes[t, s]``:
  §9.8.2 drops the ``1 / y_t(k)``. Through a softmax the factors cancel and
  ``d loss / d z_t(k) = y_t(k) - gamma_t(k)`` with the posterior
  ``gamma_t(k) = (1/P) sum_{s: ext[s] = k} alpha[t, s] * beta[t, s] / y_t(k)`` (``posteriors``).
* When no alignment fits (``T < L + number of equal neighbours in the target``) or every alignment has
  probability zero, ``P = 0``: the final alpha/beta entries are ``-inf``, ``loss`` is ``inf``, and
  ``posteriors`` and ``grad_logits`` are all zeros (no path carries any mass; torch gives the same
  gradient with ``zero_infinity=True``). Nothing is NaN and numpy prints no warning.

Inputs are log-probabilities ``(T, C)`` whose rows each sum to one in probability (checked to 1e-4, so
a float32 log_softmax passes and probabilities or raw logits do not). ``-inf`` is a zero probability.
The recursions loop over time in Python and update all lattice states of a frame at once with
``np.logaddexp`` on preallocated rows; ``batch_loss`` does the same for a whole padded batch.
"""
import numpy as np

from rnnbook._checks import (as_int, as_label_array, as_labels, as_lengths, as_matrix, check_blank, check_finite,
                             check_log_probs)
from rnnbook.align import compress


# --- the lattice (§9.3, §9.5) ---

def _as_target(target, blank, num_classes=None):
    """The target as an int64 vector of labels: in ``[0, num_classes)`` when that is known, never the blank."""
    return as_labels("target", target, num_classes, forbidden=blank)


def extend(target, blank=0):
    """The extended target of §9.5: ``(blank, l_1, blank, l_2, ..., l_L, blank)``, an int64 array (2L+1,)."""
    blank = as_int("blank", blank)
    return _lattice(_as_target(target, blank), blank)[0]


def collapse(path, blank=0):
    """The collapse map B of §9.3: merge consecutive repeats, *then* remove blanks. Returns a list.

    The order matters: ``(h, blank, e, blank, l, blank, l, o)`` collapses to ``hello``, while removing the
    blanks first (as §9.3.1 states the rule) would merge the two l's. ``path`` is any 1-D sequence of
    symbols (ints, or characters with e.g. ``blank="-"``).
    """
    return [symbol for symbol in compress(path) if symbol != blank]


def _lattice(target, blank, is_label=None):
    """The extended target ``ext`` and the skip mask: the one place the lattice of §9.5 is built.

    ``ext[..., s]`` is the blank at even ``s`` and ``target[..., i]`` at ``s = 2i + 1``; ``skip[..., s]`` is
    True when the transition ``s - 2 -> s`` is allowed. The skip jumps over a blank between two *different*
    labels (§9.6.3 case 3); it never enters a blank and never joins two equal labels, which must stay
    separated by a blank (§9.6.4). ``target`` is (L,) or a padded batch (B, L); there ``is_label`` (B, L)
    marks the real labels, and the padding becomes blanks that no skip reaches.
    """
    ext = np.full(target.shape[:-1] + (2 * target.shape[-1] + 1,), blank, dtype=np.int64)
    ext[..., 1::2] = target if is_label is None else np.where(is_label, target, blank)
    skip = np.zeros(ext.shape, dtype=bool)
    skip[..., 3::2] = target[..., 1:] != target[..., :-1]
    if is_label is not None:
        skip[..., 3::2] &= is_label[..., 1:]
    return ext, skip


def _min_frames(target):
    """Fewest frames any alignment needs: one per label plus a blank between each pair of equal neighbours."""
    return len(target) + int(np.count_nonzero(target[1:] == target[:-1]))


def count_alignments(T, target, blank=0):
    """Number of length-``T`` paths that collapse to ``target`` (§9.3.3), an exact Python int.

    Counted by the forward recursion with integers instead of probabilities; it depends only on ``T``,
    ``L`` and where the target has equal neighbours, not on the alphabet size.
    """
    T = as_int("T", T)
    blank = as_int("blank", blank)
    target = _as_target(target, blank)
    if T == 0:
        return 1 if len(target) == 0 else 0
    _, skip = _lattice(target, blank)
    counts = np.zeros(len(skip), dtype=object)          # Python ints: exact however large
    counts[:2] = 1
    for _ in range(1, int(T)):
        previous = counts.copy()
        counts[1:] += previous[:-1]
        counts[2:][skip[2:]] += previous[:-2][skip[2:]]
    return int(counts[-2:].sum())


# --- forward-backward in log space (§9.6-9.8) ---

def _check_inputs(log_probs, target, blank):
    log_probs = as_matrix("log_probs", log_probs, allow_neg_inf=True)
    T, C = log_probs.shape
    if T == 0:
        raise ValueError(f"log_probs must have at least one frame, got shape {log_probs.shape}")
    blank = check_blank(blank, C)
    target = _as_target(target, blank, C)
    check_log_probs("log_probs", log_probs)
    return log_probs, target, blank


def _log_alpha(emissions, skip):
    """Forward recursion (§9.6) over the lattice; ``emissions[t, s] = log y_t(ext[s])``, shape (T, S)."""
    T, S = emissions.shape
    log_alpha = np.full((T, S), -np.inf)
    log_alpha[0, :2] = emissions[0, :2]                  # §9.6.2: start in the first blank or first label
    skip_into = skip[2:]
    for t in range(1, T):
        previous, current = log_alpha[t - 1], log_alpha[t]
        current[0] = previous[0]
        np.logaddexp(previous[1:], previous[:-1], out=current[1:])                   # stay or advance
        np.logaddexp(current[2:], previous[:-2], out=current[2:], where=skip_into)   # or skip a blank
        current += emissions[t]
    return log_alpha


def _log_beta_after(emissions, skip):
    """Backward recursion in the notes' convention (§9.7): the emission at ``t`` is *not* included.

    Working with this internally keeps ``log_alpha + log_beta_after`` free of ``-inf - -inf`` when a class
    has probability zero; the public ``backward`` adds the emission back.
    """
    T, S = emissions.shape
    log_beta = np.full((T, S), -np.inf)
    log_beta[T - 1, -2:] = 0.0                          # §9.7.2: end in the last label or the last blank
    skip_from = skip[2:]                                # s -> s + 2 is allowed when skip[s + 2]
    following = np.empty(S)                             # beta of frame t + 1, emission included
    for t in range(T - 2, -1, -1):
        np.add(log_beta[t + 1], emissions[t + 1], out=following)
        current = log_beta[t]
        current[-1] = following[-1]
        np.logaddexp(following[:-1], following[1:], out=current[:-1])
        np.logaddexp(current[:-2], following[2:], out=current[:-2], where=skip_from)
    return log_beta


def _log_total(final_row):
    """log P from the last frame's alpha: end in the last blank or the last label (§9.6.5)."""
    return float(np.logaddexp(final_row[-1], final_row[-2])) if len(final_row) > 1 else float(final_row[-1])


def _emissions(log_probs, ext):
    return np.ascontiguousarray(log_probs[:, ext])


def forward(log_probs, target, blank=0):
    """``log_alpha`` (T, 2L+1) of §9.6 for ``log_probs`` (T, C) and ``target`` (L,) of labels != blank."""
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    ext, skip = _lattice(target, blank)
    return _log_alpha(_emissions(log_probs, ext), skip)


def backward(log_probs, target, blank=0):
    """``log_beta`` (T, 2L+1), emission at ``t`` included (see the module docstring for the notes' §9.7)."""
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    ext, skip = _lattice(target, blank)
    emissions = _emissions(log_probs, ext)
    return _log_beta_after(emissions, skip) + emissions


def loss(log_probs, target, blank=0):
    """CTC loss ``-log P(target | X)`` (§9.4.2) as a float; ``inf`` when no alignment fits in T frames."""
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    ext, skip = _lattice(target, blank)
    return -_log_total(_log_alpha(_emissions(log_probs, ext), skip)[-1])


def _posteriors(log_probs, target, blank):
    """Per-frame class posteriors gamma (T, C) and log P, from checked inputs."""
    T, C = log_probs.shape
    ext, skip = _lattice(target, blank)
    emissions = _emissions(log_probs, ext)
    log_alpha = _log_alpha(emissions, skip)
    log_p = _log_total(log_alpha[-1])
    if log_p == -np.inf:
        return np.zeros((T, C)), log_p
    # state occupancy alpha * beta_notes / P (= alpha * beta / (y P)), then summed per class
    log_alpha += _log_beta_after(emissions, skip)
    log_alpha -= log_p
    occupancy = np.exp(log_alpha, out=log_alpha)
    state_to_class = np.zeros((len(ext), C))
    state_to_class[np.arange(len(ext)), ext] = 1.0
    return occupancy @ state_to_class, log_p


def posteriors(log_probs, target, blank=0):
    """gamma (T, C): the posterior probability that frame ``t`` emits class ``k``, given the target.

    Each row sums to one (all zeros when no alignment fits). ``gamma[:, blank]`` is the blank's share.
    """
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    return _posteriors(log_probs, target, blank)[0]


def grad_logits(log_probs, target, blank=0):
    """``d loss / d z`` (T, C) for pre-softmax logits ``z`` with ``log_probs = log_softmax(z)``: ``y - gamma``.

    §9.8.2 pushed through the softmax (see the module docstring for the factor the notes drop).
    Each row sums to zero. All zeros when no alignment fits (the loss is ``inf`` and constant there).
    """
    return loss_and_grad_logits(log_probs, target, blank)[1]


def loss_and_grad_logits(log_probs, target, blank=0):
    """``(loss, grad_logits)`` from one forward-backward pass, for training loops (extra to the contract)."""
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    gamma, log_p = _posteriors(log_probs, target, blank)
    if log_p == -np.inf:
        return np.inf, gamma
    return -log_p, np.exp(log_probs) - gamma


# --- a padded batch at once ---

def batch_loss(log_probs, targets, input_lengths, target_lengths, blank=0):
    """CTC losses (B,) of a padded batch, as ``torch.nn.functional.ctc_loss(..., reduction='none')``.

    Parameters
    ----------
    log_probs : (T, B, C) log-probabilities, time first as in torch; frames ``t >= input_lengths[b]`` of
        sequence ``b`` are ignored (only NaN / +inf is refused there).
    targets : (B, Lmax) integer labels; entries past ``target_lengths[b]`` are ignored.
    input_lengths, target_lengths : (B,) integers in ``[0, T]`` and ``[0, Lmax]``.

    All sequences advance together: the lattices are padded to the longest extended target, and since
    the recursion only moves to higher states, padding states never feed real ones. A sequence's loss is
    read from its own last frame. ``inf`` where no alignment fits.
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 3:
        raise ValueError(f"log_probs must be a 3-D array (T, B, C), got shape {log_probs.shape} "
                         f"(rank {log_probs.ndim})")
    check_finite("log_probs", log_probs, allow_neg_inf=True)
    T, B, C = log_probs.shape
    blank = check_blank(blank, C)
    if np.ndim(targets) != 2 or np.shape(targets)[0] != B:
        raise ValueError(f"targets must be a 2-D array (B, Lmax) with B = {B}, got shape {np.shape(targets)}")
    targets = as_label_array("targets", targets, ndim=2)             # integers; their range comes below
    input_lengths = as_lengths("input_lengths", input_lengths, B, T, "the number of frames T")
    target_lengths = as_lengths("target_lengths", target_lengths, B, targets.shape[1], "the width Lmax")

    L_max = int(target_lengths.max(initial=0))
    is_label = np.arange(L_max) < target_lengths[:, None]                  # (B, L_max)
    targets = as_labels("targets", targets[:, :L_max], C, forbidden=blank, ndim=2, valid=is_label)
    is_frame = np.arange(T)[:, None] < input_lengths                        # (T, B)
    check_log_probs("log_probs", log_probs[is_frame])

    ext, skip = _lattice(targets, blank, is_label)
    S_max = ext.shape[1]
    T_used = int(input_lengths.max(initial=0))
    emissions = log_probs[:T_used, np.arange(B)[:, None], ext]              # (T_used, B, S_max)

    # alpha "before the first frame" is all mass in state 0; the recursion then gives §9.6.2's start
    log_alpha = np.full((B, S_max), -np.inf)
    log_alpha[:, 0] = 0.0
    final = log_alpha.copy()                     # alpha at each sequence's last frame (input length 0: start)
    current = np.empty_like(log_alpha)
    skip_into = skip[:, 2:]
    last_frame = input_lengths - 1
    for t in range(T_used):
        current[:, 0] = log_alpha[:, 0]
        np.logaddexp(log_alpha[:, 1:], log_alpha[:, :-1], out=current[:, 1:])
        np.logaddexp(current[:, 2:], log_alpha[:, :-2], out=current[:, 2:], where=skip_into)
        current += emissions[t]
        log_alpha, current = current, log_alpha
        ending = last_frame == t
        if ending.any():
            final[ending] = log_alpha[ending]

    last_state = 2 * target_lengths
    rows = np.arange(B)
    log_p = np.where(target_lengths > 0,
                     np.logaddexp(final[rows, last_state], final[rows, np.maximum(last_state - 1, 0)]),
                     final[rows, last_state])
    return -log_p


# --- the single best path (§8.8 on the CTC lattice) ---

def forced_align(log_probs, target, blank=0):
    """Best single alignment of ``target`` to ``log_probs`` (T, C): Viterbi (§8.8) over the extended lattice
    of §9.5, with the max of §8.5 in place of the sum of §9.6.3.

    Returns ``(path, best_log_score)``: ``path`` (T,) int64 holds one class per frame, blanks included,
    with ``collapse(path) == target``, and ``best_log_score = sum_t log_probs[t, path[t]]``, the largest
    over all alignments (so it never exceeds ``-loss``). Ties prefer staying, then advancing one state,
    and ending in the final blank rather than the last label.
    Raises ValueError when no alignment fits (T < L + number of equal neighbours) or all have
    probability zero.
    """
    log_probs, target, blank = _check_inputs(log_probs, target, blank)
    T = len(log_probs)
    needed = _min_frames(target)
    if T < needed:
        raise ValueError(f"no alignment fits: the target needs at least {needed} frames (L = {len(target)} "
                         f"labels plus a blank between each pair of equal neighbours), log_probs has T = {T}")
    ext, skip = _lattice(target, blank)
    emissions = _emissions(log_probs, ext)
    S = len(ext)
    score = np.full(S, -np.inf)
    score[:2] = emissions[0, :2]
    previous = np.empty(S)
    advanced = np.zeros((T, S), dtype=bool)     # backpointers: came from s - 1 ...
    skipped = np.zeros((T, S), dtype=bool)      # ... or from s - 2 (otherwise stayed at s)
    skip_into = skip[2:]
    for t in range(1, T):
        previous[:] = score
        np.greater(previous[:-1], previous[1:], out=advanced[t, 1:])
        np.maximum(previous[1:], previous[:-1], out=score[1:])
        jump = skipped[t, 2:]
        np.greater(previous[:-2], score[2:], out=jump)
        jump &= skip_into
        np.copyto(score[2:], previous[:-2], where=jump)
        score += emissions[t]

    state = S - 1 if S == 1 or score[S - 1] >= score[S - 2] else S - 2
    best = float(score[state])
    if best == -np.inf:
        raise ValueError("every alignment of the target has probability zero under log_probs "
                         "(all scores are -inf), so there is no best path")
    states = np.empty(T, dtype=np.int64)
    for t in range(T - 1, -1, -1):
        states[t] = state
        state -= 2 if skipped[t, state] else int(advanced[t, state])
    return ext[states], best
