"""Words with their boxes, and lines of words: the positioned pieces every table finder reads.

PDF words (pdfplumber), OCR text boxes and text-file pieces (display columns) all become `Word`s;
`make_text_lines` groups them into lines split into runs at wide gaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

Box = tuple[float, float, float, float]  # x0, top, x1, bottom (points, from the page's top-left)


Placed = tuple[Box, int, int, int, int]  # a cell box with its grid row, col, rowspan, colspan


@dataclass(frozen=True)
class LayoutSettings:
    """Tolerances of the PDF loader, in points unless named otherwise."""

    line_overlap: float = 0.5  # words share a line when they overlap vertically by this share of the smaller height
    run_gap_ems: float = 2.0  # a horizontal gap wider than this many character heights splits a line into runs
    snap_tolerance: float = 2.0  # cell boundaries closer than this are one grid line
    column_tolerance: float = 4.0  # column boundaries of two parts of one table agree within this
    margin_fraction: float = 0.08  # top and bottom share of the page where headers and footers live
    unreadable_share: float = 0.5  # share of (cid:N) glyphs above which the PDF is refused
    dedupe_tolerance: float = 1.0  # same glyph drawn again within this distance is one glyph (fake bold)
    word_x_tolerance: float = 3.0
    word_y_tolerance: float = 3.0


DEFAULT_SETTINGS = LayoutSettings()


class Word(NamedTuple):
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    chars: Sequence[dict] = ()  # pdfplumber's chars, kept to split a word that runs over a cell border


class TextLine(NamedTuple):
    """Words outside tables that share a line, split into runs at wide gaps."""

    runs: tuple[tuple[Word, ...], ...]
    bbox: Box

    @property
    def text(self) -> str:
        return join_pieces([run_text(run) for run in self.runs])


_CID = re.compile(r"\(cid:\d+\)")


def is_cjk(ch: str) -> bool:
    """True for Chinese characters and the punctuation set with them (no space needed around them)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols and punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF
        or 0x2010 <= code <= 0x2027  # dashes, curly quotes, ellipsis as used in Chinese text
        or code in (0x00B7, 0x25CB)
    )


def join_pieces(pieces: Iterable[str]) -> str:
    """Join text pieces (words of a line, lines of a cell) without a space next to Chinese text.

    A space goes between two pieces only when neither side is CJK ("total 12",
    "2,648 .52" stays apart); "本年新收" + "申请数量" and "2024" + "年" join directly.
    """
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if out and not is_cjk(out[-1]) and not is_cjk(piece[0]):
            out += " "
        out += piece
    return out


def run_text(run: Sequence[Word]) -> str:
    return join_pieces(w.text for w in run)


def chars_word(chars: Sequence[dict]) -> Word:
    return Word("".join(c["text"] for c in chars), min(c["x0"] for c in chars), min(c["top"] for c in chars),
                max(c["x1"] for c in chars), max(c["bottom"] for c in chars), chars)


def group_lines(words: Iterable[Word], overlap: float = 0.5) -> list[list[Word]]:
    """Words in lines (top to bottom), each line's words left to right.

    A word joins the line above when their vertical extents overlap by at least
    `overlap` of the smaller height (CJK and Latin fonts sit at different tops).
    """
    lines: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines:
            shared = min(bottom, word.bottom) - max(top, word.top)
            if shared >= overlap * min(bottom - top, word.bottom - word.top):
                lines[-1].append(word)
                bottom = max(bottom, word.bottom)
                continue
        lines.append([word])
        top, bottom = word.top, word.bottom
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


def split_runs(line: Sequence[Word], gap_ems: float = 2.0) -> list[list[Word]]:
    """Split a line (sorted left to right) where the gap is wider than `gap_ems` character heights."""
    runs = [[line[0]]]
    for left, right in pairwise(line):
        em = max(left.bottom - left.top, right.bottom - right.top, 1.0)
        if right.x0 - left.x1 > gap_ems * em:
            runs.append([right])
        else:
            runs[-1].append(right)
    return runs


def words_box(words: Iterable[Word]) -> Box:
    words = list(words)
    return (min(w.x0 for w in words), min(w.top for w in words),
            max(w.x1 for w in words), max(w.bottom for w in words))


def is_letter_spaced(runs: Sequence[Sequence[Word]]) -> bool:
    """Runs that are each one Chinese character: spread-out text ("总    计"), not a table row."""
    return len(runs) > 1 and all(len(run) == 1 and len(run[0].text) == 1 and is_cjk(run[0].text) for run in runs)


def make_text_lines(words: Iterable[Word], settings: LayoutSettings = DEFAULT_SETTINGS) -> list[TextLine]:
    lines = []
    for line in group_lines(words, settings.line_overlap):
        runs = split_runs(line, settings.run_gap_ems)
        if is_letter_spaced(runs):
            runs = [line]
        lines.append(TextLine(tuple(tuple(r) for r in runs), words_box(line)))
    return lines


FIGURE_CHARS = frozenset("0123456789.,")
FIGURE_PITCH = 1.8  # digits further apart than this many digit advances (centre to centre) are two figures
INK_GAP = 0.5  # and blank ink between them at least this many digit advances
NUMBER_GAP = 1.0  # an outline number this far after a Chinese character opens another cell
OUTLINE_MARKS = frozenset(".．、")
CJK_PITCH = 2.8  # Chinese characters further apart than this many digit advances (centre to centre:
WORD_GAP = 0.8  # one character's width is two) with this much blank between are two cells' words


def glyph_cuts(texts: Sequence[str], centres: Sequence[float], gaps: Sequence[float], advance: float) -> list[int]:
    """Where a line of recognised glyphs (an OCR box) holds two cells: indices k to cut before.

    `centres`: each glyph's centre; `gaps`: the blank ink between glyph k-1 and glyph k; `advance`:
    a digit's advance on the page (all in one unit). The detector boxes a row of figures printed
    without ruling lines as one line (「000000000000000」 for fifteen cells); a figure's digits stand
    one advance apart centre to centre whatever their shapes (the ink of 「11」 stands far apart), two
    cells' figures further: cut between two digits FIGURE_PITCH advances apart with INK_GAP blank
    between; and before the figures that end a box, after a label, at INK_GAP blank
    (「行政事业性收费 0」). Prose keeps its figures: 「共7件」 ends in no figure. Header words of
    neighbouring columns boxed as one line (「人 商业 科研 社会 法律 其他」) are cut between two Chinese
    characters CJK_PITCH advances apart with WORD_GAP blank between: the characters of one word
    stand one width apart centre to centre whatever their ink (「这一」), and a character the
    recogniser passed over leaves its ink between its neighbours (「第[三]方」). Punctuation is
    never cut at. An outline number NUMBER_GAP after a Chinese character opens a row label
    beside its group's (「（四）无法 2.没有现成信息」)."""
    cuts = []
    for k in range(1, len(texts)):
        before, after = texts[k - 1], texts[k]
        gap, pitch = gaps[k - 1], centres[k] - centres[k - 1]
        if gap < INK_GAP * advance:
            continue
        if before in FIGURE_CHARS and after in FIGURE_CHARS:
            cut = pitch >= FIGURE_PITCH * advance
        elif is_han(before) and is_han(after):
            cut = gap >= WORD_GAP * advance and pitch >= CJK_PITCH * advance
        elif after.isdigit() and k + 1 < len(texts) and texts[k + 1] in OUTLINE_MARKS and is_han(before):
            cut = gap >= NUMBER_GAP * advance  # 「（四）无法 2.没有现成信息」: a group label, then a row's
        else:
            cut = after.isdigit() and all(t in FIGURE_CHARS for t in texts[k:])
        if cut:
            cuts.append(k)
    return cuts


def is_han(char: str) -> bool:
    """A Chinese character (an ideograph): unlike `is_cjk`, never CJK punctuation."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
