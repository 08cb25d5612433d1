"""The token stream every loader returns and every later stage reads.

A token is one piece of text as the source presents it: a line of prose, a
word run on a PDF line, or one table cell. Loaders never interpret content;
they only say where a piece stands (page, line, position, table cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# Formats a Document can come from (the `source.format` values of OUTPUT.md).
FORMATS = ("txt", "html", "docx", "doc", "pdf", "scanned-pdf")


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of text with its layout.

    `table`, `row` and `col` are set only where the source has a real table
    grid (HTML, DOCX, PDF ruling lines): the cell's top-left grid position
    after merged cells are expanded, with its spans. Delimited text (pipes,
    tabs) marks its pieces as `cell=True` but has no grid.
    """

    text: str
    page: int = 1
    line: int = 0
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom (points)
    cell: bool = False
    table: int | None = None
    row: int | None = None
    col: int | None = None
    rowspan: int = 1
    colspan: int = 1
    furniture: bool = False  # page header/footer/number, as recognised by the loader
    unreadable: bool = False  # printed but not decodable (PDF `(cid:N)` glyphs)
    confidence: float | None = None  # recognition confidence (OCR), None when exact
    # OCR: the most weight the recogniser gave a different digit at any digit of the text (an "8"
    # that was 3 % "6"), None when exact; cells no consistency rule checks are held to it.
    digit_rival: float | None = None

    def with_text(self, text: str) -> Token:
        return replace(self, text=text)


@dataclass
class Document:
    """A loaded file: its tokens in reading order, plus what the loader noticed."""

    tokens: list[Token]
    format: str
    pages: int = 1
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown document format {self.format!r}")

    @property
    def text(self) -> str:
        """Plain text of the document, one line per token line (for matching and debugging)."""
        lines: list[str] = []
        last = None
        for tok in self.tokens:
            key = (tok.page, tok.line)
            if key != last:
                lines.append(tok.text)
                last = key
            else:
                lines[-1] += " | " + tok.text
        return "\n".join(lines)


class LoadError(Exception):
    """A file that cannot be turned into tokens; the message says why, in plain words."""
