"""A gold/result dict as an ordered list of blocks, before any file format.

Every renderer walks the same blocks, so all formats print the same words in
the same order: title, preamble, the six sections (tables inside 二/三/四,
after their text, then any notes printed under them: `extras["notes"]`, table key -> lines),
signature, trailer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import schema
from . import wording
from .grid import Grid
from .layout import table_grid
from .options import RenderOptions

BLOCK_KINDS = ("title", "paragraph", "heading", "table", "note", "signature", "trailer")


@dataclass(frozen=True)
class Block:
    kind: str
    text: str = ""
    grid: Grid | None = None
    section: str | None = None  # section key, for headings, section paragraphs and tables

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")


@dataclass(frozen=True)
class Manuscript:
    organization: str
    year: int | None
    script: str
    running_title: str  # "<organization><year>年政府信息公开工作年度报告": page header, <title>, file name
    blocks: tuple[Block, ...]


def lines_of(text: str | None) -> list[str]:
    """Paragraphs of a multi-line text field; blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def manuscript(gold: Mapping, options: RenderOptions | None = None) -> Manuscript:
    """The blocks of a report described by `gold` (canonical result plus `extras`)."""
    options = options or RenderOptions()
    report = gold["report"]
    script = report.get("script", "simplified")
    organization = report.get("organization") or ""
    year = report.get("year")
    extras = gold.get("extras") or {}
    tables = gold.get("tables") or {}
    running = f"{organization}{year}年" if year else organization
    running_title = running + wording.localize(wording.REPORT_NAME, script, options.opencc_config)

    blocks: list[Block] = []
    title = extras.get("title") or (running_title if options.default_title else None)
    if title:
        blocks.append(Block("title", title))
    blocks += [Block("paragraph", line) for line in extras.get("preamble") or []]

    notes = extras.get("notes") or {}
    printed = {s["id"]: s for s in gold.get("sections") or []}
    for key, standard_title in schema.sections():
        section = printed.get(key)
        if section is None and key not in tables:
            continue  # neither printed nor holding a table: the report lacks this section
        heading = (section or {}).get("title") or wording.localize(standard_title, script, options.opencc_config)
        blocks.append(Block("heading", heading, section=key))
        blocks += [Block("paragraph", line, section=key) for line in lines_of((section or {}).get("text"))]
        if key in tables:
            blocks.append(Block("table", grid=table_grid(key, gold, options.opencc_config), section=key))
            blocks += [Block("note", line, section=key) for line in notes.get(key) or []]

    blocks += [Block("signature", line) for line in extras.get("signature") or []]
    blocks += [Block("trailer", line) for line in extras.get("trailer") or []]
    return Manuscript(organization, year, script, running_title, tuple(blocks))
