"""Gold reports for the second renderer (extractor.render.wordprint), never tuned on when held out.

    python -m extractor.synth.wordprint_set build/wordprint-held --docs 48 --seed 2612999

writes `<doc_id>.json` gold reports (flat layout, read by `ogi eval --gold`): both report formats
and scripts by turn, and in most documents the figures of a large body (figures.enlarge: five- and
six-digit counts, amounts with decimals), which the training generator rarely draws. Read them in
the second renderer's layouts with `ogi eval --formats word`.

Two seeds are in use: 2612001 for tuning the readers, 2612999 held out (measured, never tuned
on). Another tuning set takes another seed; the held-out one keeps its own.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from ..dataset import check_training_seed
from . import figures
from .gold import random_gold

TUNING_SEED = 2_612_001
HELD_OUT_SEED = 2_612_999
# Report format and script by turn, so both formats and scripts are in every slice of the set.
TURNS = (("2021", "simplified"), ("2019", "simplified"), ("2021", "traditional"), ("2019", "traditional"))
LARGE_SHARE = 0.7


def wordprint_gold(seed: int, index: int) -> dict:
    rng = random.Random(f"ogi-wordprint:{seed}:{index}")
    fmt, script = TURNS[index % len(TURNS)]
    gold = random_gold(rng, doc_id=f"wordprint-{seed}-{index:05d}", format_version=fmt, script=script,
                       pinyin=False)
    if rng.random() < LARGE_SHARE:
        gold["tables"] = figures.enlarge(rng, gold["tables"], fmt)
        gold["extras"]["large_figures"] = True
    return gold


def write_set(out_dir: Path | str, docs: int, seed: int) -> list[Path]:
    check_training_seed(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(docs):
        gold = wordprint_gold(seed, index)
        path = out / f"{gold['doc_id']}.json"
        path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", "utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m extractor.synth.wordprint_set", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--docs", type=int, default=48)
    parser.add_argument("--seed", type=int, default=TUNING_SEED)
    args = parser.parse_args(argv)
    paths = write_set(args.out_dir, args.docs, args.seed)
    print(f"{len(paths)} gold reports in {args.out_dir}")


if __name__ == "__main__":
    main()
