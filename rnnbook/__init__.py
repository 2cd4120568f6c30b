"""rnnbook: the helper library of the recurrent-networks course book.

Pure numpy at its core (float64). Submodules are imported on first use, so ``import rnnbook`` is cheap
and never imports torch or matplotlib:

    import rnnbook
    rnnbook.ctc.loss(log_probs, target)

Three row-wise helpers sit at the top level, over the last axis of any array:
``rnnbook.softmax(logits)``, ``rnnbook.log_softmax(logits)`` and ``rnnbook.logsumexp(values, keepdims=False)``.
"""
import importlib

__all__ = ["mlp", "rnn", "gated", "stability", "align", "ctc", "decode", "lm", "data", "plots", "explorer",
           "grading", "softmax", "log_softmax", "logsumexp"]

_HELPERS = {"softmax", "log_softmax", "logsumexp"}      # functions of rnnbook._softmax


def __getattr__(name):
    if name in _HELPERS:
        return getattr(importlib.import_module(f"{__name__}._softmax"), name)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'rnnbook' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
