#!/usr/bin/env bash
# Docker does not run on our CI machines, so this performs the Dockerfile's steps on the host
# (Debian 12, as both of the image's stages) and checks what a `docker build` would only show
# when the container starts:
#   1. builds and installs stclip into a temporary prefix with Scripts/deploy/install-prefix.sh,
#      exactly as the image's build stage does;
#   2. checks that every shared library the binary loads (`ldd`, all of them, transitively) is
#      provided by the runtime stage: its package (`dpkg -S`) must be in debian:bookworm-slim or
#      among what apt installs for the runtime stage's `apt-get install` list, which is read
#      from the Dockerfile so that the two cannot drift apart;
#   3. starts the installed binary the way the image does (its ENTRYPOINT, CMD and ENV, with
#      /usr/local and /var/lib/stclip moved into the prefix) with the build directory's resource
#      bundles and the repository's Models/default hidden, so that it must find its own bundles
#      and the embedded model beside it, and checks /healthz, /readyz, the served model and the
#      shipped label sets.
# Fails with a message naming each missing library or failed step.
#   Scripts/deploy/host-image-check.sh
# STCLIP_IMAGE_CHECK_PORT (default 18750) is the port of step 3.
set -euo pipefail
cd "$(dirname "$0")/../.."

port=${STCLIP_IMAGE_CHECK_PORT:-18750}
work=$(mktemp -d)
prefix=$work/usr/local
server=""
hidden=()
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    for path in "${hidden[@]}"; do mv "$path.hidden-by-image-check" "$path"; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "host-image-check: FAIL: $*" >&2; exit 1; }

# --- the Dockerfile's runtime stage -------------------------------------------------------------
# Everything after the last FROM, with continuation lines joined.
runtime_stage=$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END{printf "%s", stage}' Dockerfile \
    | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')
[ "$(grep -c '^FROM ' <<<"$runtime_stage")" -eq 1 ] || fail "no runtime stage found in the Dockerfile"
grep -q '^FROM debian:bookworm-slim' <<<"$runtime_stage" \
    || fail "the runtime stage is not FROM debian:bookworm-slim; this check models that base image"
install_lines=$(grep -E '^RUN .*apt-get install' <<<"$runtime_stage" || true)
[ "$(grep -c . <<<"$install_lines")" -eq 1 ] || fail "expected one RUN with apt-get install in the runtime stage"
# The words after `apt-get install` up to the next `&&`, options left out.
mapfile -t runtime_packages < <(sed -E 's/.*apt-get install([^&]*).*/\1/' <<<"$install_lines" | tr -s ' \t' '\n' | grep -vE '^(-.*)?$')
[ "${#runtime_packages[@]}" -gt 0 ] || fail "no packages in the runtime stage's apt-get install"
echo "host-image-check: runtime packages from the Dockerfile: ${runtime_packages[*]}" >&2

# --- what the runtime image holds ---------------------------------------------------------------
# debian:bookworm-slim is debootstrap's minbase: the Essential and Priority: required packages
# and apt, with their dependencies. apt's own resolver, run in simulation against an empty
# package database, lists them; a second simulation, against a database holding just those,
# lists what the runtime stage's `apt-get install --no-install-recommends` adds.
: >"$work/empty-status"
mapfile -t minbase < <(apt-cache dumpavail | awk '/^Package:/{p=$2} /^Essential: yes/{print p} /^Priority: required/{print p}' | sort -u)
simulate() { # STATUS_FILE PACKAGE... → the packages apt would install, one per line
    local status=$1
    shift
    if ! apt-get -s -q -o Dir::State::Status="$status" install --no-install-recommends "$@" >"$work/apt.out" 2>"$work/apt.err" \
        || grep -q '^E:' "$work/apt.err"; then
        cat "$work/apt.err" >&2
        return 1
    fi
    awk '/^Inst /{print $2}' "$work/apt.out"
}
simulate "$work/empty-status" apt "${minbase[@]}" >"$work/base.list" || fail "apt cannot resolve the base image's packages"
mapfile -t base_packages <"$work/base.list"
[ "${#base_packages[@]}" -gt 50 ] || fail "only ${#base_packages[@]} base packages resolved; apt's package lists may be missing (apt-get update)"
# Their records as a dpkg status file: each paragraph marked installed.
apt-cache show --no-all-versions "${base_packages[@]}" \
    | awk '/^$/ { print "Status: install ok installed" } { print }' >"$work/base-status"
simulate "$work/base-status" "${runtime_packages[@]}" >"$work/added.list" \
    || fail "apt cannot install the runtime stage's packages: ${runtime_packages[*]}"
mapfile -t added_packages <"$work/added.list"
declare -A image_package
for p in "${base_packages[@]}"; do image_package[$p]=base; done
for p in "${added_packages[@]}"; do image_package[$p]=runtime; done
echo "host-image-check: the runtime image holds ${#base_packages[@]} base packages and ${#added_packages[@]} more from its apt-get install" >&2

# --- the build stage ----------------------------------------------------------------------------
Scripts/deploy/install-prefix.sh "$prefix"
binary=$prefix/bin/stclip

# --- every library the binary loads comes from a package in the image ---------------------------
# `dpkg -S` knows a file by the path its package ships; on Debian 12 that is often /lib while the
# loader reports /usr/lib or a symlink, so the resolved path and the other spelling are tried too.
owner_of() {
    local path=$1 candidate resolved
    resolved=$(readlink -f "$path")
    for candidate in "$path" "$resolved" "${path#/usr}" "/usr$path" "${resolved#/usr}" "/usr$resolved"; do
        dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1 && return 0
    done
    return 1
}
missing=0
checked=0
while read -r line; do
    case "$line" in
    *"=> not found"*)
        echo "host-image-check: MISSING: ${line%% =>*} is not found at all on this host" >&2
        missing=$((missing + 1))
        continue ;;
    linux-vdso.so*) continue ;;
    esac
    # "libfoo.so.1 => /path/libfoo.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    path=$(sed -E 's/.*=> //; s/ \(0x[0-9a-f]+\)$//' <<<"$line")
    checked=$((checked + 1))
    if ! package=$(owner_of "$path"); then
        echo "host-image-check: MISSING: $path belongs to no Debian package (a toolchain library?); the image cannot have it" >&2
        missing=$((missing + 1))
    elif [ -z "${image_package[$package]:-}" ]; then
        echo "host-image-check: MISSING: $path comes from $package, which the runtime stage does not install; add it to the Dockerfile's apt-get install" >&2
        missing=$((missing + 1))
    else
        echo "host-image-check:   $path  $package (${image_package[$package]})" >&2
    fi
done < <(ldd "$binary")
[ "$checked" -gt 0 ] || fail "ldd listed no libraries for $binary"
[ "$missing" -eq 0 ] || fail "$missing of the libraries $binary loads would be missing in the image"
echo "host-image-check: PASS: all $checked libraries the binary loads are in the runtime image" >&2

# --- the image's command, from the prefix -------------------------------------------------------
json_instruction() { # NAME → its JSON array, one element per line
    grep -E "^$1 \[" <<<"$runtime_stage" | tail -1 | sed -E "s/^$1 //" \
        | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))'
}
mapfile -t entrypoint < <(json_instruction ENTRYPOINT)
mapfile -t cmd < <(json_instruction CMD)
[ "${#entrypoint[@]}" -gt 0 ] || fail "no ENTRYPOINT [...] in the runtime stage"
# ENV KEY=VALUE ..., with the image's paths moved into the prefix and the port made free.
image_env=()
for word in $(grep -E '^ENV ' <<<"$runtime_stage" | sed -E 's/^ENV //'); do
    [[ "$word" == *=* ]] || fail "ENV '$word' is not in the KEY=VALUE form this check reads"
    value=${word#*=}
    value=${value//\/usr\/local/$prefix}
    value=${value//\/var\/lib\/stclip/$work/data}
    image_env+=("${word%%=*}=$value")
done
image_env+=("STCLIP_PORT=$port")
command_line=("${entrypoint[@]/\/usr\/local/$prefix}" "${cmd[@]}")
[ -x "${command_line[0]}" ] || fail "the ENTRYPOINT ${entrypoint[0]} is not in the installed prefix"
mkdir -p "$work/data"

# The binary falls back to the bundles in the build directory and to the source tree's
# Models/default; hide both so that it must use what is installed beside it, as in the image.
for path in "$(swift build -c release --show-bin-path)"/*.resources "$PWD/Models/default"; do
    mv "$path" "$path.hidden-by-image-check"
    hidden+=("$path")
done
echo "host-image-check: running ${command_line[*]} with ${image_env[*]}" >&2
env -i PATH=/usr/bin:/bin HOME="$work/data" "${image_env[@]}" "${command_line[@]}" >"$work/server.log" 2>&1 &
server=$!
ready=""
for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; then ready=yes; break; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ready" ]; then
    tail -30 "$work/server.log" >&2
    kill -0 "$server" 2>/dev/null || fail "the image's command exited before it was ready (its log above)"
    fail "the image's command did not become ready on port $port within 60 s"
fi
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || fail "/healthz did not answer 200"
# The served model is the embedded one: the same type as Models/default's config.
readiness=$(curl -fsS "http://127.0.0.1:$port/readyz") || fail "GET /readyz failed"
model_type=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["model_type"])' "$prefix/share/stclip/models/default/config.json")
grep -q "\"type\" *: *\"$model_type\"" <<<"$readiness" || fail "/readyz does not report the embedded $model_type model: $readiness"
labelsets=$(curl -fsS "http://127.0.0.1:$port/v1/labelsets") || fail "GET /v1/labelsets failed"
grep -q '"kinetics400"' <<<"$labelsets" || fail "the shipped label sets (resource bundle) are not listed: $labelsets"
echo "host-image-check: PASS: the installed binary serves the embedded model (/healthz, /readyz, shipped label sets) from its prefix" >&2
