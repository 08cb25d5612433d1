"""The second renderer: reports as offices type them in Word, with geometry our first renderer lacks.

The first renderer (`docx`) prints every report with one geometry: official-document margins,
wide label columns, 1 mm cell padding, one table font size. The positional reader was tuned on
its output, so its held-out renders hid how narrow real tables are. This renderer is never tuned
on: each document draws its own geometry (`WordStyle`) from its running title, the way one
office's template differs from another's:

    word_style    the geometry of one document: page margins, body and table font sizes (9 to
                  12 pt in tables), cell padding 0 to 6 pt, label and figure column widths from
                  narrow to wide (so headers wrap over one to four lines), figures centred, right
                  or left aligned, single or fixed line spacing
    build_word    the python-docx Document: paragraphs, and tables as Word tables ruled as
                  `table_rules` says (Word's default table with no borders, horizontal rules,
                  an outer frame, three-line or the full grid)

`RenderOptions.geometry` chooses it: "ours" (the first renderer), "word" (a drawn style) or
"word-tight" (the narrowest: 9 pt, no padding, the figure columns as narrow as Word allows).
PDF, DOC and the pdftotext copies are this DOCX converted by LibreOffice, as a Word file printed
to PDF is.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from .document import Manuscript
from .docx import border_element, build_docx, font_name, page_field, set_run_font
from .grid import Grid, slots
from .options import RenderOptions
from .rules import TABLE_SIDES, header_rows, header_rule, table_borders

A4_MM = (210, 297)
ALIGNMENTS = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "left": WD_ALIGN_PARAGRAPH.LEFT}


@dataclass(frozen=True)
class WordStyle:
    """One document's geometry (lengths in points unless named otherwise)."""

    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    body_size: float
    table_size: float
    padding: float  # left and right cell padding
    padding_vertical: float
    label_share: float  # share of the table width given to the label columns
    figure_jitter: float  # figure column widths vary by up to this share of their mean
    table_share: float  # table width as a share of the text width
    figure_align: str  # a key of ALIGNMENTS
    header_align: str
    exact_line: float | None  # a fixed body line pitch (公文 templates: 28-29 pt), else 1.0-1.5 lines
    line_factor: float
    sans_tables: bool
    page_number: str  # "dash" (- N -), "plain" (N) or "none"


def word_style(ms: Manuscript, geometry: str) -> WordStyle:
    """The style of `ms` under `geometry` ("word" or "word-tight"), drawn from its running title so
    every rendering of one report looks the same."""
    digest = hashlib.sha256(f"wordprint:{geometry}:{ms.running_title}".encode()).hexdigest()
    rng = random.Random(digest)
    tight = geometry == "word-tight"
    return WordStyle(
        margins_mm=(rng.uniform(20, 37), rng.uniform(18, 32), rng.uniform(20, 35), rng.uniform(18, 32)),
        body_size=rng.choice([10.5, 12, 14, 16]),
        table_size=9.0 if tight else rng.choice([9, 10, 10.5, 11, 12]),
        padding=0.0 if tight else rng.choice([0, 1, 2, 3, 4, 5.4, 6]),
        padding_vertical=0.0 if tight else rng.choice([0, 0, 1, 2, 3]),
        label_share=rng.uniform(0.3, 0.36) if tight else rng.uniform(0.32, 0.55),
        figure_jitter=0.0 if tight else rng.choice([0.0, 0.0, 0.15, 0.3]),
        table_share=1.0 if tight else rng.uniform(0.8, 1.0),
        figure_align=rng.choice(["center", "center", "right", "left"]),
        header_align=rng.choice(["center", "center", "left"]),
        exact_line=rng.choice([None, None, 28.0, 29.0]),
        line_factor=rng.choice([1.0, 1.25, 1.5]),
        sans_tables=rng.random() < 0.3,
        page_number=rng.choice(["dash", "plain", "none"]),
    )


def column_widths(grid: Grid, style: WordStyle, text_width_pt: float, rng: random.Random) -> list[float]:
    """Widths in points. Label columns (those holding row labels) share `label_share` of the table,
    wider to the right (三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密); figure columns share the
    rest, jittered, but never so narrow that a figure wraps (an office widens such a column)."""
    placed = list(_placed(grid))
    label_columns = sorted({p.col + k for p in placed if p.cell.role == "label" for k in range(p.cell.colspan)})
    table = text_width_pt * style.table_share
    figure_columns = [c for c in range(grid.columns) if c not in label_columns]
    longest = {c: max([len(p.cell.text) for p in placed if p.cell.role == "value" and p.col == c] or [1])
               for c in figure_columns}
    fits = {c: 2 * style.padding + 0.62 * style.table_size * longest[c] + 3 for c in figure_columns}
    if not label_columns:
        widths = [max(table / grid.columns, fits[c]) for c in range(grid.columns)]
        return widths
    weights = [1.0 + 0.6 * k + rng.uniform(0, 0.5) for k in range(len(label_columns))]
    label_total = table * style.label_share
    figure_mean = (table - label_total) / len(figure_columns)
    widths = []
    for c in range(grid.columns):
        if c in label_columns:
            widths.append(label_total * weights[label_columns.index(c)] / sum(weights))
        else:
            jittered = figure_mean * (1 + rng.uniform(-style.figure_jitter, style.figure_jitter))
            widths.append(max(jittered, fits[c]))
    over = sum(widths) - min(text_width_pt, max(table, sum(widths)))
    if over > 0:  # figures that must fit take it from the labels
        for c in label_columns:
            widths[c] -= over * widths[c] / label_total
    return widths


def _placed(grid: Grid):
    for row in slots(grid):
        for placed, anchor in row:
            if anchor:
                yield placed


def _cell_margins(table, horizontal: float, vertical: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", vertical), ("left", horizontal), ("bottom", vertical), ("right", horizontal)):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(value * 20)))  # twips
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _borders(table, grid: Grid, rules: str) -> None:
    """Word's own borders for `rules` ("grid" included: every side drawn, no style needed)."""
    tbl_pr = table._tbl.tblPr
    element = border_element("w:tblBorders", table_borders(rules), TABLE_SIDES)
    later = {qn(n) for n in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")}
    anchor = next((child for child in tbl_pr if child.tag in later), None)
    if anchor is not None:
        anchor.addprevious(element)
    else:
        tbl_pr.append(element)
    width = header_rule(rules, grid)
    if width is not None:
        for tc in table.rows[header_rows(grid) - 1]._tr.tc_lst:
            tc.get_or_add_tcPr().append(border_element("w:tcBorders", {"bottom": width}))


def add_word_table(document, grid: Grid, ms: Manuscript, options: RenderOptions, style: WordStyle,
                   text_width_pt: float, rng: random.Random) -> None:
    table = document.add_table(rows=len(grid.rows), cols=grid.columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table, style.padding, style.padding_vertical)
    widths = [Pt(w) for w in column_widths(grid, style, text_width_pt, rng)]
    for column, width in zip(table.columns, widths):
        column.width = width
    name = font_name(options, ms.script, "sans" if style.sans_tables else None)
    for row, grid_row in zip(table.rows, slots(grid)):
        tr = row._tr
        for tc in tr.tc_lst:
            tr.remove(tc)
        c = 0
        while c < grid.columns:
            placed, anchor = grid_row[c]
            span = placed.cell.colspan
            tc = tr.add_tc()
            tc.width = sum(widths[c:c + span])
            if span > 1:
                tc.grid_span = span
            if placed.cell.rowspan > 1:
                tc.vMerge = "restart" if anchor else "continue"
            cell = _Cell(tc, table)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            role = placed.cell.role
            paragraph.alignment = ALIGNMENTS[style.figure_align if role == "value" else
                                             "left" if role == "label" and style.header_align == "left"
                                             else style.header_align]
            fmt = paragraph.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing = 1.0
            if anchor and placed.cell.text:
                set_run_font(paragraph.add_run(placed.cell.text), name, style.table_size)
            c += span
    _borders(table, grid, options.table_rules)


def _paragraph(document, text: str, ms: Manuscript, options: RenderOptions, style: WordStyle, *,
               align=None, indent: bool = True, size: float | None = None, bold: bool = False,
               font: str | None = None):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if style.exact_line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(style.exact_line, (size or style.body_size) * 1.2))
    else:
        fmt.line_spacing = style.line_factor
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(style.body_size * 2)
    if align is not None:
        paragraph.alignment = align
    set_run_font(paragraph.add_run(text), font_name(options, ms.script, font), size or style.body_size, bold)
    return paragraph


def _page(document, ms: Manuscript, options: RenderOptions, style: WordStyle) -> float:
    """Page setup, header and footer; returns the text width in points."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    top, right, bottom, left = style.margins_mm
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        Mm(top), Mm(right), Mm(bottom), Mm(left))
    name = font_name(options, ms.script)
    if options.page_header:
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_run_font(paragraph.add_run(ms.running_title), name, 9)
    if options.page_footer and style.page_number != "none":
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if style.page_number == "dash":
            paragraph.add_run("— ")
        page_field(paragraph)
        if style.page_number == "dash":
            paragraph.add_run(" —")
        for run in paragraph.runs:
            set_run_font(run, name, 10.5)
    return (A4_MM[0] - left - right) / 25.4 * 72


def build_word(ms: Manuscript, options: RenderOptions):
    """The report as a python-docx Document in the geometry `options.geometry` names."""
    style = word_style(ms, options.geometry)
    rng = random.Random(f"wordprint-columns:{ms.running_title}")
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = font_name(options, ms.script)
    normal.font.size = Pt(style.body_size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), normal.font.name)
    text_width = _page(document, ms, options, style)
    for block in ms.blocks:
        if block.kind == "title":
            _paragraph(document, block.text, ms, options, style, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                       size=max(style.body_size + 4, 16), bold=True, font="sans")
        elif block.kind == "heading":
            _paragraph(document, block.text, ms, options, style, bold=True, font="sans")
        elif block.kind == "table":
            add_word_table(document, block.grid, ms, options, style, text_width, rng)
        elif block.kind == "signature":
            _paragraph(document, block.text, ms, options, style, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif block.kind == "trailer":
            _paragraph(document, block.text, ms, options, style, indent=False)
        elif block.kind == "note":
            _paragraph(document, block.text, ms, options, style, size=max(style.table_size, 9), indent=False)
        else:
            _paragraph(document, block.text, ms, options, style)
    return document


def build_document(ms: Manuscript, options: RenderOptions):
    """The Word document of `ms`: the first renderer's, or this one's when `options.geometry` asks."""
    if options.geometry == "ours":
        return build_docx(ms, options)
    return build_word(ms, options)
