"""Speed-up of rnnbook.decode.prefix_beam_search (numpy over beams and classes, one frame at a time)
over the pure-Python prefix beam search that chapter 11 writes inline (dictionary updates over
T x beam x C), at beam widths 1, 8 and 32, measured in one run on one thread.

    .venv/bin/python benchmarks/beam_search.py [--repeats 7] [--strips 20]

The chapter's ``prefix_beam_search_inline`` is read from chapters/11_decoding_and_recognizer.ipynb by
its name (with ast, so the benchmark follows the chapter as it is edited) and run as the chapter defines
it. If the chapter no longer defines it, the frozen pure-Python search of tests/test_decode.py
(``pure_prefix_beam_search``) is used
instead; the first line printed says which. A second column, for reference, times the library's own
pure-Python search as it was before it was vectorized (kept frozen in tests/test_decode.py; scalar
``math`` instead of the chapter's ``np.logaddexp`` on numpy scalars, so faster than the chapter's). All
are checked to return the same labelings with the same scores as the library on every input before
anything is timed.

Inputs look like the recognizer's outputs on digit strips: T = 30..60 frames of C = 11 classes (blank
0 and ten digits), each frame a Dirichlet draw (concentration 0.5: peaky, as a trained network's).
For every width each repeat times every search on all the strips (CPU time of this thread), alternating
which runs first; the ratio is of the medians over repeats. The machine may be shared: the load
average is printed with the timings.
"""
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"                           # before numpy is imported

import argparse  # noqa: E402
import ast  # noqa: E402
import importlib.util  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from rnnbook import decode  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "11_decoding_and_recognizer.ipynb"
FUNCTION = "prefix_beam_search_inline"
WIDTHS = (1, 8, 32)
NUM_CLASSES = 11


def chapter_search():
    """(function, description): the chapter's inline search, defined from its source in the notebook
    together with the module-level assignments of the notebook's code cells it needs (e.g. BLANK), or
    None when the chapter does not define it."""
    if not CHAPTER.exists():
        return None
    cells = [cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
             for cell in json.loads(CHAPTER.read_text())["cells"] if cell["cell_type"] == "code"]
    definition, constants = None, {}
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:                               # cell magics and the like
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == FUNCTION:
                definition = ast.get_source_segment(source, node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:                                      # plain constants only, e.g. BLANK = 0
                    constants[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    if definition is None:
        return None
    namespace = {"np": np, "math": math, "itertools": itertools, **constants}
    exec(compile(definition, f"{CHAPTER.name}:{FUNCTION}", "exec"), namespace)
    return namespace[FUNCTION], f"the chapter's {FUNCTION} ({CHAPTER.relative_to(ROOT)})"


def frozen_search():
    sys.path.insert(0, str(ROOT / "tests"))              # test_decode imports the tests' _helpers
    spec = importlib.util.spec_from_file_location("test_decode", ROOT / "tests" / "test_decode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pure_prefix_beam_search, "the frozen pure-Python search of tests/test_decode.py " \
                                             f"({FUNCTION} not found in {CHAPTER.name})"


def strips(count, seed=0):
    rng = np.random.default_rng(seed)
    return [np.log(rng.dirichlet(0.5 * np.ones(NUM_CLASSES), size=int(rng.integers(30, 61))))
            for _ in range(count)]


def seconds(search, inputs, width):
    """CPU time of this thread to decode every input: the time other processes take the core away
    does not count (on a shared, loaded machine wall-clock ratios swing by a factor of two)."""
    start = time.thread_time()
    for log_probs in inputs:
        search(log_probs, width)
    return time.thread_time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--strips", type=int, default=20)
    args = parser.parse_args(argv)

    pure, description = chapter_search() or frozen_search()
    former, _ = frozen_search()
    print(f"pure-Python search: {description}")
    searches = {"pure": pure, "former": former, "library": decode.prefix_beam_search}
    inputs = strips(args.strips)
    for width in WIDTHS:                                  # same answers before any timing
        for log_probs in inputs:
            ours = decode.prefix_beam_search(log_probs, width)
            for search in (pure, former):
                theirs = search(log_probs, width)
                assert [tuple(p) for p, _ in ours] == [tuple(p) for p, _ in theirs], width
                assert np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=0, atol=1e-9), width

    frames = sum(len(log_probs) for log_probs in inputs)
    print(f"{len(inputs)} strips, {frames} frames of {NUM_CLASSES} classes; median of {args.repeats} "
          f"repeats; CPU ms of 1 thread; load average before: {os.getloadavg()[0]:.2f}")
    print("'former': the library's own pure-Python search before it was vectorized (scalar math instead of "
          "np.logaddexp; tests/test_decode.py), for reference")
    print(f"{'width':>5}  {'pure ms':>9}  {'former ms':>9}  {'library ms':>10}  {'speed-up':>8}  "
          f"{'vs former':>9}")
    ratios = {}
    for width in WIDTHS:
        times = {name: [] for name in searches}
        for repeat in range(args.repeats):
            order = list(searches) if repeat % 2 == 0 else list(searches)[::-1]
            for name in order:
                times[name].append(seconds(searches[name], inputs, width))
        ms = {name: 1e3 * statistics.median(values) for name, values in times.items()}
        ratios[width] = ms["pure"] / ms["library"]
        print(f"{width:5d}  {ms['pure']:9.1f}  {ms['former']:9.1f}  {ms['library']:10.1f}  "
              f"{ratios[width]:7.2f}x  {ms['former'] / ms['library']:8.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f} (2 cores)")
    return ratios


if __name__ == "__main__":
    main()
