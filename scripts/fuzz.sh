#!/usr/bin/env bash
# Fuzzes the frame decoder and the session machine (Sources/ChatFuzzing/FuzzHarness.swift).
#
#   scripts/fuzz.sh [MINUTES]                  libFuzzer, coverage-guided (default 10 minutes)
#   FUZZ_ENGINE=builtin scripts/fuzz.sh [MIN]  the built-in mutation fuzzer, no instrumentation
#
# libFuzzer keeps its corpus in .build-fuzz/corpus (it grows across runs) and writes any
# input that crashes or breaks a property to fuzz-crashes/. Replay one with
# `swift run chat-fuzz fuzz-crashes/crash-…`; once fixed, add it to the regressions in
# Tests/ChatProtocolTests/FuzzTests.swift. Exit status 0 means nothing was found.
set -euo pipefail
minutes=${1:-10}
cd "$(dirname "$0")/.."
seconds=$(awk "BEGIN { printf \"%d\", $minutes * 60 }")

if [ "${FUZZ_ENGINE:-libfuzzer}" = builtin ]; then
  swift build -c release --product chat-fuzz
  exec .build/release/chat-fuzz "$seconds" "${FUZZ_SEED:-$(date +%s)}"
fi

swift build -c release --build-path .build-fuzz --product chat-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER
fuzzer=.build-fuzz/release/chat-fuzz
# A broken property traps; Swift's own crash backtracer would take the signal before
# libFuzzer's handler and no crash input would be written. Leave the crash to libFuzzer.
export SWIFT_BACKTRACE=enable=no
mkdir -p .build-fuzz/corpus fuzz-crashes
CHAT_FUZZ_SEED_CORPUS=.build-fuzz/corpus "$fuzzer"
"$fuzzer" -max_total_time="$seconds" -artifact_prefix=fuzz-crashes/ -print_final_stats=1 \
  -max_len=16384 .build-fuzz/corpus
