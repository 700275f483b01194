"""Each coordinator's waiting news (the notice events) sent as one message."""
