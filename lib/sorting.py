"""Whitelisted sorting of list pages: "?sort=name" or "?sort=-amount", never an arbitrary field.

Chinese names sort as a dictionary orders them, by 拼音 (安阳 < 北京 < 长沙 < 郑州), not by code point:
a model keeps the key of each name in a `PinyinKeyField`, written whenever the row is saved or
bulk-created, and a sort by the name orders by its key in the database.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from pypinyin import Style, lazy_pinyin

KEY_LENGTH = 255


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> str:
    """The 拼音 sort key of a name: 重庆 → "chong2qing4". Each syllable ends in its tone's digit, so that
    syllables compare whole (西安 "xi1an1" before 先锋 "xian1feng1") and tone by tone; the phrase
    dictionary reads 多音字 in context (长沙 chang2, 重庆 chong2); letters and digits stay, in lower case."""
    syllables = lazy_pinyin(text.strip(), style=Style.TONE3, neutral_tone_with_five=True)
    return "".join(syllables).lower()[:KEY_LENGTH]


class PinyinKeyField(models.CharField):
    """The 拼音 sort key of the model's `source` field, set on every save and bulk_create (which both
    ask each field for its value through `pre_save`); never edited by hand."""

    def __init__(self, *args: Any, source: str = "name", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        key = pinyin_key(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, key)
        return key


def pinyin_order(model: type[models.Model], path: str) -> str | None:
    """The key that orders the field at `path` (a lookup such as "project__name") by 拼音: the
    `PinyinKeyField` beside it, or None when the field has none."""
    *relations, last = path.split("__")
    opts = model._meta
    for name in relations:
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.related_model is None or isinstance(field.related_model, str):
            return None
        opts = field.related_model._meta
    for field in opts.concrete_fields:
        if isinstance(field, PinyinKeyField) and field.source == last:
            return "__".join([*relations, field.name])
    return None


def sort_queryset(queryset: QuerySet, sort: str, keys: Mapping[str, str]) -> QuerySet:
    """Order by the field `keys[sort]` (descending with a leading "-"), then by id; unknown keys change
    nothing. A name with a 拼音 key orders by the key, then by the name itself."""
    key = sort.lstrip("-")
    if key not in keys:
        return queryset
    prefix = "-" if sort.startswith("-") else ""
    field = keys[key]
    by_pinyin = pinyin_order(queryset.model, field)
    if by_pinyin is not None:
        return queryset.order_by(f"{prefix}{by_pinyin}", f"{prefix}{field}", f"{prefix}id")
    return queryset.order_by(f"{prefix}{field}", f"{prefix}id")
