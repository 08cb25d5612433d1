"""Damaged, odd and dangerous input files, made from the shipped examples (nothing downloaded).

`build_corpus(folder)` writes every file and returns {name: Path}. Heavy files stay small on disk
(the zip bombs are a few hundred KB; the 300-page PDF is one shared content stream).
"""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib
from pathlib import Path

from conftest import ROOT, load_gold

from extractor.render import render_bytes

EXAMPLES = ROOT / "examples"
SECRET = "SECRET-ENTITY-CONTENT-7f3a"


# --- PDFs ---------------------------------------------------------------------------------------

def hand_made_pdf(pages: int, text: str = "appendix page") -> bytes:
    """A valid PDF of `pages` pages sharing one small content stream (Helvetica, one line each)."""
    return pdf_of_stream(pages, f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET")


def pdf_of_stream(pages: int, content: str) -> bytes:
    """A valid PDF of `pages` A4 pages that all draw one content stream (font /F1: Helvetica)."""
    stream = zlib.compress(content.encode())
    kids = " ".join(f"{5 + p} 0 R" for p in range(pages))
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"}
    for p in range(pages):
        objects[5 + p] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                          b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def broken_xref_pdf(data: bytes) -> bytes:
    """The same PDF with every xref offset pointing nowhere (readers rebuild it by scanning)."""
    start = data.rindex(b"startxref")
    xref_at = int(data[start + len(b"startxref"):].split()[0])
    head, table = data[:xref_at], bytearray(data[xref_at:])
    out = bytearray()
    for line in bytes(table).split(b"\n"):
        if len(line) >= 18 and line[:10].isdigit() and line[11:16].isdigit() and line.rstrip().endswith(b"n"):
            line = b"0000000001" + line[10:]
        out += line + b"\n"
    return head + bytes(out[:-1])


def encrypted_pdf(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def without_tounicode(data: bytes, first_pages: int) -> bytes:
    """The first pages of a PDF with every font's ToUnicode map removed: text comes out as (cid:N)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages[:first_pages]:
        writer.add_page(page)
    for page in writer.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            font.pop(NameObject("/ToUnicode"), None)
            for descendant in font.get("/DescendantFonts", []):
                descendant.get_object().pop(NameObject("/ToUnicode"), None)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_only_pdf(data: bytes, first_pages: int, dpi: int = 150) -> bytes:
    """The first pages of a PDF as page images only (a scan): no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    images = [document[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(first_pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


# --- DOCX ---------------------------------------------------------------------------------------

def docx_with(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a .docx package with some members replaced or added."""
    replace, extra = replace or {}, extra or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of `size` zero bytes, written in chunks (a few hundred KB packed)."""
    chunk = b"\0" * (1 << 20)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as stream:
        for _ in range(size // len(chunk)):
            stream.write(chunk)


def zip_bomb_docx(data: bytes, member_size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.compression = zipfile.ZIP_DEFLATED
        zeros_member(dst, "word/media/padding.bin", member_size)
    return out.getvalue()


ENTITY_DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [<!ENTITY secret SYSTEM "{uri}">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>一、总体情况 &secret;</w:t></w:r></w:p></w:body></w:document>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">&lol4;</cp:coreProperties>"""


# --- HTML ---------------------------------------------------------------------------------------

def nested_html(levels: int) -> bytes:
    return b"<html><body>" + b"<div>" * levels + "一、总体情况".encode() + b"</div>" * levels + b"</body></html>"


def huge_table_html(rows: int) -> bytes:
    body = "".join(f"<tr><td>第{i}行</td><td>{i}</td></tr>" for i in range(rows))
    return f"<html><body><table>{body}</table></body></html>".encode()


def build_corpus(folder: Path) -> dict[str, Path]:
    """Write every hostile file (and a few good ones) into `folder`; {file name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240501)
    pdf = (EXAMPLES / "seed-004.pdf").read_bytes()
    docx = (EXAMPLES / "seed-001.docx").read_bytes()
    gold = load_gold("seed-003")
    html_utf8 = render_bytes(gold, "html")
    files: dict[str, bytes] = {
        # good files: they must come out right whatever sits beside them
        "good seed-003.txt": (EXAMPLES / "seed-003.txt").read_bytes(),
        "good-seed-000.html": (EXAMPLES / "seed-000.html").read_bytes(),
        "good-seed-001.docx": docx,
        "good-seed-004.pdf": pdf,
        # empty and random
        "empty.pdf": b"", "empty.docx": b"", "empty.txt": b"", "empty.html": b"",
        "random.pdf": rng.randbytes(40_000), "random.docx": rng.randbytes(40_000),
        "random.doc": rng.randbytes(40_000), "random.html": rng.randbytes(40_000),
        "random-with-pdf-magic.pdf": b"%PDF-1.7\n" + rng.randbytes(40_000),
        "random-ole2.doc": bytes.fromhex("D0CF11E0A1B11AE1") + rng.randbytes(4000)
        + "WordDocument".encode("utf-16-le") + rng.randbytes(4000),
        # PDFs
        "truncated.pdf": pdf[: len(pdf) // 2],
        "broken-xref.pdf": broken_xref_pdf(pdf),
        "encrypted-empty-password.pdf": encrypted_pdf(pdf, ""),
        "encrypted-password.pdf": encrypted_pdf(pdf, "letmein"),
        "300-pages.pdf": hand_made_pdf(300),
        "600-pages.pdf": hand_made_pdf(600),
        "no-tounicode.pdf": without_tounicode(pdf, 1),
        "scanned-one-page.pdf": image_only_pdf(pdf, 1),
        # DOCX
        "xxe-document.docx": docx_with(docx, replace={"word/document.xml": ENTITY_DOCUMENT.format(
            uri=(folder / "private" / "secret.dat").as_uri()).encode()}),
        "billion-laughs-core.docx": docx_with(docx, replace={"docProps/core.xml": LAUGHS.encode()}),
        "zip-bomb.docx": zip_bomb_docx(docx, 300 << 20),
        "zip-bomb-ratio.docx": zip_bomb_docx(docx, 60 << 20),
        "not-a-docx.docx": _zip({"hello.txt": b"hi"}),
        "docx-named.doc": docx,
        # HTML
        "gbk-no-charset.html": html_utf8.decode("utf-8").replace('charset="utf-8"', "")
        .replace("charset=utf-8", "").encode("gbk", "replace"),
        "scripts.html": _with_scripts(html_utf8),
        "nested-100k.html": nested_html(100_000),
        "huge-table.html": huge_table_html(20_000),
        "two-reports.html": _two_reports(html_utf8),
        "no-report.html": "<html><body><p>欢迎访问本网站</p><table><tr><td>a</td><td>b</td></tr></table></body></html>"
        .encode(),
        # names
        "name with 'quotes' and \"double\" and spaces.txt": (EXAMPLES / "seed-003.txt").read_bytes(),
        "..dots..report...txt": render_bytes(load_gold("seed-002"), "txt-tabs"),
    }
    (folder / "private").mkdir(exist_ok=True)
    (folder / "private" / "secret.dat").write_text(SECRET, "utf-8")  # the XXE target; not an input
    paths = {}
    for name, content in files.items():
        (folder / name).write_bytes(content)
        paths[name] = folder / name
    odd = os.fsencode(folder) + b"/\xff\xfe-gbk-\xb1\xa8\xb8\xe6.txt"  # not UTF-8
    with open(odd, "wb") as fh:
        fh.write(render_bytes(load_gold("seed-000"), "txt-pipe"))
    paths["non-utf8-name"] = Path(os.fsdecode(odd))
    os.symlink(".", folder / "loop-dir")  # a folder that contains itself
    os.symlink("self-loop.pdf", folder / "self-loop.pdf")  # a file link that points at itself
    return paths


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _with_scripts(html: bytes) -> bytes:
    script = ("<script>document.write('<table><tr><td>一、总体情况</td><td>999999</td></tr></table>');"
              "var x = '四、政府信息公开行政复议、行政诉讼情况';</script><noscript>请启用脚本</noscript>")
    return html.replace(b"<body>", b"<body>" + script.encode(), 1).replace(
        b"</body>", b"<script src='evil.js'></script><style>td{color:red}</style></body>", 1)


def _two_reports(html: bytes) -> bytes:
    text = html.decode("utf-8")
    start, end = text.index("<body"), text.rindex("</body>")
    body_open = text.index(">", start) + 1
    inner = text[body_open:end]
    other = render_bytes(load_gold("seed-000"), "html").decode("utf-8")
    o_start = other.index(">", other.index("<body")) + 1
    other_inner = other[o_start:other.rindex("</body>")]
    return (text[:body_open] + inner + "<hr>" + other_inner + text[end:]).encode("utf-8")
