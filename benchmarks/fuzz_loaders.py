"""Coverage-guided fuzzing of one loader: damaged files must fail with a plain reason, never crash.

    .venv/bin/pip install -e '.[fuzz]'          # atheris (libFuzzer for Python); not in CI
    .venv/bin/python benchmarks/fuzz_loaders.py --loader docx --seconds 600 [--out build/fuzz]

Loaders: pdf, docx, html, text (.doc is a LibreOffice conversion: seconds per input, no coverage
of ours; the suite's mutation test covers it). The corpus starts from `examples/` and the
regression fixtures in `tests/fixtures/damaged/` (a PDF also page by page, each page drawn again
in a few kB: `small_pdf`); atheris instruments our package and the loader's libraries and libFuzzer mutates the
bytes. For .docx half the mutations are made inside the zip (one member's bytes mutated and the
archive written again), else nearly every input would stop at the zip's checksum.

Each input goes the whole way of `ogi extract` with the rules tagger (load, tag, assemble,
validate). A LoadError (the plain "damaged ... file" reasons) is the wanted outcome; any other
exception is a find: the input is kept once per place it was raised, under
OUT/LOADER/finds/, with its traceback beside it. libFuzzer's own finds (an input over the
memory limit, or one taking longer than --timeout: a hang) land in OUT/LOADER/artifacts/; the
fuzzer is then started again for the remaining time. Prints what was found at the end and exits 1
if anything was; a find becomes a fixture under tests/fixtures/damaged/ with its fix.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}
# What atheris instruments besides our package: the libraries that read each format
LIBRARIES = {"pdf": ["pdfplumber", "pdfminer", "pypdfium2"], "docx": ["docx", "defusedxml"],
             "html": ["bs4", "charset_normalizer", "html5lib"], "text": ["charset_normalizer", "opencc"]}
SLOW_SECONDS = 20.0  # an input slower than this is listed (the --timeout kills a hang)


def seed_corpus(loader: str, corpus: Path) -> None:
    """Fill an empty `corpus` with the shipped examples of `loader`'s format (PDFs page by page too)."""
    if any(corpus.iterdir()):
        return
    suffix = SUFFIX[loader]
    sources = [p for p in sorted((ROOT / "examples").iterdir()) if p.suffix == suffix]
    sources += [p for p in sorted((ROOT / "tests" / "fixtures" / "damaged").iterdir()) if p.suffix == suffix]
    for source in sources:
        (corpus / source.name).write_bytes(source.read_bytes())
        if loader == "pdf" and source.parent.name == "examples":
            import pdfplumber
            with pdfplumber.open(source) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    (corpus / f"{source.stem}-page{number}.pdf").write_bytes(small_pdf(page))


def small_pdf(page) -> bytes:
    """One page of a PDF drawn again in a few kB: its words where they stood, in the Adobe-GB1 font
    STSong-Light (not embedded: every reader knows it), and its ruling lines. The example's own
    pages carry a 200 kB embedded font each, so libFuzzer ran one input a second on them."""
    height = float(page.height)
    ops = [b"%.1f %.1f %.1f %.1f re S\n" % (r["x0"], height - r["bottom"], r["x1"] - r["x0"], r["bottom"] - r["top"])
           for r in page.rects]
    ops += [b"%.1f %.1f m %.1f %.1f l S\n" % (ln["x0"], height - ln["top"], ln["x1"], height - ln["bottom"])
            for ln in page.lines]
    ops += [b"BT /F1 %.1f Tf %.1f %.1f Td <%s> Tj ET\n" % (w["bottom"] - w["top"], w["x0"], height - w["bottom"],
                                                           w["text"].encode("utf-16-be").hex().encode())
            for w in page.extract_words()]
    content = b"".join(ops)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.1f %.1f] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>" % (float(page.width), height),
               (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                b"/DescendantFonts [6 0 R] >>"),
               b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content),
               (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
                b"/Ordering (GB1) /Supplement 4 >> /DW 1000 /FontDescriptor 7 0 R >>"),
               (b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def mutate_inside_zip(data: bytes, max_size: int, rng: random.Random, atheris) -> bytes | None:
    """`data` (a zip) with one member's bytes mutated, written again; None if it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 (a mutated zip fails in many ways; then mutate the bytes)
        return None
    if not members:
        return None
    weights = [8 if info.filename == "word/document.xml" else 1 for info, _ in members]
    chosen = rng.choices(range(len(members)), weights)[0]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (info, content) in enumerate(members):
            if i == chosen:
                content = atheris.Mutate(content, max(len(content) * 2, 64))
            archive.writestr(info.filename, content)
    written = out.getvalue()
    return written if len(written) <= max_size else None


def child(args: argparse.Namespace) -> None:
    """The fuzzing process: libFuzzer calls `one_input` until --seconds are spent."""
    import atheris

    with atheris.instrument_imports(include=["extractor", *LIBRARIES[args.loader]]):
        from extractor.loaders import load
        from extractor.pipeline import empty_result, extract_document
        from extractor.tagging import get_tagger
        from extractor.tokens import LoadError

    home = Path(args.out) / args.loader
    finds = home / "finds"
    finds.mkdir(parents=True, exist_ok=True)
    tagger = get_tagger("rules")
    scratch = Path(tempfile.mkdtemp(prefix="ogi-fuzz-"))
    path = scratch / f"input{SUFFIX[args.loader]}"
    counts = {"inputs": 0, "plain": 0, "read": 0}

    def one_input(data: bytes) -> None:
        path.write_bytes(data)
        counts["inputs"] += 1
        started = time.perf_counter()
        try:
            document = load(path)
            extract_document(document, empty_result(str(path), None, tagger), tagger)
            counts["read"] += 1
        except LoadError:
            counts["plain"] += 1
        except Exception as exc:  # noqa: BLE001 (the find: kept, and fuzzing goes on)
            keep(data, exc, finds, args.loader)
        seconds = time.perf_counter() - started
        if seconds > SLOW_SECONDS:
            keep(data, None, finds, args.loader, f"slow: {seconds:.1f} s")
        if counts["inputs"] % 200 == 0:
            (home / "counts.json").write_text(json.dumps(counts))

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if args.loader == "docx" and rng.random() < 0.5:
            inside = mutate_inside_zip(data, max_size, rng, atheris)
            if inside is not None:
                return inside
        return atheris.Mutate(data, max_size)

    corpus = home / "corpus"
    artifacts = home / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    libfuzzer = [sys.argv[0], f"-max_total_time={int(args.seconds)}", f"-timeout={int(args.timeout)}",
                 f"-rss_limit_mb={args.rss_mb}", f"-max_len={args.max_len}", f"-artifact_prefix={artifacts}/",
                 "-print_final_stats=1", str(corpus)]
    atheris.Setup(libfuzzer, one_input, custom_mutator=custom_mutator if args.loader == "docx" else None)
    atheris.Fuzz()


def keep(data: bytes, exc: BaseException | None, finds: Path, loader: str, note: str = "") -> None:
    """Store `data` once per place an exception of its kind was raised (or per slow input)."""
    if exc is not None:
        frames = traceback.extract_tb(exc.__traceback__)
        ours = [f for f in frames if "/extractor/" in f.filename] or frames
        place = f"{type(exc).__name__} at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else type(exc).__name__
        text = "".join(traceback.format_exception(exc))
    else:
        place, text = note, note
    name = f"{loader}-{hashlib.sha1(place.encode()).hexdigest()[:10]}"
    if (finds / f"{name}.txt").exists() and exc is not None:
        return
    (finds / f"{name}{SUFFIX[loader]}").write_bytes(data)
    (finds / f"{name}.txt").write_text(f"{place}\n\n{text}", "utf-8")


def parent(args: argparse.Namespace) -> int:
    """Run the fuzzing process until --seconds are spent (again after a libFuzzer find), show progress."""
    from tqdm import tqdm

    home = Path(args.out) / args.loader
    (home / "corpus").mkdir(parents=True, exist_ok=True)
    seed_corpus(args.loader, home / "corpus")
    log = home / "libfuzzer.log"
    deadline = time.monotonic() + args.seconds
    execs = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+).*?exec/s: (\d+)")
    runs = 0
    with tqdm(total=int(args.seconds), unit="s", desc=f"fuzzing {args.loader}", mininterval=10) as bar, open(log, "ab") as out:
        while (left := deadline - time.monotonic()) > 5:
            runs += 1
            command = [sys.executable, __file__, "--child", "--loader", args.loader, "--seconds", str(int(left)),
                       "--timeout", str(args.timeout), "--out", args.out, "--rss-mb", str(args.rss_mb),
                       "--max-len", str(args.max_len)]
            process = subprocess.Popen(command, stdout=out, stderr=out, cwd=ROOT)
            while process.poll() is None:
                time.sleep(2)
                bar.n = min(int(args.seconds), int(args.seconds - (deadline - time.monotonic())))
                stats = execs.findall(log.read_text("utf-8", "replace")[-4000:])
                if stats:
                    _, cov, features, per_second = stats[-1]
                    bar.set_postfix(cov=cov, ft=features, execs_per_s=per_second, finds=len(found(home)), refresh=False)
                bar.update(0)
            if process.returncode == 0:
                break
    return report(args, home, runs)


def found(home: Path) -> list[Path]:
    return sorted((home / "finds").glob("*.txt")) + sorted((home / "artifacts").glob("*-*"))


def report(args: argparse.Namespace, home: Path, runs: int) -> int:
    counts = json.loads((home / "counts.json").read_text()) if (home / "counts.json").exists() else {}
    print(f"\n{args.loader}: {args.seconds:.0f} s in {runs} fuzzing run(s); inputs of the last run: {counts}; "
          f"corpus {len(list((home / 'corpus').iterdir()))} file(s)")
    finds = found(home)
    for find in finds:
        first = find.read_text("utf-8", "replace").splitlines()[0] if find.suffix == ".txt" else "libFuzzer artifact"
        print(f"  find: {find.relative_to(home)}: {first}")
    print("  no find: every damaged input failed with a plain reason or was read" if not finds else
          f"  {len(finds)} find(s): make each a fixture under tests/fixtures/damaged/ with its fix")
    return 1 if finds else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loader", choices=sorted(SUFFIX), required=True)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--timeout", type=float, default=120, help="seconds an input may take before it counts as a hang")
    parser.add_argument("--out", default=str(ROOT / "build" / "fuzz"))
    parser.add_argument("--rss-mb", type=int, default=6144, help="memory limit of the fuzzing process")
    parser.add_argument("--max-len", type=int, default=400_000, help="largest input libFuzzer makes, in bytes")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        sys.exit(parent(args))


if __name__ == "__main__":
    os.environ.setdefault("OGI_LOG_LEVEL", "ERROR")
    main()
