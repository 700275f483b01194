"""The organisation tree as the permission rules walk it: each node knows its parent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Placed(Protocol):
    """An organisation as the tree sees it: its id and its parent's (None: a root)."""

    @property
    def id(self) -> int:
        """The organisation's id."""
        ...

    @property
    def parent_id(self) -> int | None:
        """The id of the organisation above it, or None."""
        ...


def subtree_ids(organisations: Iterable[Placed], root_id: int) -> set[int]:
    """Return the ids of `root_id` and every organisation below it."""
    children: dict[int | None, list[int]] = {}
    for org in organisations:
        children.setdefault(org.parent_id, []).append(org.id)
    found: set[int] = set()
    stack = [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found
