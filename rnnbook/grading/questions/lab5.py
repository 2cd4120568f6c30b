"""Lab 5: LSTM and GRU over a sequence, forward and backward, in torch's gate order and layout (§10)."""
from rnnbook import gated

from . import Case, Question, generator, random_params

GATES = {"lstm": 4, "gru": 3}


def cell_inputs(seed, cell, T, D, H, state=False, backward=False):
    """Parameters, inputs x (T, D), for a backward question dhs (T, H), and with ``state`` a given h0
    (and c0 for the LSTM), drawn in that order."""
    rng = generator(seed)
    rows = GATES[cell] * H
    inputs = {"params": random_params(rng, {"W_ih": (rows, D), "W_hh": (rows, H), "b_ih": (rows,), "b_hh": (rows,)}),
              "x": rng.normal(size=(T, D))}
    if backward:
        inputs["dhs"] = rng.normal(size=(T, H))
    if state:
        inputs["h0"] = rng.normal(size=H)
        if cell == "lstm":
            inputs["c0"] = rng.normal(size=H)
    return inputs


def public_cases(cell, seed, backward=False):
    return (
        Case("T=5, D=3, H=4", cell_inputs(seed, cell, T=5, D=3, H=4, backward=backward),
             probes="a plain sequence from a zero state"),
        Case("T=1", cell_inputs(seed + 1, cell, T=1, D=2, H=3, backward=backward), probes="a single step"),
        Case("given initial state", cell_inputs(seed + 2, cell, T=4, D=3, H=2, state=True, backward=backward),
             probes="the given state is used, not zeros"),
    )


def hidden_cases(cell, backward=False):
    def draw(rng):
        return [Case(f"hidden {i}", cell_inputs(rng, cell, T=int(rng.integers(2, 9)), D=3, H=int(rng.integers(2, 6)),
                                                state=i % 2 == 1, backward=backward),
                     probes="random sizes; every other case starts from a given state") for i in range(4)]
    return draw


def lstm_backward(params, x, dhs, h0=None, c0=None):
    return gated.lstm_backward(params, x, dhs, h0=h0, c0=c0)


def gru_backward(params, x, dhs, h0=None):
    return gated.gru_backward(params, x, dhs, h0=h0)


QUESTIONS = [
    Question("q1", "LSTM forward", 2, "lstm_forward(params, x, h0=None, c0=None)", gated.lstm_forward,
             public=public_cases("lstm", 71), hidden=hidden_cases("lstm")),
    Question("q2", "LSTM backward (BPTT)", 3, "lstm_backward(params, x, dhs, h0=None, c0=None)", lstm_backward,
             public=public_cases("lstm", 74, backward=True), hidden=hidden_cases("lstm", backward=True)),
    Question("q3", "GRU forward", 2, "gru_forward(params, x, h0=None)", gated.gru_forward,
             public=public_cases("gru", 77), hidden=hidden_cases("gru")),
    Question("q4", "GRU backward (BPTT)", 3, "gru_backward(params, x, dhs, h0=None)", gru_backward,
             public=public_cases("gru", 80, backward=True), hidden=hidden_cases("gru", backward=True)),
]
