"""Explorers: a figure redrawn as the reader moves a control, in a live kernel and on the static web page.

One call makes both::

    explorer.show(draw, explorer.Slider("rho", [0.5, 0.9, 1.0, 1.1], value=0.9, label="ρ(W)"),
                  explorer.Choice("activation", ["tanh", "relu"], label="φ"),
                  describe=lambda rho, activation: f"... for {activation} at ρ = {rho} ...",
                  caption="What the explorer shows and what to try.")

``draw(**setting)`` draws one matplotlib figure (it may call ``plt.show()``). In a live kernel ``show``
displays an ipywidgets explorer that calls ``draw`` on every change. In the book build (the environment
variable ``RNNBOOK_EXPLORERS=static``, set by the book's Sphinx extension before any notebook runs) it
calls ``draw`` once for every combination of control values, and displays an HTML explorer with native
controls and every figure embedded: ``assets/explorer.js`` switches between them on the page, with no
kernel and no network. ``describe(**setting)`` gives the alt text of each figure, so a screen reader
hears what the current figure shows.
"""
import base64
import html
import io
import itertools
import json
import math
import numbers
import os
from unittest import mock

import matplotlib.pyplot as plt

STATIC_ENV = "RNNBOOK_EXPLORERS"
# A page carries every state's figure: more than this many states would make a chapter page too heavy.
MAX_STATES = 160


class _Control:
    """A named control over a fixed, finite list of values (the states the static page can show)."""

    def __init__(self, name, values, value=None, label=None):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a control's name must be the draw function's keyword, got {name!r}")
        values = list(values)
        if not values:
            raise ValueError(f"control {name!r} needs at least one value, got none")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"control {name!r} has repeated values: {values!r}")
        value = values[0] if value is None else value
        if value not in values:
            raise ValueError(f"control {name!r}: the initial value {value!r} is not one of {values!r}")
        self.name, self.values, self.value = name, values, value
        self.label = name if label is None else str(label)

    def index(self, value):
        return self.values.index(value)


class Slider(_Control):
    """A slider over numbers, e.g. ``Slider("rho", np.round(np.arange(0.5, 2.01, 0.1), 2))``."""

    def __init__(self, name, values, value=None, label=None, fmt="{}"):
        values = [_plain_number(name, v) for v in values]
        if values != sorted(values):
            raise ValueError(f"slider {name!r}: values must increase, got {values!r}")
        super().__init__(name, values, None if value is None else _plain_number(name, value), label)
        self.fmt = fmt

    def text(self, value):
        return self.fmt.format(value)

    def widget(self, ipywidgets):
        return ipywidgets.SelectionSlider(options=[(self.text(v), v) for v in self.values], value=self.value,
                                          description=self.label, continuous_update=False,
                                          style={"description_width": "initial"})


class Choice(_Control):
    """A drop-down list of options, e.g. ``Choice("activation", ["tanh", "relu"])``."""

    def text(self, value):
        return str(value)

    def widget(self, ipywidgets):
        return ipywidgets.Dropdown(options=self.values, value=self.value, description=self.label,
                                   style={"description_width": "initial"})


class Text(Choice):
    """Free text in a live kernel (suggesting ``choices``); on the static page, a list of those choices."""

    def widget(self, ipywidgets):
        return ipywidgets.Combobox(options=[str(v) for v in self.values], value=str(self.value),
                                   ensure_option=False, description=self.label, continuous_update=False,
                                   style={"description_width": "initial"})


def _plain_number(name, value):
    # Plain int or float, so the values go into the page's JSON as they are (numpy scalars too).
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"slider {name!r} takes numbers, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"slider {name!r} takes finite numbers, got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def show(draw, *controls, describe, caption=None):
    """Display an explorer of ``draw`` over ``controls``: ipywidgets live, an HTML explorer in the book.

    draw: called as ``draw(**setting)``, draws exactly one figure. controls: ``Slider``, ``Choice`` or
    ``Text``, named after ``draw``'s keywords. describe: ``describe(**setting) -> str``, the alt text of
    the figure for that setting (what it shows, for a reader who cannot see it). caption: a sentence
    under the explorer (optional). Displays the ipywidgets box in a kernel, the ``StaticExplorer`` in
    the book build, and returns nothing (so a cell ending in ``show(...)`` does not show it twice).
    """
    from IPython.display import display
    controls = _check_controls(draw, controls, describe)
    if os.environ.get(STATIC_ENV) == "static":
        display(StaticExplorer(draw, controls, describe, caption))
    else:
        display(_live(draw, controls, caption))


def _check_controls(draw, controls, describe):
    if not callable(draw) or not callable(describe):
        raise ValueError("draw and describe must be callables taking the controls' values as keywords")
    if not controls or not all(isinstance(c, _Control) for c in controls):
        raise ValueError(f"controls must be one or more Slider, Choice or Text, got {controls!r}")
    names = [c.name for c in controls]
    if len(set(names)) != len(names):
        raise ValueError(f"two controls share a name: {names}")
    n_states = 1
    for control in controls:
        n_states *= len(control.values)
    if n_states > MAX_STATES:
        raise ValueError(f"{n_states} combinations of control values; at most {MAX_STATES} fit on a page: "
                         f"offer fewer values")
    return list(controls)


def _live(draw, controls, caption):
    import ipywidgets
    widgets = {c.name: c.widget(ipywidgets) for c in controls}
    output = ipywidgets.interactive_output(draw, widgets)
    parts = [ipywidgets.HBox(list(widgets.values()), layout={"flex_flow": "row wrap"}), output]
    if caption:
        parts.append(ipywidgets.HTML(f"<p>{html.escape(caption)}</p>"))
    return ipywidgets.VBox(parts)


def render_png(draw, setting):
    """PNG bytes of the one figure ``draw(**setting)`` makes, drawn as Jupyter's inline backend draws it.

    ``plt.show()`` inside ``draw`` is held back so the figure can be saved here; the figure is closed.
    """
    before = set(plt.get_fignums())
    with mock.patch.object(plt, "show", lambda *args, **kwargs: None):
        draw(**setting)
    made = [n for n in plt.get_fignums() if n not in before]
    try:
        if len(made) != 1:
            raise ValueError(f"{getattr(draw, '__name__', 'draw')}({setting}) made {len(made)} figures; "
                             f"an explorer shows exactly one")
        figure = plt.figure(made[0])
        buffer = io.BytesIO()
        # The inline backend's settings (IPython.core.pylabtools.print_figure), so the page shows what a
        # reader running the cell sees; no metadata, so equal figures give equal bytes.
        figure.savefig(buffer, format="png", dpi=figure.dpi, bbox_inches="tight",
                       facecolor=figure.get_facecolor(), edgecolor=figure.get_edgecolor(),
                       metadata={"Software": None})
        return buffer.getvalue()
    finally:
        for number in made:
            plt.close(number)


class StaticExplorer:
    """Every state of an explorer drawn once, shown as HTML that ``assets/explorer.js`` brings to life.

    ``states``: {key: (png bytes, alt text)}, the key being the controls' value indices joined by ",".
    """

    def __init__(self, draw, controls, describe, caption=None):
        self.name = getattr(draw, "__name__", "draw")
        self.controls, self.caption = controls, caption
        self.states = {}
        for indices in itertools.product(*(range(len(c.values)) for c in controls)):
            setting = {c.name: c.values[i] for c, i in zip(controls, indices)}
            alt = str(describe(**setting)).strip()
            if not alt:
                raise ValueError(f"describe({setting}) gave no text: every figure needs alt text")
            self.states[",".join(map(str, indices))] = (render_png(draw, setting), alt)
        self.initial = ",".join(str(c.index(c.value)) for c in controls)

    def _repr_html_(self):
        uid = f"explorer-{self.name}-{abs(hash(tuple(self.states))) % 10**8}"
        rows = []
        for k, control in enumerate(self.controls):
            cid, index = f"{uid}-{k}", control.index(control.value)
            label = f'<label for="{cid}">{html.escape(control.label)}</label>'
            if isinstance(control, Slider):
                current = html.escape(control.text(control.value))
                field = (f'<input type="range" id="{cid}" data-control="{k}" min="0" '
                         f'max="{len(control.values) - 1}" step="1" value="{index}" '
                         f'aria-valuetext="{current}"><output for="{cid}">{current}</output>')
            else:
                options = "".join(f'<option value="{i}"{" selected" if i == index else ""}>'
                                  f'{html.escape(control.text(v))}</option>'
                                  for i, v in enumerate(control.values))
                field = f'<select id="{cid}" data-control="{k}">{options}</select>'
            rows.append(f'<div class="rnnbook-explorer-control">{label}{field}</div>')
        texts = [[control.text(v) for v in control.values] for control in self.controls]
        # Names and values let a test call ``draw`` for the setting the page shows.
        names = [control.name for control in self.controls]
        values = [control.values for control in self.controls]
        states = {key: {"src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"), "alt": alt}
                  for key, (png, alt) in self.states.items()}
        first = states[self.initial]
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        # "</" cannot close the script early: JSON escapes it as "<\/".
        data = json.dumps({"names": names, "values": values, "texts": texts, "states": states}).replace("</", "<\\/")
        return (f'<figure class="rnnbook-explorer" id="{uid}" data-draw="{html.escape(self.name)}">'
                f'<div class="rnnbook-explorer-controls">{"".join(rows)}</div>'
                f'<img src="{first["src"]}" alt="{html.escape(first["alt"])}">{caption}'
                f'<script type="application/json" class="rnnbook-explorer-states">{data}</script>'
                f'</figure>')
