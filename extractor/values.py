"""Reading a printed cell into a value: a count, an amount, a blank, or unreadable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import number_text
from .vocabulary import BLANK_MARKS

_INTEGER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$|^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$")
_UNIT = re.compile(r"(?<=\d)\s*(?:件|条|项|个|份|次|万元|元)$")  # after a figure: a lone 「项」 is a wrapped label's last character


@dataclass(frozen=True)
class CellValue:
    value: int | float | None
    readable: bool  # False: something was printed that is not a figure


BLANK = CellValue(None, True)


def parse_value(text: str, *, amount: bool = False) -> CellValue:
    """A cell's figure. Counts must be whole numbers; amounts may have decimals."""
    printed = number_text(text)
    if printed in BLANK_MARKS:
        return BLANK
    printed = _UNIT.sub("", printed).strip()
    if _INTEGER.match(printed):
        return CellValue(int(printed.replace(",", "")), True)
    if amount and _DECIMAL.match(printed):
        number = float(printed.replace(",", ""))
        return CellValue(int(number) if number.is_integer() and "." not in printed else number, True)
    return CellValue(None, False)


def looks_like_value(text: str) -> bool:
    """True for anything printed where a figure stands: a number, a blank mark, an empty cell."""
    printed = _UNIT.sub("", number_text(text)).strip()
    return printed in BLANK_MARKS or bool(_INTEGER.match(printed) or _DECIMAL.match(printed))
