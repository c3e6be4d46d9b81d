"""Production settings: a server with DEBUG off never starts with the development secret key, and
PostgreSQL runs the application's statements without compiling them."""

import os
import subprocess
import sys

import pytest
from django.db import connection


def run_check(**env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "KEYPROJECTS_DEVELOPMENT")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_debug_off_without_a_secret_key_refuses_to_start_and_says_why():
    completed = run_check(DEBUG="0")
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr and "必须设置 SECRET_KEY" in completed.stderr


def test_debug_off_with_a_secret_key_starts():
    completed = run_check(DEBUG="0", SECRET_KEY="k" * 60)
    assert completed.returncode == 0, completed.stderr


def test_development_may_run_without_a_key():
    assert run_check(DEBUG="1").returncode == 0
    assert run_check(KEYPROJECTS_DEVELOPMENT="1").returncode == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_postgresql_runs_without_jit_compilation():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
