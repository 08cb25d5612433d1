"""Receiving uploaded files: multipart/form-data parsed as it streams in, straight to disk.

Each file part is written to a new file in the incoming folder while its sha256 is computed; a
part over the size limit stops the upload with 413 at once, so no body, however large, is held
in memory or written beyond the limit. Then each file's type is checked as the loaders will
see it (`extractor.loaders.sniff`: content first, then name); one no loader reads is a 415.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header

from ..loaders import sniff
from ..tokens import LoadError

MAX_FIELD_BYTES = 64 * 1024  # a non-file form field
DRAIN_BYTES = 16 * 1024 * 1024  # read (and drop) this much more of a refused body, so the client hears why
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
# The only escapes browsers, curl and httpx apply to a quoted filename (WHATWG HTML, multipart/form-data).
_FORM_ESCAPES = re.compile(r"%22|%0[AaDd]")


class UploadError(Exception):
    """A refused upload: HTTP status and a plain message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Upload:
    field: str
    filename: str  # as sent, without any folder part: `source.path` of its result
    path: Path  # where it was saved (incoming/, until moved)
    size: int
    sha256: str

    @property
    def suffix(self) -> str:
        return safe_suffix(self.filename)


def safe_suffix(filename: str) -> str:
    """The file name's suffix, lower case, when it is a plain one (the loaders read it for txt/html)."""
    suffix = Path(filename).suffix
    return suffix.lower() if _SUFFIX.fullmatch(suffix) else ""


def clean_filename(raw: str) -> str:
    name = _UNSAFE.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:255] or "upload"


def _filename(options: dict[bytes, bytes]) -> str | None:
    if b"filename*" in options:  # RFC 5987: charset''percent-encoded
        value = options[b"filename*"].decode("latin-1")
        charset, _, encoded = value.partition("''")
        try:
            return unquote(encoded, encoding=charset or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    if b"filename" in options:
        raw = options[b"filename"]
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("latin-1")
        return _FORM_ESCAPES.sub(lambda m: chr(int(m.group()[1:], 16)), name)
    return None


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


class _Receiver:
    """The parser's callbacks: headers per part, file data to disk as it comes."""

    def __init__(self, folder: Path, max_file_bytes: int, max_files: int):
        self.folder = folder
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.uploads: list[Upload] = []
        self.fields: dict[str, str] = {}
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field = ""
        self._filename: str | None = None
        self._out = None
        self._digest = None
        self._size = 0
        self._path: Path | None = None
        self._data = bytearray()

    def callbacks(self) -> dict:
        return {"on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished}

    def on_part_begin(self) -> None:
        self._disposition, self._filename, self._size, self._data = b"", None, 0, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise UploadError(422, "a form part has no field name (Content-Disposition: form-data; name=...)")
        self._field = options[b"name"].decode("utf-8", "replace")
        self._filename = _filename(options)
        if self._filename is None:
            return
        if len(self.uploads) >= self.max_files:
            raise UploadError(413, f"too many files: at most {self.max_files} per request")
        self._path = self.folder / f"{uuid.uuid4().hex}{safe_suffix(clean_filename(self._filename))}"
        self._out = open(self._path, "wb")  # noqa: SIM115  (written by later callbacks)
        self._digest = hashlib.sha256()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        self._size += len(chunk)
        if self._out is None:
            if self._size > MAX_FIELD_BYTES:
                raise UploadError(413, f"form field {self._field!r} is larger than {MAX_FIELD_BYTES // 1024} KB")
            self._data += chunk
            return
        if self._size > self.max_file_bytes:
            raise UploadError(413, f"{clean_filename(self._filename or '')}: larger than the upload limit of "
                                   f"{megabytes(self.max_file_bytes)} per file")
        self._out.write(chunk)
        self._digest.update(chunk)

    def on_part_end(self) -> None:
        if self._out is None:
            self.fields[self._field] = self._data.decode("utf-8", "replace")
            return
        self._out.close()
        self._out = None
        if not self._filename and not self._size:  # a browser's file input left empty
            self._path.unlink(missing_ok=True)
            return
        self.uploads.append(Upload(self._field, clean_filename(self._filename or ""), self._path, self._size,
                                   self._digest.hexdigest()))

    @property
    def inside_file(self) -> bool:
        return self._out is not None

    def discard(self) -> None:
        """Remove every file written so far (the upload was refused)."""
        if self._out is not None:
            self._out.close()
            self._out = None
            self.uploads.append(Upload(self._field, "", self._path, 0, ""))
        for upload in self.uploads:
            upload.path.unlink(missing_ok=True)
        self.uploads = []


async def _drain(stream: AsyncIterator[bytes]) -> None:
    drained = 0
    try:
        async for chunk in stream:
            drained += len(chunk)
            if drained > DRAIN_BYTES:
                return
    except Exception:  # noqa: BLE001  (the client went away: nothing to tell it)
        return


async def receive_files(content_type: str | None, content_length: str | None, stream: AsyncIterator[bytes],
                        folder: Path, *, max_file_bytes: int, max_files: int) -> tuple[list[Upload], dict[str, str]]:
    """The files of a multipart/form-data body, saved in `folder`, and its other (small) fields.

    UploadError: 422 for a body that is not multipart or holds no file, 413 for a file over
    `max_file_bytes` or more than `max_files` files. Nothing stays on disk after an error.
    """
    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError(422, "expected a multipart/form-data body (the file in a form field, e.g. "
                               "curl -F file=@report.pdf)")
    try:
        declared = int(content_length) if content_length is not None else None
    except ValueError:
        declared = None
    if declared is not None and declared > max_files * (max_file_bytes + MAX_FIELD_BYTES) + DRAIN_BYTES:
        raise UploadError(413, f"the request ({megabytes(declared)}) is larger than the upload limit of "
                               f"{megabytes(max_file_bytes)} per file")
    folder.mkdir(parents=True, exist_ok=True)
    receiver = _Receiver(folder, max_file_bytes, max_files)
    parser = MultipartParser(params[b"boundary"], receiver.callbacks())
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except UploadError as exc:
        receiver.discard()
        if exc.status == 413:
            await _drain(stream)
        raise
    except Exception as exc:  # noqa: BLE001  (python-multipart's parse errors, a client that went away)
        receiver.discard()
        raise UploadError(422, f"the multipart body could not be read ({type(exc).__name__}: {exc})") from None
    except BaseException:
        receiver.discard()
        raise
    if receiver.inside_file:  # the body ended inside a file part
        receiver.discard()
        raise UploadError(422, "the multipart body ended in the middle of a file")
    if not receiver.uploads:
        raise UploadError(422, "no file in the request: send it as a multipart/form-data file field "
                               "(e.g. curl -F file=@report.pdf)")
    return receiver.uploads, receiver.fields


def unreadable_type(upload: Upload) -> str | None:
    """Why no loader reads this file (by content, then name), or None when one does. An empty file
    is left to the extraction, which reports it as failed."""
    if upload.size == 0:
        return None
    try:
        sniff(upload.path)
    except LoadError as exc:
        return f"{upload.filename}: {exc}"
    except OSError as exc:
        return f"{upload.filename}: could not be read back ({exc.strerror or exc})"
    return None


def remove(uploads: list[Upload]) -> None:
    for upload in uploads:
        try:
            os.unlink(upload.path)
        except FileNotFoundError:
            pass
