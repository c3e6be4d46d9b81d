"""The application's version: the release in pyproject.toml and, in a git checkout, the commit."""

import subprocess
import tomllib
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def release() -> str:
    """The release number of pyproject.toml ("0.1.0")."""
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


@cache
def revision() -> str:
    """`git describe` of the checkout ("v1.2-3-gabc1234", "-dirty" when changed), or "" outside one."""
    try:
        done = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def version() -> str:
    """The release, with the commit when there is one: "0.1.0 (5537342)"."""
    return f"{release()} ({revision()})" if revision() else release()
