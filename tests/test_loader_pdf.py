"""PDF loader: real PDFs rendered by LibreOffice, and small hand-written PDFs for the odd cases."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
from pathlib import Path

import pytest
from docx import Document as Docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extractor.convert import convert
from extractor.geometry import page_breaks
from extractor.geometry.pages import PageLayout, columns_match, is_page_number, join_tables, mark_furniture
from extractor.geometry.ruled import TABLE_SETTINGS, TablePart, assign_words, grid_cells, snap, straight_edges
from extractor.geometry.words import TextLine, Word, join_pieces, split_runs
from extractor.loaders import pdf as pdf_loader
from extractor.loaders.pdf import load
from extractor.tokens import LoadError, Token

CJK_FONT = "Noto Serif CJK SC"
TABLE_ROWS = 30  # enough rows that the table starts on page 1 and ends on page 2


# --- a report rendered by LibreOffice ---------------------------------------------

def _font(run, east_asian: str = CJK_FONT) -> None:
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)


def _add_page_field(paragraph) -> None:
    """A PAGE field: begin, instruction, separator, cached result, end."""
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)


def _write_report_docx(path: Path) -> None:
    doc = Docx()
    section = doc.sections[0]
    _font(section.header.paragraphs[0].add_run("丁兰街道政府信息公开工作年度报告"))
    footer = section.footer.paragraphs[0]
    _font(footer.add_run("- "))
    _add_page_field(footer)
    _font(footer.add_run(" -"))

    _font(doc.add_heading("丁兰街道2024年政府信息公开工作年度报告", level=1).runs[0])
    for _ in range(8):
        _font(doc.add_paragraph("本报告中所列数据统计期限为2024年1月1日至12月31日。"
                                "街道认真贯彻落实区委、区政府关于政务公开的工作部署和要求。").runs[0])
    _font(doc.add_paragraph("三、收到和处理政府信息公开申请情况").runs[0])

    table = doc.add_table(rows=TABLE_ROWS, cols=4)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(1, 0)).text = "信息内容"  # rowspan 2
    table.cell(0, 1).merge(table.cell(0, 3)).text = "申请人情况"  # colspan 3
    table.cell(1, 1).text = "自然人"
    table.cell(1, 2).text = "法人或其他组织（很长的名称需要换行显示）"
    table.cell(1, 3).text = "总计"
    for r in range(2, TABLE_ROWS):
        table.cell(r, 0).text = f"第{r}项"
        table.cell(r, 1).text = str(r)
        table.cell(r, 2).text = "" if r == 3 else "0"
        table.cell(r, 3).text = str(r)
    table.cell(5, 0).merge(table.cell(8, 0)).text = "三、本年度办理结果"  # rowspan 4
    table.cell(9, 0).merge(table.cell(14, 0)).text = "跨页合并"  # rowspan 6, cut by the page break
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    _font(run)

    _font(doc.add_paragraph().add_run("信息内容\t\t\t本年制发件数\t\t2648.52"))
    _font(doc.add_paragraph("四、政府信息公开行政复议、行政诉讼情况").runs[0])
    small = doc.add_table(rows=2, cols=2)
    small.style = "Table Grid"
    for (r, c), text in {(0, 0): "行政复议", (0, 1): "行政诉讼", (1, 0): "0", (1, 1): "1"}.items():
        small.cell(r, c).text = text
        _font(small.cell(r, c).paragraphs[0].runs[0])
    _font(doc.add_paragraph("丁兰街道办事处").runs[0])
    doc.save(path)


@pytest.fixture(scope="session")
def report_pdf(tmp_path_factory) -> Path:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("pdf_report")
    _write_report_docx(folder / "report.docx")
    return convert(folder / "report.docx", "pdf", folder)


@pytest.fixture(scope="session")
def report(report_pdf):
    return load(report_pdf)


def _cells(doc, table):
    return {(t.row, t.col): t for t in doc.tokens if t.table == table}


# --- small hand-written PDFs ----------------------------------------------------------

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
# A CID font with no ToUnicode map: pdfminer can only print its glyphs as (cid:N).
NO_UNICODE_FONT = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /Foo /Encoding /Identity-H /DescendantFonts [<< /Type /Font "
    b"/Subtype /CIDFontType2 /BaseFont /Foo /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /Foo /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
    b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >> /DW 1000 >>] >>"
)
GREY_PIXEL = (b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
              b"/Length 1 >>\nstream\n\x80\nendstream")
_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def make_pdf(content: bytes, *, fonts: dict[str, bytes] | None = None, images: dict[str, bytes] | None = None,
             user_password: str | None = None) -> bytes:
    """A one-page A4 PDF drawing `content`.

    With `user_password` it is encrypted (RC4 40-bit, standard security handler
    revision 2); only the content stream is encrypted, so keep strings out of
    the font dictionaries then.
    """
    fonts = {"F1": HELVETICA} if fonts is None else fonts
    images = images or {}
    extra = list(fonts.values()) + list(images.values())
    font_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), 5 + i) for i, name in enumerate(fonts))
    image_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), 5 + len(fonts) + i) for i, name in enumerate(images))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << " + font_refs
        + b" >> /XObject << " + image_refs + b" >> >> /Contents 4 0 R >>",
        None,
        *extra,
    ]
    file_id = b"0123456789abcdef"
    encrypt_ref = b""
    if user_password is not None:
        password = (user_password.encode() + _PASSWORD_PAD)[:32]
        owner = _rc4(hashlib.md5((b"owner" + _PASSWORD_PAD)[:32]).digest()[:5], password)
        key = hashlib.md5(password + owner + struct.pack("<i", -4) + file_id).digest()[:5]
        user = _rc4(key, _PASSWORD_PAD)
        content = _rc4(hashlib.md5(key + (4).to_bytes(3, "little") + b"\0\0").digest()[:10], content)
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
                       % (owner.hex().encode(), user.hex().encode()))
        encrypt_ref = b" /Encrypt %d 0 R" % len(objects)
    objects[3] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>]%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, file_id.hex().encode(), file_id.hex().encode(), encrypt_ref, xref)
    return bytes(out)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the rendered report ---------------------------------------------------------------

@pytest.mark.slow
def test_pages_and_format(report):
    assert report.format == "pdf"
    assert report.pages == 2
    assert report.problems == []


@pytest.mark.slow
def test_chinese_text_comes_out_whole(report):
    texts = [t.text for t in report.tokens if not t.cell]
    assert "丁兰街道2024年政府信息公开工作年度报告" in texts
    assert "三、收到和处理政府信息公开申请情况" in texts
    assert "丁兰街道办事处" in texts
    # A paragraph wrapped over two lines: two line tokens, no stray spaces inside Chinese text.
    assert any(t.startswith("本报告中所列数据统计期限为2024年1月1日至12月31日。") for t in texts)
    assert not any(" " in t for t in texts if not t.startswith("-"))


@pytest.mark.slow
def test_merged_cells_get_grid_position_and_spans(report):
    cells = _cells(report, 0)
    head = cells[(0, 0)]
    assert (head.text, head.rowspan, head.colspan) == ("信息内容", 2, 1)
    applicant = cells[(0, 1)]
    assert (applicant.text, applicant.rowspan, applicant.colspan) == ("申请人情况", 1, 3)
    assert [cells[(1, c)].text for c in (1, 2, 3)] == ["自然人", "法人或其他组织（很长的名称需要换行显示）", "总计"]
    # Covered grid positions get no token of their own.
    assert (1, 0) not in cells and (0, 2) not in cells and (0, 3) not in cells
    result = cells[(5, 0)]
    assert (result.text, result.rowspan, result.colspan) == ("三、本年度办理结果", 4, 1)
    assert all((r, 0) not in cells for r in (6, 7, 8))
    assert cells[(15, 0)].text == "第15项"


@pytest.mark.slow
def test_merged_cell_cut_by_the_page_break_stays_one_cell(report):
    cells = _cells(report, 0)
    merged = cells[(9, 0)]
    assert {t.page for t in report.tokens if t.table == 0 and t.row in range(9, 15)} == {1, 2}  # really cut
    assert (merged.text, merged.rowspan, merged.colspan) == ("跨页合并", 6, 1)
    assert all((r, 0) not in cells for r in range(10, 15))


@pytest.mark.slow
def test_empty_cell_is_emitted(report):
    cells = _cells(report, 0)
    assert cells[(3, 2)].text == ""
    assert cells[(3, 2)].cell and cells[(3, 2)].bbox is not None


@pytest.mark.slow
def test_table_crossing_page_break_keeps_one_index_and_continuous_rows(report):
    big = [t for t in report.tokens if t.table == 0]
    assert {t.page for t in big} == {1, 2}
    rows = sorted({t.row for t in big})
    assert rows == list(range(TABLE_ROWS))
    for r in range(2, TABLE_ROWS):
        row = sorted((t for t in big if t.row == r), key=lambda t: t.col)
        assert [t.text for t in row if t.col > 0] == [str(r), "" if r == 3 else "0", str(r)]
        if r in (5, 9) or not 5 <= r <= 14:
            assert row[0].text == {5: "三、本年度办理结果", 9: "跨页合并"}.get(r, f"第{r}项")
        else:
            assert row[0].col == 1  # the merged label covers column 0
    # The small table after text on page 2 is a table of its own.
    small = _cells(report, 1)
    assert {k: t.text for k, t in small.items()} == {(0, 0): "行政复议", (0, 1): "行政诉讼", (1, 0): "0", (1, 1): "1"}
    assert {t.table for t in report.tokens if t.table is not None} == {0, 1}


@pytest.mark.slow
def test_cells_of_one_grid_row_share_a_line(report):
    big = [t for t in report.tokens if t.table == 0]
    line_of_row = {}
    for t in big:
        assert line_of_row.setdefault(t.row, t.line) == t.line
    lines = [line_of_row[r] for r in sorted(line_of_row)]
    assert lines == sorted(set(lines))


@pytest.mark.slow
def test_header_footer_and_page_numbers_are_furniture(report):
    furniture = [(t.page, t.text) for t in report.tokens if t.furniture]
    assert furniture == [(1, "丁兰街道政府信息公开工作年度报告"), (1, "- 1 -"),
                         (2, "丁兰街道政府信息公开工作年度报告"), (2, "- 2 -")]


@pytest.mark.slow
def test_reading_order_puts_tables_in_place(report):
    order = [(t.text if t.table is None else f"table{t.table}") for t in report.tokens if not t.furniture]
    compact = [x for i, x in enumerate(order) if i == 0 or x != order[i - 1]]
    heading = compact.index("三、收到和处理政府信息公开申请情况")
    assert compact[heading + 1] == "table0"
    assert compact[heading + 2:heading + 5] == ["信息内容", "本年制发件数", "2648.52"]
    assert compact[-3:] == ["四、政府信息公开行政复议、行政诉讼情况", "table1", "丁兰街道办事处"]
    lines = [t.line for t in report.tokens]
    assert lines == sorted(lines)
    assert [t.page for t in report.tokens] == sorted(t.page for t in report.tokens)


@pytest.mark.slow
def test_borderless_aligned_line_gives_one_cell_token_per_run(report):
    runs = [t for t in report.tokens if t.text in ("信息内容", "本年制发件数", "2648.52") and t.table is None]
    assert len(runs) == 3
    assert all(t.cell for t in runs)
    assert len({t.line for t in runs}) == 1
    assert runs[0].bbox[2] < runs[1].bbox[0] < runs[1].bbox[2] < runs[2].bbox[0]


@pytest.mark.slow
def test_fast_cell_finder_finds_what_pdfplumber_finds(report_pdf):
    import pdfplumber

    def rounded(tables):  # the loader rounds ruling lines to 1/1000 pt (see straight_edges)
        return [[tuple(round(v, 2) for v in cell) for cell in cells] for cells in tables]

    with pdfplumber.open(report_pdf) as document:
        for page in document.pages:
            expected = [t.cells for t in page.find_tables(TABLE_SETTINGS)]
            assert rounded(pdf_loader.find_table_cells(page)) == rounded(expected)
            assert expected


@pytest.mark.slow
def test_more_pages_than_the_limit_is_refused(report_pdf):
    with pytest.raises(LoadError, match=r"2 pages.*limit of 1.*raise"):
        load(report_pdf, max_pages=1)


# --- broken, scanned, encrypted and encoded PDFs ------------------------------------------

def test_empty_file_is_not_a_readable_pdf(tmp_path):
    with pytest.raises(LoadError, match="not a readable PDF"):
        load(_write(tmp_path, "empty.pdf", b""))


def test_random_bytes_are_not_a_readable_pdf(tmp_path):
    with pytest.raises(LoadError, match="not a readable PDF"):
        load(_write(tmp_path, "noise.pdf", os.urandom(4096)))


@pytest.mark.slow
def test_truncated_pdf_is_not_a_readable_pdf(report_pdf, tmp_path):
    data = report_pdf.read_bytes()
    with pytest.raises(LoadError, match="not a readable PDF"):
        load(_write(tmp_path, "cut.pdf", data[: len(data) * 2 // 3]))


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(LoadError):
        load(tmp_path / "nowhere.pdf")


def test_image_only_pdf_is_reported_as_scanned(tmp_path):
    path = _write(tmp_path, "scan.pdf", make_pdf(b"q 400 0 0 600 90 120 cm /Im1 Do Q", images={"Im1": GREY_PIXEL}))
    with pytest.raises(LoadError, match="scanned PDF: no text layer"):
        load(path)


def test_encrypted_pdf_needing_a_password_is_refused(tmp_path):
    path = _write(tmp_path, "locked.pdf",
                  make_pdf(b"BT /F1 12 Tf 72 700 Td (Secret) Tj ET", user_password="secret"))
    with pytest.raises(LoadError, match="encrypted PDF"):
        load(path)


def test_encrypted_pdf_with_empty_password_opens(tmp_path):
    path = _write(tmp_path, "permissions.pdf",
                  make_pdf(b"BT /F1 12 Tf 72 700 Td (Open text) Tj ET", user_password=""))
    doc = load(path)
    assert [t.text for t in doc.tokens] == ["Open text"]


def test_fake_bold_printed_twice_comes_out_once(tmp_path):
    content = (b"BT /F1 12 Tf 72 700 Td (Total 12) Tj ET "
               b"BT /F1 12 Tf 72.4 700.2 Td (Total 12) Tj ET")
    doc = load(_write(tmp_path, "bold.pdf", make_pdf(content)))
    assert [t.text for t in doc.tokens] == ["Total 12"]


def test_glyphs_without_unicode_mark_the_token_unreadable(tmp_path):
    content = (b"BT /F1 12 Tf 72 700 Td (Applications received this year) Tj ET "
               b"BT /F1 12 Tf 72 680 Td (Total processed in the year) Tj ET "
               b"BT /F2 12 Tf 72 660 Td <00410042> Tj ET")
    doc = load(_write(tmp_path, "partly.pdf", make_pdf(content, fonts={"F1": HELVETICA, "F2": NO_UNICODE_FONT})))
    flagged = [t for t in doc.tokens if t.unreadable]
    assert [t.text for t in flagged] == ["(cid:65)(cid:66)"]
    assert not any(t.unreadable for t in doc.tokens if t not in flagged)
    assert len(doc.problems) == 1 and "page 1" in doc.problems[0]


def test_pdf_whose_text_is_mostly_unmapped_glyphs_is_refused(tmp_path, monkeypatch):
    # Without the OCR extra; with it, such pages are read by OCR (tests/test_ocr.py).
    monkeypatch.setattr("extractor.loaders.scanned.ocr_installed", lambda: False)
    content = b"BT /F1 12 Tf 72 700 Td <00410042004300440045> Tj ET"
    with pytest.raises(LoadError, match="no Unicode mapping"):
        load(_write(tmp_path, "encoded.pdf", make_pdf(content, fonts={"F1": NO_UNICODE_FONT})))


# --- the pure steps, one at a time ------------------------------------------------------------

@pytest.mark.parametrize("text", ["- 3 -", "3", "—12—", "第3页", "第 3 页 共 5 页", "共5页 第3页", "3/5", "Page 3 of 5"])
def test_page_number_forms(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2024年", "第二十条第(一)项", "3.5", "丁兰街道", ""])
def test_not_page_numbers(text):
    assert not is_page_number(text)


def test_join_pieces_adds_spaces_only_between_non_chinese_text():
    assert join_pieces(["本年新收", "申请数量"]) == "本年新收申请数量"
    assert join_pieces(["2024", "年"]) == "2024年"
    assert join_pieces(["Total", "12"]) == "Total 12"
    assert join_pieces(["（二）部分公开", "", "（区分处理的）"]) == "（二）部分公开（区分处理的）"


def test_snap_merges_boundaries_within_tolerance():
    assert snap([10.0, 11.5, 50.0, 49.0, 100.0], 2.0) == (10.75, 49.5, 100.0)


def test_grid_cells_give_spans_of_merged_boxes():
    boxes = [(0, 0, 10, 20), (10, 0, 40, 10), (10, 10, 20, 20), (20, 10.5, 30, 20), (30, 10, 40, 20)]
    xs, ys, placed = grid_cells(boxes, 2.0)
    assert xs == (0, 10, 20, 30, 40)
    assert len(ys) == 3 and ys[1] == pytest.approx(10.1, abs=0.2)
    assert sorted((r, c, rs, cs) for _, r, c, rs, cs in placed) == [
        (0, 0, 2, 1), (0, 1, 1, 3), (1, 1, 1, 1), (1, 2, 1, 1), (1, 3, 1, 1)]


def test_split_runs_at_wide_gaps_only():
    line = [Word("信息内容", 0, 0, 40, 10), Word("本年", 80, 0, 100, 10), Word("件数", 102, 0, 122, 10)]
    assert [[w.text for w in run] for run in split_runs(line, 2.0)] == [["信息内容"], ["本年", "件数"]]


def _char(text: str, x0: float) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + 5, "top": 2.0, "bottom": 8.0}


def test_word_running_over_a_cell_border_is_split_between_the_cells():
    chars = [_char("1", 3), _char("2", 12), _char("3", 22)]
    crowded = Word("123", 3, 2, 27, 8, chars)
    placed = [((0, 0, 10, 10), 0, 0, 1, 1), ((10, 0, 20, 10), 0, 1, 1, 1), ((20, 0, 30, 10), 0, 2, 1, 1)]
    inside, outside = assign_words([crowded], (0, 10, 20, 30), (0, 10), placed)
    assert [[w.text for w in ws] for ws in inside] == [["1"], ["2"], ["3"]]
    assert outside == []


def test_word_across_the_columns_of_a_merged_cell_stays_whole():
    chars = [_char("申", 3), _char("请", 12)]
    heading = Word("申请", 3, 2, 17, 8, chars)
    placed = [((0, 0, 20, 10), 0, 0, 1, 2), ((0, 10, 10, 20), 1, 0, 1, 1), ((10, 10, 20, 20), 1, 1, 1, 1)]
    inside, _ = assign_words([heading], (0, 10, 20), (0, 10, 20), placed)
    assert inside[0] == [heading]


def test_columns_match_allows_a_part_with_fewer_inner_boundaries():
    assert columns_match((0, 100, 200, 300), (1, 101, 199, 302), 4.0)
    assert columns_match((0, 100, 300), (0, 100, 200, 300), 4.0)
    assert not columns_match((0, 150, 300), (0, 100, 200, 300), 4.0)
    assert not columns_match((0, 100, 200), (0, 100, 200, 300), 4.0)


def _line(text: str, top: float, x0: float = 90) -> TextLine:
    word = Word(text, x0, top, x0 + 10 * len(text), top + 10)
    return TextLine(((word,),), (word.x0, word.top, word.x1, word.bottom))


def _part(top: float, bottom: float, xs=(90.0, 200.0, 300.0)) -> TablePart:
    return TablePart((xs[0], top, xs[-1], bottom), tuple(xs), (top, bottom), ())


def _page(number: int, lines, tables) -> PageLayout:
    return PageLayout(number, (0, 0, 595, 842), tuple(lines), tuple(tables), True, False)


def test_table_continues_only_when_nothing_but_furniture_stands_between():
    header = _line("年度报告", 30)
    pages = [
        _page(1, [header, _line("正文", 100), _line("- 1 -", 810)], [_part(300, 780)]),
        _page(2, [header, _line("- 2 -", 810)], [_part(70, 400)]),
        _page(3, [header, _line("四、行政复议", 80), _line("- 3 -", 810)], [_part(100, 400)]),
    ]
    furniture = mark_furniture(pages)
    assert furniture == {(0, 0), (0, 2), (1, 0), (1, 1), (2, 0), (2, 2)}
    assert join_tables(pages, furniture) == [[(0, 0), (1, 0)], [(2, 0)]]


def test_table_with_other_columns_on_the_next_page_is_a_new_table():
    pages = [_page(1, [], [_part(300, 780)]), _page(2, [], [_part(70, 400, xs=(90.0, 150.0, 300.0))])]
    assert join_tables(pages, set()) == [[(0, 0)], [(1, 0)]]


def _cell(row: int, col: int, text: str, rowspan: int = 1) -> Token:
    return Token(text=text, cell=True, table=0, row=row, col=col, rowspan=rowspan)


def test_split_merged_cell_is_joined_only_with_evidence_of_a_merge():
    tokens = [_cell(0, 0, "三、本年度办理结果", rowspan=2), _cell(0, 1, "予以公开"), _cell(1, 1, "部分公开"),
              _cell(2, 0, ""), _cell(2, 1, "不予公开"),  # page break before row 2
              _cell(3, 0, "四、结转"), _cell(3, 1, "")]
    joined = page_breaks.join_split_cells(tokens, [(0, 2)])
    assert [(t.row, t.col, t.rowspan) for t in joined if t.col == 0] == [(0, 0, 3), (3, 0, 1)]
    # A blank value cell under a one-row cell stays a blank cell.
    plain = [_cell(0, 0, "行政许可"), _cell(0, 1, "5"), _cell(1, 0, "行政处罚"), _cell(1, 1, "")]
    assert page_breaks.join_split_cells(plain, [(0, 1)]) == plain


def test_a_row_cut_by_a_page_break_is_one_row_again():
    # Word's "allow row to break across pages": the labels go on below the break, the figures were
    # printed above it (or below it, vertically centred); the rows under it move up by one.
    tokens = [_cell(0, 0, "（六）其他处"), _cell(0, 1, "1.申请人无正当理由逾期不"), _cell(0, 2, "0"), _cell(0, 3, ""),
              _cell(1, 0, "理", rowspan=3), _cell(1, 1, "补正、行政机关不再处理其政府信息公开申请"), _cell(1, 2, ""),
              _cell(1, 3, "4"),
              _cell(2, 1, "2.申请人逾期未按收费通知要求缴纳费用"), _cell(2, 2, "1"), _cell(2, 3, "1")]
    joined = page_breaks.join_split_rows(tokens, [(0, 1)], "2021")
    assert [(t.row, t.col, t.rowspan, t.text) for t in joined] == [
        (0, 0, 3, "（六）其他处理"), (0, 1, 1, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        (0, 2, 1, "0"), (0, 3, 1, "4"),
        (1, 1, 1, "2.申请人逾期未按收费通知要求缴纳费用"), (1, 2, 1, "1"), (1, 3, 1, "1")]


@pytest.mark.parametrize("below", [
    [_cell(1, 0, "2.重复申请"), _cell(1, 1, "")],   # a new row: its own outline number
    [_cell(1, 0, "续"), _cell(1, 1, "3")],           # a figure below a figure: never joined
    [_cell(1, 0, "信息内容"), _cell(1, 1, "本年制发件数")],  # a header repeated on the new page
    [_cell(1, 0, ""), _cell(1, 1, "")],              # nothing below
])
def test_a_row_below_a_page_break_that_starts_afresh_is_left_alone(below):
    tokens = [_cell(0, 0, "1.信访举报投诉类申请"), _cell(0, 1, "2")] + below
    assert page_breaks.join_split_rows(tokens, [(0, 1)], "2021") == tokens


def test_a_blank_row_at_a_page_end_is_not_joined_to_the_next_row_of_words():
    # 行政处罚 printed blank at the foot of a page, 行政强制 14 at the top of the next: two rows
    tokens = [_cell(0, 0, "行政处罚"), _cell(0, 1, ""), _cell(1, 0, "行政强制"), _cell(1, 1, "14")]
    assert page_breaks.join_split_rows(tokens, [(0, 1)], "2021") == tokens
    tokens = [_cell(0, 0, "行政许可"), _cell(0, 1, ""), _cell(1, 0, "其他对外管理服务事项"), _cell(1, 1, "3")]
    assert page_breaks.join_split_rows(tokens, [(0, 1)], "2021") == tokens


def test_a_group_label_cut_by_a_page_break_is_joined_but_a_new_group_is_not():
    tokens = [_cell(0, 0, "（五）不予"), _cell(0, 1, "1.信访举报投诉类申请"),
              _cell(1, 0, "处理", rowspan=2), _cell(1, 1, "2.重复申请"), _cell(2, 1, "3.要求提供公开出版物")]
    joined = page_breaks.join_split_cells(tokens, [(0, 1)], "2021")
    assert [(t.row, t.rowspan, t.text) for t in joined if t.col == 0] == [(0, 3, "（五）不予处理")]
    fresh = [_cell(0, 0, "（三）不予公开", rowspan=2), _cell(1, 1, "x"),
             _cell(2, 0, "（四）无法提供", rowspan=2), _cell(2, 1, "y")]
    assert page_breaks.join_split_cells(fresh, [(0, 2)], "2021") == fresh


def test_dedupe_keeps_distinct_glyphs():
    chars = [
        {"upright": True, "text": "0", "fontname": "F", "size": 10, "doctop": 5, "x0": 10},
        {"upright": True, "text": "0", "fontname": "F", "size": 10, "doctop": 5.3, "x0": 10.4},
        {"upright": True, "text": "0", "fontname": "F", "size": 10, "doctop": 5, "x0": 16},
    ]
    assert pdf_loader.dedupe_chars(chars) == [chars[0], chars[2]]


def test_ruling_lines_with_float_noise_are_made_straight():
    level = {"x0": 79.39999999999998, "x1": 521.9, "top": 105.2, "bottom": 105.20000000000001, "orientation": "v"}
    plumb = {"x0": 297.19999999999993, "x1": 297.2, "top": 100.0, "bottom": 300.0, "orientation": None}
    slanted = {"x0": 10.0, "x1": 200.0, "top": 10.0, "bottom": 200.0, "orientation": None}
    out = straight_edges([level, plumb, slanted])
    assert [(e["orientation"], e["x0"], e["x1"], e["top"], e["bottom"]) for e in out] == [
        ("h", 79.4, 521.9, 105.2, 105.2), ("v", 297.2, 297.2, 100.0, 300.0)]
