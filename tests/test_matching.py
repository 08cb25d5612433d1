import pytest

from extractor import matching


@pytest.mark.parametrize("printed, group, key", [
    ("1.属于国家秘密", "不予公开", "denied_state_secret"),
    ("(三)不予公开 1.属于国家秘密", None, "denied_state_secret"),
    ("（二）部分公开", None, "partially_granted"),
    ("(二)部分公開(區(qū)分處理的,只計這一情形,不計其他情形)", None, "partially_granted"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开", "其他处理", "other_unpaid_fee"),
    ("3. 其他", "其他处理", "other_other"),
    ("（七）总计", None, "total_processed"),
    ("四、結轉下年度繼續(xù)辦理", None, "carried_forward"),
    ("一、本年新收政府信息公开申请数量", None, "new_received"),
])
def test_application_rows_match_despite_numbering_script_and_truncation(printed, group, key):
    assert matching.match_application_row(printed, "2021", group)[0] == key


def test_group_labels_are_recognised():
    assert matching.match_application_group("(三)不予公开", "2021") == "不予公开"
    assert matching.match_application_group("三、本年度辦理結果", "2021") == "本年度办理结果"
    assert matching.match_application_group("1.属于国家秘密", "2021") is None


def test_2019_other_processing_is_a_row_not_a_group():
    assert matching.match_application_group("（六）其他处理", "2019") is None
    assert matching.match_application_row("（六）其他处理", "2019")[0] == "other"


def test_unrelated_text_matches_no_row():
    assert matching.match_application_row("联系电话", "2021")[0] is None
    assert matching.match_disclosure_row("联系电话", "2021")[0] is None


@pytest.mark.parametrize("printed, key", [
    ("一、总体情况", "overview"),
    ("一、總體情況", "overview"),
    ("二、行政机关主动公开政府信息情况", "active_disclosure"),
    ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
    ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
    ("六、其他需要报告的事项", "other_matters"),
    ("一、本年新收政府信息公开申请数量", None),
    ("四、结转下年度继续办理", None),
    ("一、总体情况。我局在2024年认真贯彻落实条例的要求，不断提高公开的质量和水平，做了大量工作。", None),
])
def test_section_headings(printed, key):
    assert matching.match_section_heading(printed) == key


def test_format_detection_by_printed_headers_then_year():
    assert matching.detect_format(["本年制发件数", "现行有效件数"]) == "2021"
    assert matching.detect_format(["本年新制作数量", "对外公开总数量", "政府集中采购"]) == "2019"
    assert matching.detect_format(["一、总体情况"], year=2020) == "2019"
    assert matching.detect_format(["一、总体情况"], year=2023) == "2021"
