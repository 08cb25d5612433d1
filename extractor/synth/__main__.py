"""python -m extractor.synth OUT_DIR [--docs 300] [--seed 1] [--workers 2] [--formats txt-pipe,html] [--office-share 0.13] [--mess-share 0.5]"""

from __future__ import annotations

import argparse
import json

from ..dataset import RESERVED_SEEDS
from .corpus import generate_corpus
from .recipe import FORMAT_WEIGHTS, OFFICE_FORMATS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m extractor.synth", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--office-share", type=float, default=None,
                        help="share of PDF and DOC documents (LibreOffice, ~1 s each); default as FORMAT_WEIGHTS")
    parser.add_argument("--formats", default=None,
                        help=f"render formats drawn, comma separated, with their default weights (of {', '.join(FORMAT_WEIGHTS)})")
    parser.add_argument("--mess-share", type=float, default=0.5)
    parser.add_argument("--no-files", action="store_true", help="do not keep each document's gold and file")
    args = parser.parse_args(argv)
    formats = dict(FORMAT_WEIGHTS)
    if args.formats:
        names = [f.strip() for f in args.formats.split(",") if f.strip()]
        unknown = sorted(set(names) - set(FORMAT_WEIGHTS))
        if unknown or not names:
            parser.error(f"unknown format(s) {unknown or args.formats!r}; choose from {', '.join(FORMAT_WEIGHTS)}")
        formats = {name: FORMAT_WEIGHTS[name] for name in names}
    if args.office_share is not None:
        office = sum(formats[f] for f in OFFICE_FORMATS)
        rest = sum(formats.values()) - office
        formats = {name: weight / office * args.office_share if name in OFFICE_FORMATS
                   else weight / rest * (1 - args.office_share) for name, weight in formats.items()}
    if args.seed in RESERVED_SEEDS:
        parser.error(f"seed {args.seed} is reserved for the challenge set ({RESERVED_SEEDS.start}-"
                     f"{RESERVED_SEEDS.stop - 1}: python -m extractor.synth.challenge makes it); choose another")
    summary = generate_corpus(args.out_dir, args.docs, args.seed, formats, args.workers,
                              mess_share=args.mess_share, keep_files=not args.no_files)
    print(json.dumps({k: summary[k] for k in ("n_docs", "seconds", "seconds_per_format", "data_hash")}
                     | {"counts": summary["counts"]["format"]}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
