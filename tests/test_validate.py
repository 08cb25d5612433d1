from extractor import schema
from extractor.validate import validate


def zero_applications(fmt="2021"):
    cols = [k for k, _ in schema.application_columns(fmt)]
    return {row: dict.fromkeys(cols, 0) for row, _ in schema.application_rows(fmt)}


def failing(checks):
    return [(c["rule"], c.get("column") or c.get("row") or c.get("group")) for c in checks if not c["ok"]]


def test_all_zero_tables_pass_every_rule():
    checks = validate({"applications": zero_applications(), "review_litigation": {}}, "2021")
    assert checks and not failing(checks)
    rules = {c["rule"] for c in checks}
    assert rules == {"applications.balance", "applications.row_total", "applications.processed_sum"}


def test_each_rule_catches_its_own_break():
    apps = zero_applications()
    apps["new_received"].update(natural_person=6, total=6)
    apps["granted"].update(natural_person=6, total=6)
    apps["total_processed"].update(natural_person=6, total=6)
    assert not failing(validate({"applications": apps}, "2021"))
    apps["granted"]["total"] = 5  # breaks the row total and the processed sum of column total
    assert set(failing(validate({"applications": apps}, "2021"))) == {
        ("applications.row_total", "granted"), ("applications.processed_sum", "total")}


def test_balance_detail_reads_like_the_contract():
    apps = zero_applications()
    apps["new_received"].update(natural_person=6, total=6)
    apps["total_processed"].update(natural_person=6, total=6)
    apps["granted"].update(natural_person=6, total=6)
    check = next(c for c in validate({"applications": apps}, "2021")
                 if c["rule"] == "applications.balance" and c["column"] == "total")
    assert check == {"rule": "applications.balance", "column": "total", "ok": True, "detail": "6 + 0 = 6 + 0"}


def test_blank_counts_as_zero_and_missing_rows_skip_the_rule():
    apps = zero_applications()
    apps["carried_over"]["total"] = None
    del apps["carried_forward"]
    checks = validate({"applications": apps}, "2021")
    assert not failing(checks)
    assert not [c for c in checks if c["rule"] == "applications.balance"]


def test_review_group_total():
    review = {"administrative_review": {"upheld": 1, "corrected": 1, "other": 0, "pending": 1, "total": 2}}
    assert failing(validate({"review_litigation": review}, "2021")) == [
        ("review_litigation.group_total", "administrative_review")]


def test_2019_processed_sum_includes_other_processing():
    apps = zero_applications("2019")
    apps["other"].update(natural_person=1, total=1)
    assert ("applications.processed_sum", "total") in failing(validate({"applications": apps}, "2019"))
