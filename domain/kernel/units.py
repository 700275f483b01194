"""What every feature's service holds, and a use case written once for both of its forms.

`UseCases` keeps how to open a unit of work and the clock, for every service. A dialog's
answer runs a use case inside the engine's unit of work; a command runs the same use case in
a unit of work of its own, committed. `committed` makes the second form from the first, so
each use case is written (and checked) once.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from domain.clock import Clock
from domain.kernel.calendar import Calendar
from domain.kernel.origin import Origin, claim_update

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S", bound="OpensUnits")
U = TypeVar("U")
U_co = TypeVar("U_co", covariant=True)


class MakesUnits(Protocol[U_co]):
    """Makes a fresh, unopened unit of work for each use case (a feature names its own)."""

    def __call__(self) -> U_co:
        """Return a new, unopened unit of work."""
        ...


class UseCases(Generic[U]):
    """A feature's use cases: each opens its unit of work from `uow`, reads time from `clock`."""

    def __init__(self, uow: Callable[[], U], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock


class LocalUseCases(UseCases[U]):
    """Use cases that read what people write: the network's currency and its calendar."""

    def __init__(
        self, uow: Callable[[], U], clock: Clock, currency: str, timezone: str = "Asia/Shanghai"
    ) -> None:
        # `currency` (settings CURRENCY) is the one of an amount written without one;
        # `timezone` (settings TIMEZONE) is the network's: the day "today" and "明天" are read
        # against for a person without a zone of their own
        super().__init__(uow, clock)
        self.currency = currency
        self.calendar = Calendar(clock, timezone)

    def today(self, timezone: str | None = None) -> date:
        """The local date now, in `timezone` (a person's own) or else the network's."""
        return self.calendar.today(timezone)


class OpensUnits(Protocol):
    """A service that opens its own units of work."""

    @property
    def _uow(self) -> Callable[[], Any]:
        """Make a new, unopened unit of work."""
        ...


def committed(
    in_unit: Callable[Concatenate[S, U, Origin, P], Awaitable[T]], *, claims: bool = False
) -> Callable[Concatenate[S, Origin, P], Coroutine[Any, Any, T]]:
    """The use case `in_unit` in a unit of work of its own, committed when it returns.

    With `claims`, the origin's update is marked there too (for an in-unit form that leaves
    the mark to its caller, as the dialog engine makes it itself).
    """

    @functools.wraps(in_unit)
    async def run(service: S, origin: Origin, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with service._uow() as uow:
            result = await in_unit(service, uow, origin, *args, **kwargs)
            if claims:
                await claim_update(uow, origin)
            await uow.commit()
            return result

    return run
