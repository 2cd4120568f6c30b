"""The input rules of rnnbook/_checks.py, each one test run over every public function that takes an
integer, a size, a label sequence or a blank.

To cover a new function, add one line to ENTRIES: the function, arguments that work, and the kind of each
argument the rules apply to. ``test_every_public_function_is_classified`` fails until you do.
"""
import inspect
import re

import numpy as np
import pytest

from rnnbook import align, ctc, decode, gated, log_softmax, mlp, rnn, stability
from rnnbook.lm import NGram

LOG_PROBS = log_softmax(np.random.default_rng(0).normal(size=(6, 4)))       # T=6 frames, C=4 classes
BATCH = log_softmax(np.random.default_rng(1).normal(size=(5, 2, 4)))        # T=5, B=2, C=4
RNN = rnn.init_params(3, 4, 2)
MLP = mlp.init_params(3, 4, 2)
X = np.random.default_rng(2).normal(size=(4, 3))                             # T=4 frames, D=3


def fitted_ngram(sequences):
    """NGram.fit, called on a fresh bigram over 4 labels."""
    return NGram(2, 4).fit(sequences)


def ngram_log_prob(history, label):
    """NGram.log_prob of a bigram over 4 labels fitted to two sequences."""
    return NGram(2, 4).fit([[1, 2], [3, 3]]).log_prob(history, label)


def _list(generator_function):
    """A generator function as one that runs to the end, so its checks run."""
    def run(*args, **kwargs):
        return list(generator_function(*args, **kwargs))
    run.__wrapped__ = generator_function
    return run


# (function, arguments that work, {argument: kind}) with kind one of
#   "size"    a single integer (a count, a length, T, N, K, D, H, truncate)
#   "seed"    a random seed: an integer, or None
#   "blank"   the blank index
#   "labels"  a 1-D sequence of labels;  "batch" a padded (B, Lmax) batch of labels;  "lengths" (B,) lengths
TARGET = dict(log_probs=LOG_PROBS, target=[1, 2], blank=0)
ENTRIES = [
    (ctc.extend, dict(target=[1, 2], blank=0), {"target": "labels", "blank": "blank"}),
    (ctc.count_alignments, dict(T=4, target=[1, 2], blank=0), {"T": "size", "target": "labels", "blank": "blank"}),
    (ctc.forward, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.backward, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.loss, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.posteriors, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.grad_logits, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.loss_and_grad_logits, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.forced_align, TARGET, {"target": "labels", "blank": "blank"}),
    (ctc.batch_loss, dict(log_probs=BATCH, targets=[[1, 2], [3, 3]], input_lengths=[5, 4], target_lengths=[2, 2]),
     {"targets": "batch", "input_lengths": "lengths", "target_lengths": "lengths", "blank": "blank"}),
    (rnn.init_params, dict(D=3, H=4, K=2, seed=0), {"D": "size", "H": "size", "K": "size", "seed": "seed"}),
    (rnn.loss_and_grads, dict(params=RNN, x=X, targets=[0, 1, 1, 0], truncate=2),
     {"targets": "labels", "truncate": "size"}),
    (rnn.hidden_grads, dict(params=RNN, x=X, targets=[0, 1, 1, 0], truncate=2),
     {"targets": "labels", "truncate": "size"}),
    (rnn.hidden_grad_norms, dict(params=RNN, x=X, targets=[0, 1, 1, 0], truncate=2),
     {"targets": "labels", "truncate": "size"}),
    (gated.init_params, dict(D=3, H=4, cell="gru", seed=0), {"D": "size", "H": "size", "seed": "seed"}),
    (_list(align.expansions), dict(S=["a", "b"], N=3), {"N": "size"}),
    (align.count_expansions, dict(K=2, N=3), {"K": "size", "N": "size"}),
    (align.viterbi, dict(log_probs=LOG_PROBS, S=[1, 2]), {"S": "labels"}),
    (stability.impulse_response, dict(W_hh=np.eye(2) / 2, U=np.eye(2), impulse=[1.0, 0.0], T=3), {"T": "size"}),
    (mlp.init_params, dict(D=3, H=4, K=2, seed=0), {"D": "size", "H": "size", "K": "size", "seed": "seed"}),
    (mlp.per_time_loss_and_grads, dict(params=MLP, x=X, targets=[0, 1, 1, 0]), {"targets": "labels"}),
    (mlp.loss_and_grads, dict(params=MLP, x=X, targets=[0, 1, 1, 0]), {"targets": "labels"}),
    (decode.greedy, dict(log_probs=LOG_PROBS, blank=0), {"blank": "blank"}),
    (decode.prefix_beam_search, dict(log_probs=LOG_PROBS, beam_width=3, blank=0),
     {"beam_width": "size", "blank": "blank"}),
    (decode.edit_distance, dict(reference=[1, 2, 3], hypothesis=[1, 3]),
     {"reference": "labels", "hypothesis": "labels"}),
    (decode.error_rate, dict(references=[[1, 2], [3, 3]], hypotheses=[[1, 2], [3, 1]]),
     {"references": "batch", "hypotheses": "batch"}),
    (NGram, dict(order=2, num_labels=4, blank=0), {"order": "size", "num_labels": "size", "blank": "blank"}),
    (fitted_ngram, dict(sequences=[[1, 2], [3, 3]]), {"sequences": "batch"}),
    (ngram_log_prob, dict(history=[1, 2], label=3), {"history": "labels", "label": "blank"}),
]

# Public functions with no integer, size, label or blank argument under these rules. ctc.collapse and
# align.compress take sequences of any symbols (characters too), and compare them, nothing more.
NOT_COVERED = {ctc.collapse, align.compress, rnn.check_params, rnn.forward, rnn.from_torch,
               gated.lstm_forward, gated.lstm_backward, gated.gru_forward, gated.gru_backward,
               stability.spectral_radius, stability.recurrence, stability.jacobian, stability.lag_products,
               stability.lag_singular_values, stability.gradient_norms_vs_lag, mlp.forward}

PAIRS = [(function, good, argument, kind) for function, good, kinds in ENTRIES for argument, kind in kinds.items()]


def _name(function):
    function = getattr(function, "__wrapped__", function)
    return f"{function.__module__.split('.')[-1]}.{function.__name__}"


def pairs(*kinds):
    return [pytest.param(function, good, argument, kind, id=f"{_name(function)}({argument})")
            for function, good, argument, kind in PAIRS if kind in kinds]


def call(function, good, argument, value):
    return function(**dict(good, **{argument: value}))


def refused(function, good, argument, value, expected):
    """``function`` with ``argument=value`` raises a ValueError that starts with the argument's name and says
    what was expected."""
    with pytest.raises(ValueError, match=rf"^{re.escape(argument)}\b") as error:
        call(function, good, argument, value)
    assert re.search(expected, str(error.value)), str(error.value)


def with_entry(good, argument, entry):
    """The working value of ``argument`` with its last entry replaced by ``entry`` (a list)."""
    value = good[argument]
    if np.ndim(value) == 2:
        return [list(row) for row in value[:-1]] + [list(value[-1][:-1]) + [entry]]
    return list(value[:-1]) + [entry]


def test_every_public_function_is_classified():
    covered = {getattr(function, "__wrapped__", function) for function, _, _ in ENTRIES}
    for module in (ctc, rnn, gated, align, stability, mlp, decode):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            assert function in covered | NOT_COVERED, f"{module.__name__}.{name} is in neither ENTRIES nor NOT_COVERED"


@pytest.mark.parametrize("function, good, kinds", [pytest.param(*entry, id=_name(entry[0])) for entry in ENTRIES])
def test_the_working_arguments_work(function, good, kinds):
    function(**good)


# rule 1: integers are integers; numpy integers count, floats do not even when whole

@pytest.mark.parametrize("function, good, argument, kind", pairs("size", "seed", "blank"))
def test_numpy_integers_are_integers(function, good, argument, kind):
    call(function, good, argument, np.int32(good.get(argument, 0)))


@pytest.mark.parametrize("function, good, argument, kind", pairs("labels", "batch", "lengths"))
def test_numpy_integer_arrays_are_integers(function, good, argument, kind):
    call(function, good, argument, np.asarray(good[argument], dtype=np.int32))


@pytest.mark.parametrize("function, good, argument, kind", pairs("size", "seed", "blank"))
def test_a_whole_float_is_refused_as_an_integer(function, good, argument, kind):
    refused(function, good, argument, float(good.get(argument, 0)), "integer")


@pytest.mark.parametrize("function, good, argument, kind", pairs("labels", "batch", "lengths"))
def test_a_float_array_is_refused_even_when_whole(function, good, argument, kind):
    refused(function, good, argument, np.asarray(good[argument], dtype=np.float64), "integer.* dtype float64")


# rule 2: bools are not integers

@pytest.mark.parametrize("function, good, argument, kind", pairs("size", "seed", "blank"))
def test_a_bool_is_refused_as_an_integer(function, good, argument, kind):
    refused(function, good, argument, True, "integer.* got True")


@pytest.mark.parametrize("function, good, argument, kind", pairs("labels", "batch", "lengths"))
def test_a_bool_inside_a_list_is_refused(function, good, argument, kind):
    refused(function, good, argument, with_entry(good, argument, True), r"\] = True is a bool; .* integer")


@pytest.mark.parametrize("function, good, argument, kind", pairs("labels", "batch", "lengths"))
def test_a_bool_array_is_refused(function, good, argument, kind):
    refused(function, good, argument, np.ones(np.shape(good[argument]), dtype=bool), "integer.* dtype bool")


# rule 3: labels (and sizes, lengths, seeds, the blank) are non-negative, and the error says where

@pytest.mark.parametrize("function, good, argument, kind", pairs("size", "seed", "blank"))
def test_a_negative_integer_is_refused(function, good, argument, kind):
    refused(function, good, argument, -1, r"(got -1.*|= -1 is out of range: .*)(non-negative|>= \d+|in \[0, \d+\))"
            r"|(non-negative|>= \d+|in \[0, \d+\)).* got -1")


@pytest.mark.parametrize("function, good, argument, kind", pairs("labels", "batch", "lengths"))
def test_a_negative_entry_is_refused_naming_its_position(function, good, argument, kind):
    last = [n - 1 for n in np.shape(good[argument])]                               # the last entry
    # a padded batch says [1, 1]; a list of sequences of any lengths says [1][1]
    position = "(" + re.escape(str(last)) + "|" + "".join(rf"\[{n}\]" for n in last) + ")"
    refused(function, good, argument, with_entry(good, argument, -2),
            rf"^{re.escape(argument)}{position} = -2 is out of range: .*(non-negative|in \[0, \d+[\])])")


# rule 4: an empty label sequence is empty, whatever its dtype

@pytest.mark.parametrize("function, good, argument, kind", pairs("labels"))
def test_an_empty_float_array_is_an_empty_label_sequence(function, good, argument, kind):
    try:
        call(function, good, argument, np.array([]))
    except ValueError as error:        # a function may need a non-empty sequence, but not for its dtype
        assert "dtype" not in str(error) and "integer" not in str(error), str(error)
