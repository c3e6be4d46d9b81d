"""Figures as plain JSON data: Decimal amounts as exact strings (like the API's serializers), dates as ISO."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def plain(data: Any) -> Any:
    """`data` with every Decimal, date and lazy string turned into what JSON carries without loss."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
