"""Privacy: what the bot keeps about a person, forgetting them, retention, the audit trail."""
