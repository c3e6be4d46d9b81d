"""What an IT person deploys from: the README's production section and the files in deploy/."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

BASE = Path(settings.BASE_DIR)


def production_section() -> str:
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    start = readme.index("## 生产部署 / Production")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def test_every_environment_variable_the_server_reads_is_in_the_production_section():
    settings_source = (BASE / "keyprojects" / "settings.py").read_text(encoding="utf-8")
    gunicorn_source = (BASE / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z][A-Z0-9_]*)"', settings_source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]*)"', gunicorn_source))
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY", "CHART_FONT_PATH"} <= names
    section = production_section()
    assert [name for name in sorted(names) if f"`{name}`" not in section] == []


def test_the_systemd_units_run_commands_that_exist():
    commands = get_commands()
    units = sorted((BASE / "deploy").glob("keyprojects-*.service"))
    assert [unit.name for unit in units] == [
        "keyprojects-scheduler.service",
        "keyprojects-web.service",
        "keyprojects-worker.service",
    ]
    for unit in units:
        text = unit.read_text()
        assert "EnvironmentFile=/etc/keyprojects/keyprojects.env" in text
        assert "WantedBy=keyprojects.target" in text and "PartOf=keyprojects.target" in text
        (start,) = re.findall(r"^ExecStart=(.+)$", text, re.MULTILINE)
        if "manage.py" in start:
            assert start.split("manage.py ")[1].split()[0] in commands
        else:
            assert "-m gunicorn keyprojects.wsgi:application --config deploy/gunicorn.conf.py" in start
