"""The log-softmax shared by the models and the grader's references."""
import numpy as np


def log_softmax(logits):
    """Row-wise log-softmax of ``logits`` (..., K), shifted by the row maximum so nothing overflows."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
