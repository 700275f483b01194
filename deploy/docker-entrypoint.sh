#!/bin/sh
# Upgrade the schema, then become the bot (exec: it gets SIGTERM directly, as PID 1).
# MIGRATE_AT_START=0 skips the upgrade (compose runs it once, in its `migrate` service).
set -eu
if [ "${1:-run}" = "run" ] && [ "${MIGRATE_AT_START:-1}" = "1" ]; then
    python -m bot migrate
fi
exec python -m bot "$@"
