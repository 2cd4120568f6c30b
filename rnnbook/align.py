"""Alignment without a blank: compression, expansion, counting and Viterbi (chapters 7 and 8 of the notes).

An order-synchronous sequence ``S = (s_0, ..., s_{K-1})`` (§7.2.2) is *expanded* to a time-synchronous
sequence of ``N`` frames by holding every symbol for at least one frame (§7.4); *compression* undoes that
by removing consecutive repeats (§7.3). Viterbi (§8.8) finds the expansion with the highest score under
per-frame log-probabilities.

Positions, not symbol values, define an expansion: symbol ``S[i]`` occupies a run of frames, the runs
are in order and cover all ``N`` frames. When ``S`` itself has two equal neighbours (``S = (a, a)``) its
expansions compress to a shorter sequence and different splits give the same frames -- the ambiguity
§9.2 introduces the blank to remove. The functions here keep the positional meaning in that case.
"""
import itertools
import math

import numpy as np

from rnnbook._checks import as_int, as_labels, as_matrix


def compress(seq):
    """Remove consecutive repeats (the operator C of §7.3): ``[B, B, AH, AH, AH, T] -> [B, AH, T]``.

    ``seq`` is any 1-D sequence of hashable symbols (a list, a string, a 1-D numpy array). Returns a list
    (numpy scalars become Python scalars); the empty sequence compresses to ``[]``.
    """
    items = _as_symbol_list("seq", seq)
    return [symbol for i, symbol in enumerate(items) if i == 0 or symbol != items[i - 1]]


def _as_symbol_list(name, seq):
    """``seq`` as a plain list of symbols; a numpy array must be 1-D."""
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence of symbols, got an array of shape {seq.shape}")
        return seq.tolist()
    return list(seq)



def expansions(S, N):
    """Yield every expansion of ``S`` to ``N`` frames (§7.4), each a list of ``N`` symbols.

    Each symbol is held for at least one frame, so an expansion is fixed by where its ``K - 1`` symbol
    changes fall among the ``N - 1`` boundaries between frames; they are yielded in lexicographic order of
    those change points (the shortest first run first). Nothing is yielded when ``N < len(S)``; the empty
    ``S`` has the single (empty) expansion when ``N == 0`` and none otherwise.
    """
    symbols = _as_symbol_list("S", S)
    N = as_int("N", N)
    K = len(symbols)
    if K == 0 or N < K:
        if K == N == 0:
            yield []
        return
    for changes in itertools.combinations(range(1, N), K - 1):
        bounds = (0,) + changes + (N,)
        yield [symbols[i] for i in range(K) for _ in range(bounds[i + 1] - bounds[i])]


def count_expansions(K, N):
    """Number of expansions of ``K`` symbols to ``N`` frames: ``C(N-1, K-1)`` (§7.4), an exact Python int.

    ``0`` when ``N < K``; ``1`` for ``K = N = 0`` (the empty expansion of the empty sequence).
    """
    K = as_int("K", K)
    N = as_int("N", N)
    if K == 0:
        return 1 if N == 0 else 0
    if N < K:
        return 0
    return math.comb(N - 1, K - 1)


def viterbi(log_probs, S):
    """Best expansion of ``S`` under per-frame log-probabilities: the Viterbi algorithm of §8.8.

    Parameters
    ----------
    log_probs : (N, C) array
        ``log y_t(i)``; ``-inf`` (a zero probability) is allowed. Viterbi only adds and compares
        scores, so any per-frame log-scores work, normalised or not.
    S : (K,) sequence of class indices in ``[0, C)``
        The order-synchronous target; it must fit: ``K <= N``.

    Returns
    -------
    best_log_score : float
        ``max over expansions of sum_t log y_t(s~_t)`` (the log of ``V*`` of §8.7).
    alignment : list of N ints
        The best expansion, frame by frame. Ties go to "stay", as in the notes' pseudo-code.

    The grid is updated one frame at a time, all K symbols at once (§8.5):
    ``V(i, t) = log y_t(s_i) + max(V(i, t-1), V(i-1, t-1))``. §8.10's example,
    ``y = [[.9,.1],[.6,.4],[.3,.7],[.2,.8]]`` and ``S = [0, 1]``, gives ``log 0.3024`` and ``[0, 0, 1, 1]``.
    """
    log_probs = as_matrix("log_probs", log_probs, allow_neg_inf=True)
    N, C = log_probs.shape
    S = as_labels("S", S, C)
    K = len(S)
    if K > N:
        raise ValueError(f"S has {K} symbols but log_probs has only N = {N} frames: every symbol needs at "
                         f"least one frame, so no expansion exists (need N >= {K})")
    if K == 0:
        if N > 0:
            raise ValueError(f"S is empty but log_probs has N = {N} frames: the empty sequence has no "
                             f"expansion to a non-zero length")
        return 0.0, []

    emissions = log_probs[:, S]                         # (N, K): log y_t(s_i)
    scores = np.full(K, -np.inf)                        # V(., t), one frame at a time
    scores[0] = emissions[0, 0]                         # §8.6: a path must start at s_0
    advanced = np.zeros((N, K), dtype=bool)             # backpointer B(i, t): True = came from i-1
    stay = np.empty(K)
    for t in range(1, N):
        stay[:] = scores
        # advancing into symbol 0 is impossible; ">" keeps the notes' tie rule (stay wins a tie)
        advanced[t, 1:] = scores[:-1] > stay[1:]
        np.maximum(stay[1:], scores[:-1], out=scores[1:])
        scores += emissions[t]

    best = float(scores[K - 1])
    if best == -np.inf:
        raise ValueError("every expansion of S has probability zero under log_probs (all scores are -inf), "
                         "so there is no best alignment")
    position = K - 1
    positions = np.empty(N, dtype=np.int64)
    for t in range(N - 1, -1, -1):                      # §8.8 backward pass: follow the backpointers
        positions[t] = position
        position -= int(advanced[t, position])
    return best, S[positions].tolist()
