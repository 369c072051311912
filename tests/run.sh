#!/usr/bin/env bash
# Every test: as-pect specs for the core, then node:test suites for the host and end to end.
# Real-kernel tests (namespaces, TAP) run where the machine allows and print "skipped: <reason>" elsewhere.
set -u
cd "$(dirname "$0")/.."
status=0
# The absolute path keeps as-pect's asconfig paths resolvable from any working directory.
npx asp --as-config "$PWD/as-pect.asconfig.json" --summary || status=1
node --import tsx --test --test-concurrency=1 tests/host/*.test.ts tests/e2e/*.test.ts || status=1
exit $status
