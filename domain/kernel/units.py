"""A use case written once, in the caller's unit of work, and also offered on its own.

A dialog's answer runs a use case inside the engine's unit of work; a command runs the same
use case in a unit of work of its own, committed. `committed` makes the second form from
the first, so each use case is written (and checked) once.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S", bound="OpensUnits")
U = TypeVar("U")


class OpensUnits(Protocol):
    """A service that opens its own units of work."""

    @property
    def _uow(self) -> Callable[[], Any]:
        """Make a new, unopened unit of work."""
        ...


def committed(
    in_unit: Callable[Concatenate[S, U, P], Awaitable[T]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The use case `in_unit` in a unit of work of its own, committed when it returns."""

    @functools.wraps(in_unit)
    async def run(service: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with service._uow() as uow:
            result = await in_unit(service, uow, *args, **kwargs)
            await uow.commit()
            return result

    return run
