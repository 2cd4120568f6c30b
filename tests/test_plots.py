"""rnnbook.plots: each figure draws on small inputs with the Agg backend and puts the expected artists up."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnbook import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def log_probs(T, C, seed=0):
    logits = np.random.default_rng(seed).standard_normal((T, C))
    return logits - np.log(np.exp(logits).sum(1, keepdims=True))


def test_trellis_draws_grid_path_and_labels():
    scores = log_probs(6, 3)
    path = [0, 0, 1, 1, 1, 2]
    ax = plots.trellis(scores, path=path, row_labels=["/B/", "/AH/", "/T/"], title="Viterbi", annotate=True)
    assert len(ax.images) == 1
    assert ax.images[0].get_array().shape == (3, 6)       # symbols as rows, time as columns
    assert len(ax.lines) == 1
    assert np.array_equal(ax.lines[0].get_xdata(), np.arange(6))
    assert np.array_equal(ax.lines[0].get_ydata(), path)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["/B/", "/AH/", "/T/"]
    assert ax.get_title() == "Viterbi"
    assert len(ax.texts) == 18                             # one value per cell
    assert ax.get_ylim()[0] > ax.get_ylim()[1]             # first symbol on top, as in §7.9
    assert len(ax.figure.axes) == 2                        # the grid and its colorbar


def test_trellis_without_path_on_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    ax = plots.trellis(log_probs(4, 2), ax=right)
    assert ax is right and len(ax.images) == 1 and not ax.lines and not left.images


def test_lattice_heatmap_shows_minus_inf_as_empty_cells():
    values = log_probs(5, 5)
    values[0, 2:] = -np.inf     # states a CTC path cannot reach at t=0
    values[-1, :3] = -np.inf
    ax = plots.lattice_heatmap(values, ["-", "a", "-", "b", "-"], path=[0, 1, 2, 3, 4], title="log alpha")
    shown = ax.images[0].get_array()
    assert shown.shape == (5, 5)
    assert np.array_equal(np.ma.getmaskarray(shown), ~np.isfinite(values.T))
    assert len(ax.lines) == 1 and ax.get_title() == "log alpha"
    assert ax.figure.axes[1].get_ylabel() == "log value"


def test_lattice_heatmap_all_minus_inf_draws_without_colorbar():
    ax = plots.lattice_heatmap(np.full((3, 3), -np.inf), ["-", "a", "-"])
    ax.figure.canvas.draw()
    assert len(ax.images) == 1 and len(ax.figure.axes) == 1


def test_grad_norm_vs_lag_one_line_per_curve_on_log_axis():
    lags = np.arange(10)
    curves = {"rho = 0.5": (lags, 0.5 ** lags), "rho = 1.2": (lags, 1.2 ** lags)}
    ax = plots.grad_norm_vs_lag(curves)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)
    assert np.allclose(ax.lines[1].get_ydata(), 1.2 ** lags)
    assert plots.grad_norm_vs_lag(curves, logy=False).get_yscale() == "linear"


def test_figures_render_to_png(tmp_path):
    ax = plots.trellis(log_probs(12, 4), path=np.repeat([0, 1, 2, 3], 3))
    ax.figure.savefig(tmp_path / "trellis.png")
    assert (tmp_path / "trellis.png").stat().st_size > 1000


@pytest.mark.parametrize("call, fragment", [
    (lambda: plots.trellis(log_probs(4, 2), path=[0, 1, 1]), "path must be 4"),
    (lambda: plots.trellis(log_probs(4, 2), path=[0, 1, 2, 1]), r"path rows must be in \[0, 2\)"),
    (lambda: plots.trellis(log_probs(4, 2), row_labels=["a"]), "row_labels"),
    (lambda: plots.trellis(np.full((2, 2), np.nan)), "NaN"),
    (lambda: plots.trellis(np.zeros(3)), "2-D"),
    (lambda: plots.lattice_heatmap(np.full((2, 3), np.inf), ["-", "a", "-"]), "finite or -inf"),
    (lambda: plots.grad_norm_vs_lag({}), "non-empty"),
    (lambda: plots.grad_norm_vs_lag({"a": ([0, 1], [1.0])}), "equal length"),
    (lambda: plots.grad_norm_vs_lag({"a": ([0, 1], [1.0, np.nan])}), "NaN"),
])
def test_bad_input_raises_value_error(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


def test_path_rows_follows_viterbi_and_ctc_style_paths():
    assert list(plots.path_rows([4, 4, 7, 7, 7, 2], [4, 7, 2])) == [0, 0, 1, 1, 1, 2]
    extended = [0, 1, 0, 2, 0, 1, 0]               # blank-extended target "a b a" with blank 0
    # starts on the first label, skips the blank between different labels, ends on the final blank
    assert list(plots.path_rows([1, 1, 2, 0, 1, 0], extended)) == [1, 1, 3, 4, 5, 6]
    assert list(plots.path_rows([0, 1, 0, 0, 2, 1], extended)) == [0, 1, 2, 2, 3, 5]


def test_path_rows_from_align_viterbi_draws_on_the_trellis():
    from rnnbook import align
    scores = log_probs(9, 5, seed=3)
    S = [3, 1, 4]
    _, alignment = align.viterbi(scores, S)
    rows = plots.path_rows(alignment, S)
    assert rows[0] == 0 and rows[-1] == 2 and np.all(np.diff(rows) >= 0)
    assert np.array_equal(np.asarray(S)[rows], alignment)
    ax = plots.trellis(scores[:, S], path=rows, row_labels=S)
    assert np.array_equal(ax.lines[0].get_ydata(), rows)


@pytest.mark.parametrize("alignment, rows, fragment", [
    ([1, 1, 2], [1, 1, 2], "both hold symbol 1"),
    ([1, 3, 2], [1, 2], "alignment\\[1\\] = 3"),
    ([2, 1], [1, 2], "alignment\\[1\\] = 1"),      # going back up is not a path
    ([[1]], [1], "1-D"),
])
def test_path_rows_rejects_what_is_not_a_path(alignment, rows, fragment):
    with pytest.raises(ValueError, match=fragment):
        plots.path_rows(alignment, rows)


def test_table_has_header_cells_caption_and_escapes_values():
    html = plots.Table(["t", "log α<"], [[0, "-1.5"], [1, "<b>"]], caption="a & b", row_headers=True)._repr_html_()
    assert html.count('<th scope="col">') == 2 and html.count('<th scope="row">') == 2
    assert "<caption>a &amp; b</caption>" in html and "log α&lt;" in html and "&lt;b&gt;" in html
    assert "style=" not in html                     # colours come from the theme, so dark mode keeps contrast


def test_table_refuses_a_row_of_the_wrong_length():
    with pytest.raises(ValueError, match="row 1 has 1 cells, the header 2"):
        plots.Table(["a", "b"], [[1, 2], [3]])
