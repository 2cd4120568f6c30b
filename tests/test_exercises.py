"""Every exercise in the book has a hint under it (a dropdown, folded until opened), and a worked answer in
its chapter's instructor notebook, `solutions/chapters/NN_*.ipynb`, which the book never renders. nbval runs
those notebooks in `make test`, so their asserts hold; this checks that none is missing."""
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from sphinx.util.matching import Matcher

from _helpers import toc_pages

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [page for page in toc_pages() if page.startswith("chapters/")]
EXERCISE = re.compile(r"^\d+\. ", re.M)
HINT = re.compile(r"^\s*```\{dropdown\} Hint", re.M)


def exercises_section(page):
    """The markdown from the page's "Exercises" heading on."""
    cells = [cell.source for cell in nbformat.read(ROOT / f"{page}.ipynb", as_version=4).cells
             if cell.cell_type == "markdown"]
    starts = [i for i, source in enumerate(cells) if re.search(r"^#+ *Exercises", source, re.M)]
    assert starts, f"{page} has no Exercises section"
    text = "\n".join(cells[starts[0]:])
    return text[re.search(r"^#+ *Exercises", text, re.M).start():]


def chapter_pages():
    """{chapter number: [its pages in reading order]}; chapter 9 has two."""
    pages = {}
    for page in CHAPTERS:
        pages.setdefault(Path(page).name[:2], []).append(page)
    return pages


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_exercise_has_a_hint_under_it(page):
    text = exercises_section(page)
    items = list(EXERCISE.finditer(text))
    assert items, f"{page}: no numbered exercises"
    ends = [item.start() for item in items[1:]] + [len(text)]
    unhinted = [n for n, (item, end) in enumerate(zip(items, ends), 1) if not HINT.search(text[item.start():end])]
    assert not unhinted, f"{page}: exercises {unhinted} have no ```{{dropdown}} Hint under them"


@pytest.mark.parametrize("number, pages", sorted(chapter_pages().items()))
def test_every_exercise_has_a_worked_answer_in_the_instructor_notebook(number, pages):
    found = sorted((ROOT / "solutions" / "chapters").glob(f"{number}_*.ipynb"))
    assert len(found) == 1, f"chapter {number}: expected one solutions/chapters/{number}_*.ipynb, found {found}"
    headings = [line for cell in nbformat.read(found[0], as_version=4).cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    for index, page in enumerate(pages, 1):
        count = len(EXERCISE.findall(exercises_section(page)))
        for exercise in range(1, count + 1):
            names = [f"## Exercise {exercise}"] if len(pages) == 1 else [f"## Page {index}, exercise {exercise}"]
            assert any(heading == name or heading.startswith(name + ":") or heading.startswith(name + " ")
                       for heading in headings for name in names), (
                f"{found[0].name} has no worked answer headed {names[0]!r} (for {page})")


def test_the_instructor_notebooks_stay_out_of_the_book():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    excluded = Matcher(config["exclude_patterns"])
    for path in (ROOT / "solutions").rglob("*.ipynb"):
        assert excluded(str(path.relative_to(ROOT))), f"{path.relative_to(ROOT)} would be built into the book"
