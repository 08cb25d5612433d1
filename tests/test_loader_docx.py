"""Word loaders: .docx (python-docx) and .doc (LibreOffice to .docx): order, merged cells, refusals."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from extractor.convert import ConversionError, convert
from extractor.loaders import doc as doc_loader
from extractor.loaders import docx as docx_loader
from extractor.loaders.docx import CellFormat
from extractor.tokens import LoadError

MB = 1024 * 1024
NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)

APPLICATIONS_GRID = [
    (0, 0, 2, 1, "申请人情况"), (0, 1, 1, 3, "法人或其他组织"), (0, 4, 2, 1, "总计"),
    (1, 1, 1, 1, "商业企业"), (1, 2, 1, 1, "科研机构"), (1, 3, 1, 1, "其他"),
    (2, 0, 1, 1, "本年新收"), (2, 1, 2, 2, "7"), (2, 3, 1, 1, ""), (2, 4, 1, 1, "9"),
    (3, 0, 1, 1, "上年结转"), (3, 3, 1, 1, "0"), (3, 4, 1, 1, ""),
]


def build_report(path: Path) -> Path:
    """A small report: prose, a table merged both ways, a nested table, header and footer."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉：某某区人民政府"
    section.footer.paragraphs[0].text = "第 1 页"
    document.add_paragraph("某某区2024年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    broken = document.add_paragraph("第一行")
    broken.add_run().add_break()
    broken.add_run("第二行")
    document.add_paragraph("")
    document.add_paragraph("三、收到和处理政府信息公开申请情况")

    table = document.add_table(rows=4, cols=5)
    table.cell(0, 0).merge(table.cell(1, 0))  # down
    table.cell(0, 1).merge(table.cell(0, 3))  # across
    table.cell(0, 4).merge(table.cell(1, 4))
    table.cell(2, 1).merge(table.cell(3, 2))  # both ways
    texts = {(0, 0): "申请人情况", (0, 1): "法人或其他组织", (0, 4): "总计", (1, 2): "科研机构",
             (1, 3): "其他", (2, 0): "本年新收", (2, 1): "7", (2, 4): "9", (3, 0): "上年结转", (3, 3): "0"}
    for (row, col), text in texts.items():
        table.cell(row, col).text = text
    two_lines = table.cell(1, 1)
    two_lines.paragraphs[0].text = "商业"
    two_lines.add_paragraph("企业")

    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "行政复议"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "结果", (0, 1): "维持", (1, 0): "1", (1, 1): "2"}.items():
        inner.cell(row, col).text = text
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.save(path)
    return path


def grid(doc, table: int = 0) -> list[tuple[int, int, int, int, str]]:
    return [(t.row, t.col, t.rowspan, t.colspan, t.text) for t in doc.tokens if t.cell and t.table == table]


def layout(doc) -> list[tuple]:
    return [(t.text, t.line, t.cell, t.table, t.row, t.col, t.rowspan, t.colspan) for t in doc.tokens]


def rewrite_member(src: Path, dest: Path, name: str, change) -> Path:
    """Copy a .docx, passing one member's bytes through `change`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, change(data) if info.filename == name else data)
    return dest


@pytest.fixture(scope="session")
def report_docx(tmp_path_factory) -> Path:
    return build_report(tmp_path_factory.mktemp("docx") / "report.docx")


@pytest.fixture(scope="session")
def report_doc(tmp_path_factory, report_docx) -> Path:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed")
    return convert(report_docx, "doc", tmp_path_factory.mktemp("doc"))


# --- .docx ------------------------------------------------------------------------------


def test_paragraphs_and_tables_in_document_order(report_docx):
    doc = docx_loader.load(report_docx)
    assert doc.format == "docx" and doc.problems == []
    assert doc.text.splitlines() == [
        "某某区2024年政府信息公开工作年度报告",
        "一、总体情况",
        "第一行",
        "第二行",
        "三、收到和处理政府信息公开申请情况",
        "申请人情况 | 法人或其他组织 | 总计",
        "商业企业 | 科研机构 | 其他",
        "本年新收 | 7 |  | 9",
        "上年结转 | 0 | ",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 | 结果维持 1 2",
        "五、存在的主要问题及改进情况",
    ]
    lines = [t.line for t in doc.tokens]
    assert lines == sorted(lines)


def test_merged_cells_expand_both_ways(report_docx):
    assert grid(docx_loader.load(report_docx)) == APPLICATIONS_GRID


def test_nested_table_is_flattened_into_its_cell(report_docx):
    doc = docx_loader.load(report_docx)
    assert grid(doc, 1) == [(0, 0, 1, 1, "行政复议"), (0, 1, 1, 1, "结果维持 1 2")]
    assert {t.table for t in doc.tokens if t.cell} == {0, 1}


def test_headers_and_footers_are_not_read(report_docx):
    text = docx_loader.load(report_docx).text
    assert "页眉" not in text and "第 1 页" not in text


def test_shown_text_only(tmp_path):
    document = docx.Document()
    document.add_paragraph("开头")
    body = document.element.body
    shown = parse_xml(
        f"<w:p {NAMESPACES}><w:r><w:t>保留</w:t></w:r>"
        '<w:ins w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del>'
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "<w:r><w:tab/><w:t>页</w:t></w:r></w:p>")
    control = parse_xml(
        f"<w:sdt {NAMESPACES}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>控件内段落</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>")
    text_box = parse_xml(
        f"<w:p {NAMESPACES}><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r>'
        "</w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")
    for element in (shown, control, text_box):
        body.insert(len(body) - 1, element)  # before the section properties
    path = tmp_path / "shown.docx"
    document.save(path)
    # the tab parts two cells, as in a tab-separated row of a .txt
    assert docx_loader.load(path).text.splitlines() == ["开头", "保留插入3 | 页", "控件内段落", "正文", "文本框"]


def test_one_cell_frame_is_read_as_blocks(tmp_path):
    document = docx.Document()
    frame = document.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "二、主动公开政府信息情况"
    data = frame.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "信息内容", (0, 1): "本年制发件数", (1, 0): "规章", (1, 1): "0"}.items():
        data.cell(row, col).text = text
    path = tmp_path / "frame.docx"
    document.save(path)
    doc = docx_loader.load(path)
    assert (doc.tokens[0].text, doc.tokens[0].cell) == ("二、主动公开政府信息情况", False)
    assert grid(doc) == [(0, 0, 1, 1, "信息内容"), (0, 1, 1, 1, "本年制发件数"),
                         (1, 0, 1, 1, "规章"), (1, 1, 1, 1, "0")]


def test_place_cells_merges():
    plain, wide = CellFormat(1, None, None), CellFormat(2, None, None)
    restart, cont = CellFormat(1, "restart", None), CellFormat(1, "continue", None)
    h_start, h_cont = CellFormat(1, None, "restart"), CellFormat(1, None, "continue")
    rows = [
        [(restart, "a"), (h_start, "b"), (h_cont, None), (plain, "c")],
        [(cont, None), (wide, "d"), (cont, "e")],  # "e" continues nothing ("c" is plain): a new cell
        [(cont, None), (wide, "f"), (cont, None)],
        [(cont, None)],  # starts at grid column 3 (gridBefore): continues "e"; "a" ends above
    ]
    placed = docx_loader.place_cells(rows, max_cols=10, before=[0, 0, 0, 3])
    assert [(c.row, c.col, c.rowspan, c.colspan, c.element) for c in placed] == [
        (0, 0, 3, 1, "a"), (0, 1, 1, 2, "b"), (0, 3, 1, 1, "c"),
        (1, 1, 1, 2, "d"), (1, 3, 3, 1, "e"),
        (2, 1, 1, 2, "f"),
    ]


def test_table_limits(report_docx):
    with pytest.raises(LoadError, match="rows, over the limit of 2"):
        docx_loader.load(report_docx, max_table_rows=2)
    with pytest.raises(LoadError, match="wider than 3 columns"):
        docx_loader.load(report_docx, max_table_cols=3)
    with pytest.raises(TypeError):
        docx_loader.load(report_docx, max_rows=2)


# --- .docx refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("content, message", [
    (b"", "not a Word .docx file: the file is empty"),
    (os.urandom(4096), "not a Word .docx file: it is not a zip archive"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504), "not a Word .docx file: .*Word 97"),
])
def test_not_a_docx(tmp_path, content, message):
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        docx_loader.load(path)


def test_zip_without_a_word_document(tmp_path):
    path = tmp_path / "book.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(LoadError, match=r"not a Word \.docx file: it has no word/document\.xml \(it is an Excel"):
        docx_loader.load(path)


def test_macro_enabled_document_is_named(tmp_path, report_docx):
    def to_docm(xml: bytes) -> bytes:
        return xml.replace(b"officedocument.wordprocessingml.document.main+xml",
                           b"ms-word.document.macroEnabled.main+xml")
    path = rewrite_member(report_docx, tmp_path / "report.docm", "[Content_Types].xml", to_docm)
    with pytest.raises(LoadError, match="not a Word .docx file: its main part is .*macroEnabled"):
        docx_loader.load(path)


def test_zip_bomb_member_is_refused(tmp_path, report_docx):
    path = tmp_path / "bomb.docx"
    shutil.copyfile(report_docx, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/media/zeros.bin", "w") as member:
        for _ in range(20):
            member.write(bytes(MB))
    assert path.stat().st_size < MB
    with pytest.raises(LoadError, match="refusing a zip bomb: word/media/zeros.bin unpacks to"):
        docx_loader.load(path)


def test_zip_over_the_unpacked_size_limit_is_refused(tmp_path, report_docx):
    path = tmp_path / "big.docx"
    shutil.copyfile(report_docx, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/media/noise.bin", os.urandom(2 * MB))
    with pytest.raises(LoadError, match="refusing a zip bomb: .* over the 1 MB limit"):
        docx_loader.load(path, max_uncompressed=MB)
    assert docx_loader.load(path).tokens  # within the default limit


def _with_entity(xml: bytes) -> bytes:
    declaration, rest = xml.split(b"?>", 1)
    doctype = b'<!DOCTYPE w:document [<!ENTITY boom "EXPANDED">]>'
    return declaration + b"?>" + doctype + rest.replace("一、总体情况".encode(), b"&boom;", 1)


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
def test_entity_declarations_are_refused(tmp_path, report_docx, member):
    path = rewrite_member(report_docx, tmp_path / "entity.docx", member, _with_entity)
    with pytest.raises(LoadError, match=rf"unsafe XML in the \.docx \(entity declarations\): .*{member[-12:]}"):
        docx_loader.load(path)


def test_entity_declarations_in_a_part_not_named_xml_are_refused(tmp_path, report_docx):
    path = tmp_path / "odd.docx"
    shutil.copyfile(report_docx, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/odd.bin", b'\xef\xbb\xbf<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(LoadError, match="unsafe XML .*word/odd.bin"):
        docx_loader.load(path)


def test_plain_doctype_is_refused(tmp_path, report_docx):
    def add_doctype(xml: bytes) -> bytes:
        declaration, rest = xml.split(b"?>", 1)
        return declaration + b'?><!DOCTYPE w:document SYSTEM "http://example.invalid/x.dtd">' + rest
    path = rewrite_member(report_docx, tmp_path / "doctype.docx", "word/document.xml", add_doctype)
    with pytest.raises(LoadError, match="unsafe XML"):
        docx_loader.load(path)


def test_damaged_document_xml(tmp_path, report_docx):
    path = rewrite_member(report_docx, tmp_path / "damaged.docx", "word/document.xml", lambda xml: xml[:-200])
    with pytest.raises(LoadError, match="damaged Word .docx file"):
        docx_loader.load(path)


# --- .doc ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_doc_reads_like_its_docx(report_doc, report_docx):
    doc = doc_loader.load(report_doc)
    assert doc.format == "doc"
    assert grid(doc) == APPLICATIONS_GRID
    assert layout(doc) == layout(docx_loader.load(report_docx))


@pytest.mark.slow
def test_doc_conversion_leaves_no_temporary_files(report_doc, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert doc_loader.load(report_doc).tokens
    assert list(scratch.iterdir()) == []


def test_conversion_failure_is_a_load_error(tmp_path, monkeypatch):
    fake = tmp_path / "report.doc"  # passes the format check; never reaches LibreOffice
    fake.write_bytes(doc_loader.OLE2_MAGIC + bytes(100) + doc_loader.WORD_STREAM_NAME + bytes(100))
    seen = []

    def failing(src, target, out_dir, *, timeout):
        seen.append((target, timeout, Path(out_dir)))
        raise ConversionError("LibreOffice did not finish converting report.doc within 5 s")

    monkeypatch.setattr(doc_loader, "convert", failing)
    with pytest.raises(LoadError, match="did not finish converting report.doc within 5 s"):
        doc_loader.load(fake, timeout=5)
    assert seen[0][:2] == ("docx", 5)
    assert not seen[0][2].exists()  # its scratch directory is gone


@pytest.mark.parametrize("content, message", [
    (b"", "not a Word .doc file: the file is empty"),
    (b"just some text", "not a Word .doc file$"),
    (b"{\\rtf1\\ansi hello}", "not a Word .doc file: it is an RTF file"),
    (b"<html><body>x</body></html>", "not a Word .doc file: it is a web page"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + os.urandom(2048).replace(b"W", b"w"), "no WordDocument stream"),
])
def test_not_a_doc(tmp_path, content, message, monkeypatch):
    monkeypatch.setattr(doc_loader, "convert", lambda *a, **k: pytest.fail("must not convert"))
    path = tmp_path / "bad.doc"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        doc_loader.load(path)


def test_docx_saved_as_doc_is_named(tmp_path, report_docx):
    path = tmp_path / "report.doc"
    shutil.copyfile(report_docx, path)
    with pytest.raises(LoadError, match="not a Word .doc file: it is a zip archive"):
        doc_loader.load(path)


@pytest.mark.slow
def test_libreoffice_docx_of_a_web_table_has_the_web_grid(tmp_path):
    """Merges written by another producer (LibreOffice: vMerge plus gridSpan over a 3-deep header)."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed")
    from extractor.loaders import html

    page = tmp_path / "table.html"
    page.write_text("""<html><head><meta charset="utf-8"></head><body><table border="1">
      <tr><td rowspan="3" colspan="2">（本列数据的勾稽关系为：第一项加第二项之和）</td><td colspan="4">申请人情况</td></tr>
      <tr><td rowspan="2">自然人</td><td colspan="2">法人或其他组织</td><td rowspan="2">总计</td></tr>
      <tr><td>商业<br>企业</td><td>其他</td></tr>
      <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>2</td><td>0</td><td></td><td>2</td></tr>
      <tr><td>（二）部分公开</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
    </table></body></html>""", encoding="utf-8")
    converted = convert(page, "docx:MS Word 2007 XML", tmp_path / "out", infilter="HTML (StarWriter)")
    assert grid(docx_loader.load(converted)) == grid(html.load(page))
