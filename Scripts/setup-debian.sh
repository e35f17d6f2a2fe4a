#!/usr/bin/env bash
# Installs the Debian 12 packages stclip builds and tests against, where they are missing, and
# the Python tools that check the HTTP service's OpenAPI document (schemathesis,
# openapi-spec-validator) in .venv. Swift itself (6.x, from swift.org) must already be on PATH.
set -euo pipefail

packages=(libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libopenblas-dev pkg-config ffmpeg
          # The service: SQLite for GRDB, a PostgreSQL server for the label store tests, curl and
          # python3-venv for the schemathesis run.
          libsqlite3-dev postgresql curl python3-venv)

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: swift is not on PATH; install Swift 6 from swift.org first" >&2
    exit 1
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Pinned Python tools for Scripts/service/schemathesis.sh, and numpy and Pillow for the synthetic clips of
# Scripts/e2e/default-model.sh (Training/stasclip/synthetic.py), installed once into .venv.
python_tools=(schemathesis==4.32.5 openapi-spec-validator==0.9.0 numpy==2.2.6 pillow==11.3.0)
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import schemathesis, openapi_spec_validator, numpy, PIL' >/dev/null 2>&1; then
    echo "setup: installing ${python_tools[*]} into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q "${python_tools[@]}"
fi
