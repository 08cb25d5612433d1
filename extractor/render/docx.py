"""A Word (.docx) report as an office would type it: A4, CJK body font, merged table cells,
a running page header and a "- N -" page-number field in the footer.
"""

from __future__ import annotations

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from .document import Manuscript
from .grid import Grid, slots
from .options import FONTS, RenderOptions
from .rules import TABLE_SIDES, header_rows, header_rule, table_borders

# GB/T 9704 page: A4 with the official-document margins.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
TEXT_WIDTH_MM = 210 - 28 - 26

# Relative column widths: label columns are wider than figure columns.
COLUMN_WEIGHTS = {
    "active_disclosure": (1.6, 1, 1, 1),
    "applications": (1.2, 2.0, 3.6) + (1,) * 7,
}


def font_name(options: RenderOptions, script: str, kind: str | None = None) -> str:
    name = FONTS[kind or options.font]
    # The TC cut draws traditional characters in their Taiwan/Hong Kong forms.
    return name.replace(" SC", " TC") if script == "traditional" else name


def set_run_font(run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Font of a run for Latin and East Asian text alike (python-docx only sets the Latin one)."""
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _set_style_font(document, name: str, size: float) -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def page_field(paragraph, instruction: str = "PAGE") -> None:
    """Append a complex field (begin, instruction, separate, cached '1', end) to a paragraph."""
    def fld_char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    begin, code, separate, cached, end = (paragraph.add_run() for _ in range(5))
    begin._r.append(fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    code._r.append(instr)
    separate._r.append(fld_char("separate"))
    cached.text = "1"
    end._r.append(fld_char("end"))


def _page_setup(document, ms: Manuscript, options: RenderOptions) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    body_font = font_name(options, ms.script)
    if options.page_header:
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(paragraph.add_run(ms.running_title), body_font, 9)
    if options.page_footer:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("- ")
        page_field(paragraph)
        paragraph.add_run(" -")
        for run in paragraph.runs:
            set_run_font(run, body_font, 10.5)


def column_widths(grid: Grid) -> list[int]:
    """Column widths in EMU filling the text width."""
    weights = COLUMN_WEIGHTS.get(grid.table, (1,) * grid.columns)
    if len(weights) != grid.columns:
        weights = (1,) * grid.columns
    total = sum(weights)
    return [int(Mm(TEXT_WIDTH_MM * w / total)) for w in weights]


def _narrow_cell_margins(table, twips: int = 57) -> None:
    """1 mm left/right cell padding (Word's default is 1.9 mm), so 15 narrow columns fit two characters a line."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    # The schema orders tblPr children; Word rejects a tblCellMar after tblLook.
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _insert_before(parent, element, later: tuple[str, ...]) -> None:
    """Insert `element` before the first child named in `later` (the schema orders the children)."""
    for child in parent:
        if child.tag in {qn(name) for name in later}:
            child.addprevious(element)
            return
    parent.append(element)


def border_element(tag: str, sides: dict[str, float], all_sides: tuple[str, ...] = ()) -> OxmlElement:
    """A w:tblBorders / w:tcBorders element: single lines of the given widths (points); sides in
    `all_sides` but not in `sides` are written as "nil", so no style can draw them."""
    element = OxmlElement(tag)
    for side in all_sides or tuple(sides):
        line = OxmlElement(f"w:{side}")
        if side in sides:
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), str(round(sides[side] * 8)))  # eighths of a point
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        else:
            line.set(qn("w:val"), "nil")
        element.append(line)
    return element


def _rule_table(table, grid: Grid, rules: str) -> None:
    """Ruling lines other than the full grid: table borders, plus the three-line table's header
    rule as a bottom border on every cell of the last header row (merged ones included)."""
    _insert_before(table._tbl.tblPr, border_element("w:tblBorders", table_borders(rules), TABLE_SIDES),
                   ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"))
    width = header_rule(rules, grid)
    if width is None:
        return
    for tc in table.rows[header_rows(grid) - 1]._tr.tc_lst:
        _insert_before(tc.get_or_add_tcPr(), border_element("w:tcBorders", {"bottom": width}),
                       ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"))


def add_table(document, grid: Grid, ms: Manuscript, options: RenderOptions):
    """The grid as a Word table with real merged cells, ruled as `options.table_rules` says
    ("grid": the "Table Grid" style; otherwise explicit borders, see `rules`).

    Merges are written as Word stores them (gridSpan across, vMerge restart /
    continue down) in one pass; python-docx's cell.merge re-reads the whole
    table on every call, which made a report take most of a second.
    """
    table = document.add_table(rows=len(grid.rows), cols=grid.columns)
    if options.table_rules == "grid":
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_cell_margins(table)
    widths = column_widths(grid)
    for column, width in zip(table.columns, widths):
        column.width = width
    name = font_name(options, ms.script)
    for r, (row, grid_row) in enumerate(zip(table.rows, slots(grid))):
        tr = row._tr
        for tc in tr.tc_lst:
            tr.remove(tc)
        c = 0
        while c < grid.columns:
            placed, anchor = grid_row[c]
            span = placed.cell.colspan
            tc = tr.add_tc()
            tc.width = sum(widths[c:c + span])  # Word reads each cell's width, LibreOffice the grid
            if span > 1:
                tc.grid_span = span
            if placed.cell.rowspan > 1:
                tc.vMerge = "restart" if anchor else "continue"
            cell = _Cell(tc, table)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt = paragraph.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing = 1.0
            if anchor and placed.cell.text:
                set_run_font(paragraph.add_run(placed.cell.text), name, options.table_font_size)
            c += span
    # trPr children are ordered by the schema: cantSplit before tblHeader.
    if not options.split_rows:
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if options.repeat_header:
        for row in table.rows[:header_rows(grid)]:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    if options.table_rules != "grid":
        _rule_table(table, grid, options.table_rules)
    return table


def _paragraph(document, text: str, ms: Manuscript, options: RenderOptions, *, align=None,
               indent: bool = True, size: float | None = None, bold: bool = False, font: str | None = None):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = 1.5
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(options.font_size * 2)
    if align is not None:
        paragraph.alignment = align
    set_run_font(paragraph.add_run(text), font_name(options, ms.script, font), size or options.font_size, bold)
    return paragraph


def build_docx(ms: Manuscript, options: RenderOptions | None = None):
    """The report as a python-docx Document (not yet saved)."""
    options = options or RenderOptions()
    document = docx.Document()
    _set_style_font(document, font_name(options, ms.script), options.font_size)
    _page_setup(document, ms, options)
    for block in ms.blocks:
        if block.kind == "title":
            _paragraph(document, block.text, ms, options, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                       size=options.title_size, bold=True, font="sans").paragraph_format.space_after = Pt(12)
        elif block.kind == "heading":
            _paragraph(document, block.text, ms, options, font="sans", bold=True)
        elif block.kind == "table":
            if block.section in options.page_break_before:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            add_table(document, block.grid, ms, options)
        elif block.kind == "signature":
            _paragraph(document, block.text, ms, options, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif block.kind == "trailer":
            _paragraph(document, block.text, ms, options, indent=False)
        else:
            _paragraph(document, block.text, ms, options)
    return document
