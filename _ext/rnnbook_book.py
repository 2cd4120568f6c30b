"""The book's own Sphinx extension: what the theme and myst-nb do not do for this book by themselves.

- Explorers: sets ``RNNBOOK_EXPLORERS=static`` before any notebook runs, so ``rnnbook.explorer.show``
  draws every state of an explorer into the page instead of ipywidgets that need a kernel.
- Launch buttons (Binder, Colab) and the repository button appear only once ``repository.url`` is set
  in ``_config.yml``: a button to a repository that does not exist is a dead link.
- A chapter's download is the executed notebook (outputs included), not the bare source.
- ``rnnbook``'s wheel is built for the site (intro.md offers it), so a downloaded chapter can install it.
"""
import os
import shutil
import tempfile
from pathlib import Path

from rnnbook import _wheel, explorer

ROOT = Path(__file__).resolve().parent.parent
WHEEL_DIR = ROOT / "_build" / "wheel"


def _buttons_only_with_a_repository(app, config):
    options = config.html_theme_options
    if options.get("repository_url"):
        options["use_repository_button"] = True
    else:
        options["launch_buttons"] = {}


def _build_wheel(app):
    """rnnbook-<version>-py3-none-any.whl in _build/wheel, which intro.md offers as a download."""
    shutil.rmtree(WHEEL_DIR, ignore_errors=True)
    WHEEL_DIR.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = _wheel.build(scratch)
        shutil.move(wheel, WHEEL_DIR / wheel.name)


def _executed_notebooks_as_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute"
    for notebook in executed.rglob("*.ipynb"):
        download = Path(app.outdir) / "_sources" / notebook.relative_to(executed)
        if download.exists():
            shutil.copy2(notebook, download)


def setup(app):
    # Before any notebook runs: the kernels myst-nb starts inherit this environment.
    os.environ[explorer.STATIC_ENV] = "static"
    app.connect("config-inited", _buttons_only_with_a_repository)
    app.connect("builder-inited", _build_wheel)
    app.connect("build-finished", _executed_notebooks_as_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
