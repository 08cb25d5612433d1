"""The `ogi` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .annotation.cli import annotate  # the annotation loop; its imports are lazy
from .bulk.commands import (
    bulk_options,
    check_bulk_options,
    export_command,
    run_from_cli,
    status_command,
    stream_from_cli,
)
from .inputs import expand_inputs
from .service.command import serve  # the HTTP service; FastAPI is imported only when it runs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ogi")
def main() -> None:
    """Extract annual reports on open government information (政府信息公开工作年度报告)."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="Write one JSON result per line to this file (JSON Lines), in input order; `-o -` writes "
                   "them to standard output.")
@click.option("--tagger", "tagger_name", type=click.Choice(["model", "rules", "sklearn"]), default=None,
              help="Which tagger labels the tokens (default: the shipped model when there is one, else rules).")
@click.option("--model", "model_name", default=None,
              help="Trained model version for the tagger: a name (newest version), an id such as tagger-0.1.0, "
                   "or a model folder (see `ogi models`).")
@bulk_options
def extract(inputs: tuple[str, ...], output: str | None, tagger_name: str | None, model_name: str | None,
            **bulk) -> None:
    """Extract report files (PDF, DOCX, DOC, HTML, TXT) and folders of them.

    One file without -o prints its result as JSON. Otherwise every result is one
    JSON line, to -o or to standard output. Exit status: 0 when every file was
    extracted (ok or needs_review), 1 when any failed, 2 for a usage error,
    130 when interrupted.

    Every file is extracted in a worker process under the limits below: a file
    past --timeout, or over --memory-limit, fails alone and the rest go on.

    With --store, results go to a results store as they come (see `ogi status`,
    `ogi export`); the same command run again resumes. -o then also writes the
    JSON lines, in input order, at the end.
    """
    check_bulk_options(bulk)
    paths = expand_inputs(inputs)
    if not paths:
        raise click.UsageError("no supported files found under the given folders (.pdf .docx .doc .html .htm .txt)")
    if bulk["store"]:
        sys.exit(run_from_cli(paths, output, tagger_name, model_name, bulk))
    one_document = len(paths) == 1 and output is None and not os.path.isdir(inputs[0])
    sys.exit(stream_from_cli(paths, output, tagger_name, model_name, bulk, one_document=one_document))


@main.command("eval")
@click.option("--tagger", "tagger_name", type=click.Choice(["model", "rules", "sklearn"]), default="model",
              show_default=True, help="The tagger to evaluate.")
@click.option("--model", "model_name", default=None, help="Which trained model version the tagger loads.")
@click.option("--gold", "gold_dir", default="annotations/gold", show_default=True, type=click.Path(file_okay=False),
              help="Gold set: <doc_id>/gold.json beside its source file, or a folder of <doc_id>.json (synthetic).")
@click.option("--split", type=click.Choice(["test", "dev", "train", "all"]), default="test", show_default=True)
@click.option("--formats", default="txt,html,docx,doc,pdf", show_default=True,
              help="Input formats, comma separated (also txt-pipe, txt-cells, txt-tabs, and scanned-pdf: "
                   "the PDF rasterised and read by OCR, about 3 s a page); 'all' is the default formats "
                   "plus scanned-pdf.")
@click.option("--out", "out_dir", default="eval/reports", show_default=True, type=click.Path(file_okay=False),
              help="Reports go to OUT/<model-version>/.")
@click.option("--cache", "cache_dir", default=".cache/eval", show_default=True, type=click.Path(file_okay=False),
              help="Cache of rendered inputs.")
@click.option("--baselines/--no-baselines", default=True, show_default=True,
              help="Also run the rules and sklearn taggers (where available) on the same inputs.")
@click.option("--figures/--no-figures", default=True, show_default=True)
@click.option("--challenge/--no-challenge", default=True, show_default=True,
              help="Also read the frozen challenge set (annotations/challenge: 64 synthetic reports in 16 layouts, "
                   "never trained or tuned on) with the same taggers; its figures go into the report. About a "
                   "minute with the model and both baselines once its renderings are cached (the first run renders "
                   "them: a few minutes of LibreOffice).")
@click.option("--compare", nargs=2, metavar="A B", default=None,
              help="Print the difference between two versions' metrics (names under --out, or paths) and exit.")
def eval_command(tagger_name: str, model_name: str | None, gold_dir: str, split: str, formats: str, out_dir: str,
                 cache_dir: str, baselines: bool, figures: bool, challenge: bool,
                 compare: tuple[str, str] | None) -> None:
    """Measure accuracy against the gold set; writes OUT/<model-version>/{metrics.json,report.md,figures/}.

    Every report also carries the frozen challenge set's figures (see --challenge), per tagger,
    layout and variation.
    """
    from .evaluation import harness, report
    from .evaluation.challenge import CHALLENGE_DIR
    from .evaluation.goldset import parse_formats

    if compare:
        try:
            a, b = (report.resolve_metrics(ref, Path(out_dir)) for ref in compare)
        except FileNotFoundError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(report.compare_runs(a, b))
        return
    try:
        settings = harness.EvalSettings(gold_dir=Path(gold_dir), split=split, formats=tuple(parse_formats(formats)),
                                        out_dir=Path(out_dir), cache_dir=Path(cache_dir), tagger=tagger_name,
                                        model=model_name, baselines=baselines, figures=figures,
                                        challenge_dir=CHALLENGE_DIR if challenge else None)
        from .tagging import get_tagger

        tagger = get_tagger(tagger_name, model=model_name)
    except Exception as exc:  # noqa: BLE001  (unknown format, or a tagger that is not installed or trained)
        hint = "; try --tagger rules" if tagger_name != "rules" and "--tagger rules" not in str(exc) else ""
        raise click.UsageError(f"{exc}{hint}") from None
    try:
        out = harness.run_eval(settings, tagger=tagger)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(report.summary_line(json.loads((out / "metrics.json").read_text("utf-8"))))
    click.echo(f"report: {out / 'report.md'}")


@main.command("train")
@click.option("--tagger", "tagger_kind", type=click.Choice(["model", "sklearn"]), default="model", show_default=True,
              help="model: the BERT token classifier (pretrains a base unless --base); sklearn: the linear baseline.")
@click.option("--name", default=None, help="Model name [default: tagger for model, sklearn for sklearn].")
@click.option("--version", "version", default=None, help="Model version [default: the next free one, 0.1.0 first].")
@click.option("--base", default=None, metavar="PATH_OR_ID",
              help="Fine-tune from this checkpoint instead of pretraining one: a base id (base-0.1.0) or any "
                   "local BERT-style folder (config.json, weights, vocab.txt), e.g. a downloaded bert-base-chinese.")
@click.option("--data", "data_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="train/dev/test.jsonl of labelled documents [default: generate synthetic reports].")
@click.option("--docs", "n_docs", default=400, show_default=True, help="Synthetic reports to generate (without --data).")
@click.option("--workers", default=2, show_default=True, help="Processes generating synthetic reports.")
@click.option("--seed", default=0, show_default=True, help="Seed of data generation, initialisation and data order.")
@click.option("--threads", default=2, show_default=True,
              help="Torch threads (results repeat for the same seed and thread count; on a busy machine 1 is faster).")
@click.option("--epochs", default=5, show_default=True, help="Fine-tuning epochs.")
@click.option("--pretrain-epochs", default=3, show_default=True, help="Masked-LM epochs of the base model.")
@click.option("--hidden", default=128, show_default=True, help="Hidden size of a pretrained base.")
@click.option("--layers", default=4, show_default=True, help="Transformer layers of a pretrained base.")
@click.option("--layout/--no-layout", default=False, show_default=True,
              help="Embed each token's layout (position on the page, grid cell, place in its line; "
                   "extractor/ml/layout.py) as model input.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Models folder [default: the repository's models/ or $OGI_MODELS_DIR].")
@click.option("--gold/--no-gold", "use_gold", default=True, show_default=True,
              help="Add the gold train split (source and renderings) to the training data.")
@click.option("--evaluate/--no-evaluate", "evaluate_seeds", default=True, show_default=True,
              help="Score the model on the gold seeds in every format, and end to end against the rules.")
@click.option("--force", is_flag=True, help="Replace an existing model directory of the same name and version.")
def train_command(tagger_kind: str, name: str | None, version: str | None, base: str | None, data_dir: str | None,
                  n_docs: int, workers: int, seed: int, threads: int, epochs: int, pretrain_epochs: int, hidden: int,
                  layers: int, layout: bool, out_dir: str | None, use_gold: bool, evaluate_seeds: bool,
                  force: bool) -> None:
    """Train a tagger into a versioned model folder (models/<name>-<version>/).

    Never trains on the gold test split: a training document whose source is a test-split
    source is an error. Deterministic for a seed.
    """
    try:
        from .ml import recipe as ml_recipe
        from .ml.data import TestSplitLeak
        from .ml.pretrain import ModelSize
    except ImportError as exc:
        raise click.UsageError(f"training needs the ml extra (pip install -e '.[ml]'): {exc}") from None
    if hidden % 64 and hidden % 32:
        raise click.UsageError("--hidden must be a multiple of 32")
    size = ModelSize(hidden=hidden, layers=layers, heads=max(1, hidden // 64), intermediate=4 * hidden)
    spec = ml_recipe.Recipe(tagger=tagger_kind, name=name, version=version, base=base,
                            data_dir=Path(data_dir) if data_dir else None, n_docs=n_docs, workers=workers, seed=seed,
                            threads=threads,
                            size=size, pretrain_epochs=pretrain_epochs, epochs=epochs, layout=layout,
                            out=Path(out_dir) if out_dir else None, use_gold=use_gold,
                            evaluate_seeds=evaluate_seeds, force=force)
    try:
        info = ml_recipe.run(spec, log=lambda line: click.echo(line, err=True))
    except (TestSplitLeak, FileExistsError, FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{info.id}: {info.path}")
    click.echo(_metrics_line(info.meta))


def _metrics_line(meta: dict) -> str:
    metrics = meta.get("metrics") or {}
    parts = []
    for key, title in (("synthetic_test", "synthetic test"), ("dev", "dev")):
        if metrics.get(key):
            parts.append(f"{title} macro F1 {metrics[key]['macro_f1']:.4f}")
    if (metrics.get("seeds") or {}).get("all"):
        parts.append(f"seeds macro F1 {metrics['seeds']['all']['macro_f1']:.4f}")
    e2e = metrics.get("end_to_end") or {}
    mine = e2e.get(f"{meta['name']}-{meta['version']}")
    if mine:
        parts.append(f"cell accuracy {mine['cell_accuracy']:.4f} (rules {e2e['rules']['cell_accuracy']:.4f})")
    if meta.get("kind") == "base" and metrics.get("final_mlm_loss") is not None:
        parts.append(f"masked-LM loss {metrics['final_mlm_loss']:.3f}")
    return "; ".join(parts) or "no metrics"


@main.command("models")
@click.option("--dir", "root", default=None, type=click.Path(file_okay=False),
              help="Models folder [default: the repository's models/ or $OGI_MODELS_DIR].")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per model.")
def models_command(root: str | None, as_json: bool) -> None:
    """List trained models: name, version, kind, labels, metrics, and whether this code can use them."""
    from .ml import registry

    infos = registry.list_models(Path(root) if root else None)
    default = registry.default_model(Path(root) if root else None)
    if not infos:
        click.echo(f"no models in {Path(root) if root else registry.models_dir()}; train one with `ogi train`")
        return
    for info in infos:
        problem = registry.usable(info)
        if as_json:
            click.echo(json.dumps({"id": info.id, "name": info.name, "version": info.version, "kind": info.kind,
                                   "labels": len(info.meta["labels"]), "path": str(info.path),
                                   "default": default is not None and default.path == info.path,
                                   "usable": problem is None, "problem": problem,
                                   "metrics": _metrics_line(info.meta)}, ensure_ascii=False))
            continue
        mark = "*" if default is not None and default.path == info.path else " "
        click.echo(f"{mark} {info.name:<10} {info.version:<8} {info.kind:<16} {len(info.meta['labels'])} labels  "
                   f"{_metrics_line(info.meta)}")
        if problem:
            click.echo(f"    not usable: {problem}")
    if default is not None and not as_json:
        click.echo(f"* default tagger: {default.id}")


main.add_command(annotate)
main.add_command(export_command)
main.add_command(status_command)
main.add_command(serve)

if __name__ == "__main__":
    main()
