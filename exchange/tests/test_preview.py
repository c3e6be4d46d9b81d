"""The preview of an uploaded table: a page of its own after the upload, and 已过期 when left unconfirmed."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from exchange.models import ImportBatch
from exchange.tasks import expire_import_previews
from exchange.tests.test_pages import filled_table, upload
from exchange.tests.test_pages import media as media  # noqa: F401  # the uploads go to a temporary folder
from exchange.tests.test_pages import plan as plan  # noqa: F401  # the fixture, for the tests below
from progress.models import Report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPLOADED = datetime(2026, 4, 3, 9, 30, tzinfo=SHANGHAI)
EXPIRED_NOTICE = "该导入上传后 72 小时内未确认，已过期，未写入任何数据。如需导入，请重新上传表格。"


def test_the_upload_redirects_to_the_preview_and_reloading_it_uploads_nothing_again(world, plan, client_for):
    client = client_for(world.coordinator)
    response = upload(client, filled_table(client), follow=False)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:batch", args=[batch.pk])
    for _reload in range(2):
        preview = client.get(response["Location"])
        assert preview.status_code == 200
        page = preview.content.decode()
        assert 'data-testid="commit"' in page and "滨河路改造工程" in page and "120.00" in page
    assert ImportBatch.objects.count() == 1
    assert not Report.objects.exists()


def test_a_table_with_row_errors_redirects_to_a_preview_that_lists_them(world, plan, client_for):
    content = filled_table(client_for(world.coordinator))
    client = client_for(world.department)
    response = upload(client, content, follow=False)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-errors-alert"' in page and "数据范围" in page
    assert 'data-testid="commit"' not in page


def test_a_refused_import_checked_clean_today_says_to_upload_again(world, plan, client_for):
    client = client_for(world.coordinator)
    upload(client, filled_table(client))
    ImportBatch.objects.update(status=ImportBatch.Status.FAILED)
    page = client.get(reverse("exchange:batch", args=[ImportBatch.objects.get().pk])).content.decode()
    assert "按现在的数据重新检查已无错误，请重新上传表格后导入" in page
    assert 'data-testid="commit"' not in page and 'data-testid="names-step"' not in page


@contextmanager
def coordinator_after(world, client_for, **delta: float) -> Iterator[Client]:
    """The coordinator that long after UPLOADED, logged in again: an idle session expires."""
    with time_machine.travel(UPLOADED + timedelta(**delta), tick=False):
        yield client_for(world.coordinator)


def preview_uploaded(world, client_for) -> ImportBatch:
    with coordinator_after(world, client_for) as client:
        upload(client, filled_table(client))
    return ImportBatch.objects.get()


def test_a_preview_left_unconfirmed_for_72_hours_is_listed_as_expired(world, plan, client_for):
    batch = preview_uploaded(world, client_for)
    with coordinator_after(world, client_for, hours=71, minutes=59) as client:
        assert expire_import_previews.enqueue().return_value == 0
        listing = client.get(reverse("exchange:index")).content.decode()
        assert "待确认" in listing and "已过期" not in listing
    with coordinator_after(world, client_for, hours=72) as client:
        # Shown as expired at once, before the hourly task has marked it.
        listing = client.get(reverse("exchange:index")).content.decode()
        assert "已过期" in listing and "待确认" not in listing
        assert expire_import_previews.enqueue().return_value == 1
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.EXPIRED
        page = client.get(reverse("exchange:batch", args=[batch.pk])).content.decode()
        assert EXPIRED_NOTICE in page and 'data-testid="commit"' not in page


def test_an_expired_preview_cannot_be_committed(world, plan, client_for):
    batch = preview_uploaded(world, client_for)
    with coordinator_after(world, client_for, hours=80) as client:
        response = client.post(reverse("exchange:commit", args=[batch.pk]), follow=True)
    assert response.redirect_chain == [(reverse("exchange:batch", args=[batch.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [EXPIRED_NOTICE]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.EXPIRED and batch.committed_at is None
    assert not Report.objects.exists()


def test_an_expired_preview_keeps_no_name_decisions(world, plan, client_for):
    batch = preview_uploaded(world, client_for)
    form = {"count": 1, "key-0": "unit|示范区住建局", "choice-0": f"map:{world.housing.pk}"}
    with coordinator_after(world, client_for, hours=73) as client:
        response = client.post(reverse("exchange:names", args=[batch.pk]), form, follow=True)
    assert [str(m) for m in response.context["messages"]] == [EXPIRED_NOTICE]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.EXPIRED and batch.decisions == {}


def test_a_preview_within_its_time_still_commits(world, plan, client_for):
    batch = preview_uploaded(world, client_for)
    with coordinator_after(world, client_for, hours=71) as client:
        client.post(reverse("exchange:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and Report.objects.count() == 1


def test_the_expiry_time_is_a_setting(world, plan, client_for, settings):
    settings.IMPORT_PREVIEW_EXPIRE_HOURS = 2
    batch = preview_uploaded(world, client_for)
    with coordinator_after(world, client_for, hours=2) as client:
        response = client.post(reverse("exchange:commit", args=[batch.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "该导入上传后 2 小时内未确认，已过期，未写入任何数据。如需导入，请重新上传表格。"
    ]
    assert not Report.objects.exists()


def test_only_previews_expire(world):
    for status in ImportBatch.Status.values:
        ImportBatch.objects.create(
            original_name=f"附件3-{status}.xlsx",
            table=3,
            year=2026,
            level="local",
            status=status,
            uploaded_at=UPLOADED,
        )
    with time_machine.travel(UPLOADED + timedelta(days=30), tick=False):
        assert ImportBatch.objects.expire_previews() == 1
    assert dict(ImportBatch.objects.values_list("original_name", "status")) == {
        "附件3-preview.xlsx": "expired",
        "附件3-committed.xlsx": "committed",
        "附件3-failed.xlsx": "failed",
        "附件3-discarded.xlsx": "discarded",
        "附件3-expired.xlsx": "expired",
    }


def test_the_scheduler_queues_the_expiry_as_settings_declare_it(world, plan, client_for, settings):
    settings.PERIODIC_TASKS = [t for t in settings.PERIODIC_TASKS if t["name"] == "exchange.expire_previews"]
    assert settings.PERIODIC_TASKS[0]["every_seconds"] == 3600
    batch = preview_uploaded(world, client_for)
    with time_machine.travel(UPLOADED + timedelta(days=4), tick=False):
        call_command("run_scheduler", once=True, stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.EXPIRED
