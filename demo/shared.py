"""What the demo modules (`demo/<app>.py`, called by seed_demo) share.

Each module has `build(rng, today) -> counts` and draws everything from its own `rng`, reading the
units, people and projects seed_demo has already written. Its facts reach the reference day
(`reference_day(today)`): the end of last month, or `today` itself when it is the last day of a
month, so that the same seed gives the same data all month long. Model methods that stamp the
current time (Problem.move, Notice.reply …) are followed by setting those stamps back to the
demo's own days.
"""

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings

from org.choices import ROLES_EDITING_OWN, Role
from org.models import Unit, User

T = TypeVar("T")


def reference_day(today: date) -> date:
    """The last day the demo's facts reach: `today` at the end of a month, else the end of last month."""
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        return today
    return today.replace(day=1) - timedelta(days=1)


def moment(rng: random.Random, day: date, earliest: int = 8, latest: int = 18) -> datetime:
    """A time during the working day `day`, in the project's time zone."""
    hour = rng.randint(earliest, latest - 1)
    return datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=ZoneInfo(settings.TIME_ZONE))


def day_between(rng: random.Random, start: date, end: date) -> date:
    """A day from start to end inclusive; `end` when the window is empty."""
    if end <= start:
        return end
    return start + timedelta(days=rng.randint(0, (end - start).days))


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


@dataclass
class Cast:
    """The people of the district, by role, and the units by name, read once."""

    coordinators: list[User] = field(default_factory=list)
    leaders: list[User] = field(default_factory=list)
    inspectors: list[User] = field(default_factory=list)
    writers: list[User] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Cast":
        cast = cls()
        people = User.objects.filter(is_active=True).select_related("unit").order_by("pk")
        for user in people:
            if user.role == Role.COORDINATOR:
                cast.coordinators.append(user)
            elif user.role == Role.LEADER:
                cast.leaders.append(user)
            elif user.role == Role.INSPECTOR:
                cast.inspectors.append(user)
            elif user.role in ROLES_EDITING_OWN and user.unit_id is not None:
                cast.writers.append(user)
        cast.units = {u.name: u for u in Unit.objects.order_by("pk")}
        return cast

    @property
    def coordinator(self) -> User | None:
        """The coordinating office's demo account (the first coordinator)."""
        return self.coordinators[0] if self.coordinators else None

    @property
    def inspector(self) -> User | None:
        return self.inspectors[0] if self.inspectors else self.coordinator

    def writers_for(self, unit: Unit | None) -> list[User]:
        """Unit and owner accounts that write for `unit`: of the unit itself or of a unit above it."""
        if unit is None:
            return []
        return [u for u in self.writers if unit.path.startswith(u.unit.path)]  # type: ignore[union-attr]  # load() keeps writers with a unit

    def unit(self, name: str) -> Unit | None:
        return self.units.get(name)
