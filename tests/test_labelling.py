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
