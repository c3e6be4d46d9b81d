"""备份与恢复: one archive (.tar.gz) with the database, the uploaded files and a manifest.

The archive holds, in this order:

- `manifest.json`: the format, the application's version, when and from which database vendor it
  was made, the migrations applied (django_migrations) and the number and size of the files;
- the database: `database.sqlite3`, a copy made with SQLite's online backup API, or
  `database.pgdump`, PostgreSQL's `pg_dump` in custom format;
- `media/…`: every file of the default storage (the uploads), read through Django's storage API,
  so that a backup works the same with a local folder, NFS or an S3-compatible store.

A restore checks everything it can before it writes anything: the archive, its vendor, that the
code knows every migration the archive had applied (an archive from newer code is refused), that
the database and the storage hold no data (unless forced) and that the database copy is readable.
PostgreSQL is restored in one transaction (a failure leaves the database as it was); SQLite is
copied back page by page with the backup API. Migrations the archive lacks are then applied, and
the figures' summary is rebuilt, since its triggers do not fire for a restore.
"""

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from figures.summary import SUMMARIES
from lib.sql import analyze
from lib.version import release, revision
from service.cells import rebuild_all as rebuild_leader_cells

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in words an administrator acts on."""


@dataclass
class Manifest:
    """The archive's description (manifest.json)."""

    format: int
    version: str
    revision: str
    created_at: str
    vendor: str
    database_file: str
    migrations: list[tuple[str, str]]
    files: int = 0
    media_bytes: int = 0
    details: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            raw = json.loads(data)
            manifest = cls(
                format=int(raw["format"]),
                version=str(raw["version"]),
                revision=str(raw.get("revision", "")),
                created_at=str(raw["created_at"]),
                vendor=str(raw["vendor"]),
                database_file=str(raw["database_file"]),
                migrations=[(str(app), str(name)) for app, name in raw["migrations"]],
                files=int(raw.get("files", 0)),
                media_bytes=int(raw.get("media_bytes", 0)),
                details={str(k): str(v) for k, v in dict(raw.get("details", {})).items()},
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(f"备份文件的说明（{MANIFEST}）无法读取：{error}") from error
        if manifest.format != FORMAT:
            raise BackupError(f"备份文件格式为第{manifest.format}版，本程序只能恢复第{FORMAT}版。")
        if manifest.vendor not in DATABASE_FILES or manifest.database_file != DATABASE_FILES[manifest.vendor]:
            raise BackupError(f"备份文件中的数据库类型（{manifest.vendor}）无法识别。")
        return manifest


@dataclass
class Restored:
    """What a restore did."""

    manifest: Manifest
    files: int
    migrated: list[str]


def database() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


# The files of the storage


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name of the storage under `folder`, through the storage API (any backend)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from stored_files(storage, f"{folder}/{name}" if folder else name)


def media_member_name(member: tarfile.TarInfo) -> str | None:
    """The storage name of an archive member under media/, or None when it is not a stored file.
    Refuses names that would leave the storage (absolute, "..") and anything but regular files."""
    path = PurePosixPath(member.name)
    if not path.parts or path.parts[0] != MEDIA:
        return None
    name = PurePosixPath(*path.parts[1:])
    if not member.isfile() or not name.parts or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"备份文件中的“{member.name}”不是可以恢复的普通文件，已停止恢复。")
    return str(name)


# The database


def applied_migrations() -> list[tuple[str, str]]:
    """The migrations recorded in django_migrations, sorted."""
    return sorted(MigrationRecorder(database()).applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    """Every migration the code has on disk, with those a squashed migration replaces."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update((app, name) for app, name in migration.replaces)
    return known


def pg_command(program: str, connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """`program` with the connection's host, port, user and database, and the environment carrying
    its password and TLS options: how Django's dbshell calls psql (the same libpq options)."""
    args, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, [])
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(
            f"找不到 PostgreSQL 的 {program} 命令：请安装与数据库服务器同一主版本的客户端"
            "（Debian：apt-get install postgresql-client）。"
        )
    return [binary, *args[1:]], {**os.environ, **(env or {})}


def client_major(binary: str) -> int:
    """The major version of a PostgreSQL client program ("pg_dump (PostgreSQL) 15.20" gives 15)."""
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(found.group(1)) if found else 0


def check_pg_client(binary: str, connection: BaseDatabaseWrapper) -> str:
    """Refuse a pg_dump/pg_restore older than the server (it cannot read a newer server's catalog)."""
    connection.ensure_connection()
    server = connection.pg_version // 10000  # type: ignore[attr-defined]  # PostgreSQL's wrapper, by vendor
    client = client_major(binary)
    if client < server:
        raise BackupError(
            f"{Path(binary).name} 的版本（{client}）低于数据库服务器的版本（{server}），无法操作："
            f"请安装 postgresql-client-{server}，或把它所在目录放到 PATH 的前面。"
        )
    return f"{server}"


def run(command: list[str], env: dict[str, str], what: str, stdin: IO[bytes] | None = None) -> None:
    done = subprocess.run(command, env=env, stdin=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{what}失败：" + ("；".join(message[-3:]) or f"退出码 {done.returncode}"))


def dump_database(target: Path) -> dict[str, str]:
    """A consistent copy of the database into `target`; returns facts for the manifest."""
    connection = database()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # A connection of its own reads what is committed, whatever Django's connection is doing
        # (WAL: the site keeps writing meanwhile); a database in memory (the tests') has only the
        # one connection.
        in_memory = connection.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's wrapper, by vendor
        source = (
            connection.connection
            if in_memory
            else sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
        )
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            if not in_memory:
                source.close()
        return {"sqlite": sqlite3.sqlite_version}
    if connection.vendor == "postgresql":
        command, env = pg_command("pg_dump", connection)
        server = check_pg_client(command[0], connection)
        # Without owners and grants, so that it restores under another role on another server.
        run(
            [*command, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], env, "pg_dump"
        )
        return {"postgresql": server, "pg_dump": str(client_major(command[0]))}
    raise BackupError(f"不支持备份 {connection.vendor} 数据库（只支持 SQLite 和 PostgreSQL）。")


DATA_MODELS = (("org", "User", "账号"), ("org", "Unit", "单位"), ("projects", "Project", "项目"))


def database_contents() -> dict[str, int]:
    """How many accounts, units and projects the database holds (none when it has no tables yet)."""
    from django.apps import apps

    connection = database()
    tables = set(connection.introspection.table_names())
    counts: dict[str, int] = {}
    for app, model_name, label in DATA_MODELS:
        model = apps.get_model(app, model_name)
        counts[label] = model._default_manager.count() if model._meta.db_table in tables else 0
    return counts


def check_sqlite_copy(path: Path) -> None:
    """The copy in the archive is an SQLite database that passes its quick check."""
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = copy.execute("PRAGMA quick_check").fetchone()
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"备份中的数据库文件已损坏：{error}") from error
    if not verdict or verdict[0] != "ok":
        raise BackupError(f"备份中的数据库文件未通过完整性检查：{verdict[0] if verdict else ''}")


def restore_sqlite(path: Path) -> None:
    """Copy the archive's database over the configured one, every page, with the backup API."""
    connection = database()
    check_sqlite_copy(path)
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(
            f"写入 SQLite 数据库失败（是否还有进程在使用它？请先停止网站和后台任务）：{error}"
        ) from error
    finally:
        source.close()
    # The schema changed under Django's connection: the next query opens a fresh one.
    connection.close()


def restore_postgresql(path: Path) -> None:
    """Replace the schema with the archive's in one transaction: the current schema is dropped and
    the dump's statements (pg_restore writes them as a script) run after it, all or nothing."""
    connection = database()
    restore_command, env = pg_command("pg_restore", connection)
    check_pg_client(restore_command[0], connection)
    listing = subprocess.run(
        [restore_command[0], "--list", str(path)], capture_output=True, env=env, check=False
    )
    if listing.returncode != 0:
        raise BackupError(
            "备份中的 PostgreSQL 数据文件无法读取：" + listing.stderr.decode(errors="replace").strip()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    quoted = connection.ops.quote_name(schema)
    psql, psql_env = pg_command("psql", connection)
    connection.close()
    with tempfile.TemporaryFile() as script:
        script.write(f"DROP SCHEMA IF EXISTS {quoted} CASCADE;\nCREATE SCHEMA {quoted};\n".encode())
        script.flush()
        sql = subprocess.run(
            [restore_command[0], "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=script,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        if sql.returncode != 0:
            raise BackupError("读取 PostgreSQL 备份失败：" + sql.stderr.decode(errors="replace").strip())
        script.seek(0)
        run(
            [*psql, "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"],
            psql_env,
            "恢复 PostgreSQL 数据库",
            stdin=script,
        )


# Backup


def add_stream(archive: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    archive.addfile(info, stream)


def create_backup(path: Path, storage: Storage | None = None) -> Manifest:
    """Write the archive to `path` (through a temporary name, so that a failed backup leaves no
    file that looks complete); returns its manifest."""
    storage = storage or default_storage
    connection = database()
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} 是目录：请给出备份文件的名字，如 {path / 'keyprojects.tar.gz'}。")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在。")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="kp-backup-") as work:
            dumped = Path(work) / DATABASE_FILES.get(connection.vendor, "database")
            details = dump_database(dumped)
            # The database first: every file its rows name was stored before the copy was taken.
            names = list(stored_files(storage))
            sizes = {name: storage.size(name) for name in names}
            manifest = Manifest(
                format=FORMAT,
                version=release(),
                revision=revision(),
                created_at=timezone.localtime().isoformat(timespec="seconds"),
                vendor=connection.vendor,
                database_file=dumped.name,
                migrations=applied_migrations(),
                files=len(names),
                media_bytes=sum(sizes.values()),
                details=details,
            )
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                data = manifest.to_json()
                add_stream(archive, MANIFEST, io.BytesIO(data), len(data))
                archive.add(dumped, arcname=dumped.name, recursive=False)
                for name in names:
                    with storage.open(name, "rb") as stream:
                        add_stream(archive, f"{MEDIA}/{name}", stream, sizes[name])
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


# Restore


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError as error:
        raise BackupError(f"不是本系统的备份文件（缺少 {MANIFEST}）。") from error
    stream = archive.extractfile(member)
    if stream is None:
        raise BackupError(f"不是本系统的备份文件（{MANIFEST} 不是文件）。")
    return Manifest.from_json(stream.read())


def open_archive(path: Path) -> tarfile.TarFile:
    if not Path(path).is_file():
        raise BackupError(f"备份文件 {path} 不存在。")
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path} 不是可以读取的备份文件（.tar.gz）：{error}") from error


def check_archive(manifest: Manifest) -> list[tuple[str, str]]:
    """Refuse an archive this code cannot restore; returns the code's migrations it lacks."""
    vendor = database().vendor
    if manifest.vendor != vendor:
        raise BackupError(
            f"这是 {vendor_name(manifest.vendor)} 数据库的备份，当前配置的是 {vendor_name(vendor)} 数据库"
            f"（DATABASE_URL）：只能恢复到同一类数据库。"
        )
    known = known_migrations()
    newer = sorted(set(manifest.migrations) - known)
    if newer:
        listed = "、".join(f"{app}.{name}" for app, name in newer[:5])
        raise BackupError(
            f"备份来自较新版本的程序（版本 {manifest.version} {manifest.revision}），含本程序没有的数据库迁移"
            f"（{listed}{' 等' if len(newer) > 5 else ''}）：请先把程序升级到该版本或更新，再恢复。"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(set(loader.disk_migrations) - set(manifest.migrations))


def check_empty(storage: Storage) -> None:
    contents = database_contents()
    files = next(iter(stored_files(storage)), None)
    problems = []
    if any(contents.values()):
        problems.append("数据库中已有数据（" + "、".join(f"{k}{v}个" for k, v in contents.items()) + "）")
    if files is not None:
        problems.append(f"上传文件目录（存储）中已有文件（如 {files}）")
    if problems:
        raise BackupError(
            "；".join(problems) + "。恢复会用备份替换全部数据和文件，现有内容将丢失："
            "确认无误后加 --force 再运行，或改为恢复到新的空数据库和空目录。"
        )


def extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    try:
        member = archive.getmember(name)
        stream = archive.extractfile(member)
    except KeyError as error:
        raise BackupError(f"备份文件不完整：缺少 {name}。") from error
    if stream is None:
        raise BackupError(f"备份文件不完整：{name} 不是文件。")
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)


def restore_backup(
    path: Path,
    *,
    force: bool = False,
    storage: Storage | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Restored:
    """Bring the archive at `path` back into the configured database and the default storage."""
    storage = storage or default_storage
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        missing = check_archive(manifest)
        if not force:
            check_empty(storage)
        try:
            media = [(member, media_member_name(member)) for member in archive.getmembers()]
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"备份文件已损坏：{error}") from error
        files = [(member, name) for member, name in media if name is not None]
        with tempfile.TemporaryDirectory(prefix="kp-restore-") as work:
            copy = Path(work) / manifest.database_file
            extract(archive, manifest.database_file, copy)
            progress(f"恢复数据库（{vendor_name(manifest.vendor)}，备份于 {manifest.created_at}）……")
            if manifest.vendor == "sqlite":
                restore_sqlite(copy)
            else:
                restore_postgresql(copy)
        progress(f"恢复上传文件（{len(files)}个）……")
        for name in list(stored_files(storage)) if force else []:
            storage.delete(name)
        for member, name in files:
            stream = archive.extractfile(member)
            assert stream is not None  # media_member_name accepted regular files only
            saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError(f"文件 {name} 未能以原名保存（存储返回 {saved}）。")
    migrated = [f"{app}.{name}" for app, name in missing]
    if missing:
        progress(f"备份早于当前程序，执行数据库迁移（{len(missing)}个）……")
        call_command("migrate", interactive=False, verbosity=0)
    progress("重建统计汇总……")
    call_command("refresh_figures", all=True, stdout=io.StringIO())
    rebuild_leader_cells()
    for kept in SUMMARIES:
        kept.rebuild_all()
    # Last, once the migrations and the summary have written their rows too.
    progress("更新数据库统计信息……")
    analyze()
    return Restored(manifest=manifest, files=len(files), migrated=migrated)


def summary(manifest: Manifest) -> dict[str, Any]:
    return {
        "version": manifest.version,
        "revision": manifest.revision,
        "created_at": manifest.created_at,
        "vendor": manifest.vendor,
        "migrations": len(manifest.migrations),
        "files": manifest.files,
        "media_bytes": manifest.media_bytes,
    }
