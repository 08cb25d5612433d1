"""The `ogi` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__


def expand_inputs(inputs: tuple[str, ...]) -> list[str]:
    """Files as given, and every supported file under each folder (sorted, symlink loops skipped)."""
    from .loaders import supported

    paths: list[str] = []
    for given in inputs:
        if not os.path.isdir(given):
            paths.append(given)
            continue
        found = []
        seen_dirs: set[tuple[int, int]] = set()
        for root, dirs, files in os.walk(given, followlinks=True):
            st = os.stat(root)
            if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop: do not go round again
                dirs[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirs.sort()
            found += [os.path.join(root, f) for f in files if supported(Path(f))]
        paths += sorted(found)
    return paths


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ogi")
def main() -> None:
    """Extract annual reports on open government information (政府信息公开工作年度报告)."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write one JSON result per line to this file (JSON Lines), in input order.")
@click.option("--tagger", "tagger_name", default="rules", show_default=True,
              help="Which tagger labels the tokens.")
def extract(inputs: tuple[str, ...], output: str | None, tagger_name: str) -> None:
    """Extract report files (PDF, DOCX, DOC, HTML, TXT) and folders of them.

    One file without -o prints its result as JSON. Otherwise every result is one
    JSON line, to -o or to standard output. Exit status: 0 when every file was
    extracted (ok or needs_review), 1 when any failed, 2 for a usage error.
    """
    from tqdm import tqdm

    from .pipeline import extract as extract_file
    from .tagging import get_tagger

    try:
        tagger = get_tagger(tagger_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    paths = expand_inputs(inputs)
    if not paths:
        raise click.UsageError("no supported files found under the given folders (.pdf .docx .doc .html .htm .txt)")
    any_failed = False
    if len(paths) == 1 and output is None and not os.path.isdir(inputs[0]):
        result = extract_file(paths[0], tagger=tagger)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        sys.exit(1 if result["status"] == "failed" else 0)
    sink = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        progress = tqdm(paths, desc="extracting", unit="file", file=sys.stderr, disable=None if output else True)
        for path in progress:
            result = extract_file(path, tagger=tagger)
            any_failed |= result["status"] == "failed"
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")
            sink.flush()
            if result["status"] == "failed":
                progress.write(f"failed: {path}: {'; '.join(result['errors'])}", file=sys.stderr)
    finally:
        if output:
            sink.close()
    sys.exit(1 if any_failed else 0)


@main.command("eval")
@click.option("--tagger", "tagger_name", type=click.Choice(["model", "rules", "sklearn"]), default="model",
              show_default=True, help="The tagger to evaluate.")
@click.option("--model", "model_name", default=None, help="Which trained model version the tagger loads.")
@click.option("--gold", "gold_dir", default="annotations/gold", show_default=True, type=click.Path(file_okay=False),
              help="Gold set: <doc_id>/gold.json beside its source file, or a folder of <doc_id>.json (synthetic).")
@click.option("--split", type=click.Choice(["test", "dev", "train", "all"]), default="test", show_default=True)
@click.option("--formats", default="txt,html,docx,doc,pdf", show_default=True,
              help="Input formats, comma separated (also txt-pipe, txt-cells, txt-tabs).")
@click.option("--out", "out_dir", default="eval/reports", show_default=True, type=click.Path(file_okay=False),
              help="Reports go to OUT/<model-version>/.")
@click.option("--cache", "cache_dir", default=".cache/eval", show_default=True, type=click.Path(file_okay=False),
              help="Cache of rendered inputs.")
@click.option("--baselines/--no-baselines", default=True, show_default=True,
              help="Also run the rules and sklearn taggers (where available) on the same inputs.")
@click.option("--figures/--no-figures", default=True, show_default=True)
@click.option("--compare", nargs=2, metavar="A B", default=None,
              help="Print the difference between two versions' metrics (names under --out, or paths) and exit.")
def eval_command(tagger_name: str, model_name: str | None, gold_dir: str, split: str, formats: str, out_dir: str,
                 cache_dir: str, baselines: bool, figures: bool, compare: tuple[str, str] | None) -> None:
    """Measure accuracy against the gold set; writes OUT/<model-version>/{metrics.json,report.md,figures/}."""
    from .evaluation import harness, report
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
                                        model=model_name, baselines=baselines, figures=figures)
        from .tagging import get_tagger

        tagger = get_tagger(tagger_name, model=model_name)
    except Exception as exc:  # unknown format, or a tagger that is not installed or trained
        hint = "; try --tagger rules" if tagger_name != "rules" and "--tagger rules" not in str(exc) else ""
        raise click.UsageError(f"{exc}{hint}") from None
    try:
        out = harness.run_eval(settings, tagger=tagger)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(report.summary_line(json.loads((out / "metrics.json").read_text("utf-8"))))
    click.echo(f"report: {out / 'report.md'}")


from .annotation.cli import annotate  # noqa: E402  (the annotation loop; its imports are lazy)

main.add_command(annotate)

if __name__ == "__main__":
    main()
