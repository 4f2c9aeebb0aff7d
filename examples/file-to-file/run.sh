#!/usr/bin/env bash
# The Kafka Connect file quick start against sluice, scripted: a broker and a standalone
# worker on free ports, a FileStreamSource and a FileStreamSink created with curl, lines
# appended to test.txt arriving in test.sink.txt, then the status and offsets.
#
#   examples/file-to-file/run.sh            # uses target/release/sluice, building it if needed
#   SLUICE=/path/to/sluice examples/file-to-file/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

TARGET=${CARGO_TARGET_DIR:-target}
SLUICE=${SLUICE:-$TARGET/release/sluice}
if [[ ! -x $SLUICE ]]; then
    cargo build --release --bin sluice
fi
EXAMPLE=$PWD/examples/file-to-file

WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
KAFKA_PORT=$(free_port)
REST_PORT=$(free_port)
"$SLUICE" broker --listeners "PLAINTEXT://127.0.0.1:$KAFKA_PORT" --data-dir "$WORK/broker" 2>"$WORK/broker.log" &
BROKER=$!
sed -e "s|^bootstrap.servers=.*|bootstrap.servers=127.0.0.1:$KAFKA_PORT|" \
    -e "s|^listeners=.*|listeners=http://127.0.0.1:$REST_PORT|" \
    -e "s|^offset.storage.file.filename=.*|offset.storage.file.filename=$WORK/connect.offsets|" \
    -e "s|^offset.flush.interval.ms=.*|offset.flush.interval.ms=1000|" \
    "$EXAMPLE/worker.properties" >"$WORK/worker.properties"
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null && break; sleep 0.1; done
(cd "$WORK" && exec "$SLUICE" standalone worker.properties) 2>"$WORK/worker.log" &
WORKER=$!
trap 'kill $WORKER $BROKER 2>/dev/null; wait $WORKER $BROKER 2>/dev/null; rm -rf "$WORK"' EXIT
CONNECT=http://127.0.0.1:$REST_PORT
for _ in $(seq 100); do curl -sf "$CONNECT/" >/dev/null && break; sleep 0.1; done

cd "$WORK"   # the connector files are relative to the worker's directory
set -x
curl -s "$CONNECT/"
curl -s -X POST -H 'Content-Type: application/json' --data @"$EXAMPLE/source.json" "$CONNECT/connectors"
curl -s -X POST -H 'Content-Type: application/json' --data @"$EXAMPLE/sink.json" "$CONNECT/connectors"
printf 'foo\nbar\n' >>test.txt
echo 'Another line' >>test.txt
set +x
for _ in $(seq 150); do [[ $({ wc -l <test.sink.txt; } 2>/dev/null || echo 0) -ge 3 ]] && break; sleep 0.1; done
set -x
cat test.sink.txt
curl -s "$CONNECT/connectors?expand=status"
sleep 1.2   # one offset flush
curl -s "$CONNECT/connectors/local-file-source/offsets"
curl -s "$CONNECT/connectors/local-file-sink/offsets"
"$SLUICE" consume --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic connect-test --from-beginning --max-messages 3
set +x
[[ $(cat test.sink.txt) == $'foo\nbar\nAnother line' ]] && echo "OK: every line arrived, in order"
