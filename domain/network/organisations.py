"""The organisation tree's use cases: list, add, rename and remove (admins only)."""

from __future__ import annotations

from domain.errors import N_, Conflict, NotFound
from domain.kernel.audit import record_audit
from domain.kernel.origin import Origin, claim_update
from domain.network.models import (
    Organisation,
    OrganisationNode,
    build_tree,
    clean_organisation_name,
)
from domain.network.registry import Registry


class StillReferenced(Conflict):
    """An organisation cannot be removed: `counts` says how many rows of which table refer."""

    def __init__(self, name: str, counts: dict[str, int]) -> None:
        super().__init__(
            N_("“{name}” cannot be removed: {records} still refer to it."),
            name=name,
            records=", ".join(f"{n} {table}" for table, n in counts.items()),
        )
        self.counts = dict(counts)


class OrganisationUseCases(Registry):
    """Organisations in a tree; each use case one unit of work."""

    async def organisation_tree(self) -> list[OrganisationNode]:
        """Return the whole organisation tree."""
        async with self._uow() as uow:
            return build_tree(await uow.organisations.all())

    async def organisations(self) -> list[Organisation]:
        """Return every organisation."""
        async with self._uow() as uow:
            return await uow.organisations.all()

    async def add_organisation(
        self, origin: Origin, name: str, parent_name: str | None
    ) -> Organisation:
        """Add an organisation to the tree, optionally under a parent (admins only)."""
        clean = clean_organisation_name(name)
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            if await uow.organisations.by_name(clean) is not None:
                raise Conflict(N_("There is already an organisation called “{name}”."), name=clean)
            parent_id: int | None = None
            if parent_name is not None:
                parent = await uow.organisations.by_name(clean_organisation_name(parent_name))
                if parent is None:
                    raise NotFound(
                        N_("There is no organisation called “{name}”."), name=parent_name.strip()
                    )
                parent_id = parent.id
            org = await uow.organisations.add(clean, parent_id)
            await record_audit(
                uow, self._clock, origin, "organisation.add", f"organisation:{org.id}", None, clean
            )
            await uow.commit()
            return org

    async def rename_organisation(self, origin: Origin, old: str, new: str) -> Organisation:
        """Rename an organisation (admins only)."""
        clean_new = clean_organisation_name(new)
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            org = await self._named(uow, old)
            other = await uow.organisations.by_name(clean_new)
            if other is not None and other.id != org.id:
                raise Conflict(
                    N_("There is already an organisation called “{name}”."), name=clean_new
                )
            before = org.name
            org.name = clean_new
            await uow.organisations.save(org)
            await record_audit(
                uow, self._clock,
                origin, "organisation.rename", f"organisation:{org.id}", before, clean_new
            )
            await uow.commit()
            return org

    async def remove_organisation(self, origin: Origin, name: str) -> Organisation:
        """Remove an organisation nothing refers to (admins only)."""
        async with self._uow() as uow:
            await self._require_admin(uow, origin)
            await claim_update(uow, origin)
            org = await self._named(uow, name)
            counts = await uow.organisations.reference_counts(org.id)
            if counts:
                raise StillReferenced(org.name, counts)
            await uow.organisations.remove(org.id)
            await record_audit(
                uow, self._clock,
                origin, "organisation.remove", f"organisation:{org.id}", org.name, None
            )
            await uow.commit()
            return org
