"""Telegram in and out: commands, dialogs, callbacks, rendering, keyboards, i18n."""
