"""A government-site-like HTML page: site chrome (script, navigation, footer) around the report.

The chrome is realistic clutter a loader must not take for content; the
report itself is an <h1>, <p> paragraphs and <table border="1"> grids with
rowspan/colspan, as content-management systems of government sites emit them.
Tables ruled other than as a grid (`RenderOptions.table_rules`) are <table border="0">
with CSS borders on each cell.
"""

from __future__ import annotations

import json
from html import escape

from .document import Manuscript
from .grid import Grid, placements
from .options import RenderOptions
from .rules import cell_sides

STYLE = """
body{margin:0;font-family:"Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f3f5f8;color:#333}
.top{background:#0b4ea2;color:#fff;font-size:13px;padding:6px 12%}
.top a{color:#fff;margin-right:12px;text-decoration:none}
.nav ul{list-style:none;margin:0;padding:0 12%;background:#1565c0;overflow:hidden}
.nav li{float:left}.nav a{display:block;color:#fff;padding:12px 22px;text-decoration:none}
.crumb{padding:10px 12%;font-size:13px;color:#666}
.article{background:#fff;margin:0 12%;padding:30px 60px}
.article h1{text-align:center;font-size:24px;color:#1a1a1a;line-height:1.6}
.meta{text-align:center;font-size:13px;color:#888;border-bottom:1px dashed #ccc;padding-bottom:12px}
.TRS_Editor{font-size:16px;line-height:2}
.TRS_Editor p{text-indent:2em;margin:0}
.TRS_Editor table{border-collapse:collapse;width:100%;margin:10px 0}
.TRS_Editor td{border:1px solid #000;padding:2px 4px;font-size:14px;line-height:1.5}
.TRS_Editor td p{text-indent:0;text-align:center}
.tools{text-align:right;font-size:13px;padding:16px 0}
.footer{margin-top:30px;background:#2b2b2b;color:#bbb;font-size:13px;text-align:center;padding:20px}
.footer a{color:#ddd;margin:0 8px}
""".strip()

SCRIPT = """
var _hmt = _hmt || [];
var siteConfig = {siteName: %(site)s, columnName: "政府信息公开年报", searchUrl: "/search/"};
function setFontSize(size) {
  var box = document.getElementById("zoom");
  if (box) { box.style.fontSize = size + "px"; }
}
function printPage() { window.print(); }
window.onload = function () {
  var counter = document.getElementById("views");
  if (counter) { counter.innerHTML = 100 + Math.floor(Math.random() * 900); }
};
""".strip()

NAV = ("首页", "政务公开", "政务服务", "互动交流", "数据发布", "专题专栏")


def border_styles(grid: Grid, rules: str) -> dict[tuple[int, int], str]:
    """(row, col) of each cell -> its inline CSS borders for `rules` (sides without a rule: none)."""
    styles = {}
    for spot, sides in cell_sides(grid, rules).items():
        css = ["border:none"] + [f"border-{side}:{max(1, round(width * 4 / 3))}px solid #000"
                                 for side, width in sides.items()]
        styles[spot] = ";".join(css)
    return styles


def table_html(grid: Grid, rules: str = "grid") -> str:
    """A <table border="1"> with rowspan/colspan; every cell's text in a centred <p>. Rules other
    than "grid": <table border="0"> with each cell's borders inline (`border_styles`)."""
    styles = border_styles(grid, rules) if rules != "grid" else {}
    rows: list[list[str]] = [[] for _ in grid.rows]
    for placed in placements(grid):
        cell = placed.cell
        spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
            f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
        style = f' style="{styles[(placed.row, placed.col)]}"' if styles else ""
        rows[placed.row].append(f"<td{spans}{style} valign=\"middle\"><p>{escape(cell.text)}</p></td>")
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    border = "1" if rules == "grid" else "0"
    return f'<table border="{border}" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def content_html(ms: Manuscript, rules: str = "grid") -> str:
    """The report body (everything under the headline) as HTML; tables ruled as `rules`."""
    parts: list[str] = []
    attachment = 0
    for block in ms.blocks:
        if block.kind == "title":
            continue  # printed as the page headline
        if block.kind == "table":
            parts.append(table_html(block.grid, rules))
        elif block.kind == "heading":
            parts.append(f"<p><strong>{escape(block.text)}</strong></p>")
        elif block.kind == "signature":
            parts.append(f'<p style="text-align:right">{escape(block.text)}</p>')
        elif block.kind == "trailer":
            attachment += 1
            parts.append(f'<p><a href="/attach/{attachment}.file" target="_blank">{escape(block.text)}</a></p>')
        else:
            parts.append(f"<p>{escape(block.text)}</p>")
    return "\n".join(parts)


def page_html(ms: Manuscript, options: RenderOptions | None = None) -> str:
    """The whole page as text; `encode_html` turns it into the declared encoding."""
    options = options or RenderOptions()
    title = next((b.text for b in ms.blocks if b.kind == "title"), ms.running_title)
    site = f"{ms.organization}门户网站" if ms.organization else "政府门户网站"
    published = f"{ms.year + 1}-01-20" if ms.year else ""
    nav = "".join(f'<li><a href="/col{i}/">{escape(name)}</a></li>' for i, name in enumerate(NAV))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{options.encoding}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(title)}_{escape(site)}</title>
<meta name="ArticleTitle" content="{escape(title)}">
<style>
{STYLE}
</style>
<script type="text/javascript">
{SCRIPT % {"site": json.dumps(site, ensure_ascii=False)}}
</script>
</head>
<body>
<div class="top"><a href="/">网站首页</a><a href="/wza/">无障碍浏览</a><a href="/en/">English</a><a href="/login/">登录</a></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col1/">政务公开</a> &gt; <a href="/col1/ndbg/">政府信息公开年报</a></div>
<div class="article">
<h1>{escape(title)}</h1>
<div class="meta">发布日期：{published}　来源：{escape(ms.organization)}　浏览次数：<span id="views"></span>　字号：<a href="javascript:setFontSize(18)">大</a> <a href="javascript:setFontSize(16)">中</a> <a href="javascript:setFontSize(14)">小</a></div>
<div class="TRS_Editor" id="zoom">
{content_html(ms, options.table_rules)}
</div>
<div class="tools"><a href="javascript:printPage()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="footer">
<p><a href="/wzdt/">网站地图</a>|<a href="/lxwm/">联系我们</a>|<a href="/smsm/">隐私声明</a>|<a href="/jcjg/">纠错</a></p>
<p>主办单位：{escape(ms.organization)}　网站标识码：0000000000　ICP备案号：京ICP备00000000号</p>
<p>建议使用1366×768分辨率及以上浏览器浏览本站</p>
</div>
<script type="text/javascript">
(function () {{ var hm = document.createElement("script"); hm.src = "/stat/hm.js"; document.body.appendChild(hm); }})();
</script>
</body>
</html>
"""


def encode_html(page: str, encoding: str) -> bytes:
    """Bytes in the declared encoding; characters it lacks become character references."""
    return page.encode(encoding, errors="xmlcharrefreplace")
