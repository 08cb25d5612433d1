"""Throughput of bulk extraction on PDFs, beside pdfplumber's own parse time of the same files.

    .venv/bin/python benchmarks/bulk_throughput.py                # 20 PDFs rendered from the seed golds
    .venv/bin/python benchmarks/bulk_throughput.py --inputs DIR   # your own PDFs
    .venv/bin/python benchmarks/bulk_throughput.py --cache .cache/bench-pdfs --workers 1 2
    .venv/bin/python benchmarks/bulk_throughput.py --tagger rules # another tagger than the default (the model)

For each worker count it measures, in the same run on the same files:

    pdfplumber alone    open + extract_words() of every page (N processes, files split between them)
    pipeline            `run_bulk` into a fresh store: hashing, worker start-up, load, tag, assemble,
                        validate and the store writes: the whole `ogi extract --store` path

and prints docs/s, pages/s and the pipeline's share of pdfplumber-alone throughput, by wall time
and by CPU time (the latter is steadier on a machine doing other work), the time of each stage in
the workers, and tagging's share of it, beside the targets of issue 16 (pipeline >= 0.8x
pdfplumber alone, tagging <= 15 % of a PDF's time).
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.bulk import BulkSettings, TaggerSpec, run_bulk


def render_pdfs(out: Path, count: int) -> list[Path]:
    """`count` PDFs: the seed golds with one figure varied each time, rendered by LibreOffice (two at a time)."""
    from extractor.render import render

    golds = [json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "annotations" / "gold").glob("*/gold.json"))]
    out.mkdir(parents=True, exist_ok=True)

    def one(i: int) -> Path:
        target = out / f"bench-{i:03d}.pdf"
        if target.exists():
            return target
        gold = copy.deepcopy(golds[i % len(golds)])
        gold["tables"]["applications"]["new_received"]["natural_person"] += i
        return render(gold, "pdf", out, name=target.stem)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, range(count)))


def plumb(paths: list[str]) -> tuple[int, float]:
    """pdfplumber alone: open and extract_words() of every page; returns (pages read, CPU seconds)."""
    import pdfplumber

    cpu = time.process_time()
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
                pages += 1
                page.close()
    return pages, time.process_time() - cpu


def time_pdfplumber(paths: list[str], workers: int) -> dict:
    started = time.perf_counter()
    if workers == 1:
        pages, cpu = plumb(paths)
    else:
        with multiprocessing.get_context("forkserver").Pool(workers) as pool:
            parts = pool.map(plumb, [paths[i::workers] for i in range(workers)])
        pages, cpu = sum(p for p, _ in parts), sum(c for _, c in parts)
    return {"wall": time.perf_counter() - started, "cpu": cpu, "pages": pages}


def time_pipeline(paths: list[str], workers: int, tagger: TaggerSpec) -> dict:
    """The whole `--store` path; CPU is the driver's (hashing, planning, store) plus the workers' per file."""
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as scratch:
        started, driver_cpu = time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as quiet:
            report = run_bulk(paths, Path(scratch) / "bench.db", tagger, BulkSettings(workers=workers),
                              progress=False, log=quiet)
        wall, driver_cpu = time.perf_counter() - started, time.process_time() - driver_cpu
        conn = sqlite3.connect(Path(scratch) / "bench.db")
        pages = conn.execute("SELECT COALESCE(SUM(pages), 0) FROM results").fetchone()[0]
        stages: dict[str, float] = {}
        for (seconds,) in conn.execute("SELECT seconds FROM results"):
            for stage, value in json.loads(seconds).items():
                stages[stage] = stages.get(stage, 0.0) + value
        conn.close()
    assert not report.interrupted and sum(report.counts.values()) == len(set(paths)), report
    return {"wall": wall, "cpu": driver_cpu + stages.get("cpu", 0.0), "pages": pages, "stages": stages}


def describe(spec: TaggerSpec) -> str:
    """The tagger a worker loads for `spec`, as the results name it (runtime included for a model)."""
    from extractor.bulk.job import load_tagger

    tagger = load_tagger(spec)
    runtime = getattr(getattr(tagger, "predictor", None), "runtime", None)
    return f"{tagger.name}-{tagger.version}" + (f" ({runtime})" if runtime else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=Path, help="a folder of PDFs to use instead of rendering")
    parser.add_argument("--count", type=int, default=20, help="PDFs to render (default 20)")
    parser.add_argument("--cache", type=Path, help="keep the rendered PDFs here for the next run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tagger", default=None, help="model, rules or sklearn (default: the default pipeline's)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeat", type=int, default=1, help="measure each N times, keep the fastest")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ogi-bench-pdfs-") as scratch:
        if args.inputs:
            paths = sorted(str(p) for p in args.inputs.glob("*.pdf"))
        else:
            started = time.perf_counter()
            paths = [str(p) for p in render_pdfs(args.cache or Path(scratch), args.count)]
            print(f"rendered {len(paths)} PDFs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        plumb(paths[:1])  # imports and disk cache warm for both
        tagger = TaggerSpec(args.tagger, args.model)
        load_before = os.getloadavg()[0]
        base: dict[int, dict] = {}
        pipe: dict[int, dict] = {}
        for _ in range(args.repeat):  # interleaved, so both see the same conditions; the fastest run counts
            for workers in args.workers:
                runs = (time_pdfplumber(paths, workers), time_pipeline(paths, workers, tagger))
                for best, run in zip((base, pipe), runs):
                    if workers not in best or run["wall"] < best[workers]["wall"]:
                        best[workers] = run
        load_after = os.getloadavg()[0]

    docs, pages = len(paths), base[args.workers[0]]["pages"]
    print(f"{docs} PDFs, {pages} pages, tagger {describe(tagger)}, {os.cpu_count()} CPUs, fastest of {args.repeat}; "
          f"load average {load_before:.1f} before / {load_after:.1f} after (other work on the machine skews "
          "wall times; CPU times much less)")
    print(f"{'workers':>7}  {'pdfplumber alone':>27}  {'whole pipeline (--store)':>27}  {'ratio':>5}  "
          f"{'CPU s':>11}  {'ratio':>5}")
    print(f"{'':>7}  {'wall s':>7} {'docs/s':>8} {'pages/s':>10}  {'wall s':>7} {'docs/s':>8} {'pages/s':>10}  "
          f"{'wall':>5}  {'plumb':>5} {'pipe':>5}  {'CPU':>5}")
    for workers in args.workers:
        b, p = base[workers], pipe[workers]
        print(f"{workers:>7}  {b['wall']:7.2f} {docs / b['wall']:8.2f} {pages / b['wall']:10.1f}  "
              f"{p['wall']:7.2f} {docs / p['wall']:8.2f} {pages / p['wall']:10.1f}  {b['wall'] / p['wall']:5.2f}  "
              f"{b['cpu']:5.2f} {p['cpu']:5.2f}  {b['cpu'] / p['cpu']:5.2f}")
        print(f"{'':>7}  pipeline time in workers by stage (s): "
              + ", ".join(f"{stage} {value:.2f}" for stage, value in p["stages"].items()))
        share = p["stages"].get("tag", 0.0) / p["stages"]["total"] if p["stages"].get("total") else 0.0
        print(f"{'':>7}  tagging {100 * share:.1f} % of the PDFs' time in the workers (target <= 15 %); "
              f"pipeline {b['wall'] / p['wall']:.2f}x pdfplumber alone by wall time, {b['cpu'] / p['cpu']:.2f}x "
              "by CPU time (target >= 0.8x)")
    first = args.workers[0]
    for workers in args.workers[1:]:
        print(f"speed-up {first} -> {workers} workers (wall): pdfplumber alone "
              f"{base[first]['wall'] / base[workers]['wall']:.2f}x, pipeline {pipe[first]['wall'] / pipe[workers]['wall']:.2f}x")


if __name__ == "__main__":
    main()
