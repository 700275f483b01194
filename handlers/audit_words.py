"""What an audit entry's action code means, in the reader's words (`/audit`, `/overdue`)."""

from __future__ import annotations

from handlers.context import Reader
from handlers.i18n import N_

ACTIONS = {
    "pledge.create": N_("pledged"),
    "pledge.due": N_("changed the due date"),
    "pledge.cancel": N_("cancelled the pledge"),
    "pledge.lapse": N_("marked the pledge lapsed"),
    "pledge.reopen": N_("opened the lapsed pledge again"),
    "pledge.anonymise": N_("removed the giver's name (retention)"),
    "fulfilment.report": N_("reported a delivery"),
    "fulfilment.confirm": N_("confirmed receipt"),
    "fulfilment.question": N_("questioned a delivery"),
    "fulfilment.answer": N_("answered the question about a delivery"),
    "reminder.send": N_("was reminded"),
    "reminder.again": N_("asked for one more reminder"),
    "reminder.pause": N_("paused or resumed reminders"),
    "reminder.coming": N_("said they are coming"),
    "reminder.no": N_("said it did not happen"),
    "appeal.publish": N_("published the appeal"),
    "appeal.edit": N_("edited the text"),
    "appeal.deadline": N_("changed the deadline"),
    "appeal.close": N_("closed the appeal"),
    "appeal.reopen": N_("reopened the appeal"),
    "offer.match": N_("accepted an offer"),
}


def action_text(reader: Reader, action: str) -> str:
    """The action in the reader's words; a code without words as stored (never hidden)."""
    label = ACTIONS.get(action)
    return reader.t(label) if label else action
