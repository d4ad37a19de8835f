"""Engine creation, migration on first use, and the location of evidence files.

SQLite is the embedded default (WAL, foreign keys, a busy timeout so a second process waits
instead of failing at once); PostgreSQL is chosen with ``--db`` / ``ZICHT_DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_FILE = "zicht.db"
SQLITE_BUSY_TIMEOUT_S = 15.0


class DatabaseError(RuntimeError):
    """A database problem explained for the person at the keyboard."""


def default_url() -> str:
    return os.environ.get("ZICHT_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_FILE}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and plain file paths as users type them."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def json_dumps(value: Any) -> str:
    """JSON columns are written with orjson (linking writes millions of evidence and profile values;
    the standard library's encoder was a tenth of a rebuild's time). Values orjson refuses (integers
    beyond 64 bits) fall back to the standard library, so nothing that could be stored before fails."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def json_loads(text: str | bytes) -> Any:
    """The reading side of ``json_dumps``; what orjson cannot read (NaN, huge integers) goes to the
    standard library."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str | None = None, *, busy_timeout_s: float | None = None) -> Engine:
    """``busy_timeout_s``: how long SQLite waits for another process's write lock before the
    command fails (default ZICHT_BUSY_TIMEOUT_S, else 15 s)."""
    if busy_timeout_s is None:
        busy_timeout_s = float(os.environ.get("ZICHT_BUSY_TIMEOUT_S") or SQLITE_BUSY_TIMEOUT_S)
    url = normalise_url(url or default_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_s},
            json_serializer=json_dumps,
            json_deserializer=json_loads,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=json_dumps, json_deserializer=json_loads)


def migrations_dir() -> Path:
    return Path(__file__).with_name("migrations")


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on first use)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def needs_migration(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return True
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) != set(script.get_heads())


def data_dir_for(url: str) -> Path:
    """Where WARC evidence files live: ZICHT_DATA_DIR, else beside a SQLite file, else ./zicht-data."""
    env = os.environ.get("ZICHT_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        db = Path(parsed.database).expanduser().resolve()
        return db.with_name(db.stem + "-data")
    return Path("zicht-data").resolve()


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
