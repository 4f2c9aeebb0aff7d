#!/usr/bin/env bash
# Fuzzes the untrusted-bytes parsers (broker, JsonConverter, AvroConverter, Connect group protocol) with cargo-fuzz (libFuzzer + ASan).
#
#   fuzz/run.sh                          # every target, 60 s each
#   FUZZ_SECONDS=300 fuzz/run.sh record_batch
#
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc accept the
# -Z flags cargo-fuzz passes. New corpus entries go to fuzz/corpus/<target>/
# (gitignored); the committed seeds in fuzz/seeds/<target>/ are read too.
# Crashing inputs land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sluice-fuzz-target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
seconds="${FUZZ_SECONDS:-60}"

# librdkafka (rdkafka-sys, via runtime) is configured by mklove, which link-tests
# `-lzstd` against zstd-sys's libzstd.a. With RUSTC_BOOTSTRAP=1 Cargo sets
# CARGO_CFG_SANITIZE=address, so `cc` builds libzstd.a with -fsanitize=address,
# and the test link (plain gcc, no ASan runtime) fails with thousands of
# undefined `__asan_*` references. mklove exports the failure text as an
# environment variable; past 128 KiB every later exec fails with E2BIG
# ("Argument list too long") and configure aborts. Linking configure's checks
# (and librdkafka.so, which Cargo does not use) with the ASan runtime fixes
# that; rustc's final link is unaffected, and libzstd.a stays ASan-instrumented
# (librdkafka itself is built without ASan, as before; it is not fuzzed).
export LDFLAGS="${LDFLAGS:+$LDFLAGS }-fsanitize=address"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(request_frame record_batch offsets_records json_converter connect_protocol avro_record)
fi

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t (${seconds}s)"
    cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1
done
