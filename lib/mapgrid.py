"""The map's square cells: a cluster's side at each zoom, and the grid every located project is
kept on, so that the clusters are counted from an index rather than worked out project by project.

At zoom z a cluster's cell is CELL_PIXELS across (256 pixels span 360° at zoom 0). The grid is the
cells of GRID_ZOOM; those of every lower zoom are whole numbers of them (powers of two), so the
projects' grid cells, counted in the database, add up to the cells of any of those zooms.
"""

from typing import Any

from django.db.models import Func, IntegerField, Value
from django.db.models.fields import FloatField
from django.db.models.functions import Cast

CELL_PIXELS = 80
GRID_ZOOM = 11


def zoom_cell(zoom: int) -> float:
    """CELL_PIXELS in degrees at `zoom`."""
    return 360 / 256 / 2**zoom * CELL_PIXELS


GRID = zoom_cell(GRID_ZOOM)


def grid_times(cell: float) -> int | None:
    """How many grid cells a side of `cell` degrees is, when it is a whole number of them."""
    times = cell / GRID
    whole = round(times)
    return whole if whole >= 1 and abs(times - whole) < 1e-9 else None


class GridIndex(Func):
    """floor(coordinate / GRID) as an integer: the row (of a latitude) or column (of a longitude) of
    the grid cell. In the database's own arithmetic: a generated column may only use functions every
    connection has, and SQLite's FLOOR is an optional extension."""

    output_field = IntegerField()
    template = "CAST(FLOOR(%(expressions)s) AS integer)"

    def __init__(self, coordinate: str, **extra: Any) -> None:
        super().__init__(Cast(coordinate, FloatField()) / Value(GRID), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # CAST truncates toward zero: one less below zero when that was not a whole number.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(CAST({sql} AS integer) - ({sql} < CAST({sql} AS integer)))", [*params, *params, *params]
