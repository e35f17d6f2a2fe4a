#!/usr/bin/env bash
# The run command: set up a fresh Debian 12 machine where needed, build stclip in release mode,
# and run it with the given arguments (`Scripts/run.sh --help` lists the commands).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup-debian.sh
swift build -c release --product stclip >&2
. Scripts/openblas-env.sh
exec .build/release/stclip "$@"
