"""Tables of Word documents printed to PDF (issue 26): narrow columns, headers and labels wrapped
over several lines, figures centred on a wrapped label. Lines are the pieces the PDF loader gave
for reports of the second renderer (extractor.render.wordprint), positions in points."""

from __future__ import annotations

from extractor.geometry.columns import figure_pieces, is_figure, read_tables, split_blocks, table_regions
from extractor.geometry.positions import Piece, PosLine
from extractor.values import looks_like_value, parse_value

UNIT = 12.0
PROSE = PosLine((Piece("本机关认真落实政府信息公开工作要求，全年共收到政府信息公开申请，均按时答复。", 85, 517),),
                1, 400, 412, 0)


def lines_of(*rows: tuple[float, tuple[tuple[str, float, float], ...]], page: int = 1) -> list[PosLine]:
    out = [PROSE]
    for top, pieces in rows:
        out.append(PosLine(tuple(Piece(t, x0, x1) for t, x0, x1 in pieces), page, top, top + 12, len(out)))
    return out


# The applications table's header: its note (本列数据的勾稽关系为：…) wrapped over four lines of the
# first column, level with the applicant headers wrapped over three.
APPLICATIONS_HEAD = (
    (444.2, (("申请人情况", 342.9, 402.9),)),
    (454.8, (("（本列数据的勾稽关系", 119.3, 239.3),)),
    (463.5, (("法人或其他组织", 330.9, 414.9),)),
    (472.1, (("为：第一项加第二项之", 119.3, 239.3),)),
    (481.7, (("自然", 255.1, 279.1), ("社会", 360.9, 384.9), ("法律", 397.0, 421.0))),
    (489.3, (("和，等于第三项加第四", 119.3, 239.3), ("商业", 291.2, 315.2), ("科研", 324.8, 348.8),
             ("总计", 466.7, 490.7))),
    (499.0, (("人", 261.1, 273.1), ("公益", 360.9, 384.9), ("服务", 397.0, 421.0), ("其他", 430.5, 454.5))),
    (506.6, (("项之和）", 155.3, 203.3), ("企业", 291.2, 315.2), ("机构", 324.8, 348.8))),
    (517.2, (("组织", 360.9, 384.9), ("机构", 397.0, 421.0))),
)
FIGURE_XS = ((250.8, 257.5), (289.5, 296.2), (323.0, 329.7), (356.5, 363.2), (395.2, 401.9), (428.7, 435.4),
             (462.2, 468.9))


def figures_at(*texts: str) -> tuple[tuple[str, float, float], ...]:
    return tuple((t, x0, x0 + 6.7 * len(t)) for t, (x0, _) in zip(texts, FIGURE_XS) if t)


def test_a_header_note_wrapped_with_commas_is_part_of_the_header_not_prose():
    lines = lines_of(*APPLICATIONS_HEAD,
                     (536.5, (("一、本年新收政府信息公开申请数量", 119.3, 239.3),) + figures_at(*"1000001")),
                     (573.0, (("二、上年结转政府信息公开申请数量", 119.3, 239.3),) + figures_at(*"0000000")))
    ((head, first, last),) = table_regions(lines, UNIT)
    assert lines[head].text == "申请人情况" and (first, last) == (10, 11)
    (table,) = read_tables(lines, UNIT)
    row = sorted((c.col, c.text) for c in table.cells if c.row == 1)
    assert [t for _, t in row] == ["一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"]


def test_a_row_label_wrapped_with_a_comma_inside_its_brackets_does_not_end_the_table():
    lines = lines_of(*APPLICATIONS_HEAD,
                     (536.5, (("（一）予以公开", 152.2, 236.2),) + figures_at(*"3000003")),
                     (556.0, (("（二）部分公开", 152.2, 236.2),)),
                     (573.0, (("（区分处理的，只", 146.2, 242.2),)),
                     (582.0, figures_at(*"0000000")),
                     (590.2, (("计这一情形，不计", 146.2, 242.2),)),
                     (607.5, (("其他情形）", 164.2, 224.2),)),
                     (626.0, (("（三）不予公开", 152.2, 236.2),) + figures_at(*"1000001")))
    ((_, first, last),) = table_regions(lines, UNIT)
    assert (first, last) == (10, len(lines) - 1)


def test_the_last_line_of_a_paragraph_still_ends_a_table_above_it():
    tail = PosLine((Piece("均按时答复。", 85, 157),), 1, 430, 442, 1)
    lines = [PROSE, tail] + lines_of(*APPLICATIONS_HEAD)[1:]
    lines += [PosLine((Piece("一、本年新收政府信息公开申请数量", 119.3, 239.3),) + tuple(
        Piece(t, x0, x1) for t, x0, x1 in figures_at(*"1000001")), 1, 536.5, 548.5, len(lines))]
    ((head, _, _),) = table_regions(lines, UNIT)
    assert head == 2  # the header, not the paragraph's short last line


def test_header_words_wrapped_above_a_centred_first_column_stay_in_its_block():
    # 「信息内容」 is centred in its cell, so the wrapped header words stand above it
    lines = lines_of(
        (690.0, (("第二十条第（一）项", 85, 193),)),
        (703.0, (("本年新制", 259, 307), ("本年新公", 337, 385), ("对外公开", 415, 463))),
        (712.0, (("信息内容", 163, 211),)),
        (720.0, (("作数量", 259, 295), ("开数量", 337, 373), ("总数量", 415, 451))),
        (740.0, (("规章", 175, 199), ("0", 259, 265), ("0", 337, 343), ("2", 415, 422))),
        (760.0, (("规范性文件", 157, 217), ("0", 259, 265), ("18", 337, 349), ("107", 415, 434))),
    )
    ((head, _, last),) = table_regions(lines, UNIT)
    assert split_blocks(lines, head, last, UNIT) == [(2, last)]
    (table,) = read_tables(lines, UNIT)
    header = {c.col: c.text for c in table.cells if c.header}
    assert header[1] == "本年新制作数量" and header[3] == "对外公开总数量"


def test_a_lone_unit_character_is_a_wrapped_label_not_a_figure():
    # 「8.属于行政查询事」 wraps its last character 「项」 onto a line of its own
    assert not is_figure("项") and not looks_like_value("件")
    assert looks_like_value("12项") and looks_like_value("3 件") and parse_value("12项").value == 12
    line = PosLine((Piece("项", 212, 224),), 1, 600, 612, 0)
    assert figure_pieces(line, UNIT) == []


def body_cells(table) -> dict[int, list[str]]:
    rows: dict[int, list[tuple[int, str]]] = {}
    for c in table.cells:
        if not c.header:
            rows.setdefault(c.row, []).append((c.col, c.text))
    return {r: [t for _, t in sorted(cells)] for r, cells in rows.items()}


def test_figures_centred_on_a_label_wrapped_above_and_below_them_are_its_row():
    # Word centres a row's figures on its wrapped label: label, figures, label, then the next row,
    # whose group label 「三」 must not join the label above
    lines = lines_of(*APPLICATIONS_HEAD,
                     (536.5, (("一、本年新收政府信息", 119.3, 239.3),)),
                     (545.1, figures_at(*"7000108")),
                     (553.7, (("公开申请数量", 143.3, 215.3),)),
                     (573.0, (("二、上年结转政府信息", 119.3, 239.3),)),
                     (581.6, figures_at(*"0000000")),
                     (590.2, (("公开申请数量", 143.3, 215.3),)),
                     (609.5, (("三", 119.7, 131.7), ("（一）予以公开", 152.2, 236.2)) + figures_at(*"3000003")),
                     (626.7, (("、", 119.7, 131.7),)))
    (table,) = read_tables(lines, UNIT)
    rows = list(body_cells(table).values())
    assert rows[0][0] == "一、本年新收政府信息公开申请数量" and rows[0][-7:] == list("7000108")
    assert rows[1][0] == "二、上年结转政府信息公开申请数量" and rows[1][-7:] == list("0000000")
    assert rows[2][-8:] == ["（一）予以公开", *"3000003"] and "三" in rows[2][0]


def test_a_label_line_with_a_comma_cut_from_its_bracket_still_prints_figures():
    # 「（二）部分公開（區分處理 / 的，只計這一情形，不計其 0 0 … / 他情形）」: the middle line's
    # label is part of a bracketed remark, not a sentence
    lines = lines_of(*APPLICATIONS_HEAD,
                     (536.5, (("（一）予以公开", 136, 213),) + figures_at(*"1000001")),
                     (552.0, (("（二）部分公开（区分处理", 109, 241),)),
                     (568.0, (("的，只计这一情形，不计其", 109, 241),) + figures_at(*"2000002")),
                     (584.0, (("他情形）", 153, 197),)))
    (table,) = read_tables(lines, UNIT)
    rows = list(body_cells(table).values())
    assert rows[1] == ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *"2000002"]


def test_a_blank_column_of_a_narrow_review_table_is_found_under_its_header_word():
    # fifteen columns 25 pt apart, headers one character a line; the seventh column printed blank
    xs = [122 + 24.7 * k for k in range(15)]
    header = [(340.0, (("行政复议", 157, 205), ("行政诉讼", 342, 390)))]
    for n, chars in enumerate(("结维", "果持")):
        header.append((370.0 + 12 * n, tuple((chars[0] if k % 5 < 4 else "总", x + 3, x + 15) for k, x in enumerate(xs))))
    figures = tuple((str(k % 3), x, x + 6.5) for k, x in enumerate(xs) if k != 6)
    lines = lines_of(*header, (450.0, figures))
    (table,) = read_tables(lines, UNIT)
    row = body_cells(table)[1]
    assert len(row) == 15 and row[6] == "" and row[7] == "1"


def test_a_header_word_over_a_blank_column_is_its_own_though_the_next_figures_stand_close():
    # Word's review table, words and figures set left in columns 26 pt apart: the tenth column
    # (总计 of 未经复议直接起诉) printed blank; its header word ends 6 pt before the next column's
    # figures, nearer than a quarter pitch, yet it stands half a column from their middle
    xs = [91 + 26.2 * k for k in range(15)]
    header = [(340.0, (("行政复议", 91, 131), ("行政诉讼", 222, 262))),
              (352.0, tuple(("结果" if k % 5 < 4 else "总计", x, x + 20) for k, x in enumerate(xs)))]
    figures = tuple(("0", x, x + 5.6) for k, x in enumerate(xs) if k != 9)
    lines = lines_of(*header, (380.0, figures))
    (table,) = read_tables(lines, UNIT)
    row = body_cells(table)[1]
    assert len(row) == 15 and row[9] == "" and row[8] == row[10] == "0"


# A narrow applications table of Word's usual cells (words set left, figures set right): the
# figures stand right of their header words, under none of them, and the last two columns' figures
# stand 7 pt apart (from a tuning render of the second renderer, traditional script).
RIGHT_SET_HEAD = (
    (502.9, (("申請人情況", 296.4, 356.4),)),
    (526.2, (("法人或其他組織", 323.8, 407.8),)),
    (537.4, (("自然", 296.4, 320.4), ("商業", 323.8, 347.8), ("科研", 359.7, 383.7), ("社會", 396.6, 420.6),
             ("法", 434.3, 446.3), ("其他", 457.3, 481.3), ("總計", 490.4, 514.4))),
    (549.0, (("人", 296.4, 308.4), ("企業", 323.8, 347.8), ("機構", 359.7, 383.7), ("公益", 396.6, 420.6),
             ("律", 434.3, 446.3))),
    (560.6, (("組織", 396.6, 420.6), ("服", 434.3, 446.3))),
    (572.2, (("務", 434.3, 446.3),)),
    (583.8, (("機", 434.3, 446.3),)),
    (595.4, (("構", 434.3, 446.3),)),
)
RIGHT_EDGES = (321.9, 357.7, 394.6, 432.3, 455.4, 488.5, 515.9)


def right_set(*texts: str) -> tuple[tuple[str, float, float], ...]:
    return tuple((t, x1 - 6.7 * len(t), x1) for t, x1 in zip(texts, RIGHT_EDGES, strict=True) if t)


def test_figures_set_right_under_words_set_left_pair_with_their_header_by_order():
    lines = lines_of(*RIGHT_SET_HEAD,
                     (635.7, (("一、本年新收政府信息公開申請數量", 82.9, 274.9),) + right_set("0", "0", "0", "0", "0", "0", "226")),
                     (661.8, (("二、上年結轉政府信息公開申請數量", 82.9, 274.9),) + right_set("", "0", "0", "0", "0", "", "0")))
    (table,) = read_tables(lines, UNIT)
    header = {c.col: c.text for c in table.cells if c.row == 0 and c.col > 0}
    assert [header[c] for c in sorted(header) if c > 0][-7:] == ["自然人", "商業企業", "科研機構", "社會公益組織",
                                                             "法律服務機構", "其他", "總計"]
    cols = {c.col: c.text for c in table.cells if c.row == 1}
    assert [cols[c] for c in sorted(cols)][1:] == ["0", "0", "0", "0", "0", "0", "226"]
    cols = {c.col: c.text for c in table.cells if c.row == 2}
    assert [cols[c] for c in sorted(cols)][1:] == ["", "0", "0", "0", "0", "", "0"]


def test_a_first_column_blank_on_every_row_keeps_its_place_beside_figures_set_right():
    # 本年制发件数 over no figure at all; 本年废止件数's figures set right, clear of its words
    lines = lines_of((96.8, (("本年制發件", 305.4, 365.4), ("本年廢止", 369.5, 417.5))),
                     (105.4, (("信息內容", 92.0, 140.0), ("現行有效件數", 427.7, 499.7))),
                     (114.0, (("數", 305.4, 317.4), ("件數", 369.5, 393.5))),
                     (140.1, (("規章", 92.0, 116.0), ("0", 419.1, 425.8), ("0", 500.1, 506.8))),
                     (169.1, (("行政規範性文件", 92.0, 176.0), ("10", 413.4, 425.7), ("143", 487.8, 506.8))))
    (table,) = read_tables(lines, UNIT)
    rows = {}
    for cell in table.cells:
        rows.setdefault(cell.row, {})[cell.col] = cell.text
    assert [rows[1][c] for c in sorted(rows[1])] == ["規章", "", "0", "0"]
    assert [rows[2][c] for c in sorted(rows[2])] == ["行政規範性文件", "", "10", "143"]
    assert [rows[0][c] for c in sorted(rows[0]) if c > 0] == ["本年制發件數", "本年廢止件數", "現行有效件數"]


def test_two_pairings_that_both_hold_leave_the_block_to_order():
    # two header words over one figure column between them: position cannot tell which heads it
    from extractor.geometry.columns import paired_columns

    header = [PosLine((Piece("甲", 100, 112), Piece("乙", 160, 172)), 1, 0, 12, 0)]
    assert paired_columns(header, [(130.0, 137.0)], 0.0) is None
    assert paired_columns(header, [(140.0, 150.0), (175.0, 180.0)], 0.0) == [(100, 150.0), (160, 180.0)]


def chars_of(*parts: tuple[str, float], size: float = 11.0, start: float = 100.0) -> tuple:
    """(text, x0, x1) characters of a word: each part's characters edge to edge (CJK a full em,
    others half), each part after a gap of its own."""
    chars, x = [], start
    for text, gap in parts:
        x += gap
        for ch in text:
            width = size if ord(ch) > 0x2000 else size / 2
            chars.append((ch, x, x + width))
            x += width
    return tuple(chars)


def pieces_of(chars) -> list[str]:
    from extractor.geometry.pages import word_pieces
    from extractor.geometry.words import Word

    text = "".join(c[0] for c in chars)
    return [p.text for p in word_pieces(Word(text, chars[0][1], 0, chars[-1][2], 11, chars), 11.0)]


def test_two_cells_printed_too_close_for_the_word_finder_are_two_pieces():
    # a group label and its first row's label, 1.9 pt apart (Word's cell padding at 11 pt)
    assert pieces_of(chars_of(("（三）不予公", 0), ("1.属于国家秘密", 1.9))) == ["（三）不予公", "1.属于国家秘密"]
    # two header cells of a tight table 1 pt apart: Chinese characters never stand apart in a cell
    assert pieces_of(chars_of(("社会公益组", 0), ("法律服务机", 1.0))) == ["社会公益组", "法律服务机"]
    # a figure 1 pt after the label it ends: a piece of its own (the table reader decides by its place)
    assert pieces_of(chars_of(("正、行政机关不", 0), ("0", 1.0))) == ["正、行政机关不", "0"]
    assert pieces_of(chars_of(("第1", 0), ("23", 1.0))) == ["第123"]  # never inside a number
    # a tight table's cells without padding: a group label and a row label 0.4 pt apart at 9 pt
    assert pieces_of(chars_of(("（四）无法", 0), ("2.没有现成信息", 0.4))) == ["（四）无法", "2.没有现成信息"]


def test_the_space_set_beside_figures_and_evenly_spread_text_stay_one_piece():
    # LibreOffice's autospace between Chinese text and digits (0.15 em) is no cell boundary
    assert pieces_of(chars_of(("朝阳区人民政府", 0), ("2020", 1.65), ("年政府信息公开工作年度报告", 1.7))) == [
        "朝阳区人民政府2020年政府信息公开工作年度报告"]
    # a label spread over its cell (distributed alignment): every gap alike
    assert pieces_of(chars_of(*((ch, 2.0) for ch in "行政许可"))) == ["行政许可"]


def test_a_figure_1pt_after_its_label_is_a_cell_where_it_lines_up_with_other_rows():
    # a tight table (9 pt, no padding): 「…行政机关不」 wraps onto the figure line, its first figure 1 pt on
    head = ((100.0, (("信息内容", 120.0, 156.0), ("本年新收", 220.0, 256.0), ("上年结转", 262.0, 298.0))),)
    rows = ((120.0, (("行政许可", 160.0, 196.0), ("3", 216.4, 221.4), ("1", 257.6, 262.6))),
            (135.0, (("行政处罚", 160.0, 196.0), ("12", 216.4, 226.4), ("0", 257.6, 262.6))),
            (150.0, (("正、行政机关不", 152.4, 215.4), ("7", 216.4, 221.4), ("2", 257.6, 262.6))))
    lines = lines_of(*head, *rows)
    assert [p.text for p in figure_pieces(lines[-1], 9.0)] == ["2"]  # alone, too close to be one
    (table,) = read_tables(lines, 9.0)
    last = sorted((c.col, c.text) for c in table.cells if c.row == 3)
    assert [t for _, t in last] == ["正、行政机关不", "7", "2"]
    # the same figure standing where no other row's figure stands is no cell of its own
    moved = lines_of(*head, *rows[:2], (150.0, (("正、行政机关不", 152.4, 218.0), ("7", 219.0, 224.0),
                                               ("2", 257.6, 262.6))))
    assert all(c.text != "7" for table in read_tables(moved, 9.0) for c in table.cells)


def test_a_glyph_whose_text_is_several_characters_splits_like_any_other():
    # an undecodable glyph reads as (cid:N); the fuzz test found it broke the cut (ord() of a string)
    chars = (("规", 100.0, 111.0), ("(cid:12)", 111.0, 122.0), ("章", 122.0, 133.0), ("0", 135.0, 140.5))
    assert pieces_of(chars) == ["规(cid:12)章", "0"]


def test_a_sparse_table_whose_blank_rows_wrap_over_many_lines_stays_one_table():
    # a small body's 2021 report in narrow Word cells: after the first rows, 44 lines of row labels
    # wrapped five characters a line print no figure, onto the next page; the rows after them
    # print figures again under the same columns, and are read there, not as a table of their own
    head = (("申请人情况", 289, 482),)
    words = (("自然人", 289, 309), ("商业", 322, 334), ("科研", 347, 360), ("社会", 376, 389),
             ("法律", 405, 418), ("其他", 434, 446), ("总计", 462, 482))
    rows = [(100.0, head), (115.0, words), (130.0, (("一、本年新收政府信息公开申请数量", 110, 270), ("148", 289, 309),
                                                   ("37", 347, 360), ("37", 376, 389), ("37", 405, 418),
                                                   ("259", 462, 482)))]
    top = 145.0
    for n in range(11):  # 11 blank rows, each label wrapped over 4 lines
        for k, piece in enumerate((f"{n % 8 + 1}.要求提供", "公开出版物", "或其他材料", "等其他情形")):
            rows.append((top, ((piece, 213, 271),)))
            top += 13.0
    lines = lines_of(*rows)
    later = [PosLine((Piece("（七）总计", 180, 240), Piece("148", 289, 309), Piece("37", 347, 360),
                      Piece("37", 376, 389), Piece("37", 405, 418), Piece("259", 462, 482)), 2, 80, 92, len(lines))]
    lines += later
    assert len(table_regions(lines, UNIT, fmt="2021")) == 1
    (table,) = read_tables(lines, UNIT, fmt="2021")
    last = body_cells(table)[max(body_cells(table))]
    assert last[-7:] == ["148", "", "37", "37", "37", "", "259"]


def test_figures_set_right_pair_with_words_set_left_by_alike_offsets_when_a_column_is_blank():
    # a tight Word table: 本年制發件數 | 本年廢止件數 | 現行有效件數 set left, figures set right,
    # the middle column printed blank. Two pairings keep every cell clear of the next (19 under the
    # first or the second word); in one both figures stand 49 pt right of their words' ends alike
    header = [(100.0, (("信息內容", 74, 110), ("本年制發件數", 216, 270), ("本年廢止件數", 319, 373),
                       ("現行有效件數", 421, 475)))]
    lines = lines_of(*header, (115.0, (("行政規範性文件", 74, 137), ("19", 309, 319.2), ("46", 513, 523))))
    (table,) = read_tables(lines, UNIT)
    assert body_cells(table)[1][-3:] == ["19", "", "46"]
