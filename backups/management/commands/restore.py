"""python manage.py restore FILE [--force]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.archive import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库和上传文件。只恢复到空数据库和空的上传文件目录；"
        "已有数据时须加 --force（现有数据和文件将被备份内容替换）。恢复前请停止网站和后台任务。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="manage.py backup 写出的备份文件")
        parser.add_argument(
            "--force", action="store_true", help="数据库或上传文件目录已有内容时也恢复（现有内容将丢失）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(
                Path(options["file"]), force=options["force"], progress=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            f"已恢复 {manifest.created_at} 的备份（程序版本 {manifest.version}）：上传文件{restored.files}个"
            + (f"，并执行了{len(restored.migrated)}个新的数据库迁移" if restored.migrated else "")
            + "，统计汇总已重建。"
        )
