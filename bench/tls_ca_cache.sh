#!/usr/bin/env bash
# TLS at scale: what a new TLS connection costs the daemon, CA store included.
# `feedwatch once` polls N feeds (default 200) on a local HTTPS server
# (Python's ssl module, a throwaway self-signed certificate, one connection
# per request: every poll is a new TLS handshake). The certificate is not in
# the system's store, so every poll fails verification, after the client has
# loaded its CA store: the cost measured is the handshake plus that load.
# Prints the daemon's CPU per poll (bench/README.md, "Polling at scale").
#   bench/tls_ca_cache.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
n="${2:-200}"
work="$(mktemp -d)"
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
cat >"$work/server.py" <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"   # one request per connection
    def do_GET(self):
        body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
python3 "$work/server.py" "$work/cert.pem" "$work/key.pem" >"$work/port" &
server_pid=$!
for _ in $(seq 50); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port="$(cat "$work/port")"
{
  echo "state_dir: $work/state"
  echo "http: { allow_private_networks: true, per_host: { max_concurrent: 8, min_delay: 0s } }"
  echo "feeds:"
  for i in $(seq "$n"); do
    printf '  - { name: f%d, url: "https://127.0.0.1:%s/feed/%d", fetch_articles: false }\n' "$i" "$port" "$i"
  done
} >"$work/c.yaml"
run() {
  pg_virtualenv -t -v 15 -o fsync=off sh -c "
    sed -i \"1i database: { url: \\\"dbname=\$PGDATABASE\\\" }\" '$work/c.yaml'
    '$build/feedwatch' --config '$work/c.yaml' migrate >/dev/null 2>&1
    /usr/bin/time -f '%U %S' -o '$work/time' '$build/feedwatch' --config '$work/c.yaml' once >'$work/log' 2>&1 || true
    psql -XAtq -c \"SELECT count(*) FROM fetch_log WHERE outcome = 'network_error'\" >'$work/failed'
  " >/dev/null 2>&1
}
run
read -r user sys <"$work/time"
echo "tls_ca_cache: $n polls, $(cat "$work/failed") refused by certificate verification as expected; daemon CPU $(python3 -c "print(f'{($user + $sys) * 1e3 / $n:.2f}')") ms per poll (user $user s, sys $sys s, start-up included)"
