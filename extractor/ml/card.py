"""The model card (README.md of a model directory), written from its meta.json: never edited by hand."""

from __future__ import annotations

import json
from pathlib import Path


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "–" if value is None else str(value)


def _per_label_table(per_label: dict) -> list[str]:
    lines = ["| label | F1 |", "|---|---|"]
    lines += [f"| {label} | {_fmt(f1)} |" for label, f1 in per_label.items()]
    return lines


def render_card(meta: dict) -> str:
    m = meta.get("metrics") or {}
    lines = [f"# {meta['name']}-{meta['version']}", "", meta.get("description", ""), "",
             "Generated from `meta.json` by `extractor.ml.card`; do not edit by hand.", "",
             "## What it is", "",
             f"- kind: `{meta['kind']}`; parameters: {meta.get('parameters', '–')}",
             (f"- works with extractor {meta['requires'].get('extractor')}; "
              f"input encoding version {(meta.get('encoding') or {}).get('version', '–')}"),
             f"- labels ({len(meta['labels'])}): {', '.join(meta['labels'])}",
             (f"- seed {meta.get('seed')}; training time {meta.get('training_seconds', '–')} s on "
              f"{meta.get('libraries', {}).get('torch', '?')} CPU")]
    if meta.get("base"):
        lines.append(f"- fine-tuned from: `{json.dumps(meta['base'], ensure_ascii=False)}`")
    data = meta.get("data") or {}
    if data:
        lines += ["", "## Data", ""]
        for split in ("train", "dev", "test"):
            if split in data:
                lines.append(f"- {split}: {data[split]['documents']} documents, {data[split]['tokens']} tokens")
        for source in data.get("sources", []):
            lines.append(f"- source: {source}")
        if data.get("hash"):
            lines.append(f"- data hash (sha256): `{data['hash']}`")
    lines += ["", "## Metrics", ""]
    if meta["kind"] == "base":
        lines.append(f"- final masked-LM loss: {_fmt(m.get('final_mlm_loss'))}")
    summary = [("dev (model selection)", m.get("dev")), ("held-out synthetic test", m.get("synthetic_test"))]
    seeds = m.get("seeds") or {}
    if seeds.get("all"):
        summary.append(("gold seeds, every format", seeds["all"]))
    rows = [(title, s) for title, s in summary if s]
    if rows:
        lines += ["Token tagging (macro F1 over the labels present; accuracy over tokens):", "",
                  "| data | macro F1 | accuracy | tokens |", "|---|---|---|---|"]
        lines += [f"| {title} | {_fmt(s['macro_f1'])} | {_fmt(s['accuracy'])} | {s['tokens']} |" for title, s in rows]
    if seeds.get("by_split"):
        lines += ["", ("Gold seeds by split (only `test` was never seen, train/dev renderings were trained on "
                       "or used for selection):"), "", "| split | macro F1 | accuracy | tokens |", "|---|---|---|---|"]
        lines += [f"| {split} | {_fmt(s['macro_f1'])} | {_fmt(s['accuracy'])} | {s['tokens']} |"
                  for split, s in seeds["by_split"].items()]
    if seeds.get("by_format"):
        lines += ["", "Gold seeds by format:", "", "| format | macro F1 | accuracy | tokens |", "|---|---|---|---|"]
        lines += [f"| {fmt} | {_fmt(s['macro_f1'])} | {_fmt(s['accuracy'])} | {s['tokens']} |"
                  for fmt, s in seeds["by_format"].items()]
    end_to_end = m.get("end_to_end") or {}
    if end_to_end:
        lines += ["", ("End to end on the gold seeds in every format (cells right / gold cells; documents "
                       "whose every cell, section and report field is right):"), "",
                  "| tagger | cell accuracy | cells | exact documents |", "|---|---|---|---|"]
        for tagger, s in end_to_end.items():
            lines.append(f"| {tagger} | {_fmt(s['cell_accuracy'])} | {s['cells']} | "
                         f"{s['exact_documents']}/{s['documents']} |")
    messiest = m.get("messiest") or {}
    if messiest.get("taggers"):
        lines += ["", ("End to end on the messiest layouts, held out (" + messiest.get("set", "") + "): cells right, "
                       "documents `ok`, and silent errors (wrong cells in a document that says `ok`). Some of these "
                       "documents are unrecoverable on purpose (values shifted by an empty cell, a broken "
                       "consistency rule): they must come out `needs_review`."), "",
                  "| tagger | layout | cell accuracy | cells | ok documents | exact documents | silent errors |",
                  "|---|---|---|---|---|---|---|"]
        for tagger, r in messiest["taggers"].items():
            for layout, s in [("all", r["all"]), *r["by_layout"].items()]:
                lines.append(f"| {tagger} | {layout} | {_fmt(s['cell_accuracy'])} | {s['cells']} | "
                             f"{s['ok_documents']}/{s['documents']} | {s['exact_documents']}/{s['documents']} | "
                             f"{s['silent_errors']} |")
    best = m.get("dev") or m.get("synthetic_test") or (seeds.get("all") if seeds else None)
    if best and best.get("per_label"):
        lines += ["", "Per-label F1 on " + ("the gold seeds" if seeds.get("all") else "the dev data") + ":", ""]
        lines += _per_label_table((seeds.get("all") or best)["per_label"])
    if m.get("history"):
        lines += ["", "Training history:", "", "```"]
        lines += [json.dumps(h, ensure_ascii=False) for h in m["history"]]
        lines.append("```")
    lines += ["", "## Reproduce", "", "```", meta.get("command", "ogi train"), "```", "",
              "## Libraries", "", "```", json.dumps(meta.get("libraries", {}), indent=1), "```"]
    if meta.get("limitations"):
        lines += ["", "## Limitations", ""] + [f"- {x}" for x in meta["limitations"]]
    return "\n".join(lines) + "\n"


def write_card(path: Path, meta: dict) -> None:
    (Path(path) / "README.md").write_text(render_card(meta), "utf-8")
