"""The organisation tree in chat: /org add, list, rename and remove."""

from __future__ import annotations

from telegram import Update

from domain.errors import N_, InvalidInput, PermissionDenied
from domain.kernel.origin import Origin
from domain.network.models import OrganisationNode
from domain.network.organisations import StillReferenced
from handlers.common import attempt, private_command, reply
from handlers.context import Reader, TongxinContext
from handlers.render import escape

COORDINATORS_ONLY = N_("Only coordinators and admins can do that.")
#: The /org verbs whose use case changes the tree (and claims the update).
_CHANGES = frozenset({"add", "rename", "remove"})

#: /org verbs as admins write them in Chinese.
_ORG_VERBS = {
    "添加": "add", "新增": "add", "列表": "list", "列出": "list", "改名": "rename",
    "重命名": "rename", "删除": "remove", "刪除": "remove", "移除": "remove",
}

#: What refers to an organisation, per table, as a refusal names it.
_REFERRING = {
    "organisation": N_("{count} sub-organisations"),
    "chat": N_("{count} groups"),
    "role": N_("{count} roles (members and coordinators)"),
    "appeal": N_("{count} appeals"),
    "pledge": N_("{count} pledges made on its behalf"),
}

_ORG_USAGE = N_(
    "Usage:\n/org add NAME [under PARENT]\n/org list\n/org rename OLD => NEW\n/org remove NAME"
)


class OrganisationHandlers:
    """/org: the organisation tree (admins change it; coordinators list it)."""

    async def org(self, update: Update, context: TongxinContext) -> None:
        """Manage the organisation tree (admins, private chat)."""
        asked = await private_command(update, context)
        if asked is None:
            return
        reader, arguments = asked
        verb, _, rest = arguments.partition(" ")
        verb = _ORG_VERBS.get(verb.lower(), verb.lower())
        done = self._org_verb(update, context, reader, verb, rest)
        await attempt(update, context, reader, done, claims=verb in _CHANGES)

    async def _org_verb(
        self, update: Update, context: TongxinContext, reader: Reader, verb: str, rest: str
    ) -> None:
        """List the tree, or add, rename or remove an organisation, and say what was done;
        one still referred to is not removed, and the answer names what refers to it."""
        origin = Origin(reader.person.id, update.update_id)
        network = context.services.network
        try:
            if verb in ("", "list"):
                standing = await network.standing(reader.person.id)
                if not standing.is_coordinator:
                    raise PermissionDenied(COORDINATORS_ONLY)
                await self._show_tree(update, reader, await network.organisation_tree())
            elif verb == "add":
                name, parent = _split_under(rest)
                org = await network.add_organisation(origin, name, parent)
                await reply(update, escape(reader.t(N_("Added “{name}”."), name=org.name)))
            elif verb == "rename":
                old, sep, new = rest.replace("→", "=>").partition("=>")
                if not sep:
                    raise InvalidInput(_ORG_USAGE)
                org = await network.rename_organisation(origin, old, new)
                await reply(update, escape(reader.t(N_("Renamed to “{name}”."), name=org.name)))
            elif verb == "remove":
                org = await network.remove_organisation(origin, rest)
                await reply(update, escape(reader.t(N_("Removed “{name}”."), name=org.name)))
            else:
                raise InvalidInput(_ORG_USAGE)
        except StillReferenced as error:
            await reply(update, escape(_still_referenced(reader, error)))

    async def _show_tree(
        self, update: Update, reader: Reader, tree: list[OrganisationNode]
    ) -> None:
        if not tree:
            await reply(
                update, escape(reader.t(N_("No organisations yet. Add one with /org add NAME.")))
            )
            return
        lines = [f"<b>{escape(reader.t(N_('Organisations')))}</b>"]

        def walk(node: OrganisationNode, depth: int) -> None:
            lines.append("  " * depth + "• " + escape(node.organisation.name))
            for child in node.children:
                walk(child, depth + 1)

        for root in tree:
            walk(root, 0)
        await reply(update, "\n".join(lines))


def _still_referenced(reader: Reader, error: StillReferenced) -> str:
    """Name what still refers to an organisation, in the reader's language."""
    parts = [
        reader.t(_REFERRING[table], count=count)
        if table in _REFERRING
        else reader.t(N_("{count} records of {table}"), count=count, table=table)
        for table, count in error.counts.items()
    ]
    return reader.t(
        error.message, name=error.params["name"], records=reader.t(N_(", ")).join(parts)
    )


def _split_under(text: str) -> tuple[str, str | None]:
    """A name and the parent it is placed under, as written in any of our languages."""
    for marker in (" under ", " 属于 ", " 屬於 ", " 上级 ", " 上級 ", " 隶属 ", " 隸屬 "):
        name, sep, parent = text.partition(marker)
        if sep:
            return name, parent
    return text, None
