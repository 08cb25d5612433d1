"""Token labels derived from gold agree with what each token is, on the seeds in several formats."""

from collections import Counter

from extractor.labelling import gold_labels
from extractor.labels import Label
from extractor.loaders import load
from extractor.render import render_bytes
from extractor.tokens import Document, Token


def test_seed_source_tokens_get_the_expected_roles(seed):
    _, gold, path = seed
    doc = load(path)
    labels = gold_labels(doc, gold)
    assert sum(label == Label.SECTION_HEADING for label in labels) == 6
    counts = Counter(labels)
    assert counts[Label.ROW_LABEL] == 36  # 6 disclosure rows, 25 application rows, 5 group labels
    assert counts[Label.TABLE_TITLE] == 4  # 第二十条第（一）（五）（六）（八）项
    values = sum(1 for tok, label in zip(doc.tokens, labels) if label == Label.CELL_VALUE and tok.text.strip())
    assert values == 10 + 25 * 7 + 15


def test_web_chrome_and_title_in_an_html_page(tmp_path, seed):
    _, gold, _ = seed
    path = tmp_path / "page.html"
    path.write_bytes(render_bytes(gold, "html"))
    doc = load(path)
    labels = gold_labels(doc, gold)
    first = [(tok.text, label) for tok, label in zip(doc.tokens, labels)][:3]
    assert first[0][1] == Label.FURNITURE  # the site's navigation
    assert Label.TITLE in [label for _, label in first]


def test_fragments_of_lost_header_words_are_headers():
    gold = {"report": {"organization": "某街道", "year": 2024, "format_version": "2021", "script": "simplified"},
            "sections": [{"id": "review_litigation", "title": "四、政府信息公开行政复议、行政诉讼情况", "text": ""}],
            "tables": {"review_litigation": {}}, "extras": {}}
    tokens = [Token("四、政府信息公开行政复议、行政诉讼情况"), Token("结果", cell=True), Token("尚未", cell=True),
              Token("0", cell=True), Token("", cell=True)]
    labels = gold_labels(Document(tokens, "txt"), gold)
    assert labels == [Label.SECTION_HEADING, Label.COLUMN_HEADER, Label.COLUMN_HEADER, Label.CELL_VALUE,
                      Label.CELL_VALUE]


def _gold_with(**extras) -> dict:
    sections = [{"id": key, "title": title, "text": "无。" if key == "other_matters" else ""}
                for key, title in [("overview", "一、总体情况"), ("review_litigation", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
                                   ("other_matters", "六、其他需要报告的事项")]]
    return {"report": {"organization": "某街道办事处", "year": 2024, "format_version": "2021", "script": "simplified"},
            "sections": sections, "tables": {"review_litigation": {}}, "extras": extras}


def test_a_heading_and_a_note_wrapped_over_two_lines_are_labelled_whole():
    gold = _gold_with(notes={"review_litigation": ["注：本年度未发生行政复议、行政诉讼的情况。"]})
    tokens = [Token("四、因政府信息公开工作被申请行政复议、提起行政诉讼", line=1), Token("情况", line=2),
              Token("总计", cell=True, table=0), Token("注：本年度未发生行政复议、行政诉讼的情", line=5), Token("况。", line=6)]
    labels = gold_labels(Document(tokens, "pdf"), gold)
    assert labels == [Label.SECTION_HEADING, Label.SECTION_HEADING, Label.COLUMN_HEADER, Label.NOTE, Label.NOTE]


def test_a_blank_mark_in_a_table_cell_is_a_value_even_when_a_prose_line_says_the_same():
    gold = _gold_with()
    tokens = [Token("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"), Token("无", cell=True, table=0, row=3, col=0),
              Token("六、其他需要报告的事项"), Token("无。")]
    assert gold_labels(Document(tokens, "html"), gold) == [
        Label.SECTION_HEADING, Label.CELL_VALUE, Label.SECTION_HEADING, Label.PROSE]


def test_the_body_name_alone_in_a_site_banner_is_furniture_but_a_wrapped_title_is_the_title():
    gold = _gold_with(title="某街道办事处2024年政府信息公开工作年度报告")
    tokens = [Token("某街道办事处"), Token("站内搜索"), Token("某街道办事处2024年政府信息公开工作年"), Token("度报告"),
              Token("一、总体情况")]
    assert gold_labels(Document(tokens, "html"), gold) == [
        Label.FURNITURE, Label.FURNITURE, Label.TITLE, Label.TITLE, Label.SECTION_HEADING]
