"""`townhall backup` and `townhall restore`: the database and the secret key, checked.

SQLite is copied with its online backup API (sqlite3.Connection.backup), page batch by page
batch, so the copy is consistent while the site keeps serving and writers wait at most one
batch. PostgreSQL is dumped with pg_dump (custom format) when it is on the PATH. The secret key
(TOWNHALL_DATA_DIR/secret_key) goes into the backup: author keys, IP hashes and edit tokens
are HMACs with it, so a database restored without it loses every author's identity. When the
key comes from the SECRET_KEY environment variable it is not in any file, and the backup says
so loudly. A manifest records checksums and the key's fingerprint (a hash, never the key), and
restore checks all of them before it touches anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump / pg_restore, argument lists only)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT, VERSION = "townhall-backup", 1
SQLITE_FILE, PG_FILE, KEY_FILE, MANIFEST = "townhall.sqlite3", "townhall.pgdump", "secret_key", "manifest.json"


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    key_included: bool
    warnings: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(("townhall-key-fingerprint:" + key).encode()).hexdigest()[:16]


def _pg_env() -> dict[str, str]:
    """libpq's environment for the database Django is connected to (not DATABASE_URL: under
    tests that is another database)."""
    d = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(d["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if d.get(key):
            env[var] = str(d[key])
    return env


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def backup(dest: Path) -> BackupResult:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty: give a new directory")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(dest, 0o700)
    result = BackupResult(path=dest, key_included=False)
    vendor = connection.vendor
    manifest: dict[str, Any] = {"format": FORMAT, "version": VERSION, "created": timezone.now().isoformat(),
                                "database": vendor}
    if vendor == "sqlite":
        target = dest / SQLITE_FILE
        connection.ensure_connection()
        out = sqlite3.connect(target)
        try:
            connection.connection.backup(out, pages=1024)  # type: ignore[union-attr]
        finally:
            out.close()
        os.chmod(target, 0o600)
        manifest["files"] = {SQLITE_FILE: _sha256(target)}
    elif vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if not pg_dump:
            raise BackupError(
                "pg_dump is not on the PATH: install the PostgreSQL client of your server's version, or run "
                "`pg_dump --format=custom --file townhall.pgdump \"$DATABASE_URL\"` yourself"
            )
        target = dest / PG_FILE
        subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(target)],  # noqa: S603
                       check=True, env=_pg_env())
        os.chmod(target, 0o600)
        manifest["files"] = {PG_FILE: _sha256(target)}
    else:
        raise BackupError(f"no backup method for the {vendor} database")
    key_file = _key_file()
    file_key = key_file.read_text().strip() if key_file.is_file() else ""
    manifest["secret_key_fingerprint"] = key_fingerprint(settings.SECRET_KEY)
    if file_key and file_key == settings.SECRET_KEY:
        fd = os.open(dest / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(file_key)
        result.key_included = True
    else:
        result.warnings.append(
            "THE SECRET KEY IS NOT IN THIS BACKUP: it comes from the SECRET_KEY environment variable, not "
            f"{key_file}. Keep it safe yourself: without it, restored author keys, IP hashes and edit tokens "
            "no longer match."
        )
    manifest["secret_key_included"] = result.key_included
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return result


@dataclass
class Checked:
    manifest: dict[str, Any]
    key: str | None


def check(src: Path) -> Checked:
    """Everything restore needs to trust a backup: manifest, checksums, SQLite's integrity
    check, and the secret key against its fingerprint."""
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{src}: no {MANIFEST}: not a Townhall backup") from None
    except ValueError:
        raise BackupError(f"{src}/{MANIFEST} is damaged") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{src}: not a Townhall backup of version {VERSION}")
    for name, digest in (manifest.get("files") or {}).items():
        path = src / name
        if not path.is_file():
            raise BackupError(f"{src}: {name} is missing")
        if _sha256(path) != digest:
            raise BackupError(f"{src}: {name} does not match its checksum: the backup is damaged")
    if SQLITE_FILE in (manifest.get("files") or {}):
        db = sqlite3.connect(f"file:{src / SQLITE_FILE}?mode=ro", uri=True)
        try:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{src}: {SQLITE_FILE} is not a readable SQLite database ({exc})") from None
        finally:
            db.close()
        if verdict != "ok":
            raise BackupError(f"{src}: {SQLITE_FILE} fails SQLite's integrity check: {verdict}")
    key = None
    if manifest.get("secret_key_included"):
        key_path = src / KEY_FILE
        if not key_path.is_file():
            raise BackupError(f"{src}: the manifest lists the secret key but {KEY_FILE} is missing")
        key = key_path.read_text().strip()
        if key_fingerprint(key) != manifest.get("secret_key_fingerprint"):
            raise BackupError(f"{src}: {KEY_FILE} does not match the fingerprint in the manifest")
    return Checked(manifest=manifest, key=key)


def restore(src: Path) -> list[str]:
    """Replace the database (and the key file) with a checked backup. Returns notes to print."""
    checked = check(src)
    notes: list[str] = []
    vendor = checked.manifest.get("database")
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database; this Townhall uses {connection.vendor}")
    env_key = os.environ.get("SECRET_KEY")
    if checked.key is None:
        if key_fingerprint(settings.SECRET_KEY) != checked.manifest.get("secret_key_fingerprint"):
            raise BackupError(
                "the backup has no secret key and the current key is not the one it was made with: set "
                "SECRET_KEY to the original key first"
            )
    elif env_key and key_fingerprint(env_key) != checked.manifest.get("secret_key_fingerprint"):
        raise BackupError("SECRET_KEY in the environment differs from the backup's key: unset it or set it to the backup's")
    if vendor == "sqlite":
        source = sqlite3.connect(f"file:{src / SQLITE_FILE}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)  # type: ignore[arg-type]
        finally:
            source.close()
    else:
        pg_restore = shutil.which("pg_restore")
        if not pg_restore:
            raise BackupError("pg_restore is not on the PATH")
        connection.close()  # pg_restore --clean drops tables this connection may hold locks on
        env = _pg_env()
        subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--dbname", env["PGDATABASE"],  # noqa: S603
                        str(src / PG_FILE)], check=True, env=env)
    if checked.key is not None and not env_key:
        key_file = _key_file()
        key_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = key_file.with_suffix(".restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(checked.key)
        os.replace(tmp, key_file)
        if checked.key != settings.SECRET_KEY:
            notes.append(f"the secret key in {key_file} was replaced by the backup's: restart Townhall")
    return notes
