"""export_oc4ids: the public projects as an OC4IDS project package, written to a file."""

import os
import tempfile
from argparse import ArgumentParser
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from disclosure.oc4ids import OC4IDS_VERSION, package_projects, package_stream
from disclosure.public import last_changed
from lib.params import YEARS


class Command(BaseCommand):
    help = (
        "导出公开项目的 OC4IDS（基础设施开放数据标准 0.9）项目包 JSON：项目编号前缀取 OC4IDS_PREFIX，"
        "金额单位为人民币元。--year 只导出该年度计划中的公开项目及其当年数据。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="输出文件路径（.json）")
        parser.add_argument("--year", type=int, default=None, help="计划年度（默认导出全部年度）")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int | None = options["year"]
        if year is not None and not YEARS[0] <= year <= YEARS[1]:
            raise CommandError(f"--year 应为 {YEARS[0]} 到 {YEARS[1]} 之间的年份。")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"目录 {out.parent} 不存在。")
        projects = package_projects(year)
        if not projects.exists():
            raise CommandError(
                f"{year}年度计划中没有公开项目，未导出。"
                if year
                else "没有公开项目，未导出。请先在项目中勾选“公开”。"
            )
        uri = (
            f"{settings.SITE_URL.rstrip('/')}/public/oc4ids.json"
            if settings.SITE_URL
            else f"urn:{settings.OC4IDS_PREFIX}"
        )
        if settings.SITE_URL and year:
            uri += f"?year={year}"
        published = last_changed(projects) or datetime.now(UTC)
        chunks = package_stream(projects, uri=uri, year=year, changed=published, today=timezone.localdate())
        # Written a batch of projects at a time, beside the target, and renamed into place: a
        # failure never leaves half a file.
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".oc4ids-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.writelines(chunks)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            self.style.SUCCESS(f"已导出 {projects.count()} 个公开项目到 {out}（OC4IDS {OC4IDS_VERSION}）。")
        )
