"""`ogi annotate`: the annotation loop with Label Studio (push, pull, config)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_URL = "http://localhost:8080"


def _server(url: str, token: str | None):
    from .client import LabelStudioError, Server

    if not token:
        raise click.UsageError("no Label Studio API token: give --token or set LABEL_STUDIO_API_KEY "
                               "(Label Studio: Account & Settings > Access Token)")
    try:
        return Server(url, token)
    except LabelStudioError as exc:
        raise click.ClickException(str(exc)) from None


def _connection(func):
    func = click.option("--token", envvar="LABEL_STUDIO_API_KEY", metavar="TOKEN",
                        help="API token [env LABEL_STUDIO_API_KEY].")(func)
    func = click.option("--url", envvar="LABEL_STUDIO_URL", default=DEFAULT_URL, show_default=True,
                        help="Label Studio address [env LABEL_STUDIO_URL].")(func)
    return click.option("--project", "title", required=True, help="Project title (created by push if missing).")(func)


@click.group()
def annotate() -> None:
    """Correct the tagger's labels in Label Studio and bring them back as training and gold data."""


@annotate.command()
@click.argument("inputs", nargs=-1, required=True)
@_connection
@click.option("--tagger", "tagger_name", default="rules", show_default=True, help="Tagger that pre-annotates.")
@click.option("--model", default=None, help="Trained model version for the tagger, where it has one.")
def push(inputs: tuple[str, ...], title: str, url: str, token: str | None, tagger_name: str,
         model: str | None) -> None:
    """Push report files (and folders of them) as tasks pre-annotated by the tagger.

    Most useful first: failed or inconsistent extractions, then needs_review,
    then lowest model confidence. A document already in the project (same
    sha256) is not pushed again. Exit status 1 when a file could not be read.
    """
    from tqdm import tqdm

    from ..inputs import expand_inputs
    from ..tagging import get_tagger
    from .client import LabelStudioError
    from .push import push as push_files

    try:
        tagger = get_tagger(tagger_name, model=model)
    except (ValueError, FileNotFoundError) as exc:
        raise click.UsageError(str(exc)) from None
    paths = expand_inputs(inputs)
    if not paths:
        raise click.UsageError("no supported files found under the given folders (.pdf .docx .doc .html .htm .txt)")
    server = _server(url, token)
    bar = tqdm(total=len(paths), desc="pushing", unit="file", file=sys.stderr, disable=None)
    try:
        report = push_files(paths, server, title, tagger, progress=lambda _: bar.update(1))
    except LabelStudioError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    project = report.project
    click.echo(f"project {project.title!r} (id {project.id}{', created' if project.created else ''}) at {server.url}; "
               f"pre-annotations by {report.model_version}")
    if report.pushed:
        click.echo(f"{'task':>6}  {'priority':>8}  {'confidence':>10}  {'status':<12}  document")
        for p in report.pushed:
            click.echo(f"{p.task_id or '-':>6}  {p.priority:>8.3f}  {p.confidence:>10.3f}  {p.status:<12}  {p.path}")
    for path, where in report.already:
        click.echo(f"already in the project ({where}): {path}")
    for path, reason in report.failed:
        click.echo(f"skipped, could not be read: {path}: {reason}", err=True)
    click.echo(f"{len(report.pushed)} pushed, {len(report.already)} already there, {len(report.failed)} skipped")
    sys.exit(1 if report.failed else 0)


@annotate.command()
@_connection
@click.option("--annotations-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("annotations"),
              show_default=True, help="Where train/, heldout/ and gold/ are.")
@click.option("--split", type=click.Choice(["train", "dev", "test"]), default=None,
              help="Split for documents new to gold/splits.json [default: train]. Never moves a document.")
@click.option("--uncovered", type=click.Choice(["reject", "prose"]), default="reject", show_default=True,
              help="Tokens no span covers: reject the annotation as incomplete, or label them prose.")
@click.option("--sources", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder to look for source files in (by hash) when they moved since push. Repeatable.")
def pull(title: str, url: str, token: str | None, annotations_dir: Path, split: str | None, uncovered: str,
         sources: tuple[str, ...]) -> None:
    """Pull submitted annotations into annotations/: training JSONL, gold folders, change counts.

    Exit status 1 when an annotation could not be stored (incomplete, unknown
    label) or a split was asked for a document already in another one.
    """
    from .client import LabelStudioError
    from .pull import pull as pull_project

    server = _server(url, token)
    try:
        report = pull_project(server, title, annotations_dir, split=split, uncovered=uncovered, sources=sources)
    except LabelStudioError as exc:
        raise click.ClickException(str(exc)) from None
    for d in report.docs:
        changed = "no pre-annotation" if d.changed is None else f"{d.changed} changed"
        click.echo(f"task {d.task_id}: {d.doc_id} ({d.split}): {d.tokens} tokens, {changed}; gold {d.gold}")
    for r in report.rejected:
        click.echo(f"not stored: task {r['task']} ({r['doc_id']}): {r['reason']}", err=True)
    for conflict in report.conflicts:
        click.echo(f"split conflict: {conflict}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}")
    click.echo("")
    click.echo("Tokens annotators changed against the pre-annotations:")
    click.echo(report.changes.table())
    click.echo("")
    for path in report.written:
        click.echo(f"wrote {path}")
    sys.exit(0 if report.clean else 1)


@annotate.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output (e.g. annotations/labelstudio/config.xml).")
def config(output: Path | None) -> None:
    """Print the labelling configuration XML that push gives new projects."""
    from .config import label_config

    xml = label_config()
    if output is None:
        click.echo(xml, nl=False)
    else:
        output.write_text(xml, encoding="utf-8")
