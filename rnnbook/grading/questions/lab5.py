"""Lab 5: LSTM and GRU over a sequence, forward and backward, in torch's gate order and layout (§10)."""
import numpy as np

from rnnbook import gated

from . import Case, Question, random_params


def _params(rng, gates, D, H):
    return random_params(rng, {"W_ih": (gates * H, D), "W_hh": (gates * H, H),
                               "b_ih": (gates * H,), "b_hh": (gates * H,)})


def _case(name, rng, cell, T, D, H, with_state=False, backward=False):
    params = _params(rng, 4 if cell == "lstm" else 3, D, H)
    args = (params, rng.normal(size=(T, D))) + ((rng.normal(size=(T, H)),) if backward else ())
    kwargs = {}
    if with_state:
        kwargs["h0"] = rng.normal(size=H)
        if cell == "lstm":
            kwargs["c0"] = rng.normal(size=H)
    return Case(name, args, kwargs)


def _public(cell, backward, seed):
    return lambda: [_case("T=5, D=3, H=4", np.random.default_rng(seed), cell, 5, 3, 4, backward=backward),
                    _case("T=1", np.random.default_rng(seed + 1), cell, 1, 2, 3, backward=backward),
                    _case("given initial state", np.random.default_rng(seed + 2), cell, 4, 3, 2,
                          with_state=True, backward=backward)]


def _hidden(cell, backward):
    return lambda rng: [_case(f"hidden {i}", rng, cell, int(rng.integers(2, 9)), 3, int(rng.integers(2, 6)),
                              with_state=i % 2 == 1, backward=backward) for i in range(4)]


def lstm_backward(params, x, dhs, h0=None, c0=None):
    return gated.lstm_backward(params, x, dhs, h0=h0, c0=c0)


def gru_backward(params, x, dhs, h0=None):
    return gated.gru_backward(params, x, dhs, h0=h0)


QUESTIONS = [
    Question("q1", "LSTM forward", "lstm_forward", 2, gated.lstm_forward,
             public=_public("lstm", False, 71), hidden=_hidden("lstm", False)),
    Question("q2", "LSTM backward (BPTT)", "lstm_backward", 3, lstm_backward,
             public=_public("lstm", True, 74), hidden=_hidden("lstm", True)),
    Question("q3", "GRU forward", "gru_forward", 2, gated.gru_forward,
             public=_public("gru", False, 77), hidden=_hidden("gru", False)),
    Question("q4", "GRU backward (BPTT)", "gru_backward", 3, gru_backward,
             public=_public("gru", True, 80), hidden=_hidden("gru", True)),
]
