"""Figures several chapters share: the alignment trellis, CTC lattice heat maps, gradient norm vs lag.

Every function draws on the Axes it is given (or a new one) and returns it; none calls ``plt.show()``.
Grids follow the notes' picture of §7.9: symbols (or lattice states) as rows from top to bottom, time
as columns from left to right, so a valid path runs from the top-left to the bottom-right corner.
"""
import matplotlib.pyplot as plt
import numpy as np

from ._checks import as_matrix


def _new_axes(ax, width, height):
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height))
    return ax


def _check_path(path, n_times, n_rows):
    path = np.asarray(path)
    if path.shape != (n_times,) or not np.issubdtype(path.dtype, np.integer):
        raise ValueError(f"path must be {n_times} integer row indices (one per time step), "
                         f"got shape {path.shape} and dtype {path.dtype}")
    if ((path < 0) | (path >= n_rows)).any():
        raise ValueError(f"path rows must be in [0, {n_rows}), got {path.min()}..{path.max()}")
    return path


def _check_row_labels(row_labels, n_rows):
    labels = [str(label) for label in row_labels]
    if len(labels) != n_rows:
        raise ValueError(f"row_labels must name all {n_rows} rows, got {len(labels)} labels")
    return labels


def _draw_grid(ax, values, path, row_labels, title, cmap, colorbar_label, annotate):
    """Draw values (N times, R rows) transposed, -inf cells empty, and the path as a connected line."""
    n_times, n_rows = values.shape
    shown = np.ma.masked_invalid(values.T)          # -inf (log 0) becomes a blank cell
    colormap = plt.get_cmap(cmap).with_extremes(bad="white")
    image = ax.imshow(shown, cmap=colormap, aspect="auto", interpolation="nearest", origin="upper")
    if not shown.mask.all():
        ax.figure.colorbar(image, ax=ax, label=colorbar_label, fraction=0.046, pad=0.02)
    # Thin white lines between cells so single frames stay countable.
    ax.set_xticks(np.arange(-0.5, n_times, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_yticks(np.arange(n_rows))
    if row_labels is not None:
        ax.set_yticklabels(_check_row_labels(row_labels, n_rows))
    if n_times <= 30:
        ax.set_xticks(np.arange(n_times))
    ax.set_xlabel("time t")
    if annotate:
        finite = np.isfinite(values)
        middle = np.nanmean(np.where(finite, values, np.nan)) if finite.any() else 0.0
        for t in range(n_times):
            for row in range(n_rows):
                if finite[t, row]:
                    ax.text(t, row, f"{values[t, row]:.2g}", ha="center", va="center", fontsize=8,
                            color="black" if values[t, row] > middle else "white")
    if path is not None:
        path = _check_path(path, n_times, n_rows)
        # Open circles big enough to ring an annotated value instead of hiding it.
        ax.plot(np.arange(n_times), path, color="red", marker="o", markerfacecolor="none",
                markersize=16 if annotate else 6, markeredgewidth=1.5, linewidth=1.5, alpha=0.7 if annotate else 1.0, label="path")
    if title is not None:
        ax.set_title(title)
    return ax


def path_rows(alignment, row_symbols):
    """Turn a per-frame symbol alignment into the row indices ``trellis`` / ``lattice_heatmap`` draw.

    alignment (N,) symbols, e.g. ``align.viterbi``'s alignment or ``ctc.forced_align``'s path;
    row_symbols (R,) the symbol of each row, e.g. S or ``ctc.extend(target)``. Starting in row 0, each
    frame stays in its row or moves down one row (or two: a CTC path may skip a blank), whichever row
    holds the frame's symbol (the first frame may sit in row 0 or 1). Returns rows (N,) int64.

    Raises ValueError where the alignment does not fit the rows, and where two adjacent rows hold the
    same symbol (S = /B/ /B/ without blanks): the symbols alone cannot say where one /B/ ends — the
    ambiguity of §6.6 — so the row indices must come from the aligner itself.
    """
    alignment, row_symbols = np.asarray(alignment), np.asarray(row_symbols)
    if alignment.ndim != 1 or row_symbols.ndim != 1 or row_symbols.size == 0:
        raise ValueError(f"alignment and row_symbols must be 1-D (row_symbols non-empty), "
                         f"got shapes {alignment.shape} and {row_symbols.shape}")
    repeated = np.flatnonzero(row_symbols[1:] == row_symbols[:-1])
    if repeated.size:
        raise ValueError(f"rows {repeated[0]} and {repeated[0] + 1} both hold symbol {row_symbols[repeated[0]].item()!r}: "
                         f"a symbol alignment cannot tell them apart; pass row indices instead")
    rows = np.empty(alignment.size, dtype=np.int64)
    row = 0
    for t, symbol in enumerate(alignment.tolist()):
        for step in ((0, 1, 2) if t > 0 else (0, 1)):   # a CTC path may start past the first blank
            if row + step < row_symbols.size and row_symbols[row + step] == symbol:
                row += step
                break
        else:
            raise ValueError(f"alignment[{t}] = {symbol!r} is neither the symbol of row {row} nor of the "
                             f"next rows: it is not a path through these rows")
        rows[t] = row
    return rows


def trellis(scores, path=None, row_labels=None, ax=None, title=None, annotate=False):
    """The alignment trellis of §7.9 / §8.3 (torchaudio's forced-alignment figure).

    scores (N, K): the score of symbol row k at time t, e.g. ``log_probs[:, S]`` for a symbol sequence S
    (log values; -inf cells are drawn empty). path (N,) ints: the row occupied at each time, drawn as a
    line with a circle per frame (``path_rows`` converts a symbol alignment). row_labels: K names for the
    rows (default 0..K-1). ``annotate=True`` writes each value in its cell (small worked examples, §8.10).
    Returns the Axes.
    """
    scores = as_matrix("scores", scores, allow_neg_inf=True)
    ax = _new_axes(ax, max(4.0, 0.35 * scores.shape[0] + 2), max(2.0, 0.4 * scores.shape[1] + 1))
    return _draw_grid(ax, scores, path, row_labels, title, "viridis", "score", annotate)


def lattice_heatmap(values, row_labels, path=None, ax=None, title=None, colorbar_label="log value"):
    """A CTC lattice quantity as a heat map: log alpha, log beta (§9.6–9.7) or per-state posteriors.

    values (T, S) with S = 2L+1 states of the blank-extended target; row_labels: S names (e.g. "-", "a",
    "-", ...). -inf (an unreachable state) is drawn empty. path (T,) ints: a state per frame, e.g.
    ``path_rows(forced_path, ctc.extend(target))``. Returns the Axes.
    """
    values = as_matrix("values", values, allow_neg_inf=True)
    ax = _new_axes(ax, max(4.0, 0.25 * values.shape[0] + 2), max(2.0, 0.3 * values.shape[1] + 1))
    return _draw_grid(ax, values, path, row_labels, title, "magma", colorbar_label, False)


def grad_norm_vs_lag(curves, ax=None, logy=True):
    """Gradient norm against lag, one line per curve (§5.6–5.7): how fast a signal fades going back.

    curves: {label: (lags (n,), norms (n,))}, e.g. lags = T-1-t and norms = ||dL/dh_t|| from
    ``rnn.hidden_grad_norms`` with the loss at T-1. ``logy`` puts norms on a log axis, where exponential
    decay is a straight line (zero norms are then not drawn). Returns the Axes.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"curves must be a non-empty dict {{label: (lags, norms)}}, got {curves!r}")
    ax = _new_axes(ax, 6.0, 4.0)
    for label, curve in curves.items():
        if len(curve) != 2:
            raise ValueError(f"curves[{label!r}] must be a pair (lags, norms), got {len(curve)} items")
        lags, norms = (np.asarray(part, dtype=np.float64) for part in curve)
        if lags.ndim != 1 or lags.shape != norms.shape:
            raise ValueError(f"curves[{label!r}]: lags and norms must be 1-D of equal length, "
                             f"got shapes {lags.shape} and {norms.shape}")
        if np.isnan(norms).any() or (norms < 0).any():
            raise ValueError(f"curves[{label!r}]: norms must be >= 0 and not NaN")
        ax.plot(lags, norms, marker="o", markersize=3, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("lag (steps between the loss and the hidden state)")
    ax.set_ylabel(r"$\|\partial \mathcal{L} / \partial h_t\|$")
    ax.legend()
    ax.grid(True, which="major", alpha=0.3)
    return ax


class Table:
    """An HTML table of ``rows`` under ``header``, for notebook output (it renders the same in Jupyter and
    in the book, unlike aligned prints). Column headers are ``<th scope="col">``; with ``row_headers=True``
    the first cell of each row is a ``<th scope="row">``, so a screen reader can name every cell. Values are
    shown as given (format numbers before), escaped as HTML. Colours come from the page's theme.
    """

    def __init__(self, header, rows, caption=None, row_headers=False):
        self.header = [str(h) for h in header]
        self.rows = [list(row) for row in rows]
        for number, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"row {number} has {len(row)} cells, the header {len(self.header)}: {row!r}")
        self.caption, self.row_headers = caption, row_headers

    def _repr_html_(self):
        from html import escape

        def cells(row):
            return "".join(f'<th scope="row">{escape(str(v))}</th>' if k == 0 and self.row_headers
                           else f"<td>{escape(str(v))}</td>" for k, v in enumerate(row))

        caption = f"<caption>{escape(str(self.caption))}</caption>" if self.caption else ""
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in self.header)
        body = "".join(f"<tr>{cells(row)}</tr>" for row in self.rows)
        return (f'<table class="rnnbook-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")


def show_table(header, rows, caption=None, row_headers=False):
    """Display a ``Table`` (see there) in the notebook's output."""
    from IPython.display import display
    display(Table(header, rows, caption, row_headers))
