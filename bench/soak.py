#!/usr/bin/python3
"""Soak: `feedwatch run` for a set time against many local feeds that change
and fail at random, sampling the daemon's memory and open file descriptors.

Run through scripts/soak, which builds feedwatch and starts a private
PostgreSQL (pg_virtualenv) for the run. Python 3 standard library only; every
request goes to 127.0.0.1.

What it does, in one temporary directory:
  1. serves FEEDS RSS feeds (/feed/N), their article pages (/post/N/K), a
     robots.txt and a webhook receiver (/hook) from one threaded HTTP server on
     127.0.0.1. Each feed request, at random (seeded): a new item (about 5 %),
     an edited title (3 %), HTTP 500 (3 %), 404 (1 %), an answer slower than
     http.timeout (1 %), the connection closed without an answer (1 %), a body
     that is no feed (1 %); otherwise the feed as it is, with an ETag (304 to a
     matching If-None-Match). One feed in ten fetches its article pages;
  2. runs `feedwatch run` (interval 30 s, 16 requests in flight to the host)
     with one rule alerting the receiver on every new article;
  3. every SAMPLE seconds records the daemon's RSS (VmRSS) and open fds
     (/proc/PID/fd) and the database's counts, and prints a table;
  4. after MINUTES stops the daemon with SIGTERM (it must exit 0) and fails
     when RSS or fds grew past the thresholds between the first sample after
     the warm-up (a fifth of the run, at least one sample) and the last.
"""

import argparse
import http.server
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


class Feeds:
    """The served state: per feed a list of [guid, title] and a version number."""

    def __init__(self, count, seed):
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.items = [[[f"f{i}-p{k}", f"Feed {i} post {k} on Huawei"] for k in range(3)] for i in range(count)]
        self.version = [0] * count
        self.next_post = [3] * count
        self.requests = 0
        self.faults = {}
        self.hooks = 0

    def pick(self, i):
        """What to do for a request of feed i: 'ok' or a fault; may change the feed."""
        with self.lock:
            self.requests += 1
            r = self.rng.random()
            if r < 0.05:
                k = self.next_post[i]
                self.next_post[i] += 1
                self.items[i].insert(0, [f"f{i}-p{k}", f"Feed {i} post {k} on Huawei"])
                del self.items[i][20:]  # a feed shows its newest 20
                self.version[i] += 1
                action = "ok"
            elif r < 0.08:
                item = self.rng.choice(self.items[i])
                item[1] = item[1].split(" (rev")[0] + f" (rev {self.version[i]})"
                self.version[i] += 1
                action = "ok"
            elif r < 0.11:
                action = "500"
            elif r < 0.12:
                action = "404"
            elif r < 0.13:
                action = "slow"
            elif r < 0.14:
                action = "close"
            elif r < 0.15:
                action = "garbage"
            else:
                action = "ok"
            if action != "ok":
                self.faults[action] = self.faults.get(action, 0) + 1
            return action, self.version[i], [list(x) for x in self.items[i]]


def feed_xml(i, items):
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {i}</title><link>http://127.0.0.1/f{i}/</link>"
    ]
    for guid, title in items:
        post = guid.split("-p")[1]
        parts.append(
            f"<item><title>{title}</title><link>{{base}}/post/{i}/{post}</link>"
            f'<guid isPermaLink="false">{guid}</guid>'
            f"<description>Summary of {guid}: Huawei and Tencent news.</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts)


def make_handler(feeds, timeout_s):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, headers=()):
            data = body.encode() if isinstance(body, str) else body
            try:
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the slow answers outlast http.timeout)

        def do_GET(self):
            path = self.path
            if path.startswith("/feed/"):
                i = int(path[6:])
                action, version, items = feeds.pick(i)
                if action == "500":
                    return self.send(500, "server error")
                if action == "404":
                    return self.send(404, "not found")
                if action == "slow":
                    time.sleep(timeout_s + 1)
                    return self.send(500, "too late")
                if action == "close":
                    self.close_connection = True
                    return
                if action == "garbage":
                    return self.send(200, "\x00\x01 not a feed " * 50, [("Content-Type", "application/rss+xml")])
                etag = f'"{i}-{version}"'
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, "", [("ETag", etag)])
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                body = feed_xml(i, items).replace("{base}", base)
                return self.send(200, body, [("Content-Type", "application/rss+xml"), ("ETag", etag)])
            if path.startswith("/post/"):
                _, _, i, k = path.split("/")
                words = " ".join(["Huawei opened a research centre and hired engineers."] * 30)
                html = (
                    f"<!DOCTYPE html><html><head><title>Post {k} of feed {i}</title></head><body>"
                    f"<article><h1>Post {k} of feed {i}</h1><p>{words}</p><p>{words}</p></article></body></html>"
                )
                return self.send(200, html, [("Content-Type", "text/html; charset=utf-8")])
            return self.send(404, "not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            with feeds.lock:
                feeds.hooks += 1
            return self.send(200, "ok")

    return Handler


def psql(sql):
    out = subprocess.run(["psql", "-X", "-A", "-t", "-d", os.environ["SOAK_DB"], "-c", sql],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "?"


def sample(pid):
    rss_kb = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb, fds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--sample", type=float, default=60, help="seconds between samples")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--max-rss-growth", type=float, default=0.25,
                    help="fail when RSS grows by more than this fraction after the warm-up")
    ap.add_argument("--max-fd-growth", type=int, default=16, help="fail when open fds grow by more than this")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"soak: {args.feeds} feeds, {args.minutes} min, sample every {args.sample:.0f} s, seed {seed}", flush=True)

    feeds = Feeds(args.feeds, seed)
    timeout_s = 5
    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), make_handler(feeds, timeout_s))
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    work = tempfile.mkdtemp(prefix="feedwatch-soak-")
    db = os.environ["SOAK_DB"]
    subprocess.run(["createdb", db], check=True)
    lines = [
        f'database:\n  url: "dbname={db}"',
        f'state_dir: "{work}"',
        "log_level: info",
        f"http:\n  allow_private_networks: true\n  timeout: {timeout_s}s\n"
        "  per_host: { max_concurrent: 16, min_delay: 0s }",
        "feeds:",
    ]
    for i in range(args.feeds):
        lines.append(f'  - name: f{i}\n    url: "http://127.0.0.1:{port}/feed/{i}"\n    interval: 30s\n'
                     f"    fetch_articles: {'true' if i % 10 == 0 else 'false'}")
    lines.append(f'hooks:\n  - name: receiver\n    url: "http://127.0.0.1:{port}/hook"\n    timeout: 5s')
    lines.append("rules:\n  - name: all\n    events: [new]\n    any: [Huawei]\n    hooks: [receiver]")
    config = os.path.join(work, "soak.yaml")
    with open(config, "w") as f:
        f.write("\n".join(x for x in lines if x) + "\n")
    log_path = os.path.join(work, "feedwatch.log")
    env = dict(os.environ, FEEDWATCH_LOOPBACK_ONLY="1")
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([args.binary, "run", "--config", config], stderr=log, stdout=log, env=env)

    start = time.monotonic()
    end = start + args.minutes * 60
    rows = []
    header = f"{'min':>6} {'rss_mb':>8} {'fds':>5} {'requests':>9} {'faults':>7} {'articles':>9} " \
             f"{'versions':>9} {'polls':>8} {'alerts':>7} {'hooks':>6}"
    print(header, flush=True)
    next_sample = start + args.sample
    status = 0
    while True:
        now = time.monotonic()
        if daemon.poll() is not None:
            print(f"soak: the daemon exited with {daemon.returncode}; log {log_path}", flush=True)
            status = 1
            break
        if now >= next_sample or now >= end:
            rss_kb, fds = sample(daemon.pid)
            with feeds.lock:
                requests, faults, hooks = feeds.requests, sum(feeds.faults.values()), feeds.hooks
            row = (
                (now - start) / 60, rss_kb / 1024, fds, requests, faults,
                psql("SELECT count(*) FROM articles"), psql("SELECT count(*) FROM article_versions"),
                psql("SELECT count(*) FROM fetch_log"),
                psql("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'"), hooks,
            )
            rows.append(row)
            print(f"{row[0]:6.1f} {row[1]:8.1f} {row[2]:5d} {row[3]:9d} {row[4]:7d} {row[5]:>9} {row[6]:>9} "
                  f"{row[7]:>8} {row[8]:>7} {row[9]:6d}", flush=True)
            next_sample += args.sample
            if now >= end:
                break
        time.sleep(min(1.0, max(0.0, min(next_sample, end) - time.monotonic())))

    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            code = daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            code = "killed after 60 s"
        if code != 0:
            print(f"soak: feedwatch exited with {code} after SIGTERM; log {log_path}", flush=True)
            status = 1
    server.shutdown()
    print(f"soak: faults served: {dict(sorted(feeds.faults.items()))}", flush=True)

    if len(rows) >= 2:
        warm = rows[max(0, min(len(rows) - 2, len(rows) // 5))]
        last = rows[-1]
        rss_growth = (last[1] - warm[1]) / warm[1] if warm[1] else 0
        fd_growth = last[2] - warm[2]
        print(f"soak: after warm-up (min {warm[0]:.1f}) to the end (min {last[0]:.1f}): RSS {warm[1]:.1f} -> "
              f"{last[1]:.1f} MB ({rss_growth * 100:+.1f} %, limit {args.max_rss_growth * 100:.0f} %), "
              f"fds {warm[2]} -> {last[2]} ({fd_growth:+d}, limit {args.max_fd_growth})", flush=True)
        if rss_growth > args.max_rss_growth or fd_growth > args.max_fd_growth:
            print("soak: FAILED: resource growth over the limit", flush=True)
            status = 1
        polled = psql("SELECT count(*) FROM feeds WHERE last_polled_at IS NOT NULL")
        print(f"soak: {polled} of {args.feeds} feeds polled at least once", flush=True)
    else:
        print("soak: too few samples to judge (run longer or sample more often)", flush=True)
        status = 1
    errors = sum(1 for line in open(log_path) if " error " in line)
    print(f"soak: {errors} error lines in the daemon log ({log_path})", flush=True)
    print("soak: " + ("passed" if status == 0 else "FAILED"), flush=True)
    if status == 0:
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
