"""Request and extraction metrics in the Prometheus text format (version 0.0.4), kept in memory.

    ogi_http_requests_total{method,route,status}      counter
    ogi_http_request_duration_seconds{method,route}   histogram (until the last byte of the response)
    ogi_extractions_total{status}                     counter: documents the workers finished
    ogi_extraction_duration_seconds                   histogram: time in the worker per document
    ogi_extraction_waiting, ogi_workers, ogi_jobs{state}   gauges, read when scraped

`route` is the route template (/v1/jobs/{job_id}), or "unmatched", so labels stay few.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bulk.job import Outcome

REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
EXTRACTION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class Histogram:
    def __init__(self, buckets: tuple[float, ...]):
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.count = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.count += 1
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1

    def lines(self, name: str, labels: tuple[tuple[str, str], ...]) -> list[str]:
        out = [f"{name}_bucket{_labels(labels + (('le', _number(bound)),))} {n}"
               for bound, n in zip(self.buckets, self.counts)]
        out.append(f"{name}_bucket{_labels(labels + (('le', '+Inf'),))} {self.count}")
        out.append(f"{name}_sum{_labels(labels)} {_number(self.sum)}")
        out.append(f"{name}_count{_labels(labels)} {self.count}")
        return out


class Metrics:
    """Counters and histograms (thread-safe), and gauges read from callbacks when rendered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple, int] = defaultdict(int)
        self.latency: dict[tuple, Histogram] = {}
        self.extractions: dict[str, int] = defaultdict(int)
        self.extraction_seconds = Histogram(EXTRACTION_BUCKETS)
        self.gauges: dict[str, tuple[str, Callable[[], float | dict[str, float]]]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(("method", method), ("route", route), ("status", str(status)))] += 1
            key = (("method", method), ("route", route))
            if key not in self.latency:
                self.latency[key] = Histogram(REQUEST_BUCKETS)
            self.latency[key].observe(seconds)

    def observe_outcome(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        with self._lock:
            self.extractions[outcome.result.get("status", "failed")] += 1
            if "total" in outcome.seconds:
                self.extraction_seconds.observe(outcome.seconds["total"])

    def gauge(self, name: str, help_text: str, read: Callable[[], float | dict[str, float]]) -> None:
        """A gauge read at scrape time: a number, or {label value: number} for a `state` label."""
        self.gauges[name] = (help_text, read)

    def render(self) -> str:
        with self._lock:
            lines = ["# HELP ogi_http_requests_total HTTP requests answered, by method, route and status.",
                     "# TYPE ogi_http_requests_total counter"]
            lines += [f"ogi_http_requests_total{_labels(k)} {n}" for k, n in sorted(self.requests.items())]
            lines += ["# HELP ogi_http_request_duration_seconds Time to answer an HTTP request.",
                      "# TYPE ogi_http_request_duration_seconds histogram"]
            for key, histogram in sorted(self.latency.items()):
                lines += histogram.lines("ogi_http_request_duration_seconds", key)
            lines += ["# HELP ogi_extractions_total Documents extracted by the workers, by result status.",
                      "# TYPE ogi_extractions_total counter"]
            lines += [f'ogi_extractions_total{{status="{s}"}} {n}' for s, n in sorted(self.extractions.items())]
            lines += ["# HELP ogi_extraction_duration_seconds Time a worker spent on one document.",
                      "# TYPE ogi_extraction_duration_seconds histogram"]
            lines += self.extraction_seconds.lines("ogi_extraction_duration_seconds", ())
        for name, (help_text, read) in sorted(self.gauges.items()):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            value = read()
            if isinstance(value, dict):
                lines += [f'{name}{{state="{_escape(k)}"}} {_number(v)}' for k, v in sorted(value.items())]
            else:
                lines.append(f"{name} {_number(value)}")
        return "\n".join(lines) + "\n"


class MetricsMiddleware:
    """Counts every HTTP request and times it until its response is complete (pure ASGI, so it also
    times streamed responses and sees requests refused before the route runs)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(scope["method"], template, status, time.perf_counter() - started)
