"""Lab 4: decoding CTC outputs — greedy best path and prefix beam search (§9.11)."""
import numpy as np

from rnnbook import decode

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
]
