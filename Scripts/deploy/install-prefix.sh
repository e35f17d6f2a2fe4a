#!/usr/bin/env bash
# Builds the release `stclip` and installs it under PREFIX the way the container image holds it:
#   PREFIX/bin/stclip                              the Swift runtime linked in statically, so the
#                                                  runtime image needs no Swift toolchain
#   PREFIX/bin/stclip_*.resources                  the SwiftPM resource bundles (the built-in label
#                                                  sets), found next to the executable
#   PREFIX/share/stclip/models/default             the embedded default model (Models/default)
# The Dockerfile's build stage runs it (PREFIX /staging/usr/local), and so does
# Scripts/deploy/host-image-check.sh, so the two cannot differ.
#   Scripts/deploy/install-prefix.sh PREFIX
set -euo pipefail
cd "$(dirname "$0")/../.."

prefix=${1:?usage: install-prefix.sh PREFIX}
if [ ! -f Models/default/config.json ]; then
    echo "install-prefix: Models/default/config.json is missing; the image embeds the default model from Models/default" >&2
    exit 1
fi

swift build -c release --product stclip --static-swift-stdlib
bin=$(swift build -c release --show-bin-path)

mkdir -p "$prefix/bin" "$prefix/share/stclip/models"
install -m 755 "$bin/stclip" "$prefix/bin/stclip"
bundles=("$bin"/*.resources)
[ -d "${bundles[0]}" ] || { echo "install-prefix: no resource bundles in $bin" >&2; exit 1; }
for bundle in "${bundles[@]}"; do
    rm -rf "$prefix/bin/$(basename "$bundle")"
    cp -R "$bundle" "$prefix/bin/"
done
rm -rf "$prefix/share/stclip/models/default"
cp -R Models/default "$prefix/share/stclip/models/default"
echo "install-prefix: stclip, ${#bundles[@]} resource bundle(s) and Models/default installed under $prefix" >&2
