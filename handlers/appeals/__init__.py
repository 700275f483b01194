"""Appeals in Telegram: the feature and its commands, the dialogs' views, managing, texts.

`commands` (the feature, /appeal, /appeals), `dialogs` (the views of the appeal dialogs),
`manage` (the buttons on a published appeal, /reopen), `render` (texts and keyboards).
"""
