"""rnnbook as a wheel, for what ships the library on its own: the book's download and the Gradescope zip."""
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def build(folder):
    """Build rnnbook's wheel into ``folder``/wheel from a copy of this checkout; return its path.

    Built from a copy so that setuptools' build/ and egg-info never land in the project; offline
    (``--no-index``, no build isolation: the environment's setuptools builds it).
    """
    folder = Path(folder)
    if not (PROJECT / "pyproject.toml").is_file():
        raise RuntimeError(f"{PROJECT} is not a checkout of the course: build the wheel from one")
    source = folder / "source"
    shutil.copytree(PROJECT / "rnnbook", source / "rnnbook", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(PROJECT / "pyproject.toml", source)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "--quiet", "--wheel-dir", str(folder / "wheel"), str(source)],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"building the rnnbook wheel failed:\n{done.stderr[-2000:]}")
    shutil.rmtree(source)
    return next((folder / "wheel").glob("rnnbook-*.whl"))
