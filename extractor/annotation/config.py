"""The Label Studio labelling interface: one Labels control over the task text.

Label values are the canonical keys of `labels.Label`, so results need no
mapping; annotators see a Chinese and English name, a hint and a colour. The
XML is generated here; `annotations/labelstudio/config.xml` is this output,
kept in the repository for review (a test checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from ..labels import Label

FROM_NAME = "label"  # the Labels control
TO_NAME = "text"  # the Text object it labels
TEXT_FIELD = "text"  # task data key holding the laid-out document text


@dataclass(frozen=True)
class LabelLook:
    chinese: str
    english: str
    colour: str
    hotkey: str
    hint: str


LOOKS: dict[Label, LabelLook] = {
    Label.TITLE: LabelLook("标题", "Title", "#d62728", "1", "报告标题行 / the report's title line"),
    Label.SECTION_HEADING: LabelLook("章节标题", "Section heading", "#9467bd", "2",
                                     "一、总体情况 … 六、其他需要报告的事项"),
    Label.TABLE_TITLE: LabelLook("表内标题", "Table title", "#8c564b", "3",
                                 "表格内的分块标题 / block title in a table: 第二十条第（一）项"),
    Label.COLUMN_HEADER: LabelLook("列标题", "Column header", "#1f77b4", "4",
                                   "本年制发件数、自然人、结果维持、总计 …"),
    Label.ROW_LABEL: LabelLook("行标题", "Row label", "#17becf", "5",
                               "规章、（一）予以公开、1.属于国家秘密 … 及其分组标题 / and group labels"),
    Label.CELL_VALUE: LabelLook("数值", "Cell value", "#2ca02c", "6",
                                "表格中的数字，或数值位置上的空格（∅）和“/” / a figure, blank or '/' in a value cell"),
    Label.NOTE: LabelLook("注释", "Note", "#bcbd22", "7",
                          "表中或表下的说明 / notes in or under tables: （本列数据的勾稽关系为…）"),
    Label.FURNITURE: LabelLook("版面杂项", "Furniture", "#7f7f7f", "8",
                               "页眉、页脚、页码、网页导航、附件名称 / headers, footers, page numbers, site chrome, attachments"),
    Label.PROSE: LabelLook("正文", "Prose", "#ff7f0e", "9", "正文段落和小标题 / body text and its sub-headings"),
    Label.SIGNATURE: LabelLook("落款", "Signature", "#e377c2", "0", "文末署名机关和日期 / issuing body and date at the end"),
}


def label_config() -> str:
    """The labelling configuration XML for a project."""
    missing = set(Label) - set(LOOKS)
    if missing:  # a label added to labels.py must get a look here, or annotators could not use it
        raise RuntimeError(f"labels without a look in annotation/config.py: {sorted(m.value for m in missing)}")
    lines = [
        "<View>",
        ('  <Header value="每个片段选一个标签；∅ 表示空单元格；| 分隔同一行的片段 · '
         'One label per piece; ∅ is a blank cell; | separates pieces on one line"/>'),
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}" choice="single" showInline="true">',
    ]
    for label in Label:
        look = LOOKS[label]
        lines.append(
            f"    <Label value={quoteattr(label.value)} html={quoteattr(f'{look.chinese} · {look.english}')}"
            f" hint={quoteattr(look.hint)} background={quoteattr(look.colour)} hotkey={quoteattr(look.hotkey)}/>")
    lines += [
        "  </Labels>",
        '  <View style="font-family: monospace; white-space: pre-wrap; line-height: 1.7">',
        f'    <Text name="{TO_NAME}" value="${TEXT_FIELD}" granularity="symbol"/>',
        "  </View>",
        "</View>",
        "",
    ]
    return "\n".join(lines)


def config_labels(xml: str) -> list[str]:
    """The label values a labelling configuration offers under our Labels control."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(xml)
    values = []
    for labels in root.iter("Labels"):
        if labels.get("name") == FROM_NAME:
            values += [el.get("value") for el in labels.iter("Label")]
    return values
