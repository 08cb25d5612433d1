"""How fast the model tagger is, and its share of a whole extraction, on the example PDF.

    .venv/bin/python benchmarks/tagger_speed.py [FILE] [--model tagger-0.1.0] [--repeat 5]

Prints the PDF loader's time, the model tagger's time and speed (loader tokens/s and model
positions/s), the rest of the extraction (assembly and checks), and the tagger's share of
the total; the rule tagger's time for comparison. Times are the median of --repeat runs,
after one warm-up run (model loading is reported separately).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.loaders import load
from extractor.ml.encoding import encode_tokens
from extractor.pipeline import empty_result, extract_document
from extractor.tagging import get_tagger


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up: caches, lazy imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "examples" / "seed-004.pdf"))
    parser.add_argument("--model", default=None, help="model name, id or folder (default: the shipped tagger)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    tagger = get_tagger("model", model=args.model)
    load_model = time.perf_counter() - started
    rules = get_tagger("rules")

    doc = load(args.file)
    tokens = len(doc.tokens)
    positions = len(encode_tokens(doc.tokens))
    t_load = median_seconds(lambda: load(args.file), args.repeat)
    t_model = median_seconds(lambda: tagger.tag(doc), args.repeat)
    t_rules = median_seconds(lambda: rules.tag(doc), args.repeat)

    def whole(with_tagger):
        def run():
            seconds: dict[str, float] = {}
            extract_document(load(args.file), empty_result(args.file, None, with_tagger), with_tagger, seconds)
            return seconds
        return run

    t_total = median_seconds(whole(tagger), args.repeat)
    t_rest = max(0.0, t_total - t_load - t_model)
    print(f"file: {args.file} ({doc.pages} pages, {tokens} tokens, {positions} model positions)")
    print(f"model: {tagger.name}-{tagger.version}, loaded in {load_model * 1000:.0f} ms (once per process)")
    print(f"pdf loader        {t_load * 1000:8.1f} ms")
    print(f"model tagger      {t_model * 1000:8.1f} ms   {tokens / t_model:9.0f} tokens/s   "
          f"{positions / t_model:9.0f} positions/s")
    print(f"assembly, checks  {t_rest * 1000:8.1f} ms")
    print(f"total extraction  {t_total * 1000:8.1f} ms   model tagger share {100 * t_model / t_total:.1f} %, "
          f"loader share {100 * t_load / t_total:.1f} %")
    print(f"rule tagger       {t_rules * 1000:8.1f} ms   {tokens / t_rules:9.0f} tokens/s (for comparison)")


if __name__ == "__main__":
    main()
