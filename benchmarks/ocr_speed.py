"""How fast scanned reports are read: seconds per scanned page, and where they go.

    .venv/bin/python benchmarks/ocr_speed.py [FILE.pdf] [--repeat 2] [--dpi 200] [--threads 1]

FILE is an image-only PDF; without it, examples/seed-004.pdf is rasterised into one first
(a text PDF given as FILE is rasterised too). Prints the model loading time once, then per run
the seconds for the whole load (render, deskew, ruling lines, detection, recognition, table
assembly), the detector's and recogniser's shares, and seconds per page; the median run last.
Settings are OcrSettings (OGI_OCR_DPI, OGI_OCR_THREADS, OGI_OCR_MAX_PAGES), --dpi/--threads
override them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.geometry.pages import ocr_candidates
from extractor.geometry.words import DEFAULT_SETTINGS
from extractor.loaders import load
from extractor.loaders.pdf import open_pdf, read_pages
from extractor.ocr.engine import get_engine
from extractor.ocr.scan import scan_pdf
from extractor.ocr.settings import OcrSettings


def image_only(path: Path, scratch: Path) -> Path:
    """`path` when every page lacks a text layer, else a rasterised copy of it."""
    pdf = open_pdf(path)
    try:
        count, layouts, _ = read_pages(pdf, path, 10_000, DEFAULT_SETTINGS)
    finally:
        pdf.close()
    if len(ocr_candidates(layouts)) == count:
        return path
    return scan_pdf(path, scratch / f"{path.stem}-scanned.pdf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "examples" / "seed-004.pdf"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dpi", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.dpi is not None:
        os.environ["OGI_OCR_DPI"] = str(args.dpi)
    if args.threads is not None:
        os.environ["OGI_OCR_THREADS"] = str(args.threads)
    settings = OcrSettings.from_env()

    with tempfile.TemporaryDirectory() as scratch:
        path = image_only(Path(args.file), Path(scratch))
        started = time.perf_counter()
        engine = get_engine(settings.threads)
        print(f"model loading: {time.perf_counter() - started:.2f} s (once per process)")
        spent = {"detect": 0.0, "recognise": 0.0}
        detect, read_lines = engine.detect, engine.read_lines

        def timed(name, fn):
            def run(*a, **k):
                t = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent[name] += time.perf_counter() - t
            return run

        engine.detect, engine.read_lines = timed("detect", detect), timed("recognise", read_lines)
        per_page = []
        print(f"{path.name}: dpi {settings.dpi}, threads {settings.threads}")
        for run in range(args.repeat):
            spent.update(detect=0.0, recognise=0.0)
            started = time.perf_counter()
            doc = load(path)
            total = time.perf_counter() - started
            per_page.append(total / doc.pages)
            print(f"run {run + 1}: {total:.1f} s for {doc.pages} pages ({doc.format}, {len(doc.tokens)} tokens): "
                  f"detection {spent['detect']:.1f} s, recognition {spent['recognise']:.1f} s, "
                  f"rest {total - spent['detect'] - spent['recognise']:.1f} s; {total / doc.pages:.2f} s/page")
        print(f"median: {statistics.median(per_page):.2f} s per scanned page")


if __name__ == "__main__":
    main()
