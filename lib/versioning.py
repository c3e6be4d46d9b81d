"""乐观锁 (optimistic locking): the abstract base of rows that two people may save at once."""

from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class VersionConflict(ValidationError):
    """乐观锁冲突: someone saved the row after this writer read it; nothing was written."""


class VersionedModel(models.Model):
    """乐观锁 (optimistic locking) for a model with a `version` counter that every write moves on.

    A write names the version it was read at, and the check and the write are one statement,
    UPDATE … SET …, version = version + 1 WHERE pk = … AND version = n: of two saves made at the
    same instant from the same version the database lets exactly one through, and the other
    changes nothing and is told. A check in Python before a plain save() cannot do that: both
    writers pass it, and the second save silently replaces the first.
    """

    conflict_message: ClassVar[Any] = _("该数据在您打开后已被他人修改，本次未保存。请刷新页面后再修改。")
    # Fields save() computes from others: written whenever their source is.
    derived_fields: ClassVar[dict[str, tuple[str, ...]]] = {}

    version: int

    class Meta:
        abstract = True

    def prepare_save(self) -> None:
        """Bring the fields computed from others up to date, as save() does before writing."""

    def save_at_version(self, read_at: int | None, fields: Iterable[str] | None = None) -> None:
        """Write `fields` (all when None) only if the row is still at version `read_at`, moving the
        version on by one; VersionConflict, with nothing written, when it is not (or is gone).

        `read_at=None` writes over whatever version the row has reached (API clients that read just
        before they write); the version still moves on in the same statement.
        """
        self.prepare_save()
        wanted = None if fields is None else set(fields)
        for source, derived in self.derived_fields.items():
            if wanted is not None and source in wanted:
                wanted.update(derived)
        values = {
            field.attname: field.pre_save(self, add=False)  # auto_now fields take the time here
            for field in self._meta.concrete_fields
            if not field.primary_key
            and not field.generated
            and field.name != "version"
            and (wanted is None or field.name in wanted or getattr(field, "auto_now", False))
        }
        rows = type(self)._base_manager.filter(pk=self.pk)
        if read_at is not None:
            rows = rows.filter(version=read_at)  # type: ignore[misc]  # `version` is a field of every concrete subclass
        with transaction.atomic():
            if not rows.update(**values, version=F("version") + 1):
                raise VersionConflict(self.conflict_message, code="stale")
            if read_at is not None:
                # The row was at read_at, as this instance was: it is now the row, one version on.
                self.version = read_at + 1
            else:
                # Others' changes may have come in since this instance was read; the row stays
                # locked until the transaction ends, so this reads exactly what the write made.
                self.refresh_from_db()
