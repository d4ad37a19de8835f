"""The photos named in an imported table, kept as evidence so `zicht process` hashes and reads them.

A table names its photos as file paths (relative ones against the table's folder) or http(s) URLs.
Files are read, URLs fetched with the crawler's polite client (robots.txt, pacing, timeouts, size
limit); each photo becomes a raw page of kind ``image`` (WARC, sha256) at the string the ad version
holds, which is where the photo stage looks. A photo that cannot be had is a warning for its row,
never a reason to drop the row.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from zicht import __version__
from zicht.sources.config import DEFAULT_ORGANISATION, USER_AGENT_TEMPLATE
from zicht.sources.http import FetchError, HttpPolicy, PoliteClient
from zicht.store.store import Store

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # the crawler's page limit
CONTACT_ENV = "ZICHT_CONTACT"


def import_policy(contact: str | None = None) -> HttpPolicy:
    """The crawler's politeness for photo URLs in a table; the user agent says who fetches them."""
    contact = contact or os.environ.get(CONTACT_ENV) or "not given"
    agent = USER_AGENT_TEMPLATE.format(
        version=__version__, contact=contact, organisation=DEFAULT_ORGANISATION
    )
    return HttpPolicy(user_agent=agent, max_attempts=2, max_page_bytes=MAX_IMAGE_BYTES)


def is_url(ref: str) -> bool:
    try:
        return urlsplit(ref).scheme.lower() in ("http", "https")
    except ValueError:  # "http://[x": not a URL that can be fetched
        return False


def normalise(ref: str, base: Path) -> str:
    """The string an ad version keeps for one photo: a URL as given, a file as an absolute file URI
    (so two tables with a ``1.jpg`` each never share a photo). A reference that names no usable file
    is kept as written: reading it gives the row's warning, the row itself is imported."""
    if is_url(ref):
        return ref
    try:
        if ref.lower().startswith("file://"):
            return Path(unquote(urlsplit(ref).path)).resolve().as_uri()
        path = Path(ref).expanduser()
        return (path if path.is_absolute() else base / path).resolve().as_uri()
    except (ValueError, RuntimeError, OSError):  # "~nobody/1.jpg", a NUL byte, a malformed URI
        return ref


@dataclass(frozen=True)
class ImageWarning:
    line: int
    image: str
    reason: str


@dataclass
class ImageResult:
    stored: int = 0  # photos read or fetched and kept now
    known: int = 0  # already kept by an earlier import or crawl: not fetched again
    warnings: list[ImageWarning] = field(default_factory=list)


def keep_images(
    store: Store,
    run_id: int,
    wanted: dict[str, list[int]],
    *,
    policy: HttpPolicy,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_progress: Callable[[int, int], None] | None = None,
    transport: object | None = None,
) -> ImageResult:
    """Keep each photo in ``wanted`` ({normalised reference: lines naming it}) as evidence.

    A file is kept only when its bytes are an image (JPEG, PNG, GIF, WebP, HEIC/AVIF, BMP, TIFF): a
    table cannot copy other files of this computer (keys, documents) into the evidence."""
    result = ImageResult()
    urls = [ref for ref in wanted if is_url(ref)]
    known = store.fetched_since(urls, datetime.min.replace(tzinfo=UTC)) if urls else set()
    todo = [ref for ref in wanted if ref not in known]
    client: PoliteClient | None = None
    try:
        for done, ref in enumerate(todo, start=1):
            try:
                if is_url(ref):
                    client = client or PoliteClient(policy, transport=transport)  # type: ignore[arg-type]
                    status, headers, body = _fetch(client, ref)
                else:
                    status, headers, body = _read(ref)
            except _Unavailable as exc:
                result.warnings.extend(ImageWarning(line, ref, exc.reason) for line in wanted[ref])
            else:
                if not is_url(ref) and _same_as_kept(store, ref, body):
                    known.add(ref)  # an unchanged file: its evidence is already there
                else:
                    store.store_page(run_id, ref, "image", status, headers, body, now())
                    result.stored += 1
            if on_progress:
                on_progress(done, len(todo))
    finally:
        if client is not None:
            client.close()
    result.known = len(known)
    return result


def _same_as_kept(store: Store, ref: str, body: bytes) -> bool:
    kept = store.raw_pages_at(ref, kind="image")
    return bool(kept) and kept[0].sha256 == hashlib.sha256(body).hexdigest()


class _Unavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fetch(client: PoliteClient, url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    try:
        response = client.fetch(url)
    except FetchError as exc:
        raise _Unavailable(exc.reason) from exc
    if response.status != 200:
        raise _Unavailable(f"HTTP {response.status}")
    headers = list(response.headers)
    if response.final_url != url:
        headers.append(("X-Zicht-Final-Url", response.final_url))
    return 200, headers, response.body


def looks_like_image(body: bytes) -> bool:
    """The signature of an image format Pillow (with pillow-heif) reads."""
    return (
        body[:3] == b"\xff\xd8\xff"
        or body[:8] == b"\x89PNG\r\n\x1a\n"
        or body[:6] in (b"GIF87a", b"GIF89a")
        or (body[:4] == b"RIFF" and body[8:12] == b"WEBP")
        or (body[4:8] == b"ftyp" and body[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"))
        or body[:2] == b"BM"
        or body[:4] in (b"II*\x00", b"MM\x00*")
    )


def _read(ref: str) -> tuple[int, list[tuple[str, str]], bytes]:
    if not ref.startswith("file://"):
        raise _Unavailable("not a file path or an http(s) URL that can be read")
    path = Path(unquote(urlsplit(ref).path))
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise _Unavailable(f"larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
        body = path.read_bytes()
    except OSError as exc:
        raise _Unavailable(f"cannot read {path} ({exc.strerror or exc})") from exc
    if not looks_like_image(body):
        raise _Unavailable("not an image (JPEG, PNG, GIF, WebP, HEIC, BMP or TIFF): not kept")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return 200, [("Content-Type", mime)], body
