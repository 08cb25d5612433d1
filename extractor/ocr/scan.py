"""Scanned copies of PDFs: every page rasterised, optionally tilted, noisy or coarse, into an
image-only PDF. For tests and the evaluation's "scanned-pdf" input format."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def scan_pdf(source: Path | str, target: Path | str, *, dpi: int = 200, tilt: float = 0.0,
             noise: float = 0.0, seed: int = 0) -> Path:
    """Write `target`: `source`'s pages as grey images at `dpi`, turned by `tilt` degrees
    (counter-clockwise) and with `noise` (share of pixels flipped to random grey levels, plus
    a slight blur, as a photocopy), in one image-only PDF of the same page size."""
    import pypdfium2 as pdfium
    from PIL import Image

    from ..loaders.scanned import render_pdf_pages
    from .image import rotate

    with pdfium.PdfDocument(str(source)) as document:
        count = len(document)
    rng = np.random.default_rng(seed)
    images = []
    for _, gray in render_pdf_pages(Path(source), range(1, count + 1), dpi):
        if noise:
            gray = cv2.GaussianBlur(gray, (3, 3), 0.6)
            flip = rng.random(gray.shape) < noise
            gray = gray.copy()
            gray[flip] = rng.integers(0, 256, int(flip.sum()), dtype=np.uint8)
        if tilt:
            gray = rotate(gray, tilt)
        images.append(Image.fromarray(gray, mode="L"))
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(target, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return target
