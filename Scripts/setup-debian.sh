#!/usr/bin/env bash
# Installs the Debian 12 packages stclip builds and tests against, where they are missing.
# Swift itself (6.x, from swift.org) must already be on PATH.
set -euo pipefail

packages=(libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libopenblas-dev pkg-config ffmpeg)

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
