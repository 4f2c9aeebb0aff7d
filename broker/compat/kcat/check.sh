#!/usr/bin/env bash
# kcat (Debian's, librdkafka 2.0.2) against a broker: metadata (-L), keyed produce (-P -K:) with
# headers and every codec, consume (-C -e), and balanced group consume (-G) that commits and
# resumes. Every check is printed; mismatches are collected and the run exits 1 listing them all.
#
#     SLUICE_KCAT=/usr/bin/kcat bash check.sh --bootstrap 127.0.0.1:PORT
#
# Run by broker/tests/compat.rs (through scripts/test, which installs kcat).
set -euo pipefail

KCAT=${SLUICE_KCAT:-kcat}
BOOTSTRAP=
while (($#)); do
    case $1 in
        --bootstrap) BOOTSTRAP=${2:?--bootstrap needs HOST:PORT}; shift ;;
        *) echo "usage: check.sh --bootstrap HOST:PORT" >&2; exit 2 ;;
    esac
    shift
done
[[ -n $BOOTSTRAP ]] || { echo "usage: check.sh --bootstrap HOST:PORT" >&2; exit 2; }

# Every kcat call is bounded; -m bounds its metadata requests.
K() { timeout 60 "$KCAT" -b "$BOOTSTRAP" -m 30 -X broker.address.family=v4 "$@"; }

SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
TOPIC=compat-kcat-$SUFFIX-data
GROUP=compat-kcat-$SUFFIX-group
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILURES=()
STARTED=$SECONDS

ok() { echo "ok: $*"; }
errtext() { tail -n 4 "$1" | tr '\n' '|'; } # the end of a kcat's stderr, on one line
fail() {
    echo "MISMATCH: $*"
    FAILURES+=("$*")
}
# expect_same WHAT EXPECTED_FILE ACTUAL_FILE
expect_same() {
    if cmp -s "$2" "$3"; then
        ok "$1 ($(wc -l <"$2") lines)"
    else
        fail "$1: output differs (expected vs actual): $(diff "$2" "$3" | head -8 | tr '\n' '|')"
    fi
}
finish() {
    if ((${#FAILURES[@]})); then
        echo "FAIL (kcat): ${#FAILURES[@]} mismatch(es) in $((SECONDS - STARTED))s:"
        printf '  - %s\n' "${FAILURES[@]}"
        exit 1
    fi
    echo "PASS (kcat): all checks passed in $((SECONDS - STARTED))s"
    exit 0
}
stop() {
    fail "$* (run stopped here)"
    finish
}

"$KCAT" -V 2>&1 | sed -nE 's/^Version ([^ ]+) .*(librdkafka [0-9.]+).*/kcat \1, \2/p'

# --- metadata
if K -L >"$WORK/meta" 2>"$WORK/meta.err"; then
    ok "kcat -L (metadata)"
    if grep -Eq "^ 1 brokers:" "$WORK/meta"; then
        ok "metadata lists 1 broker"
    else
        fail "metadata: expected ' 1 brokers:': $(tr '\n' '|' <"$WORK/meta")"
    fi
    if grep -Fq "at $BOOTSTRAP" "$WORK/meta"; then
        ok "metadata advertises $BOOTSTRAP"
    else
        fail "metadata: broker not at $BOOTSTRAP: $(tr '\n' '|' <"$WORK/meta")"
    fi
else
    stop "kcat -L failed: $(errtext "$WORK/meta.err")"
fi

# --- produce: 5 rounds of 10 keyed records to partition 0, one codec per round. -H applies to
# every record of a run, so the headers name the codec and the round's first offset.
# The topic is created by the first produce (auto.create.topics.enable, as in Kafka).
FORMAT='%p|%o|%k|%s|%h\n'
PAD=$(printf 'x%.0s' $(seq 1 40)) # compressible values
expected=$WORK/expected
: >"$expected"
offset=0
for codec in none gzip snappy lz4 zstd; do
    first=$offset
    input=$WORK/in-$codec
    : >"$input"
    for i in $(seq 1 10); do
        printf 'key-%s-%d:value %s %d %s\n' "$codec" "$i" "$codec" "$i" "$PAD" >>"$input"
        printf '0|%d|key-%s-%d|value %s %d %s|codec=%s,first=%d\n' \
            "$offset" "$codec" "$i" "$codec" "$i" "$PAD" "$codec" "$first" >>"$expected"
        offset=$((offset + 1))
    done
    if K -P -t "$TOPIC" -p 0 -K: -z "$codec" -H "codec=$codec" -H "first=$first" \
        -X acks=all -X enable.idempotence=true -X linger.ms=20 <"$input" 2>"$WORK/produce.err"; then
        ok "kcat -P -K: -z $codec (acks=all, idempotent): 10 records"
    else
        fail "kcat -P -z $codec failed: $(errtext "$WORK/produce.err")"
    fi
done

# --- consume everything from the beginning, exactly.
if K -C -t "$TOPIC" -p 0 -o beginning -e -q -f "$FORMAT" >"$WORK/all" 2>"$WORK/consume.err"; then
    expect_same "kcat -C -o beginning -e: every record with key, value, headers, offset" "$expected" "$WORK/all"
else
    fail "kcat -C failed: $(errtext "$WORK/consume.err")"
fi

# --- consume a range from an offset in the middle of a compressed batch.
if K -C -t "$TOPIC" -p 0 -o 23 -c 7 -e -q -f "$FORMAT" >"$WORK/range" 2>"$WORK/range.err"; then
    sed -n '24,30p' "$expected" >"$WORK/range.expected"
    expect_same "kcat -C -o 23 -c 7 (starts inside a batch)" "$WORK/range.expected" "$WORK/range"
else
    fail "kcat -C -o 23 failed: $(errtext "$WORK/range.err")"
fi

# --- balanced consumer group: reads all, commits on close; a rerun gets nothing; after 5 more
# records a rerun gets exactly those.
group_consume() { # group_consume OUT: one -G run that exits at the end of the partition
    K -G "$GROUP" -X auto.offset.reset=earliest -X session.timeout.ms=10000 -e -q -f "$FORMAT" "$TOPIC" \
        >"$1" 2>"$1.err"
}
if group_consume "$WORK/g1"; then
    expect_same "kcat -G (group $GROUP) first run reads every record" "$expected" "$WORK/g1"
else
    fail "kcat -G first run failed: $(errtext "$WORK/g1.err")"
fi
if group_consume "$WORK/g2"; then
    if [[ ! -s $WORK/g2 ]]; then
        ok "kcat -G second run resumes at the committed end: no records"
    else
        fail "kcat -G second run: expected no records (offsets committed), got $(wc -l <"$WORK/g2"): $(head -3 "$WORK/g2" | tr '\n' '|')"
    fi
else
    fail "kcat -G second run failed: $(errtext "$WORK/g2.err")"
fi
: >"$WORK/more.expected"
: >"$WORK/more.in"
for i in 1 2 3 4 5; do
    echo "more-$i:more value $i" >>"$WORK/more.in"
    echo "0|$((offset + i - 1))|more-$i|more value $i|" >>"$WORK/more.expected"
done
if K -P -t "$TOPIC" -p 0 -K: <"$WORK/more.in" 2>"$WORK/more.err"; then
    ok "kcat -P 5 more records"
else
    fail "kcat -P (more) failed: $(errtext "$WORK/more.err")"
fi
if group_consume "$WORK/g3"; then
    expect_same "kcat -G third run reads exactly the 5 new records" "$WORK/more.expected" "$WORK/g3"
else
    fail "kcat -G third run failed: $(errtext "$WORK/g3.err")"
fi

finish
