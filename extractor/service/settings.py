"""The service's settings: one validated dataclass, built by `ogi serve` from its options."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..loaders import DEFAULT_LOAD_SETTINGS, LoadSettings

TOKEN_ENV = "OGI_API_TOKEN"


def _cpu_count() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class ServiceSettings:
    """How the HTTP service runs.

    store: the results store (SQLite) shared with `ogi extract --store`; jobs are kept in it too, and
        uploaded files in `data_dir`, a folder beside it.
    workers: extraction processes (each loads the tagger once).
    timeout: seconds one document may take before its worker is stopped (None: no limit).
    max_upload_mb: the largest file accepted (per file), enforced while the upload streams in.
    max_job_files: the most files one job may hold.
    max_queue: documents waiting or in extraction before new work is refused with 503.
    tagger, model: the default tagger (as `get_tagger`; None: the shipped model if any, else rules).
    memory_limit_mb, recycle_after: as for bulk workers (None: no limit / never).
    max_pages, convert_timeout: the loader limits of `LoadSettings` (as `ogi extract --max-pages`,
        `--convert-timeout`).
    api_token: when set, every /v1 request and /metrics needs `Authorization: Bearer <token>`.
    """

    store: Path = Path("ogi-service.db")
    workers: int = field(default_factory=_cpu_count)
    timeout: float | None = 300.0
    max_upload_mb: float = 50.0
    max_job_files: int = 100
    max_queue: int = 1000
    tagger: str | None = None
    model: str | None = None
    memory_limit_mb: int | None = 4096
    recycle_after: int | None = 200
    max_pages: int = DEFAULT_LOAD_SETTINGS.max_pages
    convert_timeout: float = DEFAULT_LOAD_SETTINGS.convert_timeout
    api_token: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", Path(self.store))
        if self.workers < 1:
            raise ValueError(f"workers={self.workers}: expected 1 or more")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout={self.timeout}: expected a positive number of seconds, or None")
        if not self.max_upload_mb > 0:
            raise ValueError(f"max_upload_mb={self.max_upload_mb}: expected a positive number")
        if self.max_job_files < 1:
            raise ValueError(f"max_job_files={self.max_job_files}: expected 1 or more")
        if self.max_queue < 1:
            raise ValueError(f"max_queue={self.max_queue}: expected 1 or more")
        if self.memory_limit_mb is not None and self.memory_limit_mb < 256:
            raise ValueError(f"memory_limit_mb={self.memory_limit_mb}: expected at least 256")
        if self.recycle_after is not None and self.recycle_after < 1:
            raise ValueError(f"recycle_after={self.recycle_after}: expected 1 or more")
        if self.api_token is not None and not self.api_token.strip():
            raise ValueError("api_token: empty; unset it to run without authentication")
        self.load_settings  # noqa: B018  (validates max_pages and convert_timeout)

    @property
    def load_settings(self) -> LoadSettings:
        return LoadSettings(max_pages=self.max_pages, convert_timeout=self.convert_timeout)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def data_dir(self) -> Path:
        """Uploaded files (uploads/, by sha256) and uploads being received (incoming/)."""
        return self.store.with_name(self.store.name + ".files")

    @classmethod
    def token_from_env(cls) -> str | None:
        return os.environ.get(TOKEN_ENV) or None
