"""Chapter 11's recognizer with 1, 2 and 4 torch threads: the same test CER? how long?

The training recipe is not copied: the chapter's own definitions (the model, the augmentation, the
batching, ``train_recognizer`` and the constants they use) are read out of
chapters/11_decoding_and_recognizer.ipynb by name with ``ast`` and executed here. Prints, per thread
count, the test CER (greedy and beam) on the chapter's 500 test strips, the wall-clock and CPU seconds
of training and the load average, then the largest difference of CER and of the trained weights.

The thread count is the reader's setting (``torch.set_num_threads``) when the chapter runs. The recipe
itself trains on one thread -- that pin is what makes the results agree -- so by default this shows
that a reader's setting does not change them, and times decoding and evaluation under it. With
``--unpinned`` the recipe's ``torch.set_num_threads(1)`` is taken out, so training really runs on 1, 2
and 4 threads: that shows what the pin is for (the CERs and weights then differ).

    .venv/bin/python benchmarks/recognizer_threads.py            # 1, 2 and 4 threads
    .venv/bin/python benchmarks/recognizer_threads.py 2 --epochs 3
    .venv/bin/python benchmarks/recognizer_threads.py --unpinned

The chapter's budget is 90 s of training on a quiet 2-core machine; on a loaded machine the wall
clock says little, and the CPU time is the better guide.
"""
import argparse
import ast
import math
import os
import time
from pathlib import Path

import nbformat
import numpy as np
import torch

from rnnbook import ctc, data, decode

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "11_decoding_and_recognizer.ipynb"
RECIPE = ["BLANK", "SEED", "N_TRAIN", "N_VAL", "N_TEST", "EPOCHS", "BATCH", "LEARNING_RATE", "N_CLASSES",
          "DigitCTC", "distort", "to_batch", "log_probs_of", "error_rates", "greedy_digits", "train_recognizer"]


def chapter_definitions(names, path=CHAPTER):
    """Source of the top-level assignments, functions and classes called ``names`` in the chapter's code
    cells, in the order asked (an assignment of several names counts for each)."""
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:          # IPython magics
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined = [node.name]
            elif isinstance(node, ast.Assign):
                defined = [n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)]
            else:
                continue
            for name in defined:
                found.setdefault(name, ast.get_source_segment(cell.source, node))
    missing = [name for name in names if name not in found]
    if missing:
        raise SystemExit(f"{path.name} defines no {', '.join(missing)}: update RECIPE in {__file__}")
    sources = []
    for name in names:
        if found[name] not in sources:
            sources.append(found[name])
    return "\n\n".join(sources)


PIN = "torch.set_num_threads(1)"       # the line of train_recognizer that --unpinned takes out


def run(threads, epochs, unpinned=False):
    torch.set_num_threads(threads)
    recipe = {"np": np, "torch": torch, "math": math, "time": time, "ctc": ctc, "data": data, "decode": decode}
    source = chapter_definitions(RECIPE)
    if unpinned:
        if PIN not in source:
            raise SystemExit(f"train_recognizer no longer has `{PIN}`: update PIN in {__file__}")
        source = source.replace(PIN, "pass  # unpinned by the benchmark")
    exec(source, recipe)
    val_strips = data.digit_strips(recipe["N_VAL"], split="val", seed=2)
    test_strips = data.digit_strips(recipe["N_TEST"], split="test", seed=3)
    load_before = os.getloadavg()[0]
    wall, cpu = time.time(), time.process_time()
    model, _ = recipe["train_recognizer"](val_strips, epochs=epochs or recipe["EPOCHS"], report=lambda line: None)
    wall, cpu = time.time() - wall, time.process_time() - cpu
    test_lp = recipe["log_probs_of"](model, test_strips)
    greedy, _ = recipe["error_rates"]([recipe["greedy_digits"](lp) for lp in test_lp], test_strips)
    beam, _ = recipe["error_rates"](
        [[k - 1 for k in decode.prefix_beam_search(lp, 8)[0][0]] for lp in test_lp], test_strips)
    weights = torch.cat([p.detach().flatten() for p in model.state_dict().values() if p.is_floating_point()])
    print(f"{threads} threads: test CER greedy {greedy:.2%}, beam (B=8) {beam:.2%}; training {wall:.0f} s wall, "
          f"{cpu:.0f} s CPU; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
    return greedy, beam, weights


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("threads", nargs="*", type=int, default=[1, 2, 4])
    parser.add_argument("--epochs", type=int, default=None, help="default: the chapter's EPOCHS")
    parser.add_argument("--unpinned", action="store_true",
                        help="take the recipe's one-thread pin out, so training itself uses the threads")
    args = parser.parse_args()
    print("training " + ("on the given threads (recipe unpinned)" if args.unpinned
                         else "pinned to one thread by the recipe; the given threads are the reader's setting"))
    results = {threads: run(threads, args.epochs, args.unpinned) for threads in args.threads}
    greedy = [r[0] for r in results.values()]
    first = next(iter(results.values()))[2]
    weight_gap = max(float((r[2] - first).abs().max()) for r in results.values())
    print(f"largest difference between thread counts: test CER {100 * (max(greedy) - min(greedy)):.2f} "
          f"points (greedy), weights {weight_gap:.1e}")


if __name__ == "__main__":
    main()
