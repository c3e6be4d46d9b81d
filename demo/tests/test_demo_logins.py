"""demo_logins prints the address the demo is served on, the one `make demo HOST=… PORT=…` listens on."""

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from demo.projects import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]


def logins(*args: str) -> str:
    out = StringIO()
    call_command("demo_logins", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_accounts(db):
    call_command("seed_demo", projects=20, stdout=StringIO())


def test_demo_logins_prints_the_login_page_of_the_given_address(demo_accounts) -> None:
    text = logins("--url", "http://127.0.0.1:8101/")
    assert "演示账号（http://127.0.0.1:8101/login/）" in text
    assert "8000" not in text.splitlines()[0]
    assert all(account.username in text for account in DEMO_ACCOUNTS)


def test_demo_logins_without_an_address_names_the_default_port(demo_accounts) -> None:
    assert logins().splitlines()[0] == "演示账号（http://127.0.0.1:8000/login/）"


def test_an_address_without_a_scheme_is_refused(demo_accounts) -> None:
    with pytest.raises(CommandError, match="http://"):
        logins("--url", "127.0.0.1:8101")


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make 未安装")
def test_make_demo_passes_its_host_and_port_to_demo_logins() -> None:
    plan = subprocess.run(
        ["make", "-n", "demo", "HOST=192.168.10.5", "PORT=8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    printed = re.search(r"manage\.py demo_logins --url (\S+)", plan)
    served = re.search(r"manage\.py runserver (\S+)", plan)
    assert printed and served
    assert printed.group(1) == f"http://{served.group(1)}/" == "http://192.168.10.5:8101/"
