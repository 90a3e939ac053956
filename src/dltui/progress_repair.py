"""Faults of the progress store and their repairs, for :mod:`dltui.progress`. Pure: sqlite3 only.

- :func:`describe_error` turns an sqlite3 error into the reason a learner can act on.
- :func:`foreign_wal` reads a leftover ``-wal`` file *before* SQLite opens the store (SQLite would
  apply it on open) and says whether it was written by another store.
- :func:`recover_hot_journal` lets SQLite roll back a journal left by a ``kill -9``.
- :func:`salvage` copies every readable row of a damaged store into a fresh one, page by page.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)  # the low bit says which byte order the checksums use
STORE_ID_OFFSET = 60  # the header's user_version field: dltui keeps a random store id there


# -- why a write failed --------------------------------------------------------------------------

def folder_is_writable(folder: Path) -> bool:
    # os.access also answers False on a read-only mount for root, where chmod does not apply.
    return os.access(folder, os.W_OK | os.X_OK)


def read_only_folder_message(folder: Path) -> str:
    return (f"The folder {folder} is read-only, so dltui cannot keep your progress there. Pick a "
            "folder you can write to with --data-dir PATH or the DLTUI_DATA_DIR environment variable.")


def is_storage_fault(exc: BaseException) -> bool:
    """A fault of the file or disk, as opposed to a bug in a statement (ProgrammingError,
    IntegrityError…). Corruption is a plain DatabaseError; full, read-only, locked: OperationalError."""
    return isinstance(exc, (sqlite3.OperationalError, sqlite3.InternalError)) or type(exc) is sqlite3.DatabaseError


def describe_error(exc: BaseException, path: Path) -> tuple[str, str]:
    """(kind, reason) for an error raised by the store: kind is one of 'full', 'read-only',
    'damaged', 'locked', 'missing', 'disk' or 'other'; reason finishes "…because <reason>"."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    lower = text.lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in lower:
        return "full", f"the disk that holds {path.parent} is full"
    if name.startswith("SQLITE_READONLY") or "readonly" in lower or "read-only" in lower:
        if not folder_is_writable(path.parent):
            return "read-only", f"the folder {path.parent} is read-only"
        return "read-only", f"the file {path.name} is read-only"
    if (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in lower
            or lower.startswith(("no such table", "no such column"))):
        return "damaged", f"the file {path.name} is damaged ({text})"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in lower:
        return "locked", f"another program kept {path.name} locked"
    if name.startswith("SQLITE_CANTOPEN"):
        return "missing", f"{path} can no longer be opened (was its folder moved or removed?)"
    if name.startswith("SQLITE_IOERR") or "i/o error" in lower:
        try:
            if shutil.disk_usage(path.parent).free < 1 << 20:
                return "full", f"the disk that holds {path.parent} is full"
        except OSError:
            pass
        return "disk", f"the disk reported an error ({text})"
    return "other", f"of an error ({text})"


# -- a write-ahead log that belongs to another store ----------------------------------------------

def read_store_id(db: Path) -> int | None:
    """The store id in the main file's header, without SQLite (None: no usable header)."""
    try:
        with open(db, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if len(head) < 100 or head[:16] != SQLITE_MAGIC:
        return None
    return struct.unpack_from(">i", head, STORE_ID_OFFSET)[0]


def _checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    it = iter(words)
    for a, b in zip(it, it):
        s0 = (s0 + a + s1) & 0xFFFFFFFF
        s1 = (s1 + b + s0) & 0xFFFFFFFF
    return s0, s1


def wal_page1_ids(wal: bytes, verify: bool = True) -> list[int] | None:
    """The store ids in the committed page-1 images of a WAL, by SQLite's own rules (valid header,
    matching salts, checksum chain unbroken, up to the last commit frame). None: SQLite would ignore
    this WAL (bad header, or no committed frame). ``verify=False`` skips the checksums (pure Python,
    about 1 s for a 4 MB WAL on a slow machine): a quick first look whose verdict "all ours" needs
    no proof."""
    if len(wal) < 32:
        return None
    magic, _version, page_size, _ckpt, salt1, salt2, c1, c2 = struct.unpack_from(">8I", wal, 0)
    if magic not in WAL_MAGICS or page_size < 512 or page_size & (page_size - 1):
        return None
    big = bool(magic & 1)
    s0, s1 = _checksum(wal[:24], 0, 0, big)
    if verify and (s0, s1) != (c1, c2):
        return None
    ids: list[int] = []
    committed: list[int] | None = None
    offset, frame = 32, 24 + page_size
    while offset + frame <= len(wal):
        pgno, commit_size, f1, f2, k1, k2 = struct.unpack_from(">6I", wal, offset)
        if (f1, f2) != (salt1, salt2):
            break
        if verify:
            s0, s1 = _checksum(wal[offset:offset + 8], s0, s1, big)
            s0, s1 = _checksum(wal[offset + 24:offset + frame], s0, s1, big)
            if (s0, s1) != (k1, k2):
                break
        if pgno == 1:
            ids.append(struct.unpack_from(">i", wal, offset + 24 + STORE_ID_OFFSET)[0])
        if commit_size:  # frames after the last commit frame are not part of the database
            committed = list(ids)
        offset += frame
    return committed


def foreign_wal(db: Path) -> str | None:
    """Why the ``-wal`` next to ``db`` was written by another store, or None when it may be ours.

    Every dltui commit rewrites page 1 with the store's random id (see Store._write), so each
    committed transaction in a WAL carries the id of the store that wrote it. A WAL whose page-1
    images carry another id came from another store (e.g. copied from another data folder):
    SQLite would apply it on open and show that store's answers instead of the learner's.
    Stores from before the id (id 0) cannot be told apart and are trusted, as SQLite would."""
    wal_path = db.with_name(db.name + "-wal")
    try:
        if wal_path.stat().st_size < 32:
            return None
        wal = wal_path.read_bytes()
    except OSError:
        return None
    own = read_store_id(db)
    if not own:
        return None
    quick = wal_page1_ids(wal, verify=False)
    if not quick or all(i == own for i in quick):
        return None
    ids = wal_page1_ids(wal)  # only frames SQLite would apply count as evidence
    if not ids or all(i == own for i in ids):
        return None
    return "it was written by another copy of the progress file"


def wal_in_use(db: Path) -> bool:
    """Whether another process has the store open (it holds a read lock on the -shm's DMS byte,
    as SQLite's unix VFS does for every open connection). Only called when about to move a WAL
    aside, so a live store is never robbed of its log."""
    import fcntl

    shm = db.with_name(db.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(fd)


# -- a journal left hot by a kill -9 ---------------------------------------------------------------

def recover_hot_journal(db: Path) -> None:
    """A rollback journal left by a process killed mid-transaction is "hot": read-only connections
    cannot open the store until a read-write one rolls it back, which the first read does."""
    journal = db.with_name(db.name + "-journal")
    try:
        if journal.stat().st_size == 0:
            return
    except OSError:
        return
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


# -- salvage ----------------------------------------------------------------------------------------

@dataclass
class Salvage:
    copied: dict[str, int] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)  # AUTOINCREMENT tables: ids ever handed out
    skipped_ranges: int = 0

    def lost(self, table: str) -> int | None:
        if table not in self.issued:
            return None
        return max(0, self.issued[table] - self.copied.get(table, 0))


def open_for_salvage(path: Path) -> sqlite3.Connection:
    """Read-only, and without changing the file: ``immutable`` takes no locks and makes no -shm."""
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    return sqlite3.connect(f"file:{path}?{mode}", uri=True, timeout=10)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _readable_rows(conn: sqlite3.Connection, table: str, columns: list[str], report: Salvage):
    """Yield the rows of ``table`` in rowid order, stepping over pages that cannot be read: after an
    error, the smallest rowid from which reading works again is found by doubling a jump past the
    last good row, then halving it (a seek into a damaged page fails, a seek past it does not)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT rowid, {cols} FROM "{table}" WHERE rowid >= ? ORDER BY rowid'  # noqa: S608 - schema names
    top = (1 << 63) - 1
    start = -(1 << 63)

    def readable_from(rowid: int) -> bool:
        try:
            conn.execute(sql + " LIMIT 1", (rowid,)).fetchall()
            return True
        except sqlite3.DatabaseError:
            return False

    while True:
        try:
            for row in conn.execute(sql, (start,)):
                if row[0] >= top:
                    yield tuple(row)[1:]
                    return
                start = row[0] + 1
                yield tuple(row)[1:]
            return
        except sqlite3.DatabaseError:
            pass
        report.skipped_ranges += 1
        step = 1
        while start + step < top and not readable_from(start + step):
            step *= 2
        hi = min(start + step, top)
        if not readable_from(hi):
            return
        lo = start + step // 2 if step > 1 else start  # not readable from lo
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if readable_from(mid):
                hi = mid
            else:
                lo = mid
        start = hi


def salvage(src: sqlite3.Connection, dst: sqlite3.Connection, tables: list[str]) -> Salvage:
    """Copy the readable rows of ``tables`` from ``src`` into ``dst`` (same primary keys; columns that
    both have), inside the caller's transaction on ``dst``; a table ``src`` lacks is skipped."""
    report = Salvage()
    try:
        report.issued = {r[0]: int(r[1]) for r in src.execute("SELECT name, seq FROM sqlite_sequence")}
    except sqlite3.DatabaseError:
        report.issued = {}
    for table in tables:
        try:
            src_cols = set(_columns(src, table))
        except sqlite3.DatabaseError:
            src_cols = set()
        columns = [c for c in _columns(dst, table) if c in src_cols]
        if not columns:
            report.copied[table] = 0
            continue
        marks = ", ".join("?" * len(columns))
        insert = (f'INSERT OR REPLACE INTO "{table}" ({", ".join(columns)}) '  # noqa: S608
                  f"VALUES ({marks})")
        n = 0
        for row in _readable_rows(src, table, columns, report):
            try:
                dst.execute(insert, row)
                n += 1
            except sqlite3.IntegrityError:  # a NOT NULL column read back as NULL from a bad cell
                continue
        report.copied[table] = n
    return report
