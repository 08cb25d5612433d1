"""Click glue for the bulk features, kept here so extractor/cli.py only wires them in.

    @bulk_options on `ogi extract` (--store, --workers, --engine, ...) and `run_from_cli`
    `export_command` (ogi export) and `status_command` (ogi status)
"""

from __future__ import annotations

import json
import sys

import click

BULK_OPTION_NAMES = ("store", "workers", "engine", "ray_address", "retry_failed", "timeout", "memory_limit",
                     "recycle_after")


class BulkError(click.ClickException):
    """A refusal with a plain message (unusable store, tagger that does not load): exit status 2."""

    exit_code = 2


def bulk_options(command):
    """The --store options of `ogi extract`; all default to None so "not given" can be told apart."""
    options = [
        click.option("--store", type=click.Path(dir_okay=False), default=None,
                     help="Results store (SQLite). Each file is stored as it is extracted; running the same "
                          "command again resumes, skipping files already stored."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="[with --store] Worker processes or Ray actors (default: the number of CPUs)."),
        click.option("--engine", type=click.Choice(["local", "ray"]), default=None,
                     help="[with --store] Run on local processes (default) or on a Ray cluster."),
        click.option("--ray-address", default=None,
                     help="[with --engine ray] 'auto' or HOST:PORT of a running cluster (default: start a local Ray)."),
        click.option("--retry-failed", is_flag=True, default=None,
                     help="[with --store] Extract again the files stored as failed."),
        click.option("--timeout", type=click.FloatRange(min=0), default=None,
                     help="[with --store] Seconds one file may take before its worker is stopped and the file "
                          "recorded as failed (default 300; 0: no limit)."),
        click.option("--memory-limit", type=click.IntRange(min=0), default=None, metavar="MB",
                     help="[with --store] Address-space limit of each local worker in MB (default 4096; 0: none)."),
        click.option("--recycle-after", type=click.IntRange(min=0), default=None, metavar="N",
                     help="[with --store] Replace each worker after N files (default 200; 0: never)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def check_bulk_options(bulk: dict) -> None:
    """Bulk options without --store are a usage error (extraction without a store stays as it was)."""
    if bulk.get("store") is None:
        given = [name for name in BULK_OPTION_NAMES if name != "store" and bulk.get(name) not in (None, False)]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise click.UsageError(f"{flags}: only with --store")
    elif bulk.get("ray_address") is not None and bulk.get("engine") != "ray":
        raise click.UsageError("--ray-address: only with --engine ray")


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
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        report = run_bulk(paths, bulk["store"], TaggerSpec(tagger_name, model), settings, output=output)
    except (StoreError, EngineError) as exc:
        raise BulkError(str(exc)) from None
    return report.exit_status


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
