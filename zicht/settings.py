"""Deployment settings read from the environment, with the secret used for pseudonyms.

Phone numbers and other contact points are replaced by keyed hashes (HMAC-SHA256) in
statistics and statistical exports. The key is a deployment secret: ``ZICHT_SECRET``, or a
random key created once in the data directory (mode 0600) so pseudonyms stay stable across runs
of one deployment but cannot be recomputed by anyone without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "secret.key"


def load_secret(data_dir: Path) -> bytes:
    env = os.environ.get("ZICHT_SECRET")
    if env:
        return env.encode("utf-8")
    path = Path(data_dir) / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def pseudonym(secret: bytes, kind: str, value: str) -> str:
    """A stable keyed pseudonym for a contact point; the same value gives the same pseudonym."""
    digest = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def default_purpose() -> str | None:
    return os.environ.get("ZICHT_PURPOSE")


def default_legal_basis() -> str | None:
    return os.environ.get("ZICHT_LEGAL_BASIS")
