#!/usr/bin/env bash
# The Kafka quick start, against sluice's included broker: start a broker, create
# a topic, produce a few keyed lines, read them back with a consumer group and
# look at the group's lag. Runs on a free port with a throwaway data directory.
#
#   examples/broker-quickstart/run.sh            # uses target/release/sluice, building it if needed
#   SLUICE=/path/to/sluice examples/broker-quickstart/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

TARGET=${CARGO_TARGET_DIR:-target}
SLUICE=${SLUICE:-$TARGET/release/sluice}
if [[ ! -x $SLUICE ]]; then
    cargo build --release --bin sluice
fi

DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BOOTSTRAP=127.0.0.1:$PORT
"$SLUICE" broker --listeners "PLAINTEXT://$BOOTSTRAP" --data-dir "$DATA" 2>"$DATA.log" &
BROKER=$!
trap 'kill $BROKER 2>/dev/null; wait $BROKER 2>/dev/null; rm -rf "$DATA" "$DATA.log"' EXIT
for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done

set -x
"$SLUICE" topics --bootstrap-server "$BOOTSTRAP" --create --topic quickstart-events --partitions 3
"$SLUICE" topics --bootstrap-server "$BOOTSTRAP" --describe --topic quickstart-events
printf 'alice:signed up\nbob:signed up\nalice:bought a book\n' |
    "$SLUICE" produce --bootstrap-server "$BOOTSTRAP" --topic quickstart-events \
        --property parse.key=true --property key.separator=:
"$SLUICE" consume --bootstrap-server "$BOOTSTRAP" --topic quickstart-events --from-beginning \
    --group quickstart --max-messages 3 --property print.key=true
"$SLUICE" groups --bootstrap-server "$BOOTSTRAP" --describe --group quickstart
