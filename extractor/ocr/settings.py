"""OCR settings: one validated dataclass, defaults overridable by environment variables.

The bulk CLI and the service construct nothing themselves: the loader reads
`OcrSettings.from_env()`, so `OGI_OCR_DPI`, `OGI_OCR_THREADS` and
`OGI_OCR_MAX_PAGES` reach every process unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

ENV_PREFIX = "OGI_OCR_"


@dataclass(frozen=True)
class OcrSettings:
    """How scanned pages are read.

    dpi: resolution page images are rendered (PDF) or resampled (images) to before reading.
    threads: ONNX Runtime threads per model. 1 (the default) suits batches, where worker
        processes already share the cores; 0 lets one process use every core.
    max_pages: a document with more pages to read by OCR is refused (OCR costs seconds a page).
    """

    dpi: int = 200
    threads: int = 1
    max_pages: int = 60

    def __post_init__(self) -> None:
        limits = {"dpi": (100, 600), "threads": (0, 256), "max_pages": (1, 100_000)}
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"OCR setting {name} (environment {ENV_PREFIX}{name.upper()}) must be "
                                 f"a whole number from {low} to {high}, got {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OcrSettings:
        """Defaults, overridden by OGI_OCR_DPI, OGI_OCR_THREADS, OGI_OCR_MAX_PAGES where set."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper(), "").strip()
            if not raw:
                continue
            try:
                values[f.name] = int(raw)
            except ValueError:
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()} must be a whole number, got {raw!r}") from None
        return cls(**values)

    @property
    def points_per_pixel(self) -> float:
        return 72.0 / self.dpi
