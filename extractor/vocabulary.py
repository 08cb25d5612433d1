"""Printed words of the national format that report_schema.json does not carry.

The schema names every row, column and section; the printed tables also carry
header and grouping words (信息内容, 申请人情况, 三、本年度办理结果 …). They live
here, once, for the tagger, the assembler and the renderer.
"""

from __future__ import annotations

# What every report calls itself (titles, running page headers).
REPORT_NAME = "政府信息公开工作年度报告"

# Header of the label column in the active-disclosure blocks.
DISCLOSURE_ITEM_HEADER = "信息内容"
# Block titles of the active-disclosure table look like 第二十条第（一）项.
# (matched on normalize.clean text; 顶 is OCR's reading of 項)
DISCLOSURE_BLOCK_PATTERN = r"第二十条第[(（]?[一二三四五六七八九十]+[)）]?[项顶]"

APPLICATIONS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS_HEADER = "申请人情况"
LEGAL_PERSONS_HEADER = "法人或其他组织"
RESULTS_GROUP = "三、本年度办理结果"

REVIEW_HEADER = "行政复议"
LITIGATION_HEADER = "行政诉讼"

# A page number as page footers print it: - 3 -, 第3页, 第 3 页 共 9 页, 3/9 (a bare 3 is not told from a figure).
PAGE_NUMBER_PATTERN = r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
# Words that, on a short line inside a table, mark a note rather than a label.
NOTE_MARKERS = ("勾稽关系", "注：", "注:", "备注", "说明：", "单位：")

# Suffixes of an issuing body's name (signature blocks, titles).
ORGANIZATION_SUFFIXES = (
    "人民政府", "政府", "办事处", "街道", "委员会", "管理委员会", "办公室", "办公厅", "局", "厅",
    "委", "部", "署", "院", "中心", "镇", "乡", "县", "区", "市", "所", "站", "队", "室", "处", "组",
)

# Cell texts that print a blank value.
BLANK_MARKS = frozenset({"", "/", "／", "-", "－", "—", "——", "–", "无", "\\"})

# Words of web-page chrome around a report (tools, footers, publishing details).
WEB_CHROME_MARKERS = (
    "打印本页", "关闭窗口", "【打印】", "【关闭】", "打印此页", "关闭本页", "分享到", "扫一扫",
    "网站地图", "联系我们", "主办单位", "承办单位", "ICP备", "版权所有", "浏览次数", "字号",
    "发布日期", "发布时间", "来源：", "网站标识码", "无障碍", "上一篇", "下一篇", "相关链接", "返回顶部",
)

# Row labels as some bodies word them, for rows whose printed words share too little with the
# format's to be matched by similarity: applications row key -> wordings (compared as cores,
# numbering and punctuation stripped, and only when equal).
APPLICATION_ROW_WORDINGS = {
    "total_processed": ("合计", "小计合计", "办理结果合计"),
    "new_received": ("本年新收申请数量", "本年新收申请", "本年新收"),
    "carried_over": ("上年结转申请数量", "上年结转申请", "上年结转"),
    "carried_forward": ("结转下年度办理", "结转下年度继续办理", "结转下年度"),
}

