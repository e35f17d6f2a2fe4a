#!/usr/bin/env bash
# The test command: set up a fresh Debian 12 machine where needed, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup-debian.sh
swift build --build-tests
# Every suite is XCTest; without this flag the empty Swift Testing run prints the last line, "0 tests".
swift test --skip-build --disable-swift-testing
