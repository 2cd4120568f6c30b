"""Time rnnbook.ctc against torch's CTC on one thread each and print the ratios rnnbook / torch.

    python benchmarks/ctc_vs_torch.py [--repeats N]

Three cases (issue 2), float64, the median of ``repeats`` runs, rnnbook and torch timed alternately so
both see the same load on a shared machine:

(a) loss and gradient with respect to the logits, T=1000, C=29, L=150:
    numpy log_softmax + ``ctc.loss_and_grad_logits``  vs  torch log_softmax + ctc_loss + backward;
(b) ``ctc.batch_loss``, B=32, T=200, L=40  vs  torch's batched ctc_loss (forward);
(c) ``ctc.forced_align``, T=1000, L=150  vs  torch's ctc_loss forward (torch has no CTC Viterbi on CPU;
    its forward pass is the same lattice recursion with a sum in place of the max).

Before timing, each case checks that rnnbook and torch agree, so a fast wrong answer cannot pass.
The target is every ratio <= 3. Exits with status 1 if one is above.
"""
import os

# one thread each: set before numpy / torch load their thread pools
for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnnbook import ctc, log_softmax  # noqa: E402

TARGET_RATIO = 3.0


def alternate_medians(ours, theirs, repeats):
    """Median seconds of each function, run alternately after one warm-up call of each."""
    ours(), theirs()
    our_times, their_times = [], []
    for _ in range(repeats):
        for function, times in ((ours, our_times), (theirs, their_times)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return statistics.median(our_times), statistics.median(their_times)


def loss_and_gradient(rng, repeats):
    T, C, L = 1000, 29, 150
    logits = rng.normal(size=(T, C))
    target = rng.integers(1, C, size=L)
    target_t = torch.tensor(target)[None]
    lengths_t = torch.tensor([T]), torch.tensor([L])
    logits_t = torch.tensor(logits)

    def ours():
        return ctc.loss_and_grad_logits(log_softmax(logits), target)

    def theirs():
        z = logits_t.detach().requires_grad_()
        loss = torch.nn.functional.ctc_loss(torch.log_softmax(z, -1)[:, None], target_t, *lengths_t,
                                            reduction="none")
        loss.sum().backward()
        return loss.item(), z.grad.numpy()

    (loss, grad), (loss_t, grad_t) = ours(), theirs()
    assert np.isclose(loss, loss_t, rtol=1e-8) and np.allclose(grad, grad_t, rtol=1e-8, atol=1e-10)
    return alternate_medians(ours, theirs, repeats)


def batch(rng, repeats):
    T, B, C, L = 200, 32, 29, 40
    log_probs = log_softmax(rng.normal(size=(T, B, C)))
    targets = rng.integers(1, C, size=(B, L))
    input_lengths, target_lengths = np.full(B, T), np.full(B, L)
    tensors = [torch.tensor(a) for a in (log_probs, targets, input_lengths, target_lengths)]

    def ours():
        return ctc.batch_loss(log_probs, targets, input_lengths, target_lengths)

    def theirs():
        with torch.no_grad():
            return torch.nn.functional.ctc_loss(*tensors, reduction="none").numpy()

    assert np.allclose(ours(), theirs(), rtol=1e-8)
    return alternate_medians(ours, theirs, repeats)


def forced_alignment(rng, repeats):
    T, C, L = 1000, 29, 150
    log_probs = log_softmax(rng.normal(size=(T, C)))
    target = rng.integers(1, C, size=L)
    tensors = torch.tensor(log_probs)[:, None], torch.tensor(target)[None], torch.tensor([T]), torch.tensor([L])

    def ours():
        return ctc.forced_align(log_probs, target)

    def theirs():
        with torch.no_grad():
            return torch.nn.functional.ctc_loss(*tensors, reduction="none").item()

    path, score = ours()
    assert ctc.collapse(path) == target.tolist() and score <= -theirs() + 1e-9
    return alternate_medians(ours, theirs, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per case (median taken)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    cases = [("(a) loss + gradient  T=1000 C=29 L=150", loss_and_gradient),
             ("(b) batch_loss       B=32 T=200 L=40", batch),
             ("(c) forced_align     T=1000 L=150 (vs torch forward)", forced_alignment)]
    print(f"one thread each, median of {args.repeats}, float64, torch {torch.__version__}, numpy {np.__version__}")
    print(f"{'case':<52} {'rnnbook ms':>11} {'torch ms':>9} {'ratio':>6}")
    worst = 0.0
    for name, case in cases:
        ours, theirs = case(rng, args.repeats)
        ratio = ours / theirs
        worst = max(worst, ratio)
        print(f"{name:<52} {ours * 1e3:>11.1f} {theirs * 1e3:>9.1f} {ratio:>6.2f}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET_RATIO:g})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
