"""Load on the HTTP service: a fixed number of POST /v1/extract uploads from concurrent clients, over
loopback only; stops by itself and prints throughput and latency percentiles.

    .venv/bin/python benchmarks/service_load.py                     # starts `ogi serve` (rules, temp store)
    .venv/bin/python benchmarks/service_load.py --requests 200 --clients 16 --file examples/seed-004.pdf
    .venv/bin/python benchmarks/service_load.py --file examples/seed-00{0,1,2,3,4}.*   # a mix, round robin
    .venv/bin/python benchmarks/service_load.py --url http://127.0.0.1:8000           # a server already running

Each client is a thread with its own connection, sending its share of the requests one after the
other. Latency is from the first byte sent to the last byte of the result. A request fails when it
gets no answer or an answer other than 200; the exit status is 1 if any failed. Results whose
status is `failed` are counted apart (they are answers, not failures).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from itertools import cycle
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"{url}: this load script talks to a loopback address only (127.0.0.1, ::1, localhost)")
    return url.rstrip("/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(store: Path, workers: int, tagger: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "extractor.cli", "serve", "--port", str(port), "--store", str(store),
               "--workers", str(workers), "--log-level", "warning"]
    if tagger:
        command += ["--tagger", tagger]
    env = {key: value for key, value in os.environ.items() if key != "OGI_API_TOKEN"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not answer /healthz within 120 s")


def worker_seconds(url: str, token: str | None) -> tuple[float, float]:
    """(documents, seconds) the workers have spent so far, from /metrics."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    text = httpx.get(f"{url}/metrics", headers=headers, timeout=10).text
    samples = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return (float(samples.get("ogi_extraction_duration_seconds_count", 0)),
            float(samples.get("ogi_extraction_duration_seconds_sum", 0)))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def run_load(url: str, files: list[Path], requests: int, clients: int, token: str | None,
             timeout: float) -> dict:
    payloads = [(path.name, path.read_bytes()) for path in files]
    order = cycle(range(len(payloads)))
    lock = threading.Lock()
    todo = iter(range(requests))
    latencies: list[float] = []
    failures: list[str] = []
    failed_results = 0
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def client() -> None:
        nonlocal failed_results
        with httpx.Client(base_url=url, timeout=timeout, headers=headers) as http:
            while True:
                with lock:
                    if next(todo, None) is None:
                        return
                    name, content = payloads[next(order)]
                started = time.perf_counter()
                try:
                    response = http.post("/v1/extract", files={"file": (name, content)})
                    body = response.json() if response.status_code == 200 else None
                except (httpx.HTTPError, ValueError) as exc:
                    with lock:
                        failures.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code != 200:
                        failures.append(f"{name}: HTTP {response.status_code}: {response.text[:200]}")
                        continue
                    latencies.append(elapsed)
                    failed_results += body.get("status") == "failed"

    threads = [threading.Thread(target=client, name=f"client-{i}") for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"requests": requests, "clients": clients, "wall": wall, "latencies": latencies, "failures": failures,
            "failed_results": failed_results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running server (loopback only); default: start one on a free port.")
    parser.add_argument("--requests", type=int, default=128, help="Uploads in all (default 128).")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients (default 16).")
    parser.add_argument("--file", dest="files", type=Path, nargs="+", default=[ROOT / "examples" / "seed-004.pdf"],
                        help="File(s) to upload, round robin (default examples/seed-004.pdf).")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Workers of the server this script starts (default: the CPU count).")
    parser.add_argument("--tagger", default="rules", help="Tagger of the server this script starts (default rules; "
                                                          "'' for the service's default).")
    parser.add_argument("--warmup", type=int, default=4, help="Uploads before measuring (default 4).")
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds a request may take (default 300).")
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1:
        parser.error("--requests and --clients must be at least 1")

    process = None
    with tempfile.TemporaryDirectory(prefix="ogi-load-") as tmp:
        if args.url:
            url = loopback_only(args.url)
        else:
            process, url = start_server(Path(tmp) / "results.db", args.workers, args.tagger or None)
        token = os.environ.get("OGI_API_TOKEN") if args.url else None
        try:
            if args.warmup:
                run_load(url, args.files, args.warmup, min(args.warmup, args.clients), token, args.timeout)
            docs_before, seconds_before = worker_seconds(url, token)
            load_before = os.getloadavg()[0]
            report = run_load(url, args.files, args.requests, args.clients, token, args.timeout)
            load_after = os.getloadavg()[0]
            docs_after, seconds_after = worker_seconds(url, token)
            health = httpx.get(f"{url}/healthz", timeout=10).json()
        finally:
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    lat = report["latencies"]
    names = ", ".join(sorted({p.name for p in args.files}))
    print(f"server: {url}, {health.get('workers')} workers, tagger {health['model']['id']}, {os.cpu_count()} CPUs "
          f"(load average {load_before:.1f} before, {load_after:.1f} after)")
    print(f"load: {report['requests']} uploads of {names} from {report['clients']} concurrent clients")
    print(f"answered: {len(lat)} of {report['requests']} (failed requests: {len(report['failures'])}; "
          f"results with status failed: {report['failed_results']})")
    print(f"wall {report['wall']:.2f} s, throughput {len(lat) / report['wall']:.2f} documents/s")
    if lat:
        print(f"latency: p50 {percentile(lat, 50):.2f} s, p95 {percentile(lat, 95):.2f} s, "
              f"p99 {percentile(lat, 99):.2f} s, max {max(lat):.2f} s")
    if docs_after > docs_before:
        per_doc = (seconds_after - seconds_before) / (docs_after - docs_before)
        print(f"worker time: {per_doc:.2f} s per document (so at most {health.get('workers')} / {per_doc:.2f} = "
              f"{health.get('workers', 1) / per_doc:.2f} documents/s on these workers)")
    for failure in report["failures"][:10]:
        print(f"failed: {failure}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
