"""HTML loader: decoding, chrome removal, table grids, document order, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor.loaders import html
from extractor.tokens import LoadError


def write(tmp_path: Path, markup: str, encoding: str = "utf-8", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(markup.encode(encoding))
    return path


def grid(doc, table: int = 0) -> list[tuple[int, int, int, int, str]]:
    return [(t.row, t.col, t.rowspan, t.colspan, t.text) for t in doc.tokens if t.cell and t.table == table]


def prose(doc) -> list[str]:
    return [t.text for t in doc.tokens if not t.cell]


REPORT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>某某街道2024年政府信息公开工作年度报告</title>
<style>p {{ color: red }}</style><script>var menu = "一、总体情况";</script></head>
<body>
<div class="topnav"><ul><li><a href="/">首页</a></li><li><a href="/gk">政府信息公开</a></li></ul></div>
<nav><a>政务公开</a><a>年度报告</a></nav>
<div id="breadcrumb">首页 &gt; 政府信息公开 &gt; 年度报告</div>
<aside><p>相关报告：某某街道2023年政府信息公开工作年度报告</p></aside>
<div class="article">
  <h1>某某街道2024年政府信息公开工作年度报告</h1>
  <p>　　一、总体情况</p>
  <p>本报告中所列数据统计期限为2024年1月1日至12月31日。</p>
  <p>二、主动公开政府信息情况</p>
  <table border="1">
    <tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
    <tr><td>行政规范性文件</td><td>1</td><td></td><td>3</td></tr>
  </table>
  <p>三、收到和处理政府信息公开申请情况</p>
</div>
<div class="sidebar"><p>热点新闻</p></div>
<div style="display: none">隐藏的分享文字</div>
<footer><p>版权所有：某某街道办事处</p><p>联系电话：0571-12345678</p></footer>
<noscript>请启用脚本</noscript>
</body></html>
"""


# --- tables ------------------------------------------------------------------------


def test_rowspan_and_colspan_expand_on_the_grid(tmp_path):
    page = """<table>
      <tr><th rowspan="3">申请人情况</th><th colspan="5">法人或其他组织</th><th rowspan="2">总计</th></tr>
      <tr><th>商业<br>企业</th><th>科研<br>机构</th><th colspan="2">社会公益组织</th><th>其他</th></tr>
      <tr><td>1</td><td></td><td>2</td><td>3</td><td>4</td><td>5</td></tr>
    </table>"""
    doc = html.load(write(tmp_path, page))
    assert grid(doc) == [
        (0, 0, 3, 1, "申请人情况"), (0, 1, 1, 5, "法人或其他组织"), (0, 6, 2, 1, "总计"),
        (1, 1, 1, 1, "商业企业"), (1, 2, 1, 1, "科研机构"), (1, 3, 1, 2, "社会公益组织"), (1, 5, 1, 1, "其他"),
        (2, 1, 1, 1, "1"), (2, 2, 1, 1, ""), (2, 3, 1, 1, "2"), (2, 4, 1, 1, "3"), (2, 5, 1, 1, "4"),
        (2, 6, 1, 1, "5"),
    ]
    lines = {t.row: set() for t in doc.tokens}
    for t in doc.tokens:
        lines[t.row].add(t.line)
    assert all(len(v) == 1 for v in lines.values())  # one line number per grid row
    assert [min(v) for _, v in sorted(lines.items())] == [0, 1, 2]


def test_rowspans_stop_at_the_end_of_their_row_group(tmp_path):
    page = """<table>
      <thead><tr><th rowspan="5">a</th><th>b</th></tr></thead>
      <tfoot><tr><td>foot</td><td rowspan="0">f2</td></tr><tr><td>foot2</td></tr></tfoot>
      <tbody><tr><td rowspan="0">c</td><td>d</td></tr><tr><td>e</td></tr></tbody>
    </table>"""
    doc = html.load(write(tmp_path, page))
    # thead clamps "a" to one row; rowspan=0 runs to the end of its group; tfoot goes last.
    assert grid(doc) == [
        (0, 0, 1, 1, "a"), (0, 1, 1, 1, "b"),
        (1, 0, 2, 1, "c"), (1, 1, 1, 1, "d"),
        (2, 1, 1, 1, "e"),
        (3, 0, 1, 1, "foot"), (3, 1, 2, 1, "f2"),
        (4, 0, 1, 1, "foot2"),
    ]


def test_bad_span_attributes_are_read_as_browsers_do(tmp_path):
    page = """<table><tr><td colspan="0">a</td><td colspan="2px">b</td><td rowspan="x">c</td></tr>
      <tr><td>d</td><td>e</td></tr></table>"""
    assert grid(html.load(write(tmp_path, page))) == [
        (0, 0, 1, 1, "a"), (0, 1, 1, 2, "b"), (0, 3, 1, 1, "c"), (1, 0, 1, 1, "d"), (1, 1, 1, 1, "e")]


def test_place_cells_is_the_html_table_algorithm():
    rows = [[(2, 1), (1, 2)], [(1, 1), (1, 1)], [(1, 3)]]
    assert html.place_cells(rows, [3, 3, 3], max_cols=10) == [
        [(0, 0, 2, 1), (0, 1, 1, 2)],
        [(1, 1, 1, 1), (1, 2, 1, 1)],
        [(2, 0, 1, 3)],
    ]


def test_cell_text_joins_lines_without_space_between_chinese(tmp_path):
    page = """<table>
      <tr><td>商业<br>企业</td><td><p>本年收费金额</p><p>（单位：万元）</p></td><td>Total<br>count</td></tr>
      <tr><td>  结果
          维持 </td><td><span>1</span> <span>2</span></td><td>12<br>34</td></tr>
    </table>"""
    assert [c[4] for c in grid(html.load(write(tmp_path, page)))] == [
        "商业企业", "本年收费金额（单位：万元）", "Total count", "结果维持", "1 2", "12 34"]


def test_layout_table_wrapping_a_data_table_is_read_as_blocks(tmp_path):
    page = """<body>
      <table class="main"><tr><td><h2>二、主动公开政府信息情况</h2>
        <table border="1"><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>2</td></tr></table>
        <p>三、收到和处理政府信息公开申请情况</p></td>
      <td>右栏文字</td></tr></table>
      <table><tr><td>行政复议</td><td>行政诉讼</td></tr></table>
    </body>"""
    doc = html.load(write(tmp_path, page))
    assert doc.text.splitlines() == [
        "二、主动公开政府信息情况",
        "信息内容 | 本年制发件数",
        "规章 | 2",
        "三、收到和处理政府信息公开申请情况",
        "右栏文字",
        "行政复议 | 行政诉讼",
    ]
    assert grid(doc, 0) == [(0, 0, 1, 1, "信息内容"), (0, 1, 1, 1, "本年制发件数"),
                            (1, 0, 1, 1, "规章"), (1, 1, 1, 1, "2")]
    assert grid(doc, 1) == [(0, 0, 1, 1, "行政复议"), (0, 1, 1, 1, "行政诉讼")]
    assert not any(t.cell for t in doc.tokens if t.text.startswith(("二、", "三、", "右栏")))


def test_one_cell_table_is_a_frame_not_data(tmp_path):
    page = "<table><tr><td><p>一、总体情况</p><p>正文。</p></td></tr></table>"
    doc = html.load(write(tmp_path, page))
    assert [(t.text, t.cell) for t in doc.tokens] == [("一、总体情况", False), ("正文。", False)]


def test_caption_and_rows_inside_a_stray_form_are_kept(tmp_path):
    page = """<table><caption>表一</caption><tr><td>a</td><td>b</td></tr>
      <form><tr><td>c</td><td>d</td></tr></form></table>"""
    doc = html.load(write(tmp_path, page))
    assert prose(doc) == ["表一"]
    assert grid(doc) == [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b"), (1, 0, 1, 1, "c"), (1, 1, 1, 1, "d")]


# --- document order and chrome -------------------------------------------------------


def test_report_page_reads_in_order_without_chrome(tmp_path):
    doc = html.load(write(tmp_path, REPORT_PAGE.format(charset="utf-8")))
    assert doc.format == "html" and doc.pages == 1 and doc.problems == []
    assert doc.text.splitlines() == [
        "某某街道2024年政府信息公开工作年度报告",
        "一、总体情况",
        "本报告中所列数据统计期限为2024年1月1日至12月31日。",
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
        "规章 | 0 | 0 | 0",
        "行政规范性文件 | 1 |  | 3",
        "三、收到和处理政府信息公开申请情况",
    ]
    lines = [t.line for t in doc.tokens]
    assert lines == sorted(lines)
    assert grid(doc)[0] == (0, 0, 1, 4, "第二十条第（一）项")
    assert (3, 2, 1, 1, "") in grid(doc)


def test_chrome_holding_report_content_is_kept(tmp_path):
    page = """<body><form id="form1"><div class="nav">首页</div>
      <div class="menu-content"><p>一、总体情况</p><p>正文</p></div>
      <footer><table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>1</td></tr></table></footer>
      </form></body>"""
    doc = html.load(write(tmp_path, page))
    assert prose(doc) == ["一、总体情况", "正文"]
    assert grid(doc) == [(0, 0, 1, 1, "信息内容"), (0, 1, 1, 1, "本年制发件数"),
                         (1, 0, 1, 1, "规章"), (1, 1, 1, 1, "1")]


def test_article_header_and_footer_are_content(tmp_path):
    page = """<body><header>网站标题</header><article><header><h1>某某县2024年政府信息公开工作年度报告</h1></header>
      <p>正文</p><footer>某某县人民政府办公室 2025年1月20日</footer></article><footer>网站底部</footer></body>"""
    assert prose(html.load(write(tmp_path, page))) == [
        "某某县2024年政府信息公开工作年度报告", "正文", "某某县人民政府办公室 2025年1月20日"]


def test_chrome_class_on_the_page_wrapper_does_not_drop_the_page(tmp_path):
    page = ("<body><div class=\"has-sidebar\"><p>" + "报告正文第一段。" * 30 + "</p><p>报告正文第二段。</p></div>"
            "<div class=\"footer\">版权所有</div></body>")
    assert prose(html.load(write(tmp_path, page))) == ["报告正文第一段。" * 30, "报告正文第二段。"]


def test_block_lines_split_at_br_and_blocks_but_not_at_inline_tags(tmp_path):
    page = """<div>第一行<br>第二<b>行</b><span>续</span><div>第三行</div>尾
      </div><ul><li>甲</li><li>乙</li></ul><pre>预排  一
预排二</pre><p>  </p><p>跨行的
中文</p>"""
    assert prose(html.load(write(tmp_path, page))) == [
        "第一行", "第二行续", "第三行", "尾", "甲", "乙", "预排 一", "预排二", "跨行的中文"]


def test_page_without_report_text_still_loads(tmp_path):
    page = '<html><body><div class="nav">首页</div><script>x()</script><img src="a.png"></body></html>'
    doc = html.load(write(tmp_path, page))
    assert doc.tokens == [] and doc.format == "html"


# --- decoding -------------------------------------------------------------------------


def test_gbk_page_without_declaration_decodes(tmp_path):
    page = REPORT_PAGE.replace('<meta charset="{charset}">', "").replace("{{", "{").replace("}}", "}")
    doc = html.load(write(tmp_path, page, "gbk"))
    assert prose(doc)[:2] == ["某某街道2024年政府信息公开工作年度报告", "一、总体情况"]
    assert grid(doc)[1][4] == "信息内容"


def test_gb2312_declaration_decodes_gbk_characters(tmp_path):
    # 镕 and 堃 are GBK, not GB2312: a gb2312 label must still decode them.
    page = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>朱镕基 王堃 一、总体情况</p>'
    assert prose(html.load(write(tmp_path, page, "gbk"))) == ["朱镕基 王堃 一、总体情况"]


def test_declared_charset_wins_for_gbk(tmp_path):
    page = REPORT_PAGE.format(charset="GBK")
    doc = html.load(write(tmp_path, page, "gbk"))
    assert doc.problems == [] and prose(doc)[1] == "一、总体情况"


def test_utf8_page_with_stale_gb2312_declaration(tmp_path):
    page = REPORT_PAGE.format(charset="gb2312")
    doc = html.load(write(tmp_path, page, "utf-8"))
    assert prose(doc)[1] == "一、总体情况"
    assert doc.problems and "UTF-8" in doc.problems[0]


def test_gbk_page_declared_utf8(tmp_path):
    page = REPORT_PAGE.format(charset="utf-8")
    doc = html.load(write(tmp_path, page, "gbk"))
    assert prose(doc)[1] == "一、总体情况"
    assert "utf-8" in doc.problems[0]


def test_bom_overrides_the_declaration(tmp_path):
    path = tmp_path / "bom.html"
    path.write_bytes(b"\xef\xbb\xbf" + '<meta charset="gbk"><p>一、总体情况</p>'.encode())
    assert prose(html.load(path)) == ["一、总体情况"]
    path.write_bytes('<meta charset="gbk"><p>一、总体情况</p>'.encode("utf-16"))
    assert prose(html.load(path)) == ["一、总体情况"]


def test_charset_names():
    assert html.charset_codec("GB2312") == "gb18030"
    assert html.charset_codec("x-gbk") == "gb18030"
    assert html.charset_codec("utf-16") == "utf-8"
    assert html.charset_codec("iso-8859-1") is None
    assert html.charset_codec("no-such-charset") is None
    assert html.declared_charset(b'<meta http-equiv="content-type" content="text/html;charset=GBK" />') == "gbk"
    assert html.declared_charset(b'<?xml version="1.0" encoding="gb2312"?><html>') == "gb2312"
    assert html.declared_charset(b"<p>charset=gbk</p>") is None


def test_whitespace_helpers():
    assert html.collapse_whitespace("  a \u3000 b\xa0\n c ") == "a b c"
    assert html.collapse_whitespace("中文\n  中文") == "中文中文"
    assert html.collapse_whitespace("中文 中文") == "中文 中文"  # a real space is kept
    assert html.collapse_whitespace("12月\n31日") == "12月 31日"
    assert html.join_pieces(["商业", " 企业 ", "", "(x)", "y"]) == "商业企业 (x) y"


# --- refusals and limits ----------------------------------------------------------------


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"  \n ", "empty"),
    (os.urandom(4096) + b"\x00", "binary"),
    (b"%PDF-1.7\n...", "PDF"),
    (b"PK\x03\x04rest", "zip"),
])
def test_not_a_page_is_refused(tmp_path, content, reason):
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=f"not an HTML page: .*{reason}"):
        html.load(path)


def test_random_bytes_without_nul_are_refused(tmp_path):
    data = bytes(b for b in os.urandom(20000) if b)
    path = tmp_path / "noise.html"
    path.write_bytes(data)
    with pytest.raises(LoadError, match="not an HTML page"):
        html.load(path)


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "<p>" + "字" * 1000 + "</p>")
    with pytest.raises(LoadError, match="over the"):
        html.load(path, max_bytes=1000)


def test_huge_tables_are_refused(tmp_path):
    tall = "<table>" + "<tr><td>1</td><td>2</td></tr>" * 30 + "</table>"
    with pytest.raises(LoadError, match="30 rows"):
        html.load(write(tmp_path, tall), max_table_rows=20)
    wide = "<table><tr><td>a</td><td colspan='900'>b</td></tr><tr><td>c</td></tr></table>"
    with pytest.raises(LoadError, match="wider than 200 columns"):
        html.load(write(tmp_path, wide))


def test_deep_nesting_is_refused(tmp_path):
    tables = "<table><tr><td>" * 60 + "x" + "</td></tr></table>" * 60
    with pytest.raises(LoadError, match="nests tables"):
        html.load(write(tmp_path, tables))
    divs = "<div>" * 600 + "x" + "</div>" * 600
    with pytest.raises(LoadError, match="nests elements"):
        html.load(write(tmp_path, divs))
    assert prose(html.load(write(tmp_path, "<div>" * 100 + "x" + "</div>" * 100))) == ["x"]


def test_token_limit(tmp_path):
    with pytest.raises(LoadError, match="more than 10 lines"):
        html.load(write(tmp_path, "<p>x</p>" * 20), max_tokens=10)


def test_unknown_or_bad_limits_are_refused(tmp_path):
    path = write(tmp_path, "<p>x</p>")
    with pytest.raises(TypeError):
        html.load(path, max_rows=3)
    with pytest.raises(ValueError):
        html.load(path, max_bytes=0)


@pytest.mark.parametrize("markup, texts", [
    ("<p>规章</p>", ["规章"]),
    ("<p>一、总体情况</p>", ["一、总体情况"]),
    ("<table><tr><td>行政复议</td><td>结果维持</td></tr></table>", ["行政复议", "结果维持"]),
])
def test_short_gbk_pages_decode(tmp_path, markup, texts):
    # charset-normalizer alone reads these as Korean or Big5.
    assert [t.text for t in html.load(write(tmp_path, markup, "gbk")).tokens] == texts


def test_big5_page_without_declaration_decodes(tmp_path):
    text = "政府資訊公開工作年度報告。本年度辦理結果如下，申請人情況說明。"
    assert prose(html.load(write(tmp_path, f"<p>{text}</p>", "big5"))) == [text]


def test_page_hidden_while_loading_is_read(tmp_path):
    page = ('<body><div id="app" style="visibility:hidden"><p>' + "正文段落。" * 50 + "</p></div>"
            '<div style="display:none">弹窗文字</div></body>')
    assert prose(html.load(write(tmp_path, page))) == ["正文段落。" * 50]
