"""python manage.py backup FILE"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.archive import BackupError, create_backup, vendor_name


class Command(BaseCommand):
    help = (
        "把数据库、上传文件、程序版本和数据库迁移状态写入一个备份文件（.tar.gz）。"
        "SQLite 用在线备份接口，PostgreSQL 用 pg_dump：网站运行中也可备份。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="备份文件的路径，如 /var/backups/keyprojects-20260131.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            manifest = create_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(
            f"已备份到 {path}（{size / 1024 / 1024:.1f} MB）：{vendor_name(manifest.vendor)} 数据库，"
            f"上传文件{manifest.files}个，数据库迁移{len(manifest.migrations)}个，程序版本 {manifest.version}"
            f"{' (' + manifest.revision + ')' if manifest.revision else ''}。"
        )
