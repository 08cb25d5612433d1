"""`ogi serve`: the HTTP service under uvicorn. Imports FastAPI only when run, so `ogi --help` does not."""

from __future__ import annotations

import signal

import click

from ..loaders import DEFAULT_LOAD_SETTINGS
from ..tagging import TAGGER_NAMES


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--store", default="ogi-service.db", show_default=True, type=click.Path(dir_okay=False),
              help="Results store (SQLite), shared with `ogi extract --store`; jobs are kept in it and uploads "
                   "in the folder STORE.files beside it.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction worker processes (default: the number of CPUs).")
@click.option("--max-upload-mb", type=click.FloatRange(min=0, min_open=True), default=50.0, show_default=True,
              help="Largest file accepted, per file; larger uploads get 413.")
@click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds one document may take before its worker is stopped and it fails (0: no limit).")
@click.option("--tagger", "tagger_name", type=click.Choice(TAGGER_NAMES), default=None,
              help="Default tagger (default: the shipped model when there is one, else rules).")
@click.option("--model", "model_name", default=None,
              help="Default trained model version: a name (newest version), an id such as tagger-0.1.0, or a folder.")
@click.option("--max-job-files", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most files one job may hold.")
@click.option("--memory-limit", type=click.IntRange(min=0), default=4096, show_default=True, metavar="MB",
              help="Address-space limit of each worker in MB (0: none).")
@click.option("--max-pages", type=click.IntRange(min=1), default=DEFAULT_LOAD_SETTINGS.max_pages, show_default=True,
              metavar="N",
              help="Refuse a PDF of more than N pages (the document fails).")
@click.option("--convert-timeout", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_LOAD_SETTINGS.convert_timeout, show_default=True, metavar="SECONDS", help="Seconds LibreOffice may take to convert a .doc before the document fails "
                                      "(--timeout still bounds the whole document).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(host: str, port: int, store: str, workers: int | None, max_upload_mb: float, timeout: float,
          tagger_name: str | None, model_name: str | None, max_job_files: int, memory_limit: int,
          max_pages: int, convert_timeout: float, log_level: str) -> None:
    """Serve extraction over HTTP: POST /v1/extract, POST /v1/jobs, GET /v1/jobs/{id}[/results],
    GET /v1/models, /healthz, /metrics; API documentation at /docs.

    With the environment variable OGI_API_TOKEN set, /v1 and /metrics need the header
    `Authorization: Bearer <token>`.
    """
    import logging
    import os

    try:
        import uvicorn

        from .app import create_app
    except ImportError as exc:
        raise click.UsageError(f"the service needs the service extra (pip install -e '.[service]'): {exc}") from None
    from ..bulk.store import Store, StoreError
    from .settings import ServiceSettings
    from .taggers import choose

    try:
        settings = ServiceSettings(store=store, workers=workers or os.cpu_count() or 1, timeout=timeout or None,
                                   max_upload_mb=max_upload_mb, max_job_files=max_job_files, tagger=tagger_name,
                                   model=model_name, memory_limit_mb=memory_limit or None,
                                   max_pages=max_pages, convert_timeout=convert_timeout,
                                   api_token=ServiceSettings.token_from_env())
        default = choose(tagger_name, model_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        Store.open(settings.store).close()  # refuse an unusable store before listening
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, default=default)
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again under the
    # handler it found: with Python's default that kills the process before exit handlers run
    # (multiprocessing's pymp-* folder stays in $TMPDIR). Exit through SystemExit instead.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=10)


def _exit_on_signal(signum: int, frame) -> None:
    raise SystemExit(128 + signum)
