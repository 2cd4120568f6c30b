"""Lab 4: decoding CTC outputs — greedy best path, prefix beam search, and a language model in it (§9.11)."""
import numpy as np

from rnnbook import decode
from rnnbook.lm import NGram

from . import Case, Question, generator, random_log_probs

# Greedy and best-path disagree here: the best path is "blank blank" (0.36) but labeling "1" collects
# 0.4*0.6 + 0.6*0.4 + 0.4*0.4 = 0.64 over three paths (the classic example of §9.11).
NOT_GREEDY = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))


def greedy_inputs(seed, T, C, blank=0):
    return {"log_probs": random_log_probs(generator(seed), T, C), "blank": blank}


def beam_inputs(seed, T, C, beam_width, blank=0):
    return {"log_probs": random_log_probs(generator(seed), T, C), "beam_width": beam_width, "blank": blank}


def hidden_greedy(rng):
    return [Case(f"hidden {i}", greedy_inputs(rng, T=int(rng.integers(3, 15)), C=4), probes="random length")
            for i in range(3)]


def hidden_beam(rng):
    return [Case(f"hidden {i}", beam_inputs(rng, T=int(rng.integers(4, 12)), C=4, beam_width=int(rng.integers(2, 6))),
                 probes="random length and a narrow beam") for i in range(3)]


class BigramTable:
    """A bigram language model given as a table, as the student's function receives it (an object cannot
    cross into the sandbox): ``table[0]`` holds log P(first label), ``table[1 + a]`` log P(label | a)."""

    def __init__(self, table):
        self.table = np.asarray(table, dtype=float)

    def log_prob(self, history, label):
        return float(self.table[history[-1] + 1 if history else 0, label])


def bigram_table(lm):
    """The (C + 1, C) table of an order-2 ``rnnbook.lm.NGram`` (see BigramTable); -inf at the blank."""
    rows = [lm.log_probs(())] + [np.full(lm.num_labels, -np.inf) if a == lm.blank else lm.log_probs((a,))
                                 for a in range(lm.num_labels)]
    return np.array(rows)


def prefix_beam_search_lm(log_probs, beam_width, lm_table, lm_weight, insertion_bonus=0.0, blank=0):
    """The library's search with the language-model terms, the bigram given as a table."""
    return decode.prefix_beam_search(log_probs, beam_width, blank=blank, lm=BigramTable(lm_table),
                                     lm_weight=lm_weight, insertion_bonus=insertion_bonus)


def trained_table(sequences, C, k=0.5, blank=0):
    return bigram_table(NGram(order=2, num_labels=C, k=k, blank=blank).fit(sequences))


# Codes that start with 2 and then alternate: a bigram trained on them finds "2" far likelier than "1"
# as the first label, and "1" after "2".
CODES = [[2, 1], [2, 1, 2], [2, 1, 2, 1], [2, 2], [1, 2]]
# The network is unsure of the first symbol and mildly prefers "1": the language model overturns it.
UNSURE = np.log(np.array([[0.2, 0.45, 0.35], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]]))


def lm_inputs(seed, T, C, beam_width, lm_weight, insertion_bonus, k=0.5):
    """Random log-probabilities and a bigram trained on random label sequences, drawn in that order."""
    rng = generator(seed)
    log_probs = random_log_probs(rng, T, C)
    sequences = [rng.integers(1, C, size=int(rng.integers(1, 6))).tolist() for _ in range(8)]
    return {"log_probs": log_probs, "beam_width": beam_width, "lm_table": trained_table(sequences, C, k),
            "lm_weight": lm_weight, "insertion_bonus": insertion_bonus}


def hidden_lm(rng):
    cases = []
    for i in range(3):
        T, width = int(rng.integers(4, 10)), int(rng.integers(2, 6))
        weight, bonus, k = float(rng.uniform(0.1, 2.0)), float(rng.uniform(-1.0, 2.0)), float(rng.uniform(0.1, 1.0))
        cases.append(Case(f"hidden {i}", lm_inputs(rng, T=T, C=4, beam_width=width, lm_weight=weight,
                                                   insertion_bonus=bonus, k=k),
                          probes="random weight, bonus and smoothing; the terms change what the beam keeps"))
    return cases


QUESTIONS = [
    Question(
        "q1", "greedy (best path) decoding", 1, "ctc_greedy(log_probs, blank=0)", decode.greedy,
        public=(
            Case("two frames", {"log_probs": NOT_GREEDY}, probes="the best path is empty"),
            Case("T=8, C=4", greedy_inputs(81, T=8, C=4), probes="merge repeats, then drop blanks"),
            Case("blank is the last class", greedy_inputs(82, T=6, C=3, blank=2), probes="blank is not hard-coded"),
        ),
        hidden=hidden_greedy),
    Question(
        "q2", "prefix beam search", 4, "prefix_beam_search(log_probs, beam_width, blank=0)", decode.prefix_beam_search,
        public=(
            Case("two frames, beam 3 (beats greedy)", {"log_probs": NOT_GREEDY, "beam_width": 3},
                 probes="a labelling's paths are summed"),
            Case("T=6, C=3, beam 1", beam_inputs(83, T=6, C=3, beam_width=1), probes="the narrowest beam"),
            Case("T=8, C=4, beam 4", beam_inputs(84, T=8, C=4, beam_width=4), probes="pruning to four prefixes"),
            Case("beam 100 (exhaustive)", beam_inputs(85, T=5, C=3, beam_width=100),
                 probes="every prefix kept: the ranking of all labellings"),
        ),
        hidden=hidden_beam),
    Question(
        "q3", "prefix beam search with a language model", 2,
        "prefix_beam_search_lm(log_probs, beam_width, lm_table, lm_weight, insertion_bonus=0.0, blank=0)",
        prefix_beam_search_lm,
        public=(
            Case("weight 0, no bonus: the plain search", lm_inputs(86, T=6, C=3, beam_width=3, lm_weight=0.0,
                                                                   insertion_bonus=0.0),
                 probes="with both terms off the scores are q2's"),
            Case("the language model overturns the network", {"log_probs": UNSURE, "beam_width": 4,
                                                              "lm_table": trained_table(CODES, 3),
                                                              "lm_weight": 1.0},
                 probes="log P_lm of the first label (row 0) decides"),
            Case("insertion bonus alone", lm_inputs(87, T=6, C=3, beam_width=3, lm_weight=0.0, insertion_bonus=1.5),
                 probes="each label earns the bonus: longer labellings move up"),
            Case("weight 0.5, bonus 1, beam 2", lm_inputs(88, T=8, C=4, beam_width=2, lm_weight=0.5,
                                                          insertion_bonus=1.0),
                 probes="the beam is pruned by the combined score, not by the network's alone"),
            Case("beam 100 (exhaustive)", lm_inputs(89, T=5, C=3, beam_width=100, lm_weight=0.8,
                                                    insertion_bonus=-0.5),
                 probes="every labelling, ranked by the combined score; a negative bonus is a penalty"),
        ),
        hidden=hidden_lm),
]
