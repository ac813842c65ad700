"""The leader lock: only the replica holding it runs the scheduler; it moves when the holder dies."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# Distinct from bot.migrate.MIGRATION_LOCK_KEY; ASCII "retrosch".
SCHEDULER_LOCK_KEY = 0x7265_7472_6F73_6368 & 0x7FFF_FFFF_FFFF_FFFF


class LeaderLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock without waiting; True if this process now holds it."""
        ...

    def is_held(self) -> bool:
        """Whether the lock is still ours (a dropped database connection loses it)."""
        ...

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    """A session-level advisory lock on a dedicated connection.

    Postgres releases it when that connection ends, including when the process is killed,
    so another replica's next `try_acquire` succeeds.
    """

    def __init__(self, engine: Engine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: Connection | None = None
        self._held = False

    def try_acquire(self) -> bool:
        if self._held:
            return self.is_held()
        try:
            conn = self._connection()
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
            )
        except Exception:
            log.warning("leader lock: database unreachable", exc_info=True)
            self._drop()
            return False
        self._held = got
        return got

    def is_held(self) -> bool:
        if not self._held or self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("leader lock: connection lost, so is the lock", exc_info=True)
            self._drop()
            return False

    def release(self) -> None:
        if self._conn is not None and self._held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            except Exception:
                log.debug("leader lock: unlock failed; closing the connection frees it")
        self._drop()

    def _connection(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            # Out of the pool: the lock lives exactly as long as this one connection.
            conn.detach()
            self._conn = conn
        return self._conn

    def _drop(self) -> None:
        self._held = False
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("leader lock: closing a broken connection failed")
            self._conn = None


class FileLock:
    """flock on a file next to the SQLite database: one scheduler per database file.

    The kernel drops it when the process dies. Separate opens conflict even within one
    process, so two engines in one test process also exclude each other.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a+")  # noqa: SIM115 - held open for as long as we lead
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def is_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class ProcessLock:
    """For in-memory SQLite, which only one process can see anyway."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        self._held = False

    def try_acquire(self) -> bool:
        if not self._held:
            self._held = self._lock.acquire(blocking=False)
        return self._held

    def is_held(self) -> bool:
        return self._held

    def release(self) -> None:
        if self._held:
            self._lock.release()
            self._held = False


def make_leader_lock(engine: Engine) -> LeaderLock:
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return FileLock(Path(database).resolve().with_name(Path(database).name + ".scheduler.lock"))
    return ProcessLock()
