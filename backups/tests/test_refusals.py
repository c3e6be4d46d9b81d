"""A restore refuses what it cannot do well before it writes anything, and says why."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from backups.archive import MANIFEST, create_backup, stored_files
from org.models import User
from projects.models import Project


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(transactional_db: None, media: Path, tmp_path: Path) -> Path:
    """A backup of the test database with one uploaded file. The tests that use it
    commit what they write: SQLite's backup API waits for the test's open transaction otherwise."""
    default_storage.save("photos/现场.jpg", ContentFile(b"\xff\xd8 a photo"))
    path = tmp_path / "keyprojects.tar.gz"
    create_backup(path)
    default_storage.delete("photos/现场.jpg")
    return path


def rewritten(
    source: Path, target: Path, manifest: dict | None = None, extra: dict[str, bytes] | None = None
) -> Path:
    """A copy of the archive with its manifest changed and members added."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name == MANIFEST and manifest is not None:
                content = json.dumps({**json.loads(content), **manifest}).encode()
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
        for name, content in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            new.addfile(info, io.BytesIO(content))
    return target


def restore(path: Path, **options: bool) -> None:
    call_command("restore", str(path), stdout=io.StringIO(), **options)


def test_a_database_with_data_is_not_overwritten_unless_forced(world, archive):
    users, projects = User.objects.count(), Project.objects.count()
    with pytest.raises(CommandError) as refused:
        restore(archive)
    assert str(refused.value).startswith(f"数据库中已有数据（账号{users}个、单位7个、项目{projects}个）")
    assert "确认无误后加 --force 再运行" in str(refused.value)
    assert User.objects.count() == users and Project.objects.count() == projects


def test_a_media_folder_with_files_is_not_overwritten_unless_forced(db, archive):
    default_storage.save("problems/现有附件.pdf", ContentFile(b"%PDF"))
    with pytest.raises(CommandError, match="上传文件目录（存储）中已有文件（如 problems/现有附件.pdf）"):
        restore(archive)
    assert list(stored_files(default_storage)) == ["problems/现有附件.pdf"]


def test_an_archive_of_the_other_kind_of_database_is_refused(world, archive, tmp_path):
    other = {"sqlite": ("postgresql", "database.pgdump"), "postgresql": ("sqlite", "database.sqlite3")}
    vendor, database_file = other[connection.vendor]
    changed = rewritten(
        archive, tmp_path / "other.tar.gz", {"vendor": vendor, "database_file": database_file}
    )
    with pytest.raises(CommandError, match="只能恢复到同一类数据库"):
        restore(changed, force=True)
    assert Project.objects.count() == 2


def test_an_archive_from_newer_code_is_refused(world, archive, tmp_path):
    with tarfile.open(archive) as opened:
        stream = opened.extractfile(MANIFEST)
        assert stream is not None
        applied = json.load(stream)["migrations"]
    newer = rewritten(
        archive, tmp_path / "newer.tar.gz", {"migrations": [*applied, ["progress", "9999_future"]]}
    )
    with pytest.raises(CommandError, match=r"备份来自较新版本的程序.*progress\.9999_future.*请先把程序升级"):
        restore(newer, force=True)
    assert Project.objects.count() == 2


def test_a_file_name_leaving_the_media_folder_is_refused_before_anything_is_written(world, archive, tmp_path):
    evil = rewritten(archive, tmp_path / "evil.tar.gz", extra={"media/../../outside.txt": b"x"})
    with pytest.raises(CommandError, match="不是可以恢复的普通文件"):
        restore(evil, force=True)
    assert Project.objects.count() == 2
    assert not (tmp_path / "outside.txt").exists()


def test_what_is_not_a_backup_is_refused(db, media, tmp_path):
    missing = tmp_path / "missing.tar.gz"
    with pytest.raises(CommandError, match="不存在"):
        restore(missing)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    with pytest.raises(CommandError, match="不是可以读取的备份文件"):
        restore(garbage)
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as opened:
        info = tarfile.TarInfo("readme.txt")
        opened.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError, match="不是本系统的备份文件（缺少 manifest.json）"):
        restore(foreign)


def test_a_backup_into_a_missing_folder_says_so_and_leaves_nothing(db, media, tmp_path):
    with pytest.raises(CommandError, match="目录 .* 不存在"):
        call_command("backup", str(tmp_path / "nowhere" / "x.tar.gz"), stdout=io.StringIO())
    assert not (tmp_path / "nowhere").exists()
