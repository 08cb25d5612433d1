"""Report metadata: issuing body, statistical year, format, script.

Where the issuing body and the year are read, most trusted first:

- the title: the tagger's title lines before the first heading, a wrapped title's lines joined
  (a line the tagger left out of the title is taken back when the title alone names no body);
- the signature: a body's name beside the closing date;
- the opening sentence ("2024年，丁兰街道在……");
- a page-header line that prints the whole title, named for review unless another line prints
  its name;
- for the year also the statistical period ("统计期限为2024年"), the years of the first lines,
  the signature's date.

Page furniture (a token the loader marked as page header or footer, or a line repeated on
several pages) is a running header or a site's name, not the issuing body: it is never read as
the title or the signature, and a name found nowhere else is named for review.
What the sources leave in doubt (the title and the signature print different bodies, a name
that reads as part of a report title, a title line only its neighbours made a title …) goes to
`Metadata.doubts`, which `metadata_doubts` reports naming `report.organization` or `report.year`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import pairwise
from typing import NamedTuple

from ..labels import Label
from ..normalize import clean, is_traditional, strip_pinyin, to_halfwidth
from ..tagging import Tag
from ..tokens import Token
from ..vocabulary import ORGANIZATION_SUFFIXES, PAGE_NUMBER_PATTERN

_YEAR = r"(20[0-9]{2}|19[89][0-9])"
# 丁兰街道2024年政府信息公开工作年度报告 / 2024年丁兰街道政府信息公开工作年度报告 / 2024年政府信息公开工作年度报告
_TITLE_ORG_FIRST = re.compile(rf"^(?:关于)?(?P<org>.+?)\s*(?P<year>{_YEAR})\s*年\s*度?\s*(?:的)?\s*政府\s*信息\s*公开")
_TITLE_YEAR_FIRST = re.compile(rf"^(?P<year>{_YEAR})\s*年\s*度?\s*(?P<org>.+?)\s*政府\s*信息\s*公开")
_TITLE_YEAR_ONLY = re.compile(rf"^(?:关于)?(?P<year>{_YEAR})\s*年\s*度?\s*(?:的)?\s*政府\s*信息\s*公开")
_PERIOD = re.compile(rf"统计期限(?:为|是|自)?\s*{_YEAR}\s*年")
_OPENING = re.compile(
    rf"^\s*{_YEAR}\s*年(?:度|以来)?\s*[,，、]?\s*(?:我|本)?(?P<org>[\u4e00-\u9fff]{{2,30}}?)"
    r"(?:在|以|坚持|认真|紧紧|深入|严格|按照|围绕|持续|始终|全面|进一步|高度|紧扣|立足|聚焦|继续|结合|根据|依据)"
)
_DATE = re.compile(rf"{_YEAR}\s*年\s*(\d{{1,2}})\s*月")
_PAGE_NUMBER = re.compile(PAGE_NUMBER_PATTERN)
_DATE_LINE = re.compile(rf"^{_YEAR}年\d{{1,2}}月\d{{1,2}}日$")
# Words of a report's title or a site's name: a body's name never holds them.
_TITLE_WORDS = ("政府信息公开", "信息公开工作", "年度报告", "工作报告", "工作情况", "年报", "网站", "门户")
# How a sentence of the preamble opens (“现将某某街道2024年度政府信息公开工作情况报告如下”): no name does.
_SENTENCE_OPENERS = ("现将", "现就", "特将", "特此", "根据", "按照", "依据", "依照", "为了", "关于")
_NOT_IN_NAMES = re.compile(r"[0-9，,。；;：:！!？?、“”\"《》<>|/\\_]")
_SELF_REFERENCES = ("机关", "单位", "部门")
_SENTENCE_END = ("。", "；", ";", "：", ":", "，", ",")
_TITLE_LINE_MAX = 80  # characters of one line of a title (longer: a paragraph)
_TITLE_ZONE = 40  # first lines searched for a title the tagger did not mark
# OCR'd organisation or year read with less confidence than this is flagged for review (as cells
# are, `extractor.assemble.tables.MIN_VALUE_CONFIDENCE`).
MIN_METADATA_CONFIDENCE = 0.90


def _printed(text: str) -> str:
    """The text as printed, minus copy artefacts (inline pinyin, stray spaces)."""
    return re.sub(r"\s+", "", strip_pinyin(to_halfwidth(text)))


def _slice_printed(printed: str, cleaned: str, match: re.Match, group: str) -> str:
    """The printed characters at a match found in the simplified text (same length: per-character)."""
    if len(printed) == len(cleaned):
        return printed[match.start(group):match.end(group)]
    return match.group(group)


class _Reading(NamedTuple):
    """What a title's text names, with where (offsets into the printed text; None: unknown)."""

    org: str | None
    year: int | None
    org_span: tuple[int, int] | None = None
    year_span: tuple[int, int] | None = None


def _read_title(printed: str) -> _Reading:
    cleaned = clean(printed)
    exact = len(printed) == len(cleaned)
    for pattern in (_TITLE_YEAR_FIRST, _TITLE_ORG_FIRST, _TITLE_YEAR_ONLY):
        m = pattern.search(cleaned)
        if m:
            org = _slice_printed(printed, cleaned, m, "org").strip("，,、 ") if "org" in m.groupdict() else ""
            return _Reading(org or None, int(m.group("year")), m.span("org") if org and exact else None,
                            m.span("year") if exact else None)
    return _Reading(None, None)


def from_title(text: str) -> tuple[str | None, int | None]:
    """The issuing body and year a title names (either None where it names none)."""
    reading = _read_title(_printed(text))
    return reading.org, reading.year


def is_plausible_name(name: str) -> bool:
    """Whether `name` reads as a body's name: not part of a report title or a site's name
    (“政府信息公开工作年度报告丁兰街道”, “某某区人民政府门户网站”), no figures or sentence
    punctuation, and not a bare self-reference (“街道”, “本机关”)."""
    cleaned = clean(_printed(name))
    if not 2 <= len(cleaned) <= 40 or _NOT_IN_NAMES.search(cleaned):
        return False
    if any(word in cleaned for word in _TITLE_WORDS) or cleaned.startswith(_SENTENCE_OPENERS):
        return False
    bare = cleaned.lstrip("我本该全")
    return bool(bare) and bare not in ORGANIZATION_SUFFIXES and bare not in _SELF_REFERENCES


def _agree(a: str, b: str) -> bool:
    """Two printings of one body: the same, or one the other with a region prefix or a longer
    form (“西工区金谷园街道办事处” and “金谷园街道”)."""
    a, b = clean(_printed(a)), clean(_printed(b))
    return a == b or a in b or b in a


class Metadata(NamedTuple):
    """Issuing body and statistical year, with the tokens each was read from and the doubts
    (errors naming `report.organization` / `report.year`) the sources left."""

    organization: str | None
    year: int | None
    organization_tokens: tuple[Token, ...] = ()
    year_tokens: tuple[Token, ...] = ()
    doubts: tuple[str, ...] = ()


def organization_and_year(tokens: list[Token], tags: list[Tag]) -> tuple[str | None, int | None]:
    """Issuing body and statistical year: from the title, else the signature, else the opening text."""
    meta = report_metadata(tokens, tags)
    return meta.organization, meta.year


class _Title(NamedTuple):
    """A title found in the first lines: its reading, the token indices it spans, those the body's
    name and the year were read from, and whether the tagger called those title."""

    reading: _Reading
    indices: tuple[int, ...]
    org_indices: tuple[int, ...]
    year_indices: tuple[int, ...]
    tagged_org: bool
    tagged_year: bool


def _running_texts(tokens: list[Token]) -> set[str]:
    """Lines the loader did not mark that are running headers or footers it missed (a site's
    name, the report's name): printed alike on three pages or more (two are not enough: a
    two-line title's name line and the signature print the body twice), or printed beside a page
    number twice or more (a text copy keeps each page's footer and the next page's header)."""
    pages: dict[str, set[int]] = defaultdict(set)
    beside_numbers: Counter[str] = Counter()
    lines = [i for i, tok in enumerate(tokens) if tok.text.strip() and not tok.cell]
    for n, i in enumerate(lines):
        tok = tokens[i]
        text = clean(_printed(tok.text))
        if tok.furniture or len(text) < 2:
            continue
        pages[text].add(tok.page)
        neighbours = [tokens[lines[k]] for k in (n - 1, n + 1) if 0 <= k < len(lines)]
        if any(_is_page_number(t) for t in neighbours):
            beside_numbers[text] += 1
    return ({text for text, seen in pages.items() if len(seen) >= 3}
            | {text for text, count in beside_numbers.items() if count >= 2})


def _after_page_number(tokens: list[Token], i: int) -> bool:
    before = next((t for t in reversed(tokens[:i]) if t.text.strip() and not t.cell), None)
    return before is not None and _is_page_number(before)


def _is_page_number(tok: Token) -> bool:
    text = clean(_printed(tok.text))
    return bool(_PAGE_NUMBER.match(text)) or (tok.furniture and text.isdigit())


def _is_title_line(text: str) -> bool:
    printed = clean(_printed(text))
    return 0 < len(printed) <= _TITLE_LINE_MAX and "。" not in printed and not printed.endswith(_SENTENCE_END)


def _names_report(printed: str) -> bool:
    cleaned = clean(printed)
    return "报告" in cleaned or "年报" in cleaned


def _read_window(tokens: list[Token], tags: list[Tag], indices: tuple[int, ...]) -> _Title:
    pieces = [_printed(tokens[i].text) for i in indices]
    reading = _read_title("".join(pieces))
    starts = [sum(len(p) for p in pieces[:k]) for k in range(len(pieces))]

    def under(span: tuple[int, int] | None) -> tuple[int, ...]:
        if span is None:
            return indices
        return tuple(i for i, start, piece in zip(indices, starts, pieces)
                     if start < span[1] and span[0] < start + len(piece))

    org_at = under(reading.org_span) if reading.org else ()
    year_at = under(reading.year_span) if reading.year else ()
    return _Title(reading, indices, org_at, year_at, all(tags[i].label == Label.TITLE for i in org_at),
                  all(tags[i].label == Label.TITLE for i in year_at))


def _windows(zone: list[int], adjacent: Callable[[int, int], bool], start: int, size: int) -> tuple[int, ...] | None:
    """`size` zone tokens from position `start`, each next to the one before; None when there are not."""
    if start < 0 or start + size > len(zone):
        return None
    picked = tuple(zone[start:start + size])
    return picked if all(adjacent(a, b) for a, b in pairwise(picked)) else None


def _find_title(tokens: list[Token], tags: list[Tag], zone: list[int],
                adjacent: Callable[[int, int], bool]) -> tuple[_Title | None, _Title | None]:
    """The title among the first lines: (the reading that names a body, the reading that names a
    year only), either None. The tagger's title lines first, each run of them read alone; a run
    that names no body (a wrapped title's head tagged otherwise, “度报告” alone) takes its
    neighbours back; with no run at all, any lines that read as a report title."""
    runs: list[list[int]] = []
    for p, i in enumerate(zone):
        if tags[i].label != Label.TITLE:
            continue
        if runs and runs[-1][-1] == zone[p - 1] and adjacent(zone[p - 1], i):
            runs[-1].append(i)
        else:
            runs.append([i])
    year_only: _Title | None = None
    for run in runs:
        first = zone.index(run[0])
        tries = [tuple(run)] + [w for before, after in ((1, 0), (0, 1), (1, 1), (2, 0), (2, 1))
                                if (w := _windows(zone, adjacent, first - before, len(run) + before + after))]
        for k, indices in enumerate(tries):
            title = _read_window(tokens, tags, indices)
            if title.reading.year is None or (k and not _names_report("".join(tokens[i].text for i in indices))):
                continue
            if title.reading.org and is_plausible_name(title.reading.org) and _named_by_title(title):
                return title, year_only
            if title.reading.org is None and year_only is None:
                year_only = title
    head = zone[:_TITLE_ZONE]
    for start in range(len(head)):
        for size in (1, 2, 3):
            indices = _windows(head, adjacent, start, size)
            if indices is None or not _names_report("".join(tokens[i].text for i in indices)):
                continue
            title = _read_window(tokens, tags, indices)
            if title.reading.org and is_plausible_name(title.reading.org) and _named_by_title(title):
                return title, year_only
            if title.reading.year and title.reading.org is None and year_only is None:
                year_only = title
            if title.reading.year:
                break  # a longer window from here only adds lines after the title
    return None, year_only


def _ends_as_a_name(name: str) -> bool:
    return clean(_printed(name)).endswith(ORGANIZATION_SUFFIXES + ("会",))


def _named_by_title(title: _Title) -> bool:
    """Whether the body's name is the tagger's title, or else ends as a body's name does (a line
    the tagger did not call title, “站内搜索” above a title naming no body, is no name)."""
    return title.tagged_org or _ends_as_a_name(title.reading.org or "")


def _garbled_title(tokens: list[Token], tags: list[Tag], zone: list[int]) -> _Title | None:
    """The tagger's title when what it names is no body's name (a page header glued to it in one line)."""
    indices = tuple(i for i in zone if tags[i].label == Label.TITLE)
    if not indices:
        return None
    title = _read_window(tokens, tags, indices)
    return title if title.reading.org and not is_plausible_name(title.reading.org) else None


def _leading_name_alternative(tokens: list[Token], tags: list[Tag], title: _Title) -> _Title | None:
    """The title read without its first line, when that line is a body's name on its own and the
    rest names another body: a header line (“某某市人民政府”) the tagger joined to the title, or a
    name wrapped after its first part. None when there is no such second reading."""
    if len(title.indices) < 2 or title.indices[0] not in title.org_indices:
        return None
    head = clean(_printed(tokens[title.indices[0]].text))
    if not head.endswith(ORGANIZATION_SUFFIXES) or not is_plausible_name(head):
        return None
    rest = _read_window(tokens, tags, title.indices[1:])
    if rest.reading.org and is_plausible_name(rest.reading.org) and rest.reading.year == title.reading.year:
        return rest
    return None


def _without_repeated_head(tokens: list[Token], title: _Title, alternative: _Title | None) -> _Title | None:
    """The title without a first line that only repeats (part of) the body the rest names: a page
    header printing the name, or the short name, above a title naming the body in full."""
    if alternative is not None and clean(_printed(tokens[title.indices[0]].text)) in clean(
            _printed(alternative.reading.org)):
        return alternative
    return None


def _signature_names(tokens: list[Token], tags: list[Tag], running: set[str]) -> list[int]:
    """The tokens that may print the body's name in the signature: tagged signature, not
    furniture nor a running line, beside a date or after the last heading (a line between two
    sections is a page header the loader missed); those beside a date first."""
    names, dates = [], []
    for i, (tok, tag) in enumerate(zip(tokens, tags)):
        if tag.label != Label.SIGNATURE or tok.furniture:
            continue
        printed = clean(_printed(tok.text))
        if _DATE_LINE.match(printed):
            dates.append(i)
        elif printed.endswith(ORGANIZATION_SUFFIXES) and not _DATE.search(printed) and is_plausible_name(printed):
            names.append(i)
    # Beside the date, a name is the signature even when a running header prints it too, unless it
    # is that header itself: the line after a page number.
    beside = [i for i in names if any(abs(i - d) <= 3 for d in dates) and not _after_page_number(tokens, i)]
    last_heading = max((i for i, tag in enumerate(tags) if tag.label == Label.SECTION_HEADING), default=-1)
    return beside + [i for i in names if i not in beside and i > last_heading
                     and clean(_printed(tokens[i].text)) not in running]


def _opening(tokens: list[Token], prose: list[int]) -> tuple[str | None, int | None, int | None]:
    """The opening sentence's body (a self-reference such as “街道” is none), year and token."""
    for i in prose:
        printed = _printed(tokens[i].text)
        cleaned = clean(printed)
        m = _OPENING.search(cleaned)
        if m:
            org = _slice_printed(printed, cleaned, m, "org")
            return (org if is_plausible_name(org) else None), int(m.group(1)), i
    return None, None, None


def _confirmed(name: str, others: list[str | None], texts: list[str]) -> bool:
    """Whether another source prints the body: the signature's or the opening's name alike, or
    another line printing it in full."""
    wanted = clean(_printed(name))
    return any(other and _agree(other, name) for other in others) or any(wanted in text for text in texts)


def report_metadata(tokens: list[Token], tags: list[Tag]) -> Metadata:
    """Issuing body and statistical year with the tokens each came from (a title of several
    lines: all of them) and the doubts left (see the module doc)."""
    running = _running_texts(tokens)
    first_heading = next((i for i, tag in enumerate(tags) if tag.label == Label.SECTION_HEADING), len(tokens))

    def furniture_like(tok: Token) -> bool:
        return tok.furniture or clean(_printed(tok.text)) in running

    def blank(i: int) -> bool:
        return not tokens[i].text.strip()

    head = range(min(first_heading, len(tokens)))
    zone = [i for i in head if not blank(i) and _is_title_line(tokens[i].text) and not (
        furniture_like(tokens[i]) and (tokens[i].furniture or not _reads_as_full_title(tokens[i].text)))]
    furniture_zone = [i for i in head if not blank(i) and tokens[i].furniture and tokens[i].page == tokens[0].page
                      and _is_title_line(tokens[i].text)]

    def adjacent(a: int, b: int) -> bool:  # only page furniture and blank lines between, same page
        return tokens[a].page == tokens[b].page and all(tokens[k].furniture or blank(k) for k in range(a + 1, b))

    def next_to(a: int, b: int) -> bool:
        return b == a + 1

    title, year_title = _find_title(tokens, tags, zone, adjacent)
    garbled = _garbled_title(tokens, tags, zone) if title is None else None
    signatures = _signature_names(tokens, tags, running)
    # The one that prints the title's body, if any does (a joint signature names two bodies).
    signature_at = next((i for i in signatures if title and title.reading.org
                         and _agree(_printed(tokens[i].text), title.reading.org)), signatures[0] if signatures else None)
    signature_org = _printed(tokens[signature_at].text) if signature_at is not None else None
    # The opening lines: before the second heading (a later "2025年，本局将……" plans the next year).
    headings = [i for i, tag in enumerate(tags) if tag.label == Label.SECTION_HEADING]
    opening_end = headings[1] if len(headings) > 1 else len(tokens)
    # Before the first heading a line the tagger called furniture but the loader did not mark is
    # read too: the model takes the opening sentence under a page header for more of it.
    prose = [i for i, (tok, tag) in enumerate(zip(tokens[:opening_end], tags))
             if (tag.label in (Label.PROSE, Label.TITLE) or (tag.label == Label.FURNITURE and i < first_heading))
             and not furniture_like(tok)][:12]
    opening_org, opening_year, opening_at = _opening(tokens, prose)
    outside = set(title.indices) if title else set()
    body = [clean(_printed(t.text)) for i, t in enumerate(tokens) if i not in outside and not furniture_like(t)]
    doubts: list[str] = []

    org: str | None = None
    org_from: tuple[Token, ...] = ()
    if title is not None:
        alternative = _leading_name_alternative(tokens, tags, title)
        if (repeated := _without_repeated_head(tokens, title, alternative)) is not None:
            title, alternative = repeated, None
        if alternative is not None:
            decided = [t for t in (alternative, title)
                       if any(other and clean(_printed(other)) == clean(_printed(t.reading.org))
                              for other in (signature_org, opening_org))]
            if decided:
                title = decided[0]
            else:
                doubts.append(f"report.organization: the title's lines name “{title.reading.org}”, or without "
                              f"their first line “{_printed(tokens[title.indices[0]].text)}” (a page header?) "
                              f"“{alternative.reading.org}”; check it")
                title = alternative
        org, org_from = title.reading.org, tuple(tokens[i] for i in title.org_indices)
        others = [signature_org, opening_org]
        if not title.tagged_org and not _confirmed(org, others, body):
            doubts.append(f"report.organization: “{org}” was read from a line not marked as the title, and no "
                          "other line prints it; check it")
        if signature_at is not None and not _agree(org, signature_org) and not _ends_as_a_name(org):
            # What the title line holds before the year is no body's name (“站内搜索” of a site's
            # chrome the tagger joined to a title naming no body): the signature names the body.
            org, org_from = signature_org, (tokens[signature_at],)
        elif signature_org and not _agree(org, signature_org):
            doubts.append(f"report.organization: the title prints “{org}”, but the signature “{signature_org}”; "
                          "check it")
    elif signature_at is not None:
        org, org_from = signature_org, (tokens[signature_at],)
    elif opening_org is not None:
        org, org_from = opening_org, (tokens[opening_at],)
    elif (header := _find_title(tokens, tags, furniture_zone, next_to)[0]) is not None:
        # A page header is neither title nor signature: its name stands only when the text prints it.
        org, org_from = header.reading.org, tuple(tokens[i] for i in header.org_indices)
        if not _confirmed(org, [], body):
            doubts.append(f"report.organization: “{org}” is printed only in the page header; check it")
    if garbled is not None and org is None:
        org, org_from = garbled.reading.org, tuple(tokens[i] for i in garbled.org_indices)
        doubts.append(f"report.organization: “{org}” reads as part of a report title or page header, not a "
                      "body's name; check it")
    elif garbled is not None and signature_at is None:  # the signature is a second printing; the rest is not
        doubts.append(f"report.organization: the title “{''.join(_printed(tokens[i].text) for i in garbled.indices)}” "
                      f"names no body as printed (a page header glued to it?); “{org}” was read elsewhere; check it")

    year, year_from = _year(tokens, tags, title or year_title, garbled, prose, opening_year, opening_at,
                            furniture_like, doubts)
    return Metadata(org, year, org_from, year_from, tuple(doubts))


def _reads_as_full_title(text: str) -> bool:
    """A line that is a whole report title naming its body (a running header printing the title)."""
    reading = _read_title(_printed(text))
    return bool(reading.org and reading.year and is_plausible_name(reading.org))


def _year(tokens: list[Token], tags: list[Tag], title: _Title | None, garbled: _Title | None, prose: list[int],
          opening_year: int | None, opening_at: int | None, furniture_like: Callable[[Token], bool],
          doubts: list[str]) -> tuple[int | None, tuple[Token, ...]]:
    """The statistical year and its tokens; doubts appended where the sources disagree."""
    year: int | None = None
    year_from: tuple[Token, ...] = ()
    period = next(((int(m.group(1)), i) for i in prose if (m := _PERIOD.search(clean(tokens[i].text)))), None)
    signed = [(int(m.group(1)), int(m.group(2)), i) for i, (tok, tag) in enumerate(zip(tokens, tags))
              if tag.label == Label.SIGNATURE and not tok.furniture and (m := _DATE.search(clean(tok.text)))]
    source = title or garbled
    text_year = period if period is not None else (opening_year, opening_at) if opening_year is not None else None
    if source is garbled and source is not None and text_year is not None:
        # A title a page header is glued to may print the header's year: the text says which.
        year, year_from = text_year[0], (tokens[text_year[1]],)
        if garbled.reading.year != year:
            doubts.append(f"report.year: the title (a page header glued to it?) says {garbled.reading.year}, "
                          f"but the text {year}; check it")
    elif source is not None:
        year, year_from = source.reading.year, tuple(tokens[i] for i in source.year_indices)
        elsewhere = [clean(_printed(t.text)) for i, t in enumerate(tokens)
                     if i not in source.indices and not furniture_like(t)]
        # Another line printing the year, or the report signed early in the next year, bears it out.
        confirmed = any(f"{year}年" in text for text in elsewhere) or any(
            signed_year == year + 1 and month <= 6 for signed_year, month, _ in signed)
        if source is garbled and not confirmed:
            doubts.append(f"report.year: {year} was read from a title that a page header seems glued to; check it")
        elif not source.tagged_year and not confirmed:
            doubts.append(f"report.year: {year} was read from a line not marked as the title, and no other line "
                          "prints it; check it")
        if period is not None and period[0] != year:
            doubts.append(f"report.year: the title says {year}, but the statistical period {period[0]}; check it")
    elif period is not None:
        year, year_from = period[0], (tokens[period[1]],)
    elif opening_year is not None:
        year, year_from = opening_year, (tokens[opening_at],)
    if year is None:
        years = Counter(int(y) for i in prose for y in re.findall(rf"{_YEAR}\s*年", clean(tokens[i].text)))
        if years:
            year = years.most_common(1)[0][0]
            year_from = tuple(tokens[i] for i in prose if re.search(rf"{year}\s*年", clean(tokens[i].text)))
    if year is None and signed:
        signed_year, month, i = signed[-1]
        year = signed_year - (1 if month <= 6 else 0)  # reports are signed early in the following year
        year_from = (tokens[i],)
    elif year is not None and signed and not (signed[-1][0] == year + 1 or signed[-1][:2] == (year, 12)):
        # A report covers a whole year: it is signed after the year's end, within the next year.
        doubts.append(f"report.year: {year}, but the report is signed in {signed[-1][0]}年{signed[-1][1]}月; "
                      "check it")
    return year, year_from


def metadata_doubts(meta: Metadata, tokens: list[Token]) -> list[str]:
    """Errors naming `report.organization` / `report.year`: the doubts the sources left
    (`Metadata.doubts`), and where OCR read them doubtfully.

    A value taken from a token recognised with less than MIN_METADATA_CONFIDENCE is named
    unless another surely read token prints it too (the signature's organisation, another
    line's "2024年": a rare character elsewhere on the opening line does not make the year
    doubtful). A surely read organisation is named when no other sure token prints it but one
    prints it with a character different (the opening text's "丁兰街道" against a title read
    "厂兰街道"); printed in full only once (a district prefix in the title alone) is no doubt.
    Text layers are exact: never flagged by confidence."""
    errors = list(meta.doubts)
    org_confidence = _least_confidence(meta.organization_tokens)
    if meta.organization is not None and org_confidence is not None:
        sure = _surely_read(tokens, meta.organization_tokens)
        confirmed = any(clean(_printed(meta.organization)) in text for text in sure)
        other = None if confirmed else _near(meta.organization, sure)
        if org_confidence < MIN_METADATA_CONFIDENCE and not confirmed:
            errors.append(f"report.organization: “{meta.organization}” was recognised with low confidence "
                          f"({org_confidence:.2f}); check it")
        elif other is not None:
            errors.append(f"report.organization: “{meta.organization}” was read by OCR, but another line "
                          f"prints “{other}”; check it")
    year_confidence = _least_confidence(meta.year_tokens)
    year_doubtful = year_confidence is not None and year_confidence < MIN_METADATA_CONFIDENCE
    if meta.year is not None and year_doubtful and not any(
            f"{meta.year}年" in text for text in _surely_read(tokens, meta.year_tokens)):
        errors.append(f"report.year: {meta.year} was recognised with low confidence ({year_confidence:.2f}); "
                      "check it")
    return errors


def _least_confidence(tokens: tuple[Token, ...]) -> float | None:
    """The least OCR confidence of the tokens; None when none was read by OCR."""
    found = [t.confidence for t in tokens if t.confidence is not None]
    return min(found) if found else None


def _surely_read(tokens: list[Token], sources: tuple[Token, ...]) -> list[str]:
    """The matching text of the tokens other than `sources` that are exact or read surely (a
    doubtful running head misread alike on every page confirms nothing)."""
    return [clean(_printed(t.text)) for t in tokens
            if not any(t is s for s in sources) and (t.confidence is None or t.confidence >= MIN_METADATA_CONFIDENCE)]


def _near(text: str, others: list[str]) -> str | None:
    """The first stretch of `others` that is `text` with one character different (two for ten
    characters or more); None when there is none."""
    wanted = clean(_printed(text))
    size = len(wanted)
    allowed = 1 if size < 10 else 2
    if size < 3:
        return None
    for printed in others:
        if len(set(printed) & set(wanted)) < len(set(wanted)) - allowed:
            continue
        for start in range(len(printed) - size + 1):
            window = printed[start:start + size]
            if 0 < sum(a != b for a, b in zip(window, wanted)) <= allowed:
                return window
    return None


def script_of(tokens: list[Token]) -> str:
    return "traditional" if is_traditional("".join(t.text for t in tokens[:2000])) else "simplified"
