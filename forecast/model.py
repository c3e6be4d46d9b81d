"""年度目标预测的计算: each project's year-end from its own months and a monthly profile, and the
portfolio's range, on arrays (one row per project) so that the cost is a few array operations
whatever the number of projects. No database here: forecast.compute reads the rows and the past
years and hands them over.

A profile is the cumulative share of a year's completed investment reached at the end of each
month (s[0] = 0 before January … s[12] = 1 at December), from past years of the same category,
responsible unit or the whole portfolio, or else the plan's own schedule (evenly from its planned
start month to its planned completion month).
"""

import warnings
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

# A past-years realisation (year-end completed / annual plan) outside these bounds says more about
# a few odd plans than about what this year's plans will see; it is held within them.
REALISATION_BOUNDS = (0.25, 1.5)
# The seasonal model of the portfolio needs two whole years to tell a season from a level.
MIN_SERIES_MONTHS = 24
# Simulated paths of the rest of the year, and the share of them the range leaves out on each side.
SIMULATIONS = 1000
RANGE_PERCENTILES = (10.0, 90.0)
# A fixed seed: the same data give the same range on every page and in every run.
SEED = 2026


class Basis(IntEnum):
    """Which profile a project's forecast follows (the first the database has)."""

    CATEGORY = 1
    UNIT = 2
    PORTFOLIO = 3
    SCHEDULE = 4


class Kind(IntEnum):
    """How a project's year-end was worked out, which is also the reason given for it."""

    PACE = 1  # its months so far, carried to December along the profile
    STALLED = 2  # nothing added for FORECAST_STALL_MONTHS months or more: it stays where it is
    NOT_DUE = 3  # a new start whose planned start month is still to come: its plan, as past years realised
    FINISHED = 4  # completed or in operation: nothing more is expected
    SUSPENDED = 5  # 暂停施工: it stays where it is until it resumes


@dataclass(frozen=True)
class Profile:
    """A cumulative monthly profile (13 values, s[0] = 0 … s[12] = 1) and what past years realised of
    their plans (year-end completed / annual plan)."""

    shares: Floats
    realisation: float


def profile_from(ytd: Floats, annual_plan: float) -> Profile | None:
    """The profile of summed year-to-date amounts at the end of months 1–12 (of one or several past
    years added up), or None when those years completed nothing."""
    total = float(ytd[11])
    if total <= 0:
        return None
    shares = np.concatenate(([0.0], np.clip(np.maximum.accumulate(ytd / total), 0.0, 1.0)))
    shares[12] = 1.0
    realisation = total / annual_plan if annual_plan > 0 else 1.0
    return Profile(shares, float(np.clip(realisation, *REALISATION_BOUNDS)))


def schedule_shares(start: Ints, end: Ints) -> Floats:
    """The plan's own schedule, one profile per project: evenly from month `start` to month `end`."""
    months = np.arange(13)
    span = np.maximum(end - start + 1, 1)[:, None]
    return np.clip((months[None, :] - start[:, None] + 1) / span, 0.0, 1.0)


@dataclass(frozen=True)
class Projects:
    """The year's projects as arrays: plan, year-to-date at the end of months 1…M (ytd[:, m-1]),
    the months their plan expects work in, whether they are finished, and the profile of each
    (shares, one row of 13 per project) with its basis and the realisation of its plans."""

    plan: Floats
    ytd: Floats
    active_from: Ints
    active_until: Ints
    finished: Bools
    suspended: Bools
    shares: Floats
    basis: Ints
    realisation: Floats


@dataclass(frozen=True)
class Result:
    """Each project's year-end forecast, how it was worked out (Kind), the months since it last
    added anything, the share of its year's work its profile expects done by now, and the two
    estimates the forecast weighs (its own months alone, the plan alone)."""

    forecast: Floats
    kind: Ints
    idle: Ints
    expected_share: Floats
    done: Floats
    by_own: Floats
    by_plan: Floats


def forecast_projects(projects: Projects, month: int, stall_months: int) -> Result:
    """Each project's completed investment expected at December, from its months 1…`month`.

    The share of the year's work its profile expects done by the end of `month` (s) is taken
    between its planned start and completion months. The year-end is what is done plus the rest
    of the year at a pace that weighs its own months (done / s, extrapolated along the profile)
    by s and the plan as past years realised it by 1 − s: early in the year the plan speaks, late
    in the year the project's own record.
    """
    n = len(projects.plan)
    ytd = projects.ytd[:, :month] if month else np.zeros((n, 0))
    done = ytd[:, -1] if month else np.zeros(n)
    rows = np.arange(n)
    start_share = projects.shares[rows, projects.active_from - 1]
    end_share = projects.shares[rows, projects.active_until]
    now_share = projects.shares[rows, month]
    span = np.where(end_share - start_share > 0, end_share - start_share, 1.0)
    share = np.clip((now_share - start_share) / span, 0.0, 1.0)
    share = np.where(month >= projects.active_until, 1.0, share)

    # The last month that added anything (0: none this year).
    previous = np.concatenate((np.zeros((n, 1)), ytd[:, :-1]), axis=1) if month else np.zeros((n, 0))
    added = ytd > previous + 0.005
    months = np.arange(1, month + 1)
    last = np.max(np.where(added, months[None, :], 0), axis=1) if month else np.zeros(n, dtype=np.int64)
    idle = month - np.maximum(last, projects.active_from - 1)

    prior = projects.realisation * projects.plan
    own = done / np.where(share > 0, share, 1.0)
    pace = share * own + (1.0 - share) * prior
    forecast = done + (1.0 - share) * pace

    kind = np.full(n, Kind.PACE, dtype=np.int64)
    not_due = (projects.active_from > month) & (done <= 0)
    stalled = ~not_due & (idle >= stall_months) & (share < 1.0)
    kind[stalled] = Kind.STALLED
    kind[not_due] = Kind.NOT_DUE
    kind[projects.suspended] = Kind.SUSPENDED
    kind[projects.finished] = Kind.FINISHED
    held = np.isin(kind, (Kind.STALLED, Kind.FINISHED, Kind.SUSPENDED))

    def settled(estimate: Floats) -> Floats:
        estimate = np.where(held, done, estimate)
        return np.maximum(np.where(kind == Kind.NOT_DUE, prior, estimate), done)

    return Result(
        settled(forecast),
        kind,
        np.maximum(idle, 0),
        share,
        done,
        settled(done + (1.0 - share) * own),
        settled(done + (1.0 - share) * prior),
    )


@dataclass(frozen=True)
class Spread:
    """How far the rest of the year may fall short of or exceed its central estimate, as factors
    of it (low ≤ 1 ≤ high), and how they were found."""

    low: float
    high: float
    method: str


def seasonal_spread(series: Floats, remaining: int) -> Spread | None:
    """The spread of the sum of the next `remaining` months of a monthly series (the portfolio's
    completed investment month by month, oldest first), from a Holt–Winters model with an additive
    season fitted to it and simulated: the 10th and 90th percentile of the simulated sums over
    their median. None when the series is shorter than two years or the model cannot be fitted."""
    if remaining <= 0 or len(series) < MIN_SERIES_MONTHS or not np.any(series > 0):
        return None
    # Imported here, not with the module: statsmodels brings pandas and scipy, a second or more at
    # the start of every process (web workers, the task worker, the tests) that never draws a range.
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        # A short or flat series fits with a warning and a usable model; the range says so by its width.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            fitted = ExponentialSmoothing(
                series, trend=None, seasonal="add", seasonal_periods=12, initialization_method="estimated"
            ).fit(use_brute=False)
            paths = fitted.simulate(
                remaining, repetitions=SIMULATIONS, anchor="end", error="add", rng=np.random.default_rng(SEED)
            )
        except (ValueError, np.linalg.LinAlgError):
            return None
    sums = np.maximum(np.asarray(paths).reshape(remaining, -1).sum(axis=0), 0.0)
    low, middle, high = np.percentile(sums, [RANGE_PERCENTILES[0], 50.0, RANGE_PERCENTILES[1]])
    if not np.isfinite(middle) or middle <= 0:
        return None
    return Spread(float(min(low / middle, 1.0)), float(max(high / middle, 1.0)), "ets")
