"""Table assembly on hand-made token streams: placement by grid, by order, and refusal to guess."""

from extractor.assemble.tables import assemble_tables
from extractor.labels import Label
from extractor.tagging import Tag
from extractor.tokens import Token

L = Label


def run(items, fmt="2021"):
    tokens = [tok for tok, _ in items]
    tags = [Tag(label) for _, label in items]
    return assemble_tables(tokens, tags, fmt)


def cell(text, row=None, col=None):
    return Token(text=text, cell=True, table=0 if row is not None else None, row=row, col=col)


def test_values_by_order_with_a_blank_in_the_middle():
    build = run([(cell("规章"), L.ROW_LABEL), (cell("0"), L.CELL_VALUE), (cell(""), L.CELL_VALUE),
                 (cell("3"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["regulations"] == {"issued": 0, "repealed": None, "in_force": 3}


def test_values_by_order_with_trailing_padding():
    build = run([(cell("规章"), L.ROW_LABEL), (cell("0"), L.CELL_VALUE), (cell("2"), L.CELL_VALUE),
                 (cell("3"), L.CELL_VALUE), (cell(""), L.CELL_VALUE), (cell(""), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["regulations"] == {"issued": 0, "repealed": 2, "in_force": 3}


def test_padding_and_a_blank_inside_together_are_not_guessed():
    # 0 | blank | 3 | blank: the inner blank could be a shifted cell; the edge one padding or a value.
    build = run([(cell("规章"), L.ROW_LABEL), (cell("0"), L.CELL_VALUE), (cell(""), L.CELL_VALUE),
                 (cell("3"), L.CELL_VALUE), (cell(""), L.CELL_VALUE)])
    assert "regulations" not in build.tables["active_disclosure"]
    assert any("active_disclosure.regulations" in e for e in build.errors)


def test_blank_at_the_row_edge_without_grid_is_not_guessed():
    build = run([(cell("规章"), L.ROW_LABEL), (cell(""), L.CELL_VALUE), (cell("1"), L.CELL_VALUE),
                 (cell("3"), L.CELL_VALUE)])
    assert "regulations" not in build.tables["active_disclosure"]
    assert any("active_disclosure.regulations" in e and "2 figures for 3 columns" in e for e in build.errors)


def test_blank_at_the_row_edge_with_grid_coordinates_is_placed():
    build = run([(cell("规章", 0, 0), L.ROW_LABEL), (cell("", 0, 1), L.CELL_VALUE),
                 (cell("1", 0, 2), L.CELL_VALUE), (cell("3", 0, 3), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["regulations"] == {"issued": None, "repealed": 1, "in_force": 3}


def test_grid_row_with_extra_cell_is_placed_by_header_columns():
    items = [(cell("信息内容", 0, 0), L.COLUMN_HEADER), (cell("本年制发件数", 0, 1), L.COLUMN_HEADER),
             (cell("本年废止件数", 0, 2), L.COLUMN_HEADER), (cell("现行有效件数", 0, 3), L.COLUMN_HEADER),
             (cell("规章", 1, 0), L.ROW_LABEL), (cell("4", 1, 1), L.CELL_VALUE), (cell("5", 1, 2), L.CELL_VALUE),
             (cell("6", 1, 3), L.CELL_VALUE), (cell("", 1, 4), L.CELL_VALUE)]
    assert run(items).tables["active_disclosure"]["regulations"] == {"issued": 4, "repealed": 5, "in_force": 6}


def test_all_blank_row_is_all_null():
    build = run([(cell("行政许可"), L.ROW_LABEL), (cell("/"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": None}
    build = run([(cell("行政许可"), L.ROW_LABEL), (cell(""), L.CELL_VALUE), (cell(""), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": None}


def test_a_labelled_grid_row_without_any_value_cell_is_named_not_blank():
    # The loader gave the label and nothing else: the figures may be printed where nothing was read.
    items = [(cell("规章", 0, 0), L.ROW_LABEL), (cell("行政许可", 1, 0), L.ROW_LABEL), (cell("5", 1, 1), L.CELL_VALUE)]
    build = run(items)
    assert "regulations" not in build.tables["active_disclosure"]
    named = [e for e in build.errors if e.startswith("active_disclosure.regulations:")]
    assert len(named) == 1 and "no cells" in named[0]
    for field in ("issued", "repealed", "in_force"):
        assert f"active_disclosure.regulations.{field}" in named[0]
    assert not any("rows not found" in e and "regulations" in e for e in build.errors)  # found, not used
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 5}


def test_a_labelled_row_without_any_value_token_in_plain_text_is_named():
    build = run([(cell("行政许可"), L.ROW_LABEL), (Token(text="正文"), L.PROSE)])
    assert "administrative_licensing" not in build.tables["active_disclosure"]
    assert any(e.startswith("active_disclosure.administrative_licensing:")
               and "active_disclosure.administrative_licensing.decisions" in e for e in build.errors)


def test_printed_blank_cells_in_a_grid_row_stay_blank_without_error():
    items = [(cell("规章", 0, 0), L.ROW_LABEL), (cell("", 0, 1), L.CELL_VALUE), (cell("/", 0, 2), L.CELL_VALUE),
             (cell("—", 0, 3), L.CELL_VALUE)]
    build = run(items)
    assert build.tables["active_disclosure"]["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert not any("regulations" in e for e in build.errors)


def test_a_column_with_no_cell_in_a_grid_row_is_left_out_and_named():
    headers = [(cell("信息内容", 0, 0), L.COLUMN_HEADER), (cell("本年制发件数", 0, 1), L.COLUMN_HEADER),
               (cell("本年废止件数", 0, 2), L.COLUMN_HEADER), (cell("现行有效件数", 0, 3), L.COLUMN_HEADER)]
    items = headers + [(cell("规章", 1, 0), L.ROW_LABEL), (cell("4", 1, 1), L.CELL_VALUE),
                       (cell("6", 1, 3), L.CELL_VALUE)]
    build = run(items)
    assert build.tables["active_disclosure"]["regulations"] == {"issued": 4, "in_force": 6}
    assert any(e.startswith("active_disclosure.regulations:") and "active_disclosure.regulations.repealed" in e
               and "active_disclosure.regulations.issued" not in e for e in build.errors)


def test_unreadable_figure_is_null_and_named():
    build = run([(cell("行政许可"), L.ROW_LABEL), (cell("1O8"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": None}
    assert any("administrative_licensing.decisions" in e and "1O8" in e for e in build.errors)


def test_fraction_in_a_count_is_unreadable_but_amount_keeps_decimals():
    build = run([(cell("行政处罚"), L.ROW_LABEL), (cell("2.5"), L.CELL_VALUE),
                 (cell("行政事业性收费"), L.ROW_LABEL), (cell("2 648.52"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_punishment"] == {"decisions": None}
    assert build.tables["active_disclosure"]["administrative_fees"] == {"amount": 2648.52}


def test_pdf_glyphs_without_unicode_are_flagged():
    tok = Token(text="(cid:12)", cell=True, unreadable=True)
    build = run([(cell("行政许可"), L.ROW_LABEL), (tok, L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": None}
    assert any("could not be read" in e for e in build.errors)


def test_low_confidence_ocr_value_is_kept_and_flagged():
    tok = Token(text="7", cell=True, confidence=0.5)
    build = run([(cell("行政许可"), L.ROW_LABEL), (tok, L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 7}
    assert any("low confidence" in e for e in build.errors)


def test_ocr_values_no_rule_checks_are_held_to_stricter_limits():
    # 0.92 passes where consistency rules check the figures (applications), not in table 1.
    def ocr(text, confidence=0.92, rival=0.0):
        return Token(text=text, cell=True, confidence=confidence, digit_rival=rival)

    items = [(cell("行政许可"), L.ROW_LABEL), (ocr("7"), L.CELL_VALUE),
             (cell("一、本年新收政府信息公开申请数量"), L.ROW_LABEL)] + [(ocr("1", rival=0.03), L.CELL_VALUE)] * 7
    build = run(items)
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 7}
    assert build.tables["applications"]["new_received"]["total"] == 1
    assert [e for e in build.errors if "low confidence" in e or "misread" in e] == [
        "active_disclosure.administrative_licensing.decisions: “7” was recognised with low confidence (0.92); check it"]
    build = run([(cell("行政许可"), L.ROW_LABEL), (ocr("7", confidence=0.99, rival=0.02), L.CELL_VALUE)])
    assert any("administrative_licensing.decisions" in e and "another digit 2% weight" in e for e in build.errors)
    build = run([(cell("行政许可"), L.ROW_LABEL), (ocr("7", confidence=0.99, rival=0.001), L.CELL_VALUE)])
    assert not any("administrative_licensing" in e for e in build.errors)


def test_nested_rows_use_the_group_printed_above():
    items = [(cell("三、本年度办理结果"), L.ROW_LABEL), (cell("(六)其他处理"), L.ROW_LABEL),
             (cell("3.其他"), L.ROW_LABEL)] + [(cell(str(i)), L.CELL_VALUE) for i in (1, 0, 0, 0, 0, 0, 1)]
    assert run(items).tables["applications"]["other_other"]["total"] == 1


def test_review_table_takes_fifteen_figures_in_standard_order():
    items = [(cell("行政复议"), L.COLUMN_HEADER), (cell("结果"), L.COLUMN_HEADER)]
    items += [(cell(str(i)), L.CELL_VALUE) for i in range(15)]
    table = run(items).tables["review_litigation"]
    assert table["administrative_review"]["upheld"] == 0
    assert table["litigation_direct"]["upheld"] == 5
    assert table["litigation_after_review"]["total"] == 14


def test_review_table_with_wrong_count_is_refused():
    items = [(cell("行政复议"), L.COLUMN_HEADER)] + [(cell("0"), L.CELL_VALUE)] * 14
    build = run(items)
    assert build.tables["review_litigation"] == {}
    assert any("14 figures" in e for e in build.errors)


def test_missing_rows_and_tables_are_reported_not_invented():
    build = run([(cell("规章"), L.ROW_LABEL)] + [(cell("0"), L.CELL_VALUE)] * 3)
    assert set(build.tables["active_disclosure"]) == {"regulations"}
    assert any("rows not found" in e and "normative_documents" in e for e in build.errors)
    assert "applications: the table was not found" in build.errors


def test_unknown_row_with_figures_is_reported():
    build = run([(cell("行政确认"), L.ROW_LABEL), (cell("5"), L.CELL_VALUE)])
    assert any("行政确认" in e and "not a row of the standard format" in e for e in build.errors)


def test_a_row_printed_twice_keeps_the_first_and_says_so():
    items = [(cell("行政许可"), L.ROW_LABEL), (cell("1"), L.CELL_VALUE),
             (cell("行政许可"), L.ROW_LABEL), (cell("2"), L.CELL_VALUE)]
    build = run(items)
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 1}
    assert any("printed twice" in e for e in build.errors)


def test_furniture_inside_a_table_does_not_break_rows():
    items = [(cell("规章"), L.ROW_LABEL), (cell("1"), L.CELL_VALUE),
             (Token(text="- 2 -", furniture=True), L.FURNITURE), (cell("2"), L.CELL_VALUE), (cell("3"), L.CELL_VALUE)]
    assert run(items).tables["active_disclosure"]["regulations"] == {"issued": 1, "repealed": 2, "in_force": 3}


def test_loose_digits_before_a_figure_put_it_in_doubt():
    # "1" on a line of its own, then "0865": a page number, or 10865 broken across lines.
    items = [(cell("行政许可"), L.ROW_LABEL), (Token(text="1"), L.FURNITURE), (cell("0865"), L.CELL_VALUE)]
    build = run(items)
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 865}
    assert any("active_disclosure.administrative_licensing.decisions" in e and "10865" in e for e in build.errors)
    items = [(cell("行政许可"), L.ROW_LABEL), (Token(text="10"), L.FURNITURE), (cell("865"), L.CELL_VALUE)]
    assert any("administrative_licensing.decisions" in e for e in run(items).errors)


def test_loose_digits_followed_by_a_running_header_are_a_page_number():
    items = [(cell("行政许可"), L.ROW_LABEL), (Token(text="5"), L.FURNITURE),
             (Token(text="某某区人民政府2022年政府信息公开工作年度报告"), L.FURNITURE), (cell("12"), L.CELL_VALUE)]
    build = run(items)
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 12}
    assert not any("administrative_licensing" in e for e in build.errors)


def test_a_figure_with_a_leading_zero_is_flagged():
    build = run([(cell("行政许可"), L.ROW_LABEL), (cell("0865"), L.CELL_VALUE)])
    assert any("administrative_licensing.decisions" in e and "leading zero" in e for e in build.errors)
    build = run([(cell("行政事业性收费"), L.ROW_LABEL), (cell("0.5"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_fees"] == {"amount": 0.5}
    assert not any("leading zero" in e for e in build.errors)


def test_invisible_characters_inside_figures_are_ignored():
    build = run([(cell("行政许可"), L.ROW_LABEL), (cell("\u00a01\u200b2\ufeff"), L.CELL_VALUE)])
    assert build.tables["active_disclosure"]["administrative_licensing"] == {"decisions": 12}
    assert not any("administrative_licensing" in e for e in build.errors)
