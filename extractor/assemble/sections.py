"""The six numbered sections: heading as printed, and body prose without tables."""

from __future__ import annotations

from .. import matching, schema
from ..labels import Label
from ..tagging import Tag
from ..tokens import Token


def _lines(tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped into printed lines (same page and line number), in order."""
    lines: list[list[Token]] = []
    for tok in tokens:
        if lines and (lines[-1][0].page, lines[-1][0].line) == (tok.page, tok.line):
            lines[-1].append(tok)
        else:
            lines.append([tok])
    return lines


def _line_text(line: list[Token]) -> str:
    return " ".join(t.text.strip() for t in line if t.text.strip())


def _continues(prev: list[Token], nxt: list[Token], right_edge: dict[int, float], left_edge: dict[int, float]) -> bool:
    """A PDF line that runs (nearly) to the right margin continues its paragraph on the next
    line, unless that line is indented (Chinese paragraphs open with an indent). Line-breaking
    rules can end a full line a couple of characters early."""
    a, b = prev[-1].bbox, nxt[0].bbox
    if a is None or b is None:
        return False
    char = max(a[3] - a[1], 1.0)
    same_page_below = prev[0].page == nxt[0].page and b[1] > a[1]
    next_page_top = nxt[0].page == prev[0].page + 1
    if not (same_page_below or next_page_top):
        return False
    indented = b[0] > left_edge[nxt[0].page] + 1.0 * char
    return a[2] >= right_edge[prev[0].page] - 3.0 * char and not indented


def paragraphs(tokens: list[Token]) -> list[str]:
    """Prose lines as paragraphs: lines wrapped by page layout are joined again."""
    lines = _lines(tokens)
    right_edge: dict[int, float] = {}
    left_edge: dict[int, float] = {}
    for line in lines:
        if line[-1].bbox is not None and line[0].bbox is not None:
            page = line[0].page
            right_edge[page] = max(right_edge.get(page, 0.0), line[-1].bbox[2])
            left_edge[page] = min(left_edge.get(page, 1e9), line[0].bbox[0])
    out: list[str] = []
    for i, line in enumerate(lines):
        text = _line_text(line)
        if not text:
            continue
        if out and i > 0 and _continues(lines[i - 1], line, right_edge, left_edge):
            sep = "" if _is_cjk(out[-1][-1:]) or _is_cjk(text[:1]) else " "
            out[-1] += sep + text
        else:
            out.append(text)
    return out


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def assemble_sections(tokens: list[Token], tags: list[Tag]) -> tuple[list[dict], list[str]]:
    """Sections in document order as {id, title, text}, and errors for sections not found."""
    starts = [(i, matching.match_section_heading(tok.text)) for i, (tok, tag) in enumerate(zip(tokens, tags))
              if tag.label == Label.SECTION_HEADING]
    starts = [(i, key) for i, key in starts if key is not None]
    sections = []
    seen = set()
    for n, (start, key) in enumerate(starts):
        if key in seen:
            continue
        seen.add(key)
        end = starts[n + 1][0] if n + 1 < len(starts) else len(tokens)
        body = [tokens[j] for j in range(start + 1, end) if tags[j].label == Label.PROSE]
        sections.append({"id": key, "title": tokens[start].text.strip(), "text": "\n".join(paragraphs(body))})
    errors = [f"section “{title}” ({key}) was not found" for key, title in schema.sections() if key not in seen]
    return sections, errors
