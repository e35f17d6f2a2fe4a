#!/usr/bin/env bash
# The test command: set up a fresh Debian 12 machine where needed, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup-debian.sh
# The deployment files (YAML, the Dockerfile) linted, before the build since it takes seconds.
Scripts/deploy/lint.sh
# The XCTest suites need the debug build (their `@testable` imports); built first, so that a compile
# error stops the run before the longer release build.
swift build --build-tests

# The container image's build (release, the Swift runtime static) and runtime libraries, checked
# on the host since Docker does not run here. It leaves the release binary in .build/release, which
# the live-server checks below run: the build that ships, and three times faster than the debug
# binary on the end-to-end clips.
Scripts/deploy/host-image-check.sh
release_binary=$(swift build -c release --show-bin-path)/stclip

# The nginx configuration run for real in front of two replicas.
Scripts/deploy/nginx-test.sh "$release_binary"

# The HTTP service: its OpenAPI document validated and fuzzed against a live server, and a
# throwaway PostgreSQL server on loopback for the label store tests.
Scripts/service/schemathesis.sh "$release_binary"
postgres_port=${STCLIP_TEST_POSTGRES_PORT:-54329}
STCLIP_TEST_POSTGRES_URL=$(Scripts/service/postgres-test-server.sh start "$postgres_port")
export STCLIP_TEST_POSTGRES_URL
trap 'Scripts/service/postgres-test-server.sh stop' EXIT

# The embedded default model end to end: held-out synthetic clips through a live `stclip serve` and
# through `stclip classify`, both with nothing named.
Scripts/e2e/default-model.sh "$release_binary"

# Every suite is XCTest; without this flag the empty Swift Testing run prints the last line, "0 tests".
swift test --skip-build --disable-swift-testing
