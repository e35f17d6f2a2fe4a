#!/usr/bin/env bash
# Runs the reverse-proxy configuration Deploy/nginx/templates/stclip.conf.template for real:
# Debian's nginx on loopback, unprivileged, with everything (pid, logs, temp files) in a temporary
# prefix, in front of two `stclip serve` replicas with the tiny CLIP fixture model that share one
# throwaway PostgreSQL label store. Replica B has one worker and no queue, so it is easy to
# overload. Checks, through the proxy:
#   - a label set registered on one replica classifies on the other (shared store);
#   - a video larger than nginx's default 1 MB body limit is accepted and decoded;
#   - a body over the proxy's limit gets 413 as problem+json;
#   - the client's address reaches the service through X-Forwarded-For, and a forged one does not;
#   - the request id is passed to the replica and answered;
#   - an overloaded replica's 503 passes through with its Retry-After, and does not take the
#     replica out of rotation;
#   - /metrics is not exposed;
#   - a POST is moved to the other replica when one is down.
# Which replica served a request is read from the replicas' own logs, by request id.
# Each check prints PASS or FAIL; the script exits non-zero on any FAIL.
#   Scripts/deploy/nginx-test.sh [STCLIP_BINARY]
# STCLIP_NGINX_TEST_PORT (default 18740) and the next three ports are used.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-.build/debug/stclip}
model=Tests/Fixtures/clip/tiny-p32
base_port=${STCLIP_NGINX_TEST_PORT:-18740}
proxy_port=$base_port
port_a=$((base_port + 1))
port_b=$((base_port + 2))
postgres_port=$((base_port + 3))
proxy=http://127.0.0.1:$proxy_port
# The test client connects from a second loopback address, so that the address nginx puts in
# X-Forwarded-For (127.0.0.2) differs from the proxy's own (127.0.0.1), which the replicas trust.
client_address=127.0.0.2

for tool in nginx ffmpeg curl python3 perl; do
    command -v "$tool" >/dev/null || { echo "nginx-test: $tool is not installed (Scripts/setup-debian.sh installs it)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "nginx-test: no stclip binary at $binary (swift build first)" >&2; exit 1; }

work=$(mktemp -d)
# The PostgreSQL and nginx users below must reach their directories inside.
chmod 755 "$work"
export STCLIP_TEST_POSTGRES_STATE=$work/postgres
pids=()
declare -A replica_pid
failed=0
passed=0

cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    Scripts/service/postgres-test-server.sh stop
    if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then
        for log in "$work"/replica-a.log "$work"/replica-b.log "$work"/nginx/error.log "$work"/nginx/access.log; do
            [ -f "$log" ] && { echo "--- $log (last 30 lines)" >&2; tail -30 "$log" >&2; }
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# Setup that the checks depend on: stop at once.
die() { echo "FAIL: $*"; failed=$((failed + 1)); exit 1; }

# `wait_ready URL PID NAME`: until URL answers 200, while PID lives.
wait_ready() {
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || die "$3 exited before it was ready"
        sleep 0.1
    done
    die "$3 was not ready at $1 within 30 s"
}

# `served_by ID`: which replica logged the request with id ID (a, b, or none/both).
served_by() {
    local in_a=0 in_b=0
    grep -q "request_id=$1 " "$work/replica-a.log" && in_a=1
    grep -q "request_id=$1 " "$work/replica-b.log" && in_b=1
    case "$in_a$in_b" in
    10) echo a ;;
    01) echo b ;;
    00) echo none ;;
    *) echo both ;;
    esac
}

# `request NAME CURL_ARGS...`: one request through the proxy from the client address; the status
# goes to $work/NAME.status, headers to NAME.headers, body to NAME.body.
request() {
    local name=$1
    shift
    curl -sS --interface "$client_address" --max-time 60 -o "$work/$name.body" -D "$work/$name.headers" \
        -w '%{http_code}\n' "$@" >"$work/$name.status" 2>"$work/$name.curl" || echo 000 >"$work/$name.status"
}
status_of() { cat "$work/$1.status"; }
# `header NAME FIELD`: a response header's value (case-insensitive name), without CR.
header() { awk -v f="$(echo "$2" | tr '[:upper:]' '[:lower:]')" -F': ' 'tolower($1) == f { sub(/\r$/, "", $2); print $2 }' "$work/$1.headers" | tail -1; }
# `json NAME EXPR`: a Python expression over the response body `j`.
json() { python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$work/$1.body" 2>/dev/null || echo "<unreadable>"; }

# --- PostgreSQL, replicas, videos ---------------------------------------------------------------
postgres_url=$(Scripts/service/postgres-test-server.sh start "$postgres_port")

start_replica() {
    local name=$1 port=$2 queue=$3
    STCLIP_TRUSTED_PROXIES=127.0.0.1 STCLIP_BLAS_THREADS=1 STCLIP_LOG_LEVEL=info \
        "$binary" serve --model "$model" --data "$work/data-$name" --labels-db "$postgres_url" \
        --host 127.0.0.1 --port "$port" --workers 1 --queue-depth "$queue" >"$work/replica-$name.log" 2>&1 &
    pids+=($!)
    replica_pid[$name]=$!
}
start_replica a "$port_a" 8
start_replica b "$port_b" 0

# A small video, and one over nginx's default client_max_body_size of 1 MiB (noise defeats the
# encoder, so the size is reached in a few seconds of video).
ffmpeg -v error -y -f lavfi -i testsrc2=size=160x120:rate=10 -t 1 -c:v mpeg4 -pix_fmt yuv420p "$work/small.mp4"
ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=25,noise=alls=10:allf=t -t 3 -c:v mpeg4 -q:v 4 \
    -pix_fmt yuv420p "$work/large.mp4"
large_bytes=$(stat -c %s "$work/large.mp4")
[ "$large_bytes" -gt $((1 << 20)) ] || die "the generated video is only $large_bytes bytes, not over 1 MiB"

# --- nginx --------------------------------------------------------------------------------------
# The template as the official nginx image would render it, with loopback addresses; the main
# file holds only what this temporary prefix needs.
mkdir -p "$work/nginx/conf.d" "$work/nginx/temp"
STCLIP_PROXY_LISTEN=127.0.0.1:$proxy_port STCLIP_REPLICA_1=127.0.0.1:$port_a STCLIP_REPLICA_2=127.0.0.1:$port_b \
STCLIP_PROXY_ACCESS_LOG=$work/nginx/access.log \
    perl -pe 's/\$\{(STCLIP_\w+)\}/defined $ENV{$1} ? $ENV{$1} : die "nginx-test: $1 is not set\n"/ge' \
    Deploy/nginx/templates/stclip.conf.template >"$work/nginx/conf.d/stclip.conf"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log info;
events { worker_connections 256; }
http {
    client_body_temp_path $work/nginx/temp/body;
    proxy_temp_path $work/nginx/temp/proxy;
    fastcgi_temp_path $work/nginx/temp/fastcgi;
    uwsgi_temp_path $work/nginx/temp/uwsgi;
    scgi_temp_path $work/nginx/temp/scgi;
    include conf.d/stclip.conf;
}
EOF
# Never as root: as root, run it as nobody, who then owns its prefix.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    chown -R nobody "$work/nginx"
    as_user=(runuser -u nobody --)
fi
nginx_args=(-p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log")
if "${as_user[@]}" nginx -t -q "${nginx_args[@]}" 2>"$work/nginx-t.log"; then
    pass "nginx accepts the rendered configuration (nginx -t)"
else
    cat "$work/nginx-t.log"
    die "nginx rejects the rendered configuration"
fi
# Its console (and runuser's own messages when it is stopped) to a file.
"${as_user[@]}" nginx "${nginx_args[@]}" >"$work/nginx-console.log" 2>&1 &
pids+=($!)
nginx_pid=$!

wait_ready "http://127.0.0.1:$port_a/readyz" "${replica_pid[a]}" "replica A"
wait_ready "http://127.0.0.1:$port_b/readyz" "${replica_pid[b]}" "replica B"
wait_ready "$proxy/healthz" "$nginx_pid" "nginx"

# --- a label set registered on one replica, classified on the other -----------------------------
request register -X PUT "$proxy/v1/labelsets/nginx-test" -H 'X-Request-ID: nginx-test-register' \
    -H 'Content-Type: application/json' -d '{"labels": [{"label": "dancing"}, {"label": "swimming"}, {"label": "juggling"}]}'
registrar=$(served_by nginx-test-register)
if [ "$(status_of register)" = 201 ] && { [ "$registrar" = a ] || [ "$registrar" = b ]; }; then
    pass "label set registered through the proxy (201), on replica ${registrar^^}"
else
    die "registering the label set: HTTP $(status_of register), served by: $registrar; $(cat "$work/register.body" "$work/register.curl")"
fi
other=$([ "$registrar" = a ] && echo b || echo a)
# Round robin sends one of two consecutive requests to each replica.
classified_on_other=""
for i in 1 2; do
    request "classify-$i" -X POST "$proxy/v1/classify?labelset=nginx-test&top_k=3" -H "X-Request-ID: nginx-test-classify-$i" \
        -H 'Content-Type: video/mp4' --data-binary "@$work/small.mp4"
    if [ "$(served_by "nginx-test-classify-$i")" = "$other" ]; then classified_on_other=classify-$i; fi
done
if [ -n "$classified_on_other" ] && [ "$(status_of "$classified_on_other")" = 200 ] \
    && [ "$(json "$classified_on_other" "j['labelset']['name'], len(j['top_k'])")" = "nginx-test 3" ]; then
    pass "classified on replica ${other^^} with the set registered on ${registrar^^} (shared PostgreSQL store)"
else
    fail "no classification on replica ${other^^} with the set from ${registrar^^}: $(for i in 1 2; do echo "#$i HTTP $(status_of "classify-$i") on $(served_by "nginx-test-classify-$i")"; done)"
fi

# --- large upload -------------------------------------------------------------------------------
request large -X POST "$proxy/v1/classify?labelset=nginx-test" -H 'X-Request-ID: nginx-test-large' \
    -H 'Content-Type: video/mp4' --data-binary "@$work/large.mp4"
if [ "$(status_of large)" = 200 ] && [ "$(json large "j['video']['width'], j['video']['height']")" = "640 360" ]; then
    pass "a $large_bytes-byte video (over nginx's default 1 MiB) classified through the proxy"
else
    fail "the $large_bytes-byte video: HTTP $(status_of large): $(head -c 300 "$work/large.body")"
fi

# A body over the proxy's limit, announced by Content-Length: refused before any byte of it is read.
exec 3<>"/dev/tcp/127.0.0.1/$proxy_port"
printf 'POST /v1/classify?labelset=nginx-test HTTP/1.1\r\nHost: localhost\r\nContent-Type: video/mp4\r\nContent-Length: %d\r\nX-Request-ID: nginx-test-too-large\r\nConnection: close\r\n\r\n' \
    $((300 << 20)) >&3
timeout 10 cat <&3 >"$work/too-large.raw" || true
exec 3<&-
too_large_status=$(head -1 "$work/too-large.raw" | awk '{print $2}')
sed -n '/^\r$/,$p' "$work/too-large.raw" | tail -n +2 >"$work/too-large.body"
if [ "$too_large_status" = 413 ] && grep -qi '^content-type: application/problem+json' "$work/too-large.raw" \
    && [ "$(json too-large "j['type'], j['status'], j['instance'], j['request_id']")" = "urn:stclip:problem:payload-too-large 413 /v1/classify nginx-test-too-large" ]; then
    pass "a 300 MiB Content-Length is refused by the proxy with 413 problem+json"
else
    fail "a 300 MiB Content-Length: status '$too_large_status': $(head -c 400 "$work/too-large.raw")"
fi

# --- client address and request id --------------------------------------------------------------
request forwarded "$proxy/v1/labelsets/nginx-test" -H 'X-Request-ID: nginx-test-forwarded'
request forged "$proxy/v1/labelsets/nginx-test" -H 'X-Request-ID: nginx-test-forged' -H 'X-Forwarded-For: 198.51.100.9'
forwarded_log=$(grep -h "request_id=nginx-test-forwarded " "$work"/replica-?.log || true)
forged_log=$(grep -h "request_id=nginx-test-forged " "$work"/replica-?.log || true)
if [ "$(status_of forwarded)" = 200 ] && grep -q "client=$client_address " <<<"$forwarded_log"; then
    pass "the service logs the client's address $client_address from X-Forwarded-For, not the proxy's"
else
    fail "client address: HTTP $(status_of forwarded), replica log: '$forwarded_log'"
fi
if [ "$(status_of forged)" = 200 ] && grep -q "client=$client_address " <<<"$forged_log"; then
    pass "a forged X-Forwarded-For from the client is not believed"
else
    fail "forged X-Forwarded-For: HTTP $(status_of forged), replica log: '$forged_log'"
fi
# Without an id, and with one the service would not accept, the proxy makes one up.
for case in without malformed; do
    if [ "$case" = without ]; then
        request "id-$case" "$proxy/v1/labelsets/nginx-test"
        what="a request without X-Request-ID"
    else
        request "id-$case" "$proxy/v1/labelsets/nginx-test" -H 'X-Request-ID: bad"id with spaces'
        what="a request with a malformed X-Request-ID"
    fi
    generated_id=$(header "id-$case" X-Request-ID)
    if [[ "$generated_id" =~ ^[0-9a-f]{32}$ ]] && [ "$(served_by "$generated_id")" != none ] \
        && grep -q "request_id=$generated_id" "$work/nginx/access.log"; then
        pass "$what gets the proxy's id ($generated_id) in the proxy's log, the replica's log and the answer"
    else
        fail "$what: answered '$generated_id', replica: $(served_by "${generated_id:-none}")"
    fi
done

# --- overload: 503 with Retry-After passes through ----------------------------------------------
# Replica B has one worker and no queue: of the requests that round robin sends it at once, all
# but the first are turned away.
overloaded=""
for round in 1 2 3; do
    flood=()
    for i in $(seq 1 12); do
        request "flood-$round-$i" -X POST "$proxy/v1/classify?labelset=nginx-test" -H "X-Request-ID: nginx-test-flood-$round-$i" \
            -H 'Content-Type: video/mp4' --data-binary "@$work/large.mp4" &
        flood+=($!)
    done
    wait "${flood[@]}"
    for i in $(seq 1 12); do
        if [ "$(status_of "flood-$round-$i")" = 503 ]; then overloaded=flood-$round-$i; break; fi
    done
    [ -n "$overloaded" ] && break
done
if [ -z "$overloaded" ]; then
    fail "no 503 in 3 rounds of 12 concurrent requests: $(cat "$work"/flood-*.status | sort | uniq -c | tr '\n' ' ')"
else
    retry_after=$(header "$overloaded" Retry-After)
    if [[ "$retry_after" =~ ^[1-9][0-9]*$ ]] && [ "$(header "$overloaded" Content-Type)" = application/problem+json ] \
        && [ "$(json "$overloaded" "j['type']")" = urn:stclip:problem:queue-full ] && [ "$(served_by "nginx-test-$overloaded")" = b ]; then
        pass "replica B's 503 queue-full passes through the proxy with Retry-After: $retry_after"
    else
        fail "the 503: Retry-After '$retry_after', Content-Type '$(header "$overloaded" Content-Type)', served by $(served_by "nginx-test-$overloaded"): $(head -c 300 "$work/$overloaded.body")"
    fi
fi
proxy_errors=$(cat "$work"/flood-*.status | grep -cvE '^(200|503)$' || true)
if [ "$proxy_errors" -eq 0 ]; then
    pass "every flooded request was answered by a replica (200 or 503, no proxy error)"
else
    fail "$proxy_errors flooded requests got neither 200 nor 503: $(cat "$work"/flood-*.status | sort | uniq -c | tr '\n' ' ')"
fi
# A 503 is not a failed replica: B still gets its share afterwards.
for i in 1 2 3 4; do
    request "after-$i" "$proxy/v1/labelsets/nginx-test" -H "X-Request-ID: nginx-test-after-$i"
done
after=$(for i in 1 2 3 4; do echo "$(status_of "after-$i"):$(served_by "nginx-test-after-$i")"; done | sort -u | tr '\n' ' ')
if [ "$after" = "200:a 200:b " ]; then
    pass "after the 503s both replicas stay in rotation"
else
    fail "after the 503s: $after"
fi

# --- /metrics is not exposed --------------------------------------------------------------------
request metrics "$proxy/metrics"
if [ "$(status_of metrics)" = 404 ]; then
    pass "/metrics is not served through the proxy (404)"
else
    fail "/metrics through the proxy: HTTP $(status_of metrics)"
fi

# --- failover: a POST goes to the other replica when one is down --------------------------------
kill -9 "${replica_pid[a]}"
wait "${replica_pid[a]}" 2>/dev/null || true
failover=""
for i in 1 2 3 4; do
    request "failover-$i" -X POST "$proxy/v1/classify?labelset=nginx-test" -H "X-Request-ID: nginx-test-failover-$i" \
        -H 'Content-Type: video/mp4' --data-binary "@$work/small.mp4"
    failover+="$(status_of "failover-$i"):$(served_by "nginx-test-failover-$i") "
done
if [ "$failover" = "200:b 200:b 200:b 200:b " ]; then
    pass "with replica A killed, every classification POST is served by B"
else
    fail "with replica A killed: $failover"
fi

echo "nginx-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
