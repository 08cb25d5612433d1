"""LibreOffice conversions (legacy .doc in, and the renderer's DOCX to PDF/DOC out).

Every call runs `soffice --headless` in its own throw-away profile directory, so
parallel conversions never share (and lock) one profile, and under a timeout
after which the whole converter process group is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

DEFAULT_TIMEOUT = 120.0


class ConversionError(Exception):
    """LibreOffice is missing, failed, or took too long; the message says which."""


def soffice_binary() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(
        "LibreOffice is not installed (needed for .doc files and for rendering); "
        "install it with: apt-get install libreoffice-writer-nogui fonts-noto-cjk"
    )


def convert(src: Path, target: str, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT,
            infilter: str | None = None) -> Path:
    """Convert `src` to format `target` (docx, pdf, doc, …) into `out_dir`; return the new file's path."""
    src = Path(src).resolve()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = soffice_binary()
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as scratch:
        scratch_path = Path(scratch)
        profile = scratch_path / "profile"
        # Work on a copy with a plain name: LibreOffice mishandles some odd file names.
        work_src = scratch_path / ("input" + src.suffix.lower())
        shutil.copyfile(src, work_src)
        work_out = scratch_path / "out"
        cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(work_out), str(work_src)]
        env = dict(os.environ, HOME=str(scratch_path))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError(
                f"LibreOffice did not finish converting {src.name} within {timeout:g} s; "
                "the file may be damaged (raise the limit with --convert-timeout if it is just large)"
            ) from None
        produced = sorted(work_out.glob("*")) if work_out.exists() else []
        if proc.returncode != 0 or not produced:
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {proc.returncode}"
            raise ConversionError(f"LibreOffice could not convert {src.name} to {target}: {reason}")
        dest = out_dir / (src.stem + produced[0].suffix)
        shutil.move(str(produced[0]), dest)
        return dest
