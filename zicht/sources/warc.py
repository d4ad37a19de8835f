"""Raw pages as evidence: WARC response records, one gzip member each, addressed by offset.

A record is written to the operating system before its database row is written, so a crawl
killed mid-write leaves at most an unreferenced tail, never a row pointing at missing bytes.
Records are fsynced every ``fsync_every`` records and on ``sync()``/``close()`` (the store does
this when a run finishes): an fsync per record cost more than the fetch itself. After a power
cut the newest unsynced records may be missing; reading them then fails loudly, never silently.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class StoredRecord:
    warc_file: str  # relative to the data directory
    offset: int
    length: int
    sha256: str
    size: int


class WarcStore:
    """Appends response records to ``<data_dir>/warc/<name>.warc.gz``; thread-safe."""

    def __init__(self, data_dir: Path, *, fsync_every: int = 64) -> None:
        self.data_dir = Path(data_dir)
        (self.data_dir / "warc").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._files: dict[str, BinaryIO] = {}
        self._unsynced = 0
        self.fsync_every = fsync_every

    def path(self, warc_file: str) -> Path:
        return self.data_dir / warc_file

    def append(
        self,
        name: str,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime | None = None,
    ) -> StoredRecord:
        rel = f"warc/{name}.warc.gz"
        fetched_at = fetched_at or datetime.now(UTC)
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            fh = self._files.get(rel)
            if fh is None:
                fh = self._files[rel] = open(self.path(rel), "ab")  # noqa: SIM115 - kept open for appends
            offset = fh.seek(0, os.SEEK_END)
            writer = WARCWriter(fh, gzip=True)
            warc_headers = {
                "WARC-Date": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "WARC-Payload-Digest": "sha256:" + digest,
            }
            if url.startswith(("http://", "https://")):
                record = writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=StatusAndHeaders(
                        f"{status} {_reason(status)}", headers, protocol="HTTP/1.1"
                    ),
                    warc_headers_dict=warc_headers,
                )
            else:  # an imported file: a resource record, there was no HTTP exchange
                content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
                record = writer.create_warc_record(
                    url,
                    "resource",
                    payload=io.BytesIO(body),
                    warc_content_type=content_type or "application/octet-stream",
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
            fh.flush()
            length = fh.tell() - offset
            self._unsynced += 1
            if self._unsynced >= self.fsync_every:
                self._sync_locked()
        return StoredRecord(rel, offset, length, digest, len(body))

    def _sync_locked(self) -> None:
        for fh in self._files.values():
            fh.flush()
            os.fsync(fh.fileno())
        self._unsynced = 0

    def sync(self) -> None:
        """Make every record written so far durable."""
        with self._lock:
            self._sync_locked()

    def close(self) -> None:
        with self._lock:
            self._sync_locked()
            for fh in self._files.values():
                fh.close()
            self._files.clear()

    def read(self, warc_file: str, offset: int) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, HTTP headers and body of the record at ``offset``; verifies nothing by itself."""
        with self._lock:
            pending = self._files.get(warc_file)
            if pending is not None:
                pending.flush()
        with open(self.path(warc_file), "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                body = record.content_stream().read()
                if record.rec_type == "resource":
                    return 200, [("Content-Type", record.rec_headers.get_header("Content-Type", ""))], body
                http = record.http_headers
                return int(http.get_statuscode()), list(http.headers), body
        raise FileNotFoundError(f"no WARC record at {warc_file}@{offset}")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
