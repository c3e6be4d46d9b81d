"""What is never published: no person's name, no phone number, no problem, no warning, no internal
note, on any public page or in the open-data export, for any public project, the demo's included."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from alerts.models import Alert
from disclosure.tests.conftest import SECRET_TEXTS
from org.models import Person, Unit, User
from plans.models import Plan
from problems.models import Problem
from progress.models import Report
from projects.models import Project

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
# Amounts in yuan (the export's) can be eleven digits starting with 1: they are not phone numbers.
AMOUNT = re.compile(r"""["']amount["']: \d+""")


def published(client: Client, projects: list[Project]) -> dict[str, str]:
    """Every public page (both languages) and the export, by address."""
    urls = [reverse("disclosure:index"), reverse("disclosure:oc4ids")]
    urls += [reverse("disclosure:project", args=[project.pk]) for project in projects]
    pages = {}
    for url in urls:
        for language in ({}, {"lang": "en"}):
            response = client.get(url, language)
            assert response.status_code == 200, url
            # getvalue() reads the streamed package to its end too.
            pages[f"{url}?{language}"] = response.getvalue().decode("utf-8")
            if url.endswith(".json"):
                # The JSON again with its escapes undone, as a reader of it sees the text.
                pages[f"{url}?{language} decoded"] = str(json.loads(pages[f"{url}?{language}"]))
    pages["index, 100 a page"] = client.get(reverse("disclosure:index"), {"per_page": 100}).content.decode()
    return {url: AMOUNT.sub("", text) for url, text in pages.items()}


def test_the_fixtures_secrets_are_nowhere_and_the_public_facts_are_there(disclosed, world):
    pages = published(Client(), [world.project_a])
    for url, text in pages.items():
        for secret in SECRET_TEXTS:
            assert secret not in text, (url, secret)
        assert not MOBILE.search(text), (url, MOBILE.search(text))
        assert not LANDLINE.search(text), (url, LANDLINE.search(text))
    project_page = pages[f"{reverse('disclosure:project', args=[world.project_a.pk])}?{{}}"]
    assert world.project_a.name in project_page and "主体结构施工" in project_page
    # The photos' captions are free text (here a person's name): the public page never shows them.
    assert "周联系拍摄" not in project_page


def test_no_demo_project_publishes_a_person_a_phone_a_problem_or_a_warning(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", projects=60, seed=3, year=2025, stdout=StringIO())
    projects = list(Project.objects.filter(is_public=True))
    assert len(projects) >= 10
    pages = published(Client(), projects)
    names = set(Person.objects.values_list("name", flat=True)) | set(
        User.objects.values_list("name", flat=True)
    )
    names |= set(Unit.objects.exclude(contact_name="").values_list("contact_name", flat=True))
    names.discard("")
    # What is published by design (project, unit and plan names, addresses, contents and progress
    # texts) is taken out first: a two-character name may also be part of a place's name.
    allowed = [
        text
        for project in Project.objects.all()
        for text in (project.name, project.address, project.content)
        if text
    ]
    allowed += list(Unit.objects.values_list("name", flat=True)) + list(
        Plan.objects.values_list("title", flat=True)
    )
    allowed += list(
        Report.objects.exclude(progress_text="").values_list("progress_text", flat=True).distinct()
    )
    allowed.sort(key=len, reverse=True)
    secrets = set(Problem.objects.values_list("description", flat=True))
    secrets |= set(Report.objects.exclude(problems_text="").values_list("problems_text", flat=True))
    secrets |= set(Alert.objects.values_list("message", flat=True))
    secrets |= set(Project.objects.exclude(status_reason="").values_list("status_reason", flat=True))
    assert names and secrets
    for url, text in pages.items():
        assert not MOBILE.search(text), (url, MOBILE.search(text))
        assert not LANDLINE.search(text), (url, LANDLINE.search(text))
        for secret in secrets:
            assert secret not in text, (url, secret)
        for public_text in allowed:
            text = text.replace(public_text, "")
        for name in names:
            assert name not in text, (url, name)
