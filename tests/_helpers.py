"""Helpers shared by the library's tests: import them as ``from _helpers import ...`` (pytest puts tests/ on
the path, as this folder has no __init__.py)."""
from pathlib import Path

import numpy as np
import yaml

from rnnbook import log_softmax

ROOT = Path(__file__).resolve().parents[1]


def toc_pages():
    """The book's pages in reading order, as _toc.yml lists them: the root, then every chapter of every part
    and a chapter's further pages (``sections``) after it."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def add(entries):
        for entry in entries:
            pages.append(entry["file"])
            add(entry.get("sections", []))

    for part in toc["parts"]:
        add(part["chapters"])
    return pages


def assert_close(a, b, rtol=1e-8):
    """``a`` equals the reference ``b`` to ``rtol`` relative to the largest entry of ``b``."""
    assert np.abs(np.asarray(a) - b).max() <= rtol * max(np.abs(b).max(), 1e-300), (a, b)


def random_log_probs(rng, T, C, scale=2.0):
    """(T, C) log-probabilities: the log_softmax of normal logits times ``scale``."""
    return log_softmax(rng.normal(size=(T, C)) * scale)
