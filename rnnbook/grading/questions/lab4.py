"""Lab 4: decoding CTC outputs — greedy best path and prefix beam search (§9.11)."""
import numpy as np

from rnnbook import decode

from . import Case, Question, random_log_probs


def _case(name, rng, T, C, beam_width=None, blank=0):
    log_probs = random_log_probs(rng, T, C)
    args = (log_probs,) if beam_width is None else (log_probs, beam_width)
    return Case(name, args, {"blank": blank})


# Greedy and best-path disagree here: the best path is "blank blank" (0.36) but labeling "1" collects
# 0.4*0.6 + 0.6*0.4 + 0.4*0.4 = 0.64 over three paths (the classic example of §9.11).
NOT_GREEDY = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))

QUESTIONS = [
    Question("q1", "greedy (best path) decoding", "ctc_greedy", 1, decode.greedy,
             public=lambda: [Case("two frames", (NOT_GREEDY,)), _case("T=8, C=4", np.random.default_rng(81), 8, 4),
                             _case("blank is the last class", np.random.default_rng(82), 6, 3, blank=2)],
             hidden=lambda rng: [_case(f"hidden {i}", rng, int(rng.integers(3, 15)), 4) for i in range(3)]),
    Question("q2", "prefix beam search", "prefix_beam_search", 4, decode.prefix_beam_search,
             public=lambda: [Case("two frames, beam 3 (beats greedy)", (NOT_GREEDY, 3)),
                             _case("T=6, C=3, beam 1", np.random.default_rng(83), 6, 3, beam_width=1),
                             _case("T=8, C=4, beam 4", np.random.default_rng(84), 8, 4, beam_width=4),
                             _case("beam 100 (exhaustive)", np.random.default_rng(85), 5, 3, beam_width=100)],
             hidden=lambda rng: [_case(f"hidden {i}", rng, int(rng.integers(4, 12)), 4,
                                       beam_width=int(rng.integers(2, 6))) for i in range(3)]),
]
