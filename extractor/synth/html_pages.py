"""More kinds of web page around a report than extractor.render.html's one template.

    page(ms, options, "word", rng) -> HTML text

site: the renderer's government-site page (chrome, <p> paragraphs, border="1" tables).
bare: a bare document: <h1>, <p>, plain tables, nothing else.
word: Word's "save as web page": MsoNormal paragraphs with spans, &nbsp; in empty cells.
cms:  another site template: side menu, <h3> headings, <th> header cells, related links.
"""

from __future__ import annotations

import random
from html import escape

from ..render import Grid, Manuscript, RenderOptions, placements
from ..render.grid import Cell
from ..render.html import border_styles, page_html

TEMPLATES = ("site", "bare", "word", "cms")


def _title(ms: Manuscript) -> str:
    return next((b.text for b in ms.blocks if b.kind == "title"), ms.running_title)


def _spans(cell: Cell) -> str:
    return (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")


def _lines(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.split("\n"))


def table(grid: Grid, *, header_tag: str = "td", empty: str = "", wrap: str = "", attrs: str = "",
          rules: str = "grid") -> str:
    """A table with rowspan/colspan. header_tag: "th" for header and title cells; empty: what an
    empty cell holds ("", "&nbsp;"); wrap: "", "p", "span" or "word" (MsoNormal paragraph and span);
    rules: RenderOptions.table_rules, other than "grid" drawn as CSS borders per cell (border="0")."""
    styles = border_styles(grid, rules) if rules != "grid" else {}
    if styles:
        attrs = attrs.replace(' border="1"', ' border="0"')
    rows: list[list[str]] = [[] for _ in grid.rows]
    for placed in placements(grid):
        cell = placed.cell
        tag = header_tag if cell.role in ("header", "title") else "td"
        text = escape(cell.text) if cell.text else empty
        if wrap == "p":
            text = f"<p>{text}</p>"
        elif wrap == "span":
            text = f"<span>{text}</span>"
        elif wrap == "word":
            text = f'<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:10.5pt">{text}</span></p>'
        style = f' style="{styles[(placed.row, placed.col)]}"' if styles else ""
        rows[placed.row].append(f"<{tag}{_spans(cell)}{style}>{text}</{tag}>")
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table{attrs}>\n<tbody>\n{body}\n</tbody>\n</table>"


def _bare(ms: Manuscript, options: RenderOptions, rng: random.Random) -> str:
    parts = [f"<h1>{escape(_title(ms))}</h1>"]
    for block in ms.blocks:
        if block.kind == "title":
            continue
        if block.kind == "table":
            parts.append(table(block.grid, attrs=' border="1"', wrap=rng.choice(["", "p"]), rules=options.table_rules))
        elif block.kind == "heading":
            parts.append(f"<h2>{escape(block.text)}</h2>" if rng.random() < 0.5 else f"<p><b>{escape(block.text)}</b></p>")
        else:
            parts.append(f"<p>{_lines(block.text)}</p>")
    body = "\n".join(parts)
    return (f'<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={options.encoding}">\n'
            f"<title>{escape(_title(ms))}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _word(ms: Manuscript, options: RenderOptions, rng: random.Random) -> str:
    font = rng.choice(["仿宋_GB2312", "宋体", "仿宋"])
    parts = []
    for block in ms.blocks:
        if block.kind == "table":
            parts.append(table(block.grid, empty="&nbsp;", wrap="word",
                               attrs=' class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                                     'style="border-collapse:collapse;border:none"', rules=options.table_rules))
            continue
        style = {"title": "text-align:center", "signature": "text-align:right"}.get(block.kind, "text-indent:32.0pt")
        text = _lines(block.text)
        if block.kind in ("title", "heading"):
            text = f"<b>{text}</b>"
        parts.append(f'<p class="MsoNormal" style="{style}"><span style="font-family:{font};font-size:16.0pt">'
                     f"{text}</span></p>")
    body = "\n".join(parts)
    return (f'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">\n'
            f'<head>\n<meta http-equiv="Content-Type" content="text/html; charset={options.encoding}">\n'
            f'<meta name="Generator" content="Microsoft Word 15">\n<title>{escape(_title(ms))}</title>\n'
            '<style>\np.MsoNormal{margin:0cm;text-align:justify;font-size:10.5pt}\n</style>\n</head>\n'
            f'<body lang="ZH-CN" style="text-justify-trim:punctuation">\n<div class="WordSection1">\n{body}\n'
            "</div>\n</body>\n</html>\n")


CMS_MENU = ("机构概况", "政策文件", "政策解读", "规划计划", "财政信息", "人事信息", "政府信息公开年报")
CMS_RELATED = ("{o}{y}年政府信息公开工作年度报告", "政府信息公开指南", "政府信息公开制度")


def _cms(ms: Manuscript, options: RenderOptions, rng: random.Random) -> str:
    parts = []
    attachment = 0
    for block in ms.blocks:
        if block.kind == "title":
            continue
        if block.kind == "table":
            parts.append(table(block.grid, header_tag="th", empty=rng.choice(["", "&nbsp;"]), wrap="span",
                               attrs=' class="table" width="100%" border="1"', rules=options.table_rules))
        elif block.kind == "heading":
            parts.append(f"<h3>{escape(block.text)}</h3>")
        elif block.kind == "signature":
            parts.append(f'<div style="text-align:right">{escape(block.text)}</div>')
        elif block.kind == "trailer":
            attachment += 1
            parts.append(f'<div class="attach"><a href="/files/{attachment}.pdf">{escape(block.text)}</a></div>')
        else:
            parts.append(f"<p>{_lines(block.text)}</p>")
    menu = "".join(f'<li><a href="/xxgk/{i}/">{name}</a></li>' for i, name in enumerate(CMS_MENU))
    related = "".join(f'<li><a href="/r/{i}.html">{escape(name.format(o=ms.organization, y=(ms.year or 2000) - 1))}</a></li>'
                      for i, name in enumerate(CMS_RELATED))
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="{options.encoding}">
<title>{escape(_title(ms))}</title>
<link rel="stylesheet" href="/css/main.css">
</head>
<body>
<div class="header"><div class="logo">{escape(ms.organization)}</div><div class="search">站内搜索</div></div>
<div class="container">
<div class="sidebar"><h4>政府信息公开</h4><ul>{menu}</ul></div>
<div class="main">
<div class="article-title">{escape(_title(ms))}</div>
<div class="article-info">索引号：000000000/{ms.year or ""}-00001　发布机构：{escape(ms.organization)}</div>
<div class="article-content">
{body}
</div>
<div class="related"><h4>相关链接</h4><ul>{related}</ul></div>
</div>
</div>
<div class="footer">版权所有：{escape(ms.organization)}</div>
</body>
</html>
"""


def page(ms: Manuscript, options: RenderOptions, template: str, rng: random.Random) -> str:
    """The report as an HTML page of kind `template` (TEMPLATES)."""
    if template == "site":
        return page_html(ms, options)
    if template == "bare":
        return _bare(ms, options, rng)
    if template == "word":
        return _word(ms, options, rng)
    if template == "cms":
        return _cms(ms, options, rng)
    raise ValueError(f"unknown HTML template {template!r}; templates: {TEMPLATES}")
