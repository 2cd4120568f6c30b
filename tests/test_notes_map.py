"""The reference page `notes-map.md` maps every numbered section of the lecture notes to the heading of
the chapter that teaches it. It fails when a section of the notes is missing from the map, when the map
names a section the notes do not have or gives it another title, and when a link points at a page
outside the book or at a heading that page does not have (the same anchors MyST gives headings)."""
import re
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from myst_parser.mdit_to_docutils.base import default_slugify

from _helpers import toc_pages

ROOT = Path(__file__).resolve().parents[1]
# The numbered sections of the lecture notes (their table of contents), kept beside the tests so a
# fresh clone checks the map; where the notes themselves sit next to the checkout, the outline is
# checked against them too.
OUTLINE = ROOT / "tests" / "notes_outline.txt"
NOTES = ROOT.parent / "shared" / "lecture-notes.txt"
MAP = ROOT / "notes-map.md"
HEADING_LEVELS = 3          # _config.yml: myst_heading_anchors

SECTION = re.compile(r"^(\d+\.\d+(?:\.\d+)?) (.+?)¶?$")
ENTRY = re.compile(r"^- §(\d+\.\d+(?:\.\d+)?) (.+?) — (.+)$")
LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)#([^)\s]+)\)")


def sections_in(text):
    sections = {}
    for line in text.splitlines():
        match = SECTION.match(line.strip())
        if match:
            sections[match.group(1)] = match.group(2).strip()
    return sections


def notes_sections():
    return sections_in(OUTLINE.read_text(encoding="utf-8"))


def test_the_outline_is_the_notes_table_of_contents():
    if not NOTES.exists():
        pytest.skip(f"the lecture notes are not at {NOTES}; the outline is checked where they are")
    assert notes_sections() == sections_in(NOTES.read_text(encoding="utf-8"))


def map_entries():
    entries = {}
    for number, line in enumerate(MAP.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("- §"):
            continue
        match = ENTRY.match(line)
        assert match, f"notes-map.md line {number}: expected '- §N.M Title — [heading](page#anchor)', got {line!r}"
        section, title, where = match.groups()
        assert section not in entries, f"notes-map.md line {number}: §{section} is listed twice"
        links = LINK.findall(where)
        assert links, f"notes-map.md line {number}: §{section} links to no heading"
        entries[section] = (title, links)
    return entries


def headings(page):
    """{anchor: heading text} of a book page, as MyST computes the anchors (unique within the page)."""
    path = ROOT / page
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        text = "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    parser = MarkdownIt("commonmark").use(dollarmath_plugin).use(
        anchors_plugin, max_level=HEADING_LEVELS, slug_func=default_slugify)
    tokens = parser.parse(text)
    found = {}
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "heading_open" and "id" in opening.attrs:
            found[opening.attrs["id"]] = inline.content
    return found


def normal(title):
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def test_every_section_of_the_notes_is_in_the_map_with_its_title():
    sections = notes_sections()
    entries = map_entries()
    assert len(sections) > 100, "the notes' numbered sections were not found"
    missing = [number for number in sections if number not in entries]
    unknown = [number for number in entries if number not in sections]
    assert not missing, f"notes-map.md lacks these sections of the notes: {missing}"
    assert not unknown, f"notes-map.md lists sections the notes do not have: {unknown}"
    wrong = [(number, entries[number][0], sections[number]) for number in sections
             if normal(entries[number][0]) != normal(sections[number])]
    assert not wrong, f"titles differ from the notes (section, map, notes): {wrong}"


def test_every_link_points_at_a_heading_of_a_page_in_the_book():
    pages = toc_pages()
    assert "notes-map" in pages, "notes-map.md is not in _toc.yml"
    cache = {}
    for section, (_, links) in map_entries().items():
        for text, target, anchor in links:
            page = target.removesuffix(".ipynb").removesuffix(".md")
            assert page in pages, f"§{section} links to {target}, which is not a page of the book"
            if target not in cache:
                cache[target] = headings(target)
            assert anchor in cache[target], (
                f"§{section} links to {target}#{anchor}, a heading that page does not have; "
                f"its headings are {sorted(cache[target])}")
            assert normal(text) == normal(cache[target][anchor]), (
                f"§{section}: link text {text!r} is not the heading it points at, {cache[target][anchor]!r}")
