from extractor.normalize import clean, for_matching, is_traditional, number_text, strip_pinyin


def test_inline_pinyin_is_removed_after_cjk_only():
    assert strip_pinyin("永興傣族鄉(xiāng)以") == "永興傣族鄉以"
    assert strip_pinyin("事業(yè)性") == "事業性"
    assert strip_pinyin("(一)予以公开") == "(一)予以公开"
    assert strip_pinyin("收费(单位:万元)") == "收费(单位:万元)"


def test_traditional_folds_to_simplified_for_matching():
    assert clean("行政規(guī)範性文件") == "行政规范性文件"
    assert for_matching("（二）部分公開（區分處理的）") == "二部分公开区分处理的"


def test_script_detection():
    assert is_traditional("以習近平新時代中國特色社會主義思想為指導")
    assert not is_traditional("以习近平新时代中国特色社会主义思想为指导")


def test_number_text_folds_width_and_inner_spaces():
    assert number_text("２ 648.52") == "2648.52"
    assert number_text("1 0865") == "10865"
    assert number_text(" ３ ") == "3"


def test_ocr_readings_of_outline_numbers_fold_for_matching_only():
    from extractor.matching import is_block_title, match_section_heading

    # a scan read 、 as the radical 丶 and 一 as a dot between brackets: headings still match
    assert clean("二丶主動公開政府信息情况") == "二、主动公开政府信息情况"
    assert match_section_heading("二丶主動公開政府信息情况") == "active_disclosure"
    assert match_section_heading("四·政府信息公開行政複丶行政情况") == "review_litigation"
    assert is_block_title("第二十條第（·）頂") and is_block_title("第二十条第（-）项")
    # figures and ranges keep their dashes
    assert clean("2019-2020") == "2019-2020" and clean("增/减 -3") == "增/减 -3"
