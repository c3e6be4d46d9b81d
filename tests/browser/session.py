"""Signing in through the login page, as every browser flow starts."""

from typing import Any


def log_in(page: Any, live_server: Any, user: Any, password: str) -> None:
    """Sign `user` in on `page` (a fresh session) and wait for the home page."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
