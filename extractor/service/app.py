"""The HTTP API: FastAPI, served by uvicorn (`ogi serve`). `create_app(settings)` builds it.

    POST /v1/extract               one file (multipart) -> its result (OUTPUT.md)
    POST /v1/jobs                  several files -> 202 and a job id at once
    GET  /v1/jobs                  recent jobs
    GET  /v1/jobs/{id}             progress and per-file status
    GET  /v1/jobs/{id}/results     results as JSON lines (upload order)
    GET  /v1/models                the default tagger and every trained model
    GET  /healthz, GET /metrics, /docs (OpenAPI)

Errors are JSON `{"error": "plain message"}`. A document that cannot be extracted is not an
error: it is a 200 whose result has status `failed` and says why.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import IO, Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import __version__
from ..bulk.job import Task
from ..bulk.store import Store
from .jobs import Jobs
from .metrics import CONTENT_TYPE, Metrics, MetricsMiddleware
from .pool import ExtractionPool, Unavailable
from .settings import ServiceSettings
from .taggers import TaggerChoice, choose, list_models
from .uploads import Upload, UploadError, receive_files, remove, unreadable_type

log = logging.getLogger(__name__)
TaggerName = Literal["model", "rules", "sklearn"]
RESULTS_POLL_SECONDS = 0.2


class ApiError(HTTPException):
    """An error answered as {"error": message}."""


@dataclass
class Service:
    """What the routes share: settings, the default tagger, the worker pool, jobs and metrics."""

    settings: ServiceSettings
    default: TaggerChoice
    metrics: Metrics = field(default_factory=Metrics)
    pool: ExtractionPool | None = None
    store: Store | None = None
    jobs: Jobs | None = None
    _lock_file: IO | None = None

    def start(self) -> None:
        s = self.settings
        self._hold_store_lock()
        incoming = s.data_dir / "incoming"
        shutil.rmtree(incoming, ignore_errors=True)  # uploads a previous service was receiving when it stopped
        incoming.mkdir(parents=True, exist_ok=True)
        self.pool = ExtractionPool(self.default.spec, workers=s.workers, timeout=s.timeout,
                                   memory_limit_mb=s.memory_limit_mb, recycle_after=s.recycle_after,
                                   max_queue=s.max_queue, on_outcome=self.metrics.observe_outcome,
                                   load_settings=s.load_settings)
        model = self.pool.start()
        if model != self.default.model:  # cannot happen unless the model folder changed under us
            log.warning("workers loaded %s, expected %s", model, self.default.model)
            self.default = TaggerChoice(self.default.spec, model)
        self.store = Store.open(s.store)
        self.jobs = Jobs(self.store, s.data_dir / "uploads", self.pool, self.default)
        resumed = self.jobs.resume()
        if resumed:
            log.info("resumed %d unfinished job(s) from %s", resumed, s.store)
        self.metrics.gauge("ogi_extraction_waiting", "Documents queued or being extracted.",
                           lambda: self.pool.waiting)
        self.metrics.gauge("ogi_workers", "Extraction worker processes.", lambda: self.pool.workers)
        self.metrics.gauge("ogi_jobs", "Jobs in the store, by state.", self.jobs.counts)

    def _hold_store_lock(self) -> None:
        """One service per store: a second one would resume the first one's jobs and clear its uploads."""
        import fcntl

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.settings.data_dir / "service.lock", "w")  # noqa: SIM115  (held while serving)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise RuntimeError(f"another `ogi serve` is using {self.settings.store}; "
                               "give this one its own --store") from None

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.jobs is not None:
            self.jobs.close()
        elif self.store is not None:
            self.store.close()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock


# --- requests --------------------------------------------------------------------------------

def service_of(request: Request) -> Service:
    return request.app.state.service


bearer = HTTPBearer(auto_error=False, description="Needed when the service runs with OGI_API_TOKEN set.")


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    token = service_of(request).settings.api_token
    if token is None:
        return
    if credentials is None:
        raise ApiError(401, "missing bearer token: send Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": "Bearer"})
    if not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
        raise ApiError(401, "wrong bearer token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def chosen_tagger(request: Request,
                  tagger: Annotated[TaggerName | None, Query(
                      description="Tagger: model, rules or sklearn (default: the service's).")] = None,
                  model: Annotated[str | None, Query(
                      description="Trained model version: a name (its newest version) or an id such as "
                                  "tagger-0.1.0; see GET /v1/models.")] = None) -> TaggerChoice:
    if tagger is None and model is None:
        return service_of(request).default
    try:
        return choose(tagger, model)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None


async def uploaded(request: Request, max_files: int) -> list[Upload]:
    s = service_of(request).settings
    try:
        uploads, _fields = await receive_files(
            request.headers.get("content-type"), request.headers.get("content-length"), request.stream(),
            s.data_dir / "incoming", max_file_bytes=s.max_upload_bytes, max_files=max_files)
    except UploadError as exc:
        headers = {"Connection": "close"} if exc.status == 413 else None
        raise ApiError(exc.status, exc.message, headers=headers) from None
    refused = [why for why in map(unreadable_type, uploads) if why]
    if refused:
        remove(uploads)
        raise ApiError(415, "; ".join(refused))
    return uploads


def _file_body(*, many: bool) -> dict:
    item = {"type": "string", "format": "binary"}
    name = "files" if many else "file"
    schema = {"type": "array", "items": item} if many else item
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {name: schema}, "required": [name]}}}}}


ERRORS = {
    401: {"description": "OGI_API_TOKEN is set and the bearer token is missing or wrong"},
    413: {"description": "a file is over the upload limit (--max-upload-mb), or too many files"},
    415: {"description": "a file type no loader reads (PDF, DOCX, DOC, HTML, TXT, by content then name)"},
    422: {"description": "a malformed request: not multipart, no file, an unknown tagger or model"},
    503: {"description": "the service is busy (queue full) or its workers are not running"},
}


# A failed result whose reason is the service's, not the file's: answered 200 as any result
SERVICE_FAILURES = ("the tagger", "internal error while extracting")


def result_status(result: dict) -> int:
    """The HTTP status of one file's result: 422 when the file itself could not be extracted
    (damaged, not a report, over a limit, timed out), else 200."""
    if result.get("status") != "failed":
        return 200
    reason = (result.get("errors") or [""])[0]
    return 200 if reason.startswith(SERVICE_FAILURES) else 422


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)])

    @router.post("/extract", summary="Extract one report file", openapi_extra=_file_body(many=False),
                 responses={200: {"description": "The result (OUTPUT.md): ok or needs_review, or failed "
                                                 "for a failure of the service's own (its tagger could not be "
                                                 "loaded, an internal error)"},
                            422: {"description": "a malformed request (an error object), or a file that could "
                                                 "not be extracted: its result (OUTPUT.md), status failed, "
                                                 "the reason in errors[0] as the CLI and the store give it"},
                            **{k: v for k, v in ERRORS.items() if k != 422}})
    async def extract(request: Request, choice: Annotated[TaggerChoice, Depends(chosen_tagger)]) -> JSONResponse:
        """Upload one file as the form field `file`; the answer is its result. Extraction runs in a worker
        process with the per-document timeout; nothing is stored."""
        service = service_of(request)
        uploads = await uploaded(request, max_files=1)
        upload = uploads[0]
        tagger = None if choice.model == service.default.model else choice.spec
        try:
            outcome = await service.pool.extract(Task(str(upload.path), upload.filename, upload.sha256, tagger))
        except Unavailable as exc:
            raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from None
        finally:
            remove(uploads)
        return JSONResponse(outcome.result, status_code=result_status(outcome.result))

    @router.post("/jobs", status_code=202, summary="Start a job over several files",
                 openapi_extra=_file_body(many=True),
                 responses={202: {"description": "The job id; poll GET /v1/jobs/{id}"}, **ERRORS})
    async def create_job(request: Request, choice: Annotated[TaggerChoice, Depends(chosen_tagger)],
                         retry_failed: Annotated[bool, Query(description="Extract again contents stored as "
                                                                         "failed with the same model.")] = False
                         ) -> JSONResponse:
        """Upload files as form fields `files` (repeated); the job id comes back at once. Results go to the
        results store as they come, and contents already stored with the same model are not extracted again."""
        service = service_of(request)
        uploads = await uploaded(request, max_files=service.settings.max_job_files)
        try:
            job_id = await run_in_threadpool(service.jobs.create, uploads, choice, retry_failed)
        except Unavailable as exc:
            remove(uploads)
            raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from None
        view = await run_in_threadpool(service.jobs.view, job_id)
        return JSONResponse({**_links(job_id), **view}, status_code=202, headers={"Location": f"/v1/jobs/{job_id}"})

    @router.get("/jobs", summary="Recent jobs")
    def list_jobs(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict:
        return {"jobs": service_of(request).jobs.summaries(limit)}

    @router.get("/jobs/{job_id}", summary="A job's progress and per-file status",
                responses={404: {"description": "no such job"}})
    def get_job(request: Request, job_id: str) -> dict:
        view = service_of(request).jobs.view(job_id)
        if view is None:
            raise ApiError(404, f"no job {job_id}")
        return {**_links(job_id), **view}

    @router.get("/jobs/{job_id}/results", summary="A job's results as JSON lines",
                response_class=StreamingResponse,
                responses={200: {"content": {"application/x-ndjson": {}},
                                 "description": "One result (OUTPUT.md) per line, in upload order"},
                           404: {"description": "no such job"}})
    async def job_results(request: Request, job_id: str,
                          wait: Annotated[bool, Query(description="Keep the stream open until every file is "
                                                                  "done, sending each result as it comes.")] = False
                          ) -> StreamingResponse:
        """The results of the files done so far, one JSON document per line in upload order, each under
        its uploaded file name. With wait=true, every file's result, as each is done."""
        jobs = service_of(request).jobs
        try:
            first, finished = await run_in_threadpool(jobs.results, job_id, 0, stop_at_pending=wait)
        except KeyError:
            raise ApiError(404, f"no job {job_id}") from None
        return StreamingResponse(_stream(jobs, job_id, first, finished, wait), media_type="application/x-ndjson",
                                 headers={"X-Job-State": "finished" if finished else "running"})

    @router.get("/models", summary="Taggers and trained models")
    def models(request: Request) -> dict:
        """The default tagger, and every trained model with whether this code can use it
        (pick one per request with `model=`, or `tagger=`)."""
        return list_models(service_of(request).default)

    return router


def _links(job_id: str) -> dict:
    return {"id": job_id, "status_url": f"/v1/jobs/{job_id}", "results_url": f"/v1/jobs/{job_id}/results"}


async def _stream(jobs: Jobs, job_id: str, batch: list[tuple[int, dict]], finished: bool,
                  wait: bool) -> AsyncIterator[bytes]:
    """JSON lines from `batch` on; fetches further batches (and, with `wait`, waits for pending files
    while the workers run)."""
    next_index = 0
    while True:
        for idx, result in batch:
            yield (json.dumps(result, ensure_ascii=False) + "\n").encode("utf-8")
            next_index = idx + 1
        if batch:
            batch, finished = await run_in_threadpool(jobs.results, job_id, next_index, stop_at_pending=wait)
            continue
        if finished or not wait or not jobs.pool.healthy:
            return
        await asyncio.sleep(RESULTS_POLL_SECONDS)
        batch, finished = await run_in_threadpool(jobs.results, job_id, next_index, stop_at_pending=wait)


# --- the application ----------------------------------------------------------------------------

def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = " ".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        kind = {"query": "query parameter", "path": "path parameter"}.get(
            error.get("loc", ("",))[0], "request")
        parts.append(f"{kind} {where!r}: {error.get('msg', 'invalid')}" if where else error.get("msg", "invalid"))
    return "; ".join(parts) or "malformed request"


def create_app(settings: ServiceSettings, *, default: TaggerChoice | None = None) -> FastAPI:
    """The API over `settings`; workers start (and unfinished jobs resume) when the server starts it.

    default: the default tagger, already chosen (else chosen from settings.tagger and settings.model;
    ValueError if that is not possible).
    """
    service = Service(settings, default or choose(settings.tagger, settings.model))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            await run_in_threadpool(service.start)
        except Exception as exc:
            log.error("the service could not start: %s", exc)
            await run_in_threadpool(service.stop)
            raise
        log.info("ready: %d workers, default tagger %s-%s, store %s", settings.workers, service.default.model.name,
                 service.default.model.version, settings.store)
        yield
        await run_in_threadpool(service.stop)

    app = FastAPI(title="ogi-extractor", version=__version__, lifespan=lifespan,
                  description="Extracts annual reports on open government information "
                              "(政府信息公开工作年度报告) into the JSON of OUTPUT.md. "
                              "Errors are JSON {\"error\": message}.")
    app.state.service = service
    app.include_router(build_router())

    @app.get("/healthz", summary="Liveness and readiness", responses={503: {"description": "workers not running"}})
    def healthz(request: Request) -> JSONResponse:
        pool = service.pool
        ok = pool is not None and pool.healthy
        body = {"status": "ok" if ok else "unavailable", "version": __version__,
                "model": service.default.as_dict(), "workers": settings.workers,
                "waiting": pool.waiting if pool is not None else 0}
        if not ok:
            body["error"] = (pool.error if pool is not None else None) or "the workers are not running"
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse,
             dependencies=[Depends(require_token)])
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(service.metrics.render(), media_type=CONTENT_TYPE)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": f"internal error ({type(exc).__name__}); see the service log"},
                            status_code=500)

    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    return app
