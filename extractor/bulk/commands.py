"""Click glue for the bulk features, kept here so extractor/cli.py only wires them in.

    @bulk_options on `ogi extract` (--store, --workers, --timeout, --max-pages, ...),
    `run_from_cli` (with --store) and `stream_from_cli` (without)
    `export_command` (ogi export) and `status_command` (ogi status)
"""

from __future__ import annotations

import json
import sys

import click

BULK_OPTION_NAMES = ("store", "workers", "engine", "ray_address", "retry_failed", "timeout", "memory_limit",
                     "recycle_after", "max_pages", "convert_timeout")
STORE_ONLY = ("engine", "ray_address", "retry_failed")


class BulkError(click.ClickException):
    """A refusal with a plain message (unusable store, tagger that does not load): exit status 2."""

    exit_code = 2


def bulk_options(command):
    """The worker, limit and --store options of `ogi extract`; all default to None so "not given" can be
    told apart."""
    from ..loaders import DEFAULT_LOAD_SETTINGS as LOAD

    options = [
        click.option("--store", type=click.Path(dir_okay=False), default=None,
                     help="Results store (SQLite). Each file is stored as it is extracted; running the same "
                          "command again resumes, skipping files already stored."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Worker processes, or Ray actors (default: the number of CPUs; without --store, "
                          "no more than the number of files)."),
        click.option("--engine", type=click.Choice(["local", "ray"]), default=None,
                     help="[with --store] Run on local processes (default) or on a Ray cluster."),
        click.option("--ray-address", default=None,
                     help="[with --engine ray] 'auto' or HOST:PORT of a running cluster (default: start a local Ray)."),
        click.option("--retry-failed", is_flag=True, default=None,
                     help="[with --store] Extract again the files stored as failed."),
        click.option("--timeout", type=click.FloatRange(min=0), default=None,
                     help="Seconds one file may take before its worker is stopped and the file fails "
                          "(default 300; 0: no limit)."),
        click.option("--memory-limit", type=click.IntRange(min=0), default=None, metavar="MB",
                     help="Address-space limit of each local worker in MB (default 4096; 0: none)."),
        click.option("--recycle-after", type=click.IntRange(min=0), default=None, metavar="N",
                     help="Replace each worker after N files (default 200; 0: never)."),
        click.option("--max-pages", type=click.IntRange(min=1), default=None, metavar="N",
                     help=f"Refuse a PDF of more than N pages (default {LOAD.max_pages})."),
        click.option("--convert-timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS",
                     help="Seconds LibreOffice may take to convert a .doc file before it is stopped and the "
                          f"file fails (default {LOAD.convert_timeout:g}; --timeout still bounds the whole file)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def check_bulk_options(bulk: dict) -> None:
    """Options that only mean something with a store (or with Ray) are a usage error without it."""
    if bulk.get("store") is None:
        given = [name for name in STORE_ONLY if bulk.get(name) not in (None, False)]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise click.UsageError(f"{flags}: only with --store")
    elif bulk.get("ray_address") is not None and bulk.get("engine") != "ray":
        raise click.UsageError("--ray-address: only with --engine ray")


def load_settings_from_options(bulk: dict):
    from ..loaders import LoadSettings

    return LoadSettings(**{name: bulk[name] for name in ("max_pages", "convert_timeout") if bulk.get(name) is not None})


def settings_from_options(bulk: dict):
    from .run import BulkSettings

    def given(name, default):
        return default if bulk.get(name) is None else bulk[name]

    return BulkSettings(
        engine=given("engine", "local"), workers=bulk.get("workers"), ray_address=bulk.get("ray_address"),
        timeout=given("timeout", 300.0) or None, retry_failed=bool(bulk.get("retry_failed")),
        recycle_after=given("recycle_after", 200) or None, memory_limit_mb=given("memory_limit", 4096) or None)


def run_from_cli(paths: list[str], output: str | None, tagger_name: str, model: str | None, bulk: dict) -> int:
    """`ogi extract ... --store DB`: the exit status (0 all extracted, 1 any failed, 130 interrupted)."""
    from .job import TaggerSpec
    from .run import run_bulk
    from .store import StoreError
    from .workers import EngineError

    try:
        settings = settings_from_options(bulk)
        load_settings = load_settings_from_options(bulk)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        report = run_bulk(paths, bulk["store"], TaggerSpec(tagger_name, model), settings, output=output,
                          load_settings=load_settings)
    except (StoreError, EngineError) as exc:
        raise BulkError(str(exc)) from None
    return report.exit_status


def stream_from_cli(paths: list[str], output: str | None, tagger_name: str | None, model: str | None, bulk: dict,
                    *, one_document: bool) -> int:
    """`ogi extract ...` without --store: results in input order, to -o or standard output (one file without
    -o: its result, indented; `-o -`: JSON lines on standard output), each file on the workers with the same limits as a bulk run. The exit status:
    0 all extracted, 1 any failed, 130 interrupted."""
    from contextlib import closing

    from tqdm import tqdm

    from .job import TaggerSpec
    from .run import sigterm_as_interrupt
    from .stream import extract_in_order
    from .workers import EngineError

    try:
        settings = settings_from_options(bulk)
        load_settings = load_settings_from_options(bulk)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if output == "-":
        output, one_document = None, False
    progress = tqdm(total=len(paths), desc="extracting", unit="file", file=sys.stderr,
                    disable=None if output else True, dynamic_ncols=True)

    def settled(result: dict) -> None:
        progress.update(1)
        if result["status"] == "failed":
            progress.write(f"failed: {result['source']['path']}: {'; '.join(result['errors'])}", file=sys.stderr)

    any_failed, written = False, 0
    sink = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115  (closed below)
    results = extract_in_order(paths, TaggerSpec(tagger_name, model), settings, load_settings=load_settings,
                               on_result=settled)
    try:
        with progress, sigterm_as_interrupt(), closing(results):  # closing: the workers stop, whatever happens
            for result in results:
                any_failed |= result["status"] == "failed"
                if one_document:
                    sink.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
                else:
                    sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                sink.flush()
                written += 1
    except EngineError as exc:
        raise BulkError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"interrupted: the results of the first {written} of {len(paths)} files were written", file=sys.stderr)
        return 130
    finally:
        if output:
            sink.close()
    return 1 if any_failed else 0


@click.command("export")
@click.argument("store", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "formats", type=click.Choice(["csv", "xlsx", "parquet"]), multiple=True, required=True,
              help="Output format; repeat for several.")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the tables into (created if missing).")
def export_command(store: str, formats: tuple[str, ...], out_dir: str) -> None:
    """Tables for analysts from a results store: reports, long (one value per row) and one wide table per
    statistical table, as CSV (UTF-8 with BOM), one XLSX workbook, or Parquet."""
    from .export import export_store
    from .store import StoreError

    try:
        for fmt in dict.fromkeys(formats):
            for path in export_store(store, fmt, out_dir):
                click.echo(str(path))
    except StoreError as exc:
        raise BulkError(str(exc)) from None


@click.command("status")
@click.argument("store", type=click.Path(exists=True, dir_okay=False))
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many error kinds to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def status_command(store: str, top: int, as_json: bool) -> None:
    """Counts by status and model, files pending, the last run and the commonest errors of a results store."""
    from .status import format_status, store_status
    from .store import StoreError

    try:
        status = store_status(store, top)
    except StoreError as exc:
        raise BulkError(str(exc)) from None
    if as_json:
        json.dump(status.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
    else:
        click.echo(format_status(status))
