"""PNG figures of an eval run (matplotlib, Agg backend; labels are ASCII keys, so no CJK font is needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display here
import matplotlib.pyplot as plt

_DPI = 110


def _taggers(metrics: dict) -> list[tuple[str, dict]]:
    """(name, figures) of the tagger under test and each baseline that ran."""
    out = [(metrics["run"]["report"], {"overall": metrics["overall"], "by_format": metrics["by_format"]})]
    for name, body in metrics.get("baselines", {}).items():
        if "unavailable" not in body:
            out.append((f"{name}-{body['model']['version']}", body))
    return out


def _grouped_bars(ax, categories: list[str], series: list[tuple[str, list[float]]]) -> None:
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(categories))]
        ax.bar(xs, values, width, label=name)
    ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=8)


def f1_per_label(metrics: dict, path: Path) -> Path:
    taggers = _taggers(metrics)
    labels = list(dict.fromkeys(k for _, body in taggers for k in body["overall"]["tokens"]["per_label"]))
    series = [(name, [body["overall"]["tokens"]["per_label"].get(k, {}).get("f1") or 0.0 for k in labels])
              for name, body in taggers]
    fig, ax = plt.subplots(figsize=(max(6, len(labels) * 0.8), 4))
    _grouped_bars(ax, labels, series)
    ax.set_ylabel("F1")
    ax.set_title("Token tag F1 per label")
    return _save(fig, path)


def confusion_matrix(metrics: dict, path: Path) -> Path:
    conf = metrics["overall"]["confusion"]
    labels, matrix = conf["labels"], conf["matrix"]
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    rows = [[v / sum(row) if sum(row) else 0.0 for v in row] for row in matrix]
    image = ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                        color="white" if rows[i][j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("tag")
    ax.set_ylabel("gold label")
    ax.set_title(f"Tag confusion ({metrics['run']['report']}; counts, colour = share of gold row)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    return _save(fig, path)


def accuracy_by_format(metrics: dict, path: Path) -> Path:
    taggers = _taggers(metrics)
    formats = list(metrics["by_format"])
    series = [(name, [body["by_format"].get(f, {}).get("cells", {}).get("accuracy") or 0.0 for f in formats])
              for name, body in taggers]
    fig, ax = plt.subplots(figsize=(max(5, len(formats) * 1.2), 4))
    _grouped_bars(ax, formats, series)
    ax.set_ylabel("cell accuracy")
    ax.set_title("Cell accuracy per input format")
    return _save(fig, path)


def accuracy_across_versions(history: list[dict], path: Path) -> Path:
    names = [m["run"]["report"] for m in history]
    fig, ax = plt.subplots(figsize=(max(5, len(names) * 1.2), 4))
    for key, label in (("cells", "cell accuracy"), ("sections", "section body accuracy"), ("tokens", "tag macro F1")):
        values = []
        for m in history:
            o = m["overall"]
            values.append({"cells": o["cells"]["accuracy"], "sections": o["sections"]["body_accuracy"],
                           "tokens": o["tokens"]["macro"]["f1"]}[key])
        ax.plot(range(len(names)), [v if v is not None else float("nan") for v in values], marker="o", label=label)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Accuracy across versions (oldest first)")
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path


def write_figures(metrics: dict, history: list[dict], out_dir: Path) -> list[Path]:
    """All figures of a run into out_dir; returns their paths."""
    out_dir = Path(out_dir)
    return [f1_per_label(metrics, out_dir / "f1_per_label.png"),
            confusion_matrix(metrics, out_dir / "confusion.png"),
            accuracy_by_format(metrics, out_dir / "accuracy_by_format.png"),
            accuracy_across_versions(history or [metrics], out_dir / "accuracy_by_version.png")]
