"""docs/data-contract.md describes the sources exactly as the code reads them.

For every source of ``sources/specs.py`` the document's column table (in §3, under a
heading naming the source in backticks) lists exactly the spec's columns, each with
exactly the spec's aliases; the service-type table of ``layanan`` lists exactly the
aliases of ``reference.CONTRACT_ALIASES`` per category; and the sections keep the
numbering §1-§9 that code comments cite.

The Markdown is parsed simply: a section runs from its heading to the next heading of
the same or a higher level; a table is a run of lines starting with ``|``; names in a
cell are the backticked ones (a cell without backticks: its text, split on commas).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iku_pipeline.sources.reference import CONTRACT_ALIASES
from iku_pipeline.sources.specs import SOURCES

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NONE = {"", "-", "—", "–", "none"}


def _doc() -> str:
    assert DOC.is_file(), f"{DOC.name} is missing from docs/"
    return DOC.read_text(encoding="utf-8")


def _sections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading text, body) of every heading of ``level``; a body ends at the next
    heading of the same or a higher level. Headings inside code blocks are ignored."""
    lines = text.splitlines()
    heads = []  # (line index, level, title)
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
    out = []
    for n, (i, lvl, title) in enumerate(heads):
        if lvl != level:
            continue
        end = next((j for j, l2, _ in heads[n + 1 :] if l2 <= level), len(lines))
        out.append((title, "\n".join(lines[i + 1 : end])))
    return out


def _split_row(line: str) -> list[str]:
    """The cells of a table line (``|`` inside backticks does not split a cell)."""
    cells, cell, in_code = [], "", False
    for ch in line.strip().strip("|"):
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
    cells.append(cell.strip())
    return cells


def _tables(body: str) -> list[list[list[str]]]:
    """Every table of a body: its rows (header first, the ``---`` line dropped)."""
    tables, current = [], []
    for line in body.splitlines() + [""]:
        if line.lstrip().startswith("|"):
            row = _split_row(line)
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in row if c):
                current.append(row)
        elif current:
            tables.append(current)
            current = []
    return tables


def _names(cell: str) -> list[str]:
    """The names in a cell: the backticked ones, else the comma-separated text."""
    quoted = re.findall(r"`([^`]+)`", cell)
    if quoted:
        return [q.strip().rstrip("*").strip() for q in quoted]
    parts = [p.strip().rstrip("*").strip() for p in cell.split(",")]
    return [p for p in parts if p.casefold() not in _NONE]


def _table_with(body: str, first_header: str) -> dict[str, list[str]]:
    """{name in the first column: names in the alias column} of the body's table whose
    header starts with ``first_header``; the alias column is the one headed "aliases"."""
    for table in _tables(body):
        header = [h.casefold() for h in table[0]]
        if header and header[0] == first_header:
            alias_col = next(i for i, h in enumerate(header) if h.startswith("aliases"))
            rows = {}
            for row in table[1:]:
                cells = row + [""] * (len(header) - len(row))
                (name,) = _names(cells[0])
                assert name not in rows, f"{name} appears twice in the table"
                rows[name] = _names(cells[alias_col])
            return rows
    raise AssertionError(f"no table headed '{first_header}'")


def _source_section(name: str) -> str:
    """The body of §3's subsection about source ``name`` (its heading names it in
    backticks)."""
    (section3,) = [body for title, body in _sections(_doc(), 2) if title.startswith("3.")]
    found = [body for title, body in _sections(section3, 3) if f"`{name}`" in title]
    assert len(found) == 1, f"§3 has {len(found)} subsections headed `{name}`, not 1"
    return found[0]


def _differences(what: str, documented, in_code) -> list[str]:
    documented, in_code = list(documented), list(in_code)
    problems = []
    missing = [x for x in in_code if x not in documented]
    extra = [x for x in documented if x not in in_code]
    if missing:
        problems.append(f"{what}: missing from the document: {missing}")
    if extra:
        problems.append(f"{what}: in the document but not in the code: {extra}")
    return problems


def test_sections_keep_the_contract_numbering():
    numbers = [
        int(m.group(1))
        for title, _ in _sections(_doc(), 2)
        if (m := re.match(r"(\d+)\.\s", title))
    ]
    assert numbers == list(range(1, 10)), f"sections §1-§9 in order, found {numbers}"


@pytest.mark.parametrize("source", list(SOURCES))
def test_source_table_lists_every_column_and_alias(source):
    spec = SOURCES[source]
    table = _table_with(_source_section(source), "column")
    problems = _differences(f"{source} columns", table, [c.name for c in spec.columns])
    for column in spec.columns:
        if column.name in table:
            problems += _differences(
                f"{source}.{column.name} aliases", table[column.name], column.aliases
            )
    assert not problems, "\n".join(problems)


def test_layanan_section_lists_every_service_type_alias():
    table = _table_with(_source_section("layanan"), "kategori")
    problems = []
    for kategori, aliases in CONTRACT_ALIASES.items():
        if kategori not in table:
            problems.append(f"category {kategori}: no row in the service-type table")
            continue
        problems += _differences(f"category {kategori} aliases", table[kategori], aliases)
    assert not problems, "\n".join(problems)
