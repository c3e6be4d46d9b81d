"""The plan and leaders of the service app's tests: the screen shows the same district."""

from service.tests.conftest import led  # noqa: F401
