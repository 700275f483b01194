"""The delivery review in chat: confirm receipt, question a report, answer a question."""
