"""report.md from metrics.json, the history of other versions, and `ogi eval --compare`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .metrics import OUTCOMES, headline

# Headline figures: (key of metrics.headline, how it reads, is it a rate).
HEADLINE_ROWS = (
    ("cell_accuracy", "cell accuracy", True),
    ("documents_all_cells_right", "inputs with every cell right", True),
    ("documents_exact", "inputs exact (cells, sections, report fields)", True),
    ("gold_documents_right_everywhere", "gold documents with every cell right in every format", True),
    ("section_heading_accuracy", "section heading accuracy", True),
    ("section_body_accuracy", "section body (boundary) accuracy", True),
    ("token_accuracy", "token tag accuracy", True),
    ("token_macro_f1", "token tag macro F1", True),
    ("check_pass_rate", "consistency checks passed", True),
    ("silent_errors", "silent errors (ok with a wrong cell; must be 0)", False),
    ("flagged_wrong", "needs_review with a wrong cell", False),
    ("flagged_right", "needs_review though every cell right (unexpected)", False),
    ("failed", "failed", False),
    ("pages_per_second", "pages per second (load+tag+assemble)", False),
)


# --- formatting -------------------------------------------------------------------------------

def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def figure(value: float | None, rate: bool) -> str:
    return pct(value) if rate else num(value)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table; '|' inside a cell is escaped."""
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- history ----------------------------------------------------------------------------------

def load_history(out_dir: Path) -> list[dict]:
    """metrics.json of every report folder under `out_dir`, oldest first."""
    runs = []
    for path in sorted(Path(out_dir).glob("*/metrics.json")):
        try:
            metrics = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(metrics, dict) and "overall" in metrics and "run" in metrics:
            runs.append(metrics)
    return sorted(runs, key=lambda m: m["run"].get("date") or "")


def resolve_metrics(ref: str, out_dir: Path) -> dict:
    """metrics.json named by a report folder name under `out_dir`, a folder path or a file path."""
    candidates = [Path(ref), Path(ref) / "metrics.json", Path(out_dir) / ref / "metrics.json"]
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text("utf-8"))
    known = sorted(p.parent.name for p in Path(out_dir).glob("*/metrics.json"))
    raise FileNotFoundError(f"no metrics.json for {ref!r} (looked in {', '.join(map(str, candidates))}); "
                            f"versions under {out_dir}: {', '.join(known) or 'none'}")


# --- report.md --------------------------------------------------------------------------------

def _group_rows(groups: dict[str, dict]) -> list[list[object]]:
    rows = []
    for name, m in groups.items():
        rows.append([name, m["documents"]["inputs"], m["cells"]["cells"], pct(m["cells"]["accuracy"]),
                     pct(m["documents"]["all_cells_right_rate"]), pct(m["documents"]["exact_rate"]),
                     pct(m["sections"]["heading_accuracy"]), pct(m["sections"]["body_accuracy"]),
                     pct(m["tokens"]["macro"]["f1"]), pct(m["checks"]["pass_rate"]),
                     m["status"]["silent_errors"], m["status"]["flagged_wrong"], m["status"]["flagged_right"],
                     m["status"]["failed"]])
    return rows


_GROUP_HEADERS = ("group", "inputs", "cells", "cell acc.", "all cells right", "exact", "headings", "bodies",
                  "tag macro F1", "checks passed", "silent errors", "flagged wrong", "flagged right", "failed")


def _worst(documents: list[dict], n: int) -> list[dict]:
    def badness(d: dict) -> tuple:
        sections_wrong = sum(not (s["heading_ok"] and s["body_ok"]) for s in d["sections"])
        fields_wrong = sum(not ok for ok in d["report_fields"].values())
        return (d["status"] == "ok" and d["cells"]["wrong"] > 0, d["cells"]["wrong"], sections_wrong, fields_wrong,
                d["status"] == "failed")

    bad = [d for d in documents if any(badness(d)[1:])]
    return sorted(bad, key=badness, reverse=True)[:n]


def _document_lines(d: dict, max_cells: int = 15) -> list[str]:
    lines = [(f"### {d['doc_id']} as {d['format']} ({d['layout']}, {d['origin']}): {d['status']}, "
              f"{d['cells']['wrong']} wrong cell(s) of {d['cells']['gold']}"), ""]
    if d["status"] == "ok" and d["cells"]["wrong"]:
        lines += ["**Silent error: status ok with wrong cells.**", ""]
    if d["wrong_cells"]:
        shown = d["wrong_cells"][:max_cells]
        rows = [[f"{c['table']}.{c['row']}.{c['column']}", short(c["expected"]), short(c["got"])] for c in shown]
        lines += md_table(("cell", "expected", "got"), rows)
        if d["cells"]["wrong"] > len(shown):
            lines.append(f"\n… and {d['cells']['wrong'] - len(shown)} more (metrics.json lists up to "
                         f"{len(d['wrong_cells'])}).")
        lines.append("")
    sections = [s for s in d["sections"] if not (s["heading_ok"] and s["body_ok"])]
    if sections:
        lines.append("Sections wrong: " + ", ".join(
            f"{s['id']} ({'missing' if not s['found'] else 'heading' if not s['heading_ok'] else 'body'})"
            for s in sections))
    fields = [k for k, ok in d["report_fields"].items() if not ok]
    if fields:
        lines.append("Report fields wrong: " + ", ".join(fields))
    if d["errors"]:
        lines.append("Errors reported: " + "; ".join(short(e, 160) for e in d["errors"][:5]))
    return lines + [""]


def _headline_table(columns: list[tuple[str, dict | None]]) -> list[str]:
    heads = [(name, headline(m) if m else None) for name, m in columns]
    rows = [[label] + [figure(h[key], rate) if h else "—" for _, h in heads] for key, label, rate in HEADLINE_ROWS]
    return md_table(["figure"] + [name for name, _ in columns], rows)


def _baseline_lines(metrics: dict) -> list[str]:
    name = metrics["run"]["report"]
    columns: list[tuple[str, dict | None]] = [(f"{name} (this run)", metrics["overall"])]
    notes = []
    for baseline, body in metrics.get("baselines", {}).items():
        if "unavailable" in body:
            notes.append(f"- {baseline}: not run ({body['unavailable']})")
        else:
            columns.append((f"{baseline} {body['model']['version']}", body["overall"]))
    lines = ["## Baselines on the same inputs", ""]
    if len(columns) == 1 and not notes:
        return lines + ["No baseline was run (--no-baselines, or the tagger under test is the only one).", ""]
    lines += _headline_table(columns) + [""]
    by_format = [[fmt] + [pct(metrics["by_format"][fmt]["cells"]["accuracy"])]
                 + [pct(metrics["baselines"][b]["by_format"].get(fmt, {}).get("cells", {}).get("accuracy"))
                    for b, body in metrics.get("baselines", {}).items() if "unavailable" not in body]
                 for fmt in metrics["by_format"]]
    if len(columns) > 1:
        lines += ["Cell accuracy per format:", ""]
        lines += md_table(["format"] + [c for c, _ in columns], by_format) + [""]
    return lines + notes + ([""] if notes else [])


def _challenge_columns(challenge: dict) -> list[tuple[str, dict]]:
    return [(f"{name} {body['model']['version']}" if body.get("model") else name, body)
            for name, body in challenge["taggers"].items() if "unavailable" not in body]


def _right_of(group: dict | None) -> str:
    if not group:
        return "—"
    return f"{group['all_cells_right']}/{group['inputs']} ({pct(group['all_cells_right_rate'], 0)})"


def challenge_lines(metrics: dict) -> list[str]:
    """report.md: the frozen challenge set, every tagger of the run side by side."""
    challenge = metrics.get("challenge")
    if not challenge:
        return []
    cset = challenge["set"]
    lines = [f"## Challenge set (frozen, never tuned on: {cset['name']} v{cset['version']}, seed {cset['seed']})", "",
             (f"{cset['documents']} synthetic documents, {cset['inputs']} input(s), gold {cset['gold_sha256'][:12]}; "
              f"each read in one layout (no ruling lines, text copies, the official grid) with reworded rows and "
              f"headings, added rows, OCR look-alikes, traditional script, 2019 and 2021 formats "
              f"(`annotations/challenge/manifest.json`; {challenge['seconds']} s)."), ""]
    columns = _challenge_columns(challenge)
    rows = []
    for name, body in columns:
        m = body["overall"]
        rows.append([name, m["documents"]["inputs"],
                     f"{m['documents']['all_cells_right']} ({pct(m['documents']['all_cells_right_rate'])})",
                     f"{m['documents']['exact']} ({pct(m['documents']['exact_rate'])})", pct(m["cells"]["accuracy"]),
                     m["status"]["silent_errors"], m["status"]["flagged_wrong"], m["status"]["failed"],
                     pct(m["tokens"]["macro"]["f1"])])
    lines += md_table(("tagger", "inputs", "all cells right", "exact", "cell acc.", "silent errors",
                       "flagged wrong", "failed", "tag macro F1"), rows) + [""]
    for title, key in (("format", "by_format"), ("variation", "by_variation")):
        names = list(dict.fromkeys(g for _, body in columns for g in body[key]))
        lines += [f"All cells right per {title}:", ""]
        lines += md_table([title] + [c for c, _ in columns],
                          [[g] + [_right_of(body[key].get(g)) for _, body in columns] for g in names]) + [""]
    silent = [(c, d) for c, body in columns for d in body["documents"] if d["outcome"] == "silent_error"]
    for name, d in silent:
        lines.append(f"- **silent error** ({name}): {d['doc_id']} as {d['format']}: {'; '.join(d['wrong_cells'])}")
    for name, body in challenge["taggers"].items():
        if "unavailable" in body:
            lines.append(f"- {name}: not run ({body['unavailable']})")
    for skip in challenge["skipped_inputs"]:
        lines.append(f"- skipped {skip['doc_id']} as {skip['format']}: {skip['reason']}")
    return lines + ([""] if lines[-1] else [])


def _history_lines(metrics: dict, history: list[dict]) -> list[str]:
    lines = ["## Versions", ""]
    if len(history) <= 1 and all(h["run"]["report"] == metrics["run"]["report"] for h in history):
        return lines + ["No other version has a report under this folder yet.", ""]
    gold_hash = metrics["run"]["gold"]["hash"]
    rows = []
    for h in history:
        run = h["run"]
        head = headline(h["overall"])
        same = "same" if run["gold"].get("hash") == gold_hash else "different"
        rows.append([run["report"] + (" (this run)" if run["report"] == metrics["run"]["report"] else ""),
                     run["date"][:10], run["gold"]["split"], same, pct(head["cell_accuracy"]),
                     pct(head["documents_all_cells_right"]), pct(head["section_body_accuracy"]),
                     pct(head["token_macro_f1"]), head["silent_errors"], num(head["pages_per_second"])])
    lines += md_table(("version", "date", "split", "gold vs this run", "cell acc.", "all cells right",
                       "bodies", "tag macro F1", "silent errors", "pages/s"), rows)
    return lines + ["", "Figures of runs on different gold are not comparable.", ""]


def render_report(metrics: dict, history: list[dict], *, figures: Sequence[Path] = (), worst: int = 10) -> str:
    """The Markdown report of one run."""
    run = metrics["run"]
    overall = metrics["overall"]
    code = run["code"]
    commit = (code.get("git_commit") or "unknown")[:12] + (" (uncommitted changes)" if code.get("git_dirty") else "")
    lines = [f"# Evaluation of {run['report']}", "",
             f"- tagger: `{run['tagger']}`, model {run['model']['name']} {run['model']['version']}",
             (f"- gold: `{run['gold']['dir']}`, split `{run['gold']['split']}`, {len(run['gold']['documents'])} "
              f"document(s) ({_some(run['gold']['documents'])}), hash {run['gold']['hash'][:12]}"),
             f"- formats: {', '.join(run['formats'])}; {run['inputs']} input file(s)"
             + (f", {len(run['skipped_inputs'])} skipped" if run["skipped_inputs"] else ""),
             f"- date {run['date']}, ogi-extractor {code.get('package_version')}, commit {commit}", ""]
    for skip in run["skipped_inputs"]:
        lines.append(f"- skipped {skip['doc_id']} as {skip['format']}: {skip['reason']}")
    if run["skipped_inputs"]:
        lines.append("")
    lines += ["## Headline", ""] + _headline_table([(run["report"], overall)]) + [""]
    lines += challenge_lines(metrics)
    status = overall["status"]
    lines += ["## Status honesty", "",
              ("`silent_error`: status ok with a wrong cell (must be zero). `ok_other_wrong`: ok, cells right, "
               "a section or report field wrong. `flagged_right_expected`: needs_review with every cell right "
               "because the printed figures themselves break a rule."), ""]
    lines += md_table(("group",) + OUTCOMES,
                      [["all"] + [status[o] for o in OUTCOMES]]
                      + [[f"format {k}"] + [g["status"][o] for o in OUTCOMES] for k, g in metrics["by_format"].items()]
                      + [[f"layout {k}"] + [g["status"][o] for o in OUTCOMES] for k, g in metrics["by_layout"].items()])
    lines += ["", "## Accuracy by format", ""] + md_table(_GROUP_HEADERS, _group_rows(metrics["by_format"]))
    lines += ["", "## Accuracy by layout", ""] + md_table(_GROUP_HEADERS, _group_rows(metrics["by_layout"]))
    lines += ["", "## Cell accuracy by table", ""]
    lines += md_table(("table", "cells", "right", "accuracy"),
                      [[t, v["cells"], v["right"], pct(v["accuracy"])] for t, v in overall["cells"]["by_table"].items()])
    tokens = overall["tokens"]
    lines += ["", f"## Token tags ({tokens['tokens']} tokens, accuracy {pct(tokens['accuracy'])})", ""]
    lines += md_table(("label", "precision", "recall", "F1", "support"),
                      [[k, pct(v["precision"]), pct(v["recall"]), pct(v["f1"]), v["support"]]
                       for k, v in tokens["per_label"].items()]
                      + [["**macro**", pct(tokens["macro"]["precision"]), pct(tokens["macro"]["recall"]),
                          pct(tokens["macro"]["f1"]), ""]])
    checks = overall["checks"]
    lines += ["", "## Consistency checks", "",
              (f"{checks['passed']} of {checks['evaluated']} checks passed ({pct(checks['pass_rate'])}); "
               f"{pct(checks['documents_all_passed_rate'])} of inputs passed all; the outcome agrees with the "
               f"gold's own figures for {pct(checks['agree_with_gold'])} of checks; "
               f"{checks['gold_documents_breaking_a_rule']} input(s) whose gold breaks a rule."), ""]
    lines += ["## Throughput", ""]
    lines += md_table(("group", "inputs", "pages", "load s", "tag s", "assemble s", "pages/s", "docs/s"),
                      [[k, g["throughput"]["documents"], g["throughput"]["pages"],
                        num(g["throughput"]["seconds"]["load"]), num(g["throughput"]["seconds"]["tag"]),
                        num(g["throughput"]["seconds"]["assemble"]), num(g["throughput"]["pages_per_second"]),
                        num(g["throughput"]["documents_per_second"])]
                       for k, g in [("all", overall), *metrics["by_format"].items()]])
    lines += ["", "Rendering the inputs is not counted; loading includes LibreOffice for .doc.", ""]
    worst_docs = _worst(metrics.get("documents", []), worst)
    lines += [f"## Worst documents (up to {worst})", ""]
    if not worst_docs:
        lines += ["Every input came out exact: all cells, sections and report fields right.", ""]
    for d in worst_docs:
        lines += _document_lines(d)
    lines += _baseline_lines(metrics)
    lines += _history_lines(metrics, history)
    if figures:
        lines += ["## Figures", ""] + [f"![{Path(p).stem}]({Path(p).as_posix()})" for p in figures] + [""]
    return "\n".join(lines)


def write_report(metrics: dict, history: list[dict], path: Path, *, figures: Sequence[Path] = (),
                 worst: int = 10) -> Path:
    path.write_text(render_report(metrics, history, figures=figures, worst=worst), encoding="utf-8")
    return path


def summary_line(metrics: dict) -> str:
    """One line for the terminal after a run."""
    h = headline(metrics["overall"])
    line = (f"{metrics['run']['report']}: {metrics['run']['inputs']} inputs, cell accuracy {pct(h['cell_accuracy'])}, "
            f"all cells right {pct(h['documents_all_cells_right'])}, section bodies {pct(h['section_body_accuracy'])}, "
            f"tag macro F1 {pct(h['token_macro_f1'])}, silent errors {h['silent_errors']}, "
            f"{num(h['pages_per_second'])} pages/s")
    if metrics.get("challenge"):
        parts = [f"{name} {pct(body['overall']['documents']['all_cells_right_rate'])} "
                 f"(silent errors {body['overall']['status']['silent_errors']})"
                 for name, body in _challenge_columns(metrics["challenge"])]
        line += "\nchallenge set, inputs with every cell right: " + ", ".join(parts)
    return line


# --- ogi eval --compare -----------------------------------------------------------------------

def _delta(a: float | None, b: float | None, rate: bool) -> str:
    if a is None or b is None:
        return ""
    d = b - a
    if rate:
        return f"{100 * d:+.1f} pt"
    return f"{d:+d}" if isinstance(d, int) else f"{d:+.2f}"


def compare_runs(a: dict, b: dict) -> str:
    """Plain-text difference between two runs' metrics (B minus A)."""
    name_a, name_b = a["run"]["report"], b["run"]["report"]
    lines = [f"A = {name_a} ({a['run']['date']}, split {a['run']['gold']['split']})",
             f"B = {name_b} ({b['run']['date']}, split {b['run']['gold']['split']})"]
    if a["run"]["gold"].get("hash") != b["run"]["gold"].get("hash"):
        lines.append("warning: the two runs saw different gold; their figures are not comparable")
    if a["run"].get("formats") != b["run"].get("formats"):
        lines.append(f"warning: formats differ: {a['run'].get('formats')} vs {b['run'].get('formats')}")
    rows: list[tuple[str, str, str, str]] = []
    ha, hb = headline(a["overall"]), headline(b["overall"])
    for key, label, rate in HEADLINE_ROWS:
        rows.append((label, figure(ha[key], rate), figure(hb[key], rate), _delta(ha[key], hb[key], rate)))
    for fmt in dict.fromkeys([*a.get("by_format", {}), *b.get("by_format", {})]):
        va = a.get("by_format", {}).get(fmt, {}).get("cells", {}).get("accuracy")
        vb = b.get("by_format", {}).get(fmt, {}).get("cells", {}).get("accuracy")
        rows.append((f"cell accuracy, {fmt}", pct(va), pct(vb), _delta(va, vb, True)))
    la, lb = a["overall"]["tokens"]["per_label"], b["overall"]["tokens"]["per_label"]
    for label in dict.fromkeys([*la, *lb]):
        va, vb = la.get(label, {}).get("f1"), lb.get(label, {}).get("f1")
        rows.append((f"F1 {label}", pct(va), pct(vb), _delta(va, vb, True)))
    width = max(len(r[0]) for r in rows)
    lines.append("")
    lines.append(f"{'figure':<{width}}  {'A':>9}  {'B':>9}  change")
    lines += [f"{r[0]:<{width}}  {r[1]:>9}  {r[2]:>9}  {r[3]}" for r in rows]
    return "\n".join(lines)


def _some(names: list[str], shown: int = 8) -> str:
    """The first names of a long list, and how many more."""
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
