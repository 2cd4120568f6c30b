"""rnnbook.explorer: one call makes a live ipywidgets explorer and, for the book, a static one.

The static explorer must hold, for every combination of control values, exactly the figure ``draw`` makes
for it, with alt text from ``describe``; the browser test then checks that the page switches between them.
"""
import base64
import io
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from rnnbook import explorer  # noqa: E402


def draw(scale=1.0, kind="sin"):
    fig, ax = plt.subplots(figsize=(3, 2))
    x = np.linspace(0, 6, 50)
    ax.plot(x, scale * getattr(np, kind)(x))
    ax.set_title(f"{kind} × {scale}")
    plt.show()


def describe(scale, kind):
    return f"A {kind} curve of amplitude {scale}."


CONTROLS = (explorer.Slider("scale", [0.5, 1.0, 2.0], value=1.0, label="amplitude"),
            explorer.Choice("kind", ["sin", "cos"], label="function"))


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def state_data(html):
    return json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S).group(1))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_static_explorer_holds_every_state_as_draw_makes_it():
    static = explorer.StaticExplorer(draw, list(CONTROLS), describe)
    assert len(static.states) == 6
    for key, (png, alt) in static.states.items():
        i, j = map(int, key.split(","))
        scale, kind = CONTROLS[0].values[i], CONTROLS[1].values[j]
        assert alt == describe(scale, kind)
        assert np.array_equal(pixels(png), pixels(explorer.render_png(draw, {"scale": scale, "kind": kind})))
    assert not np.array_equal(pixels(static.states["0,0"][0]), pixels(static.states["2,0"][0]))
    assert plt.get_fignums() == []                     # every figure drawn for a state is closed again


def test_static_html_starts_at_the_initial_values_with_named_controls():
    html = explorer.StaticExplorer(draw, list(CONTROLS), describe, caption="Try <both>.")._repr_html_()
    data = state_data(html)
    assert data["names"] == ["scale", "kind"] and data["values"] == [[0.5, 1.0, 2.0], ["sin", "cos"]]
    assert data["texts"] == [["0.5", "1.0", "2.0"], ["sin", "cos"]]
    first = data["states"]["1,0"]
    assert f'src="{first["src"]}"' in html and 'alt="A sin curve of amplitude 1.0."' in html
    # Each control has a visible label tied to it, and the slider tells its value in words.
    for control_id in re.findall(r'<input type="range" id="([^"]+)"', html) + re.findall(r'<select id="([^"]+)"', html):
        assert f'<label for="{control_id}">' in html
    assert 'aria-valuetext="1.0"' in html and 'value="1"' in html
    assert "<figcaption>Try &lt;both&gt;.</figcaption>" in html
    png = base64.b64decode(first["src"].split(",", 1)[1])
    assert np.array_equal(pixels(png), pixels(explorer.render_png(draw, {"scale": 1.0, "kind": "sin"})))


def test_show_is_static_in_the_book_build_and_live_otherwise(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    monkeypatch.setenv(explorer.STATIC_ENV, "static")
    assert explorer.show(draw, *CONTROLS, describe=describe) is None     # displayed once, not returned
    assert len(shown) == 1 and isinstance(shown[0], explorer.StaticExplorer)
    monkeypatch.delenv(explorer.STATIC_ENV)
    assert explorer.show(draw, *CONTROLS, describe=describe) is None
    import ipywidgets
    box = shown[1]
    assert isinstance(box, ipywidgets.VBox)
    sliders = box.children[0].children
    assert isinstance(sliders[0], ipywidgets.SelectionSlider) and sliders[0].value == 1.0
    assert isinstance(sliders[1], ipywidgets.Dropdown) and sliders[1].value == "sin"


def test_text_control_is_free_text_live():
    import ipywidgets
    widget = explorer.Text("kind", ["sin", "cos"]).widget(ipywidgets)
    assert isinstance(widget, ipywidgets.Combobox) and not widget.ensure_option


@pytest.mark.parametrize("make, message", [
    (lambda: explorer.Slider("scale", []), "at least one value"),
    (lambda: explorer.Slider("scale", [2, 1]), "must increase"),
    (lambda: explorer.Slider("scale", [1, "2"]), "takes numbers"),
    (lambda: explorer.Slider("scale", [True, 2]), "takes numbers"),
    (lambda: explorer.Slider("scale", [1.0, float("nan")]), "finite"),
    (lambda: explorer.Slider("scale", [1, 2], value=3), "not one of"),
    (lambda: explorer.Choice("not a name", ["a"]), "keyword"),
    (lambda: explorer.Choice("kind", ["a", "a"]), "repeated"),
    (lambda: explorer.show(draw, describe=describe), "one or more"),
    (lambda: explorer.show(draw, CONTROLS[0], CONTROLS[0], describe=describe), "share a name"),
    (lambda: explorer.show(draw, explorer.Slider("scale", range(20)), explorer.Choice("kind", list("abcdefghi")),
                           describe=describe), "at most 160"),
    (lambda: explorer.show(draw, *CONTROLS, describe="not callable"), "callables"),
])
def test_bad_explorers_are_refused_with_a_clear_message(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_draw_that_makes_no_single_figure_is_refused():
    with pytest.raises(ValueError, match="made 0 figures"):
        explorer.render_png(lambda **setting: None, {})

    def two(**setting):
        plt.figure()
        plt.figure()
    with pytest.raises(ValueError, match="made 2 figures"):
        explorer.render_png(two, {})
    assert plt.get_fignums() == []


def test_empty_alt_text_is_refused():
    with pytest.raises(ValueError, match="alt text"):
        explorer.StaticExplorer(draw, [CONTROLS[0]], lambda scale: "  ")
