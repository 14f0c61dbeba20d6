#!/usr/bin/python3
"""Polling at scale: feedwatch against a bare libcurl multi loop and urlwatch.

Run through bench/poll_compare.sh, which builds the programs and starts a
private PostgreSQL (pg_virtualenv) for the run; see bench/README.md, "Polling
at scale". Python 3 standard library only.

What it does, in one temporary directory:
  1. generates FEEDS distinct small RSS files and serves them with nginx
     (Debian's) on 127.0.0.1: ETag and Last-Modified on every response, 304 to
     a matching If-None-Match or to an If-Modified-Since equal to Last-Modified;
  2. writes a feedwatch config with the FEEDS feeds (one local host: private
     networks allowed, per-host limits raised);
  3. cycle 1: `feedwatch once`, every feed new (200, parsed, stored);
     cycle 2: `feedwatch once`, every feed unchanged (304);
     cycle 3: a tenth of the files get a new item, `feedwatch once` again;
  4. for cycles 2 and 3, the floor: bench's curl_multi_floor over the same URLs
     with the validators feedwatch held, and urlwatch over the first URLS_URLWATCH.

Measured for each feedwatch cycle: wall time (feeds/s), the daemon's CPU
(getrusage of the child: user + system) and peak RSS (ru_maxrss, the
kernel's VmHWM), and PostgreSQL's CPU (user + system of the postmaster and all
its processes, exited ones included via the postmaster's cutime/cstime, from
/proc before and after). The fetch_log rows of each cycle are counted to check
that every feed was polled once with the expected outcome.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
BASE_MTIME = 1_764_000_000  # a fixed past time: Last-Modified is the same on every run


def feed_xml(i, items):
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {i}</title><link>http://example.test/f{i}/</link>"
        f"<description>Generated feed number {i}</description>"
    ]
    for k in reversed(range(items)):
        parts.append(
            f"<item><title>Feed {i} post {k}</title><link>http://example.test/f{i}/post-{k}</link>"
            f'<guid isPermaLink="false">feed-{i}-post-{k}</guid>'
            # A minute apart: the posting rate suggests no longer interval than
            # the configured one, which the `run` cycles' timing relies on.
            f"<pubDate>Mon, 01 Dec 2025 10:{k % 60:02d}:00 GMT</pubDate>"
            f"<description>Post {k} of feed {i}: a short summary of a few words.</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts)


def write_feed(root, i, items, mtime):
    path = os.path.join(root, "feeds", f"f{i:05d}.xml")
    with open(path, "w") as f:
        f.write(feed_xml(i, items))
    os.utime(path, (mtime, mtime))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid):
    """(ppid, utime+stime, cutime+cstime) in clock ticks, or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2 :].split()
    # fields[0] is state (field 3); utime is field 14, so index 11.
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def tree_cpu(root_pid):
    """CPU seconds of root_pid, its live children and its reaped children."""
    root = proc_stat(root_pid)
    if root is None:
        return 0.0
    total = root[1] + root[2]
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == root_pid:
            continue
        st = proc_stat(int(name))
        if st and st[0] == root_pid:
            total += st[1] + st[2]
    return total / CLK_TCK


def server_processes(root_pid):
    """CPU seconds per kind of PostgreSQL process: each live child of the
    postmaster by its title ("walwriter", "checkpointer", "autovacuum worker",
    "client backend" for every connection, ...), and "exited" for the
    postmaster's reaped children (cutime + cstime) with the postmaster's own."""
    out = {}
    root = proc_stat(root_pid)
    if root is None:
        return out
    out["exited"] = (root[1] + root[2]) / CLK_TCK
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == root_pid:
            continue
        st = proc_stat(int(name))
        if not st or st[0] != root_pid:
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                title = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        kind = title.split(": ")[-1].strip()  # "postgres: [cluster: ]walwriter"
        known = ("walwriter", "checkpointer", "background writer", "autovacuum launcher", "autovacuum worker",
                 "logical replication launcher", "logger", "archiver", "parallel worker")
        kind = next((k for k in known if kind.startswith(k)), "client backend")
        out[kind] = out.get(kind, 0.0) + (st[1] + st[2]) / CLK_TCK
    return out


def auto_maintenance():
    """autovacuum and autoanalyze runs so far, per table of the project."""
    out = psql("SELECT relid::regclass, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables "
               "WHERE schemaname NOT LIKE 'pg\\_temp\\_%'")
    return {t: (int(v), int(a)) for t, v, a in (line.split("\t") for line in out.splitlines() if line)}


def auto_maintenance_delta(before, after):
    """"autovacuum fetch_log", "autoanalyze feeds", ...: runs between the two snapshots."""
    runs = []
    for t, (v, a) in sorted(after.items()):
        v0, a0 = before.get(t, (0, 0))
        runs += [f"autovacuum {t}"] * (v - v0) + [f"autoanalyze {t}"] * (a - a0)
    return runs


def processes_delta(before, after):
    """after - before per kind, largest first, kinds that used no CPU left out."""
    kinds = set(before) | set(after)
    d = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in kinds}
    return dict(sorted(((k, v) for k, v in d.items() if v > 0), key=lambda kv: -kv[1]))


def client_backends_cpu(pids):
    """CPU seconds of the given PostgreSQL backends (those still alive)."""
    return sum((proc_stat(p) or (0, 0, 0))[1] for p in pids) / CLK_TCK


def client_backends():
    """The pids of the client backends other than the one asking (the daemon's
    connections, when only the daemon is connected)."""
    out = psql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
    return [int(x) for x in out.split()]


def top_statements():
    return psql("SELECT calls, round(total_exec_time::numeric, 1) AS ms, rows, "
                "left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
                "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12")


def pg_env():
    env = os.environ
    missing = [k for k in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER") if k not in env]
    if missing:
        sys.exit("no PostgreSQL in the environment (run through bench/poll_compare.sh): missing " + ", ".join(missing))
    parts = [f"host={env['PGHOST']}", f"port={env['PGPORT']}", f"dbname={env['PGDATABASE']}", f"user={env['PGUSER']}"]
    return " ".join(parts)


def psql(sql):
    out = subprocess.run(["psql", "-XAtq", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout


def postmaster_pid():
    datadir = psql("SHOW data_directory").strip()
    with open(os.path.join(datadir, "postmaster.pid")) as f:
        return int(f.readline())


def settle_maintenance():
    """Outside any measured window: vacuums and analyzes everything earlier steps
    wrote, and checkpoints, so that no cycle is charged with catching up on
    another's maintenance (an autovacuum or autoanalyze worker that starts in a
    window and exits in it adds its whole CPU to the postmaster's cutime: one
    analyzing the 30,000 articles of cycle 1 cost 115 µs per feed of a later
    3,000-feed cycle)."""
    psql("VACUUM ANALYZE")
    psql("CHECKPOINT")


def table_writes():
    """Rows inserted, updated or deleted so far, per table of the project.
    A backend reports its counts when a transaction ends (at most once a
    second) and at the latest 10 s after it went idle (PostgreSQL 15)."""
    out = psql("SELECT relid::regclass, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
               "WHERE schemaname NOT LIKE 'pg\\_temp\\_%'")  # a session's temporary tables are its own
    return {t: int(n) for t, n in (line.split("\t") for line in out.splitlines() if line)}


def vacuum_written(pg_pid, before, wait=0.0):
    """After a measured window: vacuums the tables written since `before` (a
    table_writes() snapshot taken before the window) and returns the CPU
    seconds that VACUUM cost PostgreSQL, which the cycle pays (whether or not
    autovacuum would have run within the window), and the tables. Tables the
    cycle never wrote are not its cost: a VACUUM of every table with nothing to
    do still costs 300 ms at 10,000 feeds (index cleanup scans), the same for
    any cycle. `wait`: time for a still-connected daemon's backend to report
    its counts."""
    time.sleep(wait)
    written = sorted(t for t, n in table_writes().items() if n != before.get(t, 0))
    if not written:
        return 0.0, []
    # In a session opened beforehand: a new backend's start costs the server
    # about 30 ms of CPU on this VM (page faults on its shared memory), which
    # is the harness's, not the VACUUM's.
    with PsqlSession() as session:
        time.sleep(0.5)  # the backend that read the counts is reaped first
        c0 = tree_cpu(pg_pid)
        # PARALLEL 0: as autovacuum, which never uses parallel workers (a
        # manual VACUUM starts one for the index cleanup of a table with two
        # indexes past min_parallel_index_scan_size, a new process each time).
        session.run("VACUUM (PARALLEL 0) " + ", ".join(written))
        c1 = tree_cpu(pg_pid)
    return c1 - c0, written


class PsqlSession:
    """One psql process and its backend, for statements whose CPU is measured
    without the backend's start."""

    def __init__(self):
        self.proc = subprocess.Popen(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.run("SELECT 1")  # connected

    def run(self, sql):
        self.proc.stdin.write(sql + ";\n\\echo fw-bench-done\n")
        self.proc.stdin.flush()
        out = []
        for line in self.proc.stdout:
            if line.rstrip("\n") == "fw-bench-done":
                return "".join(out)
            out.append(line)
        sys.exit(f"psql ended during: {sql}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait()


def perf_graph(args):
    if args.perf_events:  # e.g. raw_syscalls:sys_enter: counted per event, no call graph
        return ["-e", args.perf_events]
    return ["--call-graph", "dwarf,16384"] if args.perf_graph == "dwarf" else ["-g"]


def run_measured(argv, stdout, stderr, pg_pid, settle=0.5):
    """Runs argv; returns wall s, user s, sys s, maxrss KiB, PostgreSQL CPU s
    (the run and a VACUUM after it)."""
    if pg_pid:
        writes = table_writes()
        settle_maintenance()
        time.sleep(0.5)  # the last psql's backend is reaped
    pg_before = tree_cpu(pg_pid) if pg_pid else 0.0
    start = time.monotonic()
    child = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
    _, status, ru = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{argv[0]} exited with {child.returncode}")
    pg = 0.0
    vacuumed = []
    if pg_pid:
        time.sleep(settle)  # the backend exits and is reaped into the postmaster's cutime
        pg = tree_cpu(pg_pid) - pg_before
        v, vacuumed = vacuum_written(pg_pid, writes)
        pg += v
    return {"wall_s": wall, "user_s": ru.ru_utime, "sys_s": ru.ru_stime, "maxrss_kb": ru.ru_maxrss, "pg_s": pg,
            "vacuumed": vacuumed, "vacuum_s": v if pg_pid else 0.0}


def write_nginx_conf(work, port, conditional=True):
    """`conditional`: answer conditional GETs (ETag, exact If-Modified-Since) with
    304; else ignore them, as many dynamic feed servers do, and send 200 and
    the whole body every time."""
    conf = os.path.join(work, "nginx.conf")
    validators = "if_modified_since exact;\n  etag on;" if conditional else "if_modified_since off;\n  etag off;"
    with open(conf, "w") as f:
        f.write(
            f"""worker_processes 1;
daemon off;
user root;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  types {{ application/rss+xml xml; }}
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  open_file_cache max=20000 inactive=300s;
  open_file_cache_valid 1s;
  {validators}
  server {{
    listen 127.0.0.1:{port};
    root {work}/www;
  }}
}}
"""
        )
    return conf


def start_nginx(work, port):
    conf = write_nginx_conf(work, port)
    os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", work], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    sys.exit("nginx did not start (see " + work + "/nginx-error.log)")


def write_config(path, conninfo, work, port, feeds, parallel, interval="15m"):
    with open(path, "w") as f:
        f.write(f"database:\n  url: \"{conninfo}\"\n")
        f.write(f"state_dir: {work}/state\nlog_level: info\n")
        f.write("http:\n  allow_private_networks: true\n")
        f.write(f"  per_host: {{ max_concurrent: {parallel}, min_delay: 0s }}\n")
        f.write("recheck: []\nfeeds:\n")
        for i in range(feeds):
            f.write(f"  - name: f{i:05d}\n    url: http://127.0.0.1:{port}/feeds/f{i:05d}.xml\n    interval: {interval}\n"
                    "    fetch_articles: false\n")  # feed polling only: no article pages


def proc_cpu_rss(pid):
    """(CPU seconds, VmHWM KiB) of one live process."""
    st = proc_stat(pid)
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return st[1] / CLK_TCK, hwm


def export_validators(path, limit=None):
    rows = psql("SELECT url, coalesce(etag, ''), coalesce(last_modified, '') FROM feeds ORDER BY name")
    lines = [line for line in rows.splitlines() if line]
    if limit:
        lines = lines[:limit]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def outcomes_since(mark):
    rows = psql(f"SELECT outcome, count(*) FROM fetch_log WHERE id > {mark} GROUP BY outcome ORDER BY outcome")
    return dict((o, int(n)) for o, n in (line.split("\t") for line in rows.splitlines() if line))


def last_log_id():
    return int(psql("SELECT coalesce(max(id), 0) FROM fetch_log").strip())


def write_urlwatch(work, port, count):
    d = os.path.join(work, "urlwatch")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "urls.yaml"), "w") as f:
        f.write("\n---\n".join(f"name: f{i:05d}\nurl: http://127.0.0.1:{port}/feeds/f{i:05d}.xml" for i in range(count)))
        f.write("\n")
    return ["urlwatch", "--urls", f"{d}/urls.yaml", "--config", f"{d}/urlwatch.yaml", "--hooks", f"{d}/hooks.py",
            "--cache", f"{d}/cache.db"]


def per_item_us(seconds, n):
    return seconds / n * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--feeds", type=int, default=10000)
    ap.add_argument("--urlwatch", type=int, default=1000, help="URLs urlwatch polls (0: skip urlwatch)")
    ap.add_argument("--parallel", type=int, default=8, help="concurrent requests to the one local host")
    ap.add_argument("--changed", type=float, default=0.10, help="fraction of feeds changed in cycle 3")
    ap.add_argument("--feedwatch", help="the feedwatch binary (default: BUILD/feedwatch)")
    ap.add_argument("--perf", help="record a `once` cycle (--perf-cycle) with `perf record -g` into this file (CPU figures then include perf)")
    ap.add_argument("--perf-cycle", default="cycle2_304", help="the `once` cycle --perf records (cycle1_new, "
                    "cycle2_304, cycle3_changed, cycle5_200_same)")
    ap.add_argument("--perf-run", help="record the daemon during the `run` cycle with `perf record -g -p` into this file")
    ap.add_argument("--perf-idle", help="record the daemon idling with every feed kept with `perf record -g -p` into this file")
    ap.add_argument("--perf-graph", default="fp", help="perf's call graph: fp (frame pointers: cheap, but "
                    "libc's and libcurl's frames are lost) or dwarf (whole stacks, larger files)")
    ap.add_argument("--perf-events", help="record these perf events instead of CPU samples (e.g. "
                    "raw_syscalls:sys_enter, to count system calls per poll with `perf script`)")
    ap.add_argument("--perf-floor", help="record the libcurl floor's all-304 run with `perf record -g` into this "
                    "file, to compare with --perf-run --perf-kept (its CPU figure then includes perf)")
    ap.add_argument("--callgrind", help="run the `run` daemon under valgrind's callgrind, instrumented over the "
                    "kept cycle only, and write its profile here (its CPU figures are then valgrind's, not the daemon's)")
    ap.add_argument("--perf-kept", action="store_true", help="with --perf-run: record the second (kept) run cycle instead")
    ap.add_argument("--run-interval", type=int, default=60, help="the running daemon's feed interval, seconds: "
                    "its second cycle (kept feeds) starts this long after the first")
    ap.add_argument("--statements", action="store_true", help="print pg_stat_statements for the kept cycle (the server "
                    "must preload it; the extension is created)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    feedwatch = os.path.abspath(args.feedwatch or os.path.join(args.build, "feedwatch"))
    floor = os.path.abspath(os.path.join(args.build, "bench", "curl_multi_floor"))
    for exe in (feedwatch, floor):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is not built")
    if args.urlwatch and not shutil.which("urlwatch"):
        sys.exit("urlwatch is not installed (apt-get install -y urlwatch), or pass --urlwatch 0")

    work = tempfile.mkdtemp(prefix="fw-pollbench-")
    os.chmod(work, 0o755)
    os.makedirs(os.path.join(work, "www", "feeds"))
    nginx = None
    results = {"feeds": args.feeds, "parallel": args.parallel, "changed": args.changed}
    try:
        for i in range(args.feeds):
            write_feed(os.path.join(work, "www"), i, 3, BASE_MTIME)
        port = free_port()
        nginx = start_nginx(work, port)
        conninfo = pg_env()
        pg_pid = postmaster_pid()
        config = os.path.join(work, "feedwatch.yaml")
        write_config(config, conninfo, work, port, args.feeds, args.parallel)
        # The running daemon's config: the same feeds every --run-interval, so
        # that its second cycle comes from the feeds it keeps (sql/013).
        config_run = os.path.join(work, "feedwatch-run.yaml")
        write_config(config_run, conninfo, work, port, args.feeds, args.parallel, f"{args.run_interval}s")
        urlwatch = write_urlwatch(work, port, args.urlwatch) if args.urlwatch else None
        log = open(os.path.join(work, "feedwatch.log"), "w")
        devnull = open(os.devnull, "w")

        def cycle(name, expect):
            mark = last_log_id()
            argv = [feedwatch, "once", "--config", config]
            if args.perf and name == args.perf_cycle:
                argv = ["perf", "record", "-q"] + perf_graph(args) + ["-o", args.perf, "--"] + argv
            r = run_measured(argv, devnull, log, pg_pid)
            r["outcomes"] = outcomes_since(mark)
            results[name] = r
            polled = sum(r["outcomes"].values())
            if polled != args.feeds or any(r["outcomes"].get(k, 0) != v for k, v in expect.items()):
                print(f"warning: {name}: outcomes {r['outcomes']}, expected {expect}", file=sys.stderr)

        def run_cycle(name, expect):
            """One cycle of a running daemon (`feedwatch run`): every feed made due at once.

            Progress is read from the daemon's log, not
            from /metrics, whose per-feed gauges would cost PostgreSQL a query per scrape."""
            log_path = os.path.join(work, "feedwatch-run.log")
            run_log = open(log_path, "w")

            def polls_logged(offset):
                # one `poll feed=` line per poll, or (304s at info level) one
                # `polls_unchanged count=N` line per batch
                with open(log_path, "rb") as f:
                    f.seek(offset)
                    text = f.read()
                batched = sum(int(m) for m in re.findall(rb"polls_unchanged count=(\d+)", text))
                return text.count(b"poll feed=") + batched

            daemon_argv = [feedwatch, "run", "--config", config_run]
            if args.callgrind:
                # Instrumented only over the kept cycle (callgrind_control -i
                # on/off below): instructions and calls per function, exact
                # where the CPU figures move with this VM's speed.
                daemon_argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                               f"--callgrind-out-file={os.path.abspath(args.callgrind)}"] + daemon_argv
            daemon = subprocess.Popen(daemon_argv, stdout=devnull, stderr=run_log)
            try:
                for _ in range(600):  # started: nothing is due yet, so it idles
                    with open(log_path, "rb") as f:
                        if b"running feeds=" in f.read():
                            break
                    time.sleep(0.1)
                time.sleep(1)
                mark = last_log_id()
                offset = os.path.getsize(log_path)
                psql("UPDATE feeds SET next_poll_at = now()")
                writes = table_writes()
                settle_maintenance()  # the bench's own UPDATE left a dead version of every row
                if args.statements:
                    psql("SELECT pg_stat_statements_reset()")
                time.sleep(0.5)  # the last psql's backend is reaped
                # The idle daemon's own cost (its periodic statements), measured
                # over a quiet stretch, is reported apart and taken out of the
                # wait for its next tick below.
                idle_cpu0, _ = proc_cpu_rss(daemon.pid)
                idle_pg0 = tree_cpu(pg_pid)
                idle_start = time.monotonic()
                time.sleep(3)
                if polls_logged(offset) == 0:
                    idle_s = time.monotonic() - idle_start
                    idle_cpu1, _ = proc_cpu_rss(daemon.pid)
                    results["idle"] = {"seconds": idle_s, "daemon_s": idle_cpu1 - idle_cpu0,
                                       "pg_s": tree_cpu(pg_pid) - idle_pg0}
                recorder = None
                if args.perf_run and not args.perf_kept:
                    recorder = subprocess.Popen(["perf", "record", "-q"] + perf_graph(args) + ["-p", str(daemon.pid), "-o", args.perf_run],
                                                stdout=devnull, stderr=devnull)
                    time.sleep(0.5)
                cpu0, _ = proc_cpu_rss(daemon.pid)
                pg0 = tree_cpu(pg_pid)
                waiting = time.monotonic()
                while polls_logged(offset) == 0:  # the daemon's next tick: up to 30 s
                    time.sleep(0.05)
                start = time.monotonic()
                waited = start - waiting
                while polls_logged(offset) < args.feeds:
                    time.sleep(0.05)
                wall = time.monotonic() - start
                time.sleep(1.5)  # the last batch of 304s is written (at most k_unchanged_delay later)
                cpu1, hwm = proc_cpu_rss(daemon.pid)
                pg1 = tree_cpu(pg_pid)
                vacuum1, vacuumed1 = vacuum_written(pg_pid, writes, wait=11)
                first_outcomes = outcomes_since(mark)
                if args.statements:
                    results["first_statements"] = top_statements()
                if recorder:
                    recorder.send_signal(signal.SIGINT)
                    recorder.wait()
                # The second cycle: every feed is kept by the daemon and due
                # again run_interval after its first poll, from the daemon's own
                # schedule, with no claim. Until just before then the daemon
                # idles with every feed kept (ticks, heartbeats, a sweep): that
                # rate is measured apart (the periodic cost) and taken out of
                # the wait for the cycle's first logged batch.
                kept_writes = table_writes()
                settle_maintenance()
                # What a VACUUM of every table of the project costs with nothing
                # to vacuum, for comparison: until 2026-11-29 every window ended
                # with one (a whole-database VACUUM).
                results["vacuum_fixed_s"], _ = vacuum_written(pg_pid, {})
                if args.statements:
                    psql("SELECT pg_stat_statements_reset()")
                # A psql run costs the server a backend (about 30 ms of CPU
                # on this VM): none runs inside a measured stretch, and each
                # stretch starts once the last one's backend is reaped.
                backends = client_backends()
                time.sleep(0.5)
                kept_idle_start = time.monotonic()
                kcpu0, _ = proc_cpu_rss(daemon.pid)
                kpg0 = tree_cpu(pg_pid)
                kbe0 = client_backends_cpu(backends)
                idle_recorder = None
                if args.perf_idle:
                    idle_recorder = subprocess.Popen(["perf", "record", "-q"] + perf_graph(args) + ["-p", str(daemon.pid), "-o", args.perf_idle],
                                                     stdout=devnull, stderr=devnull)
                while time.monotonic() < start + args.run_interval - 3:
                    time.sleep(0.05)
                if idle_recorder:
                    idle_recorder.send_signal(signal.SIGINT)
                    idle_recorder.wait()
                kept_idle_s = time.monotonic() - kept_idle_start
                kcpu1, _ = proc_cpu_rss(daemon.pid)
                kpg1 = tree_cpu(pg_pid)
                kbe1 = client_backends_cpu(backends)
                idle_kept = {"seconds": kept_idle_s, "daemon_s": kcpu1 - kcpu0, "pg_s": kpg1 - kpg0,
                             "backends_s": kbe1 - kbe0}
                results["idle_kept"] = idle_kept
                kept_mark = last_log_id()
                if args.statements:
                    results["idle_statements"] = top_statements()
                    psql("SELECT pg_stat_statements_reset()")
                kauto1 = auto_maintenance()
                time.sleep(0.5)
                # The kept cycle's window starts here (the daemon's next polls
                # are due 3 s after the idle stretch ended).
                kcpu1, _ = proc_cpu_rss(daemon.pid)
                kpg1 = tree_cpu(pg_pid)
                kproc1 = server_processes(pg_pid)
                kbe1 = client_backends_cpu(backends)
                recorder = None
                if args.perf_run and args.perf_kept:
                    recorder = subprocess.Popen(["perf", "record", "-q"] + perf_graph(args) + ["-p", str(daemon.pid), "-o", args.perf_run],
                                                stdout=devnull, stderr=devnull)
                if args.callgrind:
                    subprocess.run(["callgrind_control", "-i", "on", str(daemon.pid)], check=True, stdout=devnull)
                waiting2 = time.monotonic()
                while polls_logged(offset) <= args.feeds:
                    time.sleep(0.05)
                start2 = time.monotonic()
                waited2 = start2 - waiting2
                while polls_logged(offset) < 2 * args.feeds:
                    time.sleep(0.05)
                wall2 = time.monotonic() - start2
                time.sleep(1.5)  # the last batch of 304s is written
                kcpu2, hwm2 = proc_cpu_rss(daemon.pid)
                kpg2 = tree_cpu(pg_pid)
                kproc2 = server_processes(pg_pid)
                kbe2 = client_backends_cpu(backends)
                kauto2 = auto_maintenance()
                if args.callgrind:
                    subprocess.run(["callgrind_control", "-d", str(daemon.pid)], check=True, stdout=devnull)
                    subprocess.run(["callgrind_control", "-i", "off", str(daemon.pid)], check=True, stdout=devnull)
                vacuum2, vacuumed2 = vacuum_written(pg_pid, kept_writes, wait=11)
                if recorder:
                    recorder.send_signal(signal.SIGINT)
                    recorder.wait()
                if args.statements:
                    results["kept_statements"] = top_statements()
                results["cycle6_run_kept_304"] = {
                    "wall_s": wall2, "user_s": kcpu2 - kcpu1 - idle_kept["daemon_s"] / kept_idle_s * waited2,
                    "sys_s": 0.0, "maxrss_kb": hwm2,
                    "pg_s": kpg2 - kpg1 - idle_kept["pg_s"] / kept_idle_s * waited2 + vacuum2,
                    "outcomes": outcomes_since(kept_mark), "waited_s": waited2, "vacuumed": vacuumed2,
                    "vacuum_s": vacuum2,
                    # The server's CPU in the window by kind of process (the
                    # idle rate not taken out; the VACUUM after it not in it).
                    "processes_s": processes_delta(kproc1, kproc2),
                    "auto_maintenance": auto_maintenance_delta(kauto1, kauto2),
                    # Of pg_s: the daemon's own backends (the statements, their
                    # planning and the protocol), idle rate taken out as above.
                    "backends_s": kbe2 - kbe1 - idle_kept["backends_s"] / kept_idle_s * waited2}
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait()
                run_log.close()
            idle = results.get("idle")
            idle_daemon = idle_pg = 0.0
            if idle and idle["seconds"] > 0:  # the idle rate over the wait for the tick, taken out
                idle_daemon = idle["daemon_s"] / idle["seconds"] * waited
                idle_pg = idle["pg_s"] / idle["seconds"] * waited
            r = {"wall_s": wall, "user_s": cpu1 - cpu0 - idle_daemon, "sys_s": 0.0, "maxrss_kb": hwm,
                 "pg_s": pg1 - pg0 - idle_pg + vacuum1, "outcomes": first_outcomes, "waited_s": waited,
                 "vacuumed": vacuumed1, "vacuum_s": vacuum1}
            results[name] = r
            if r["outcomes"] != expect:
                print(f"warning: {name}: outcomes {r['outcomes']}, expected {expect}", file=sys.stderr)

        def floor_run(name, validators):
            argv = [floor, validators, str(args.parallel)]
            if args.perf_floor and name == "floor_304":
                argv = ["perf", "record", "-q"] + perf_graph(args) + ["-o", args.perf_floor, "--"] + argv
            out = subprocess.run(argv, check=True, capture_output=True, text=True)
            results[name] = json.loads(out.stdout)

        def urlwatch_run(name):
            results[name] = run_measured(urlwatch, devnull, devnull, None)

        subprocess.run([feedwatch, "migrate", "--config", config], check=True, stdout=devnull, stderr=log)
        if args.statements:
            psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        n_changed = int(args.feeds * args.changed)
        # Cycle 1: every feed new. urlwatch fills its cache in the same state.
        cycle("cycle1_new", {"ok": args.feeds})
        if urlwatch:
            urlwatch_run("urlwatch_first")
        # Cycle 2: nothing changed.
        validators = os.path.join(work, "validators.tsv")
        export_validators(validators)
        floor_run("floor_304", validators)
        if urlwatch:
            urlwatch_run("urlwatch_304")
        cycle("cycle2_304", {"not_modified": args.feeds})
        # Cycle 3: a tenth of the feeds get a new item (new body, ETag, Last-Modified).
        step = max(1, round(1 / args.changed)) if args.changed > 0 else args.feeds + 1
        changed = [i for i in range(0, args.feeds, step)][:n_changed]
        for i in changed:
            write_feed(os.path.join(work, "www"), i, 4, BASE_MTIME + 3600)
        floor_run("floor_changed", validators)
        if urlwatch:
            urlwatch_run("urlwatch_changed")
        cycle("cycle3_changed", {"ok": len(changed), "not_modified": args.feeds - len(changed)})
        results["changed_feeds"] = len(changed)
        # Cycle 4: the same unchanged poll by a running daemon, startup excluded.
        run_cycle("cycle4_run_304", {"not_modified": args.feeds})
        # Cycle 5: nothing changed, but the server ignores conditional GETs: a
        # 200 with the same body for every feed.
        write_nginx_conf(work, port, conditional=False)
        nginx.send_signal(signal.SIGHUP)
        time.sleep(1.0)  # the new worker takes over
        cycle("cycle5_200_same", {})
        results["urlwatch_urls"] = args.urlwatch
        results["nginx_cpu_s"] = tree_cpu(nginx.pid)
    finally:
        if nginx:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait()
        if args.keep:
            print("work directory kept:", work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    results["machine"] = {
        "cpus": os.cpu_count(),
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "kernel": platform.release(),
        "postgresql": psql("SHOW server_version").strip(),
        "curl": subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if shutil.which("curl") else "?",
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    report(results, args)


def report(r, args):
    n = r["feeds"]
    print(f"{n} feeds on nginx at 127.0.0.1, {r['parallel']} concurrent requests; "
          f"{r['changed_feeds']} changed in cycle 3; {r['machine']['cpus']} CPUs ({r['machine']['cpu']}), "
          f"PostgreSQL {r['machine']['postgresql']}")
    print()
    print(f"{'':38} {'feeds/s':>9} {'daemon µs/feed':>15} {'pg µs/feed':>11} {'total µs/feed':>14} {'peak RSS MB':>12}")
    for key, label in (("cycle1_new", "feedwatch cycle 1: all new (200)"),
                       ("cycle2_304", "feedwatch cycle 2: all 304"),
                       ("cycle3_changed", "feedwatch cycle 3: 10% changed"),
                       ("cycle4_run_304", "feedwatch run, first cycle: all 304"),
                       ("cycle6_run_kept_304", "feedwatch run, kept cycle: all 304"),
                       ("cycle5_200_same", "feedwatch cycle 5: all 200, unchanged")):
        c = r[key]
        d = per_item_us(c["user_s"] + c["sys_s"], n)
        p = per_item_us(c["pg_s"], n)
        print(f"{label:38} {n / c['wall_s']:9.0f} {d:15.1f} {p:11.1f} {d + p:14.1f} {c['maxrss_kb'] / 1024:12.1f}"
              f"   {c['outcomes']}")
    print("  (each cycle's PostgreSQL figure includes a VACUUM of the tables it wrote: "
          + "; ".join(f"{key.split('_')[0]}: {', '.join(r[key].get('vacuumed') or ['none'])} "
                      f"({per_item_us(r[key].get('vacuum_s', 0.0), n):.1f} µs)"
                      for key in ("cycle1_new", "cycle2_304", "cycle4_run_304", "cycle6_run_kept_304")) + ")")
    kept = r["cycle6_run_kept_304"]
    if "backends_s" in kept:
        print(f"  (kept cycle's PostgreSQL figure: the daemon's backends {per_item_us(kept['backends_s'], n):.1f} µs, "
              f"its VACUUM {per_item_us(kept.get('vacuum_s', 0.0), n):.1f} µs, the server's other processes "
              f"{per_item_us(kept['pg_s'] - kept['backends_s'] - kept.get('vacuum_s', 0.0), n):.1f} µs)")
    if kept.get("processes_s"):
        print("  (the server's CPU in the kept cycle's window by process, idle rate included: "
              + ", ".join(f"{k} {per_item_us(v, n):.1f} µs" for k, v in kept["processes_s"].items())
              + "; in it: " + (", ".join(kept.get("auto_maintenance") or []) or "no autovacuum or autoanalyze")
              + "; \"exited\": processes that ended in it)")
    for key, label in (("floor_304", "libcurl multi floor: all 304"), ("floor_changed", "libcurl multi floor: 10% changed")):
        f = r[key]
        d = per_item_us(f["user_s"] + f["sys_s"], f["requests"])
        print(f"{label:38} {f['requests'] / f['wall_s']:9.0f} {d:15.1f} {'':11} {d:14.1f} {f['maxrss_kb'] / 1024:12.1f}"
              f"   {f['statuses']}")
    if r["urlwatch_urls"]:
        u = r["urlwatch_urls"]
        for key, label in (("urlwatch_first", "urlwatch: first run"), ("urlwatch_304", "urlwatch: all unchanged"),
                           ("urlwatch_changed", "urlwatch: 10% changed")):
            c = r[key]
            d = per_item_us(c["user_s"] + c["sys_s"], u)
            print(f"{label + f' ({u} URLs)':38} {u / c['wall_s']:9.0f} {d:15.1f} {'':11} {d:14.1f} "
                  f"{c['maxrss_kb'] / 1024:12.1f}")
    idle = r.get("idle")
    if idle:
        print(f"{'idle running daemon, per second':38} {'':9} {idle['daemon_s'] / idle['seconds'] * 1e6:15.0f} "
              f"{idle['pg_s'] / idle['seconds'] * 1e6:11.0f}   (µs CPU per second, taken out of the "
              f"{r['cycle4_run_304']['waited_s']:.1f} s wait for the tick)")
    kidle = r.get("idle_kept")
    periodic = 0.0
    if kidle:
        # The periodic cost is what the daemon and its own backends spend: the
        # whole server's idle rate is mostly autovacuum's visits, which any
        # database pays.
        rate = (kidle["daemon_s"] + kidle["backends_s"]) / kidle["seconds"]
        periodic = per_item_us(rate * 900, n)
        print(f"{'idle, every feed kept, per second':38} {'':9} {kidle['daemon_s'] / kidle['seconds'] * 1e6:15.0f} "
              f"{kidle['pg_s'] / kidle['seconds'] * 1e6:11.0f}   (µs CPU per second over {kidle['seconds']:.1f} s; "
              f"the daemon's backends {kidle['backends_s'] / kidle['seconds'] * 1e6:.0f}: "
              f"daemon + backends {periodic:.1f} µs per feed per 15-minute interval)")
    c2 = r["cycle2_304"]
    total = per_item_us(c2["user_s"] + c2["sys_s"] + c2["pg_s"], n)
    c4 = r["cycle4_run_304"]
    total_run = per_item_us(c4["user_s"] + c4["sys_s"] + c4["pg_s"], n)
    c6 = r["cycle6_run_kept_304"]
    total_kept = per_item_us(c6["user_s"] + c6["sys_s"] + c6["pg_s"], n)
    if "vacuum_fixed_s" in r:
        print(f"{'VACUUM of every table, nothing to do':38} {'':9} {'':15} "
              f"{per_item_us(r['vacuum_fixed_s'], n):11.1f}   ({r['vacuum_fixed_s'] * 1e3:.0f} ms: in no cycle's "
              f"figure; until 2026-11-29 every window ended with a whole-database VACUUM)")
    print()
    print(f"unchanged kept feed in a running daemon, daemon + PostgreSQL: {total_kept:.1f} µs CPU per poll, "
          f"{total_kept + periodic:.1f} with the idle periodic cost of a 15-minute interval (target <= 60)")
    print(f"unchanged feed, daemon + PostgreSQL: {total_run:.1f} µs CPU in a running daemon's first (claimed) cycle, "
          f"{total:.1f} with `once` (start-up included) (target <= 60); "
          f"peak RSS {max(r[k]['maxrss_kb'] for k in ('cycle1_new', 'cycle2_304', 'cycle3_changed', 'cycle4_run_304', 'cycle5_200_same', 'cycle6_run_kept_304')) / 1024:.1f} MB "
          f"(target <= 64)")
    if r["urlwatch_urls"]:
        u = per_item_us(r["urlwatch_304"]["user_s"] + r["urlwatch_304"]["sys_s"], r["urlwatch_urls"])
        print(f"urlwatch / feedwatch per unchanged URL: {u / total_kept:.0f}x a kept feed, {u / total_run:.0f}x in a "
              f"running daemon's first cycle, {u / total:.0f}x with `once` (target >= 60x)")
    floor = r["floor_304"]
    floor_us = per_item_us(floor["user_s"] + floor["sys_s"], floor["requests"])
    print(f"feedwatch / libcurl floor per 304: {total_kept / floor_us:.1f}x a kept feed, {total_run / floor_us:.1f}x in "
          f"a running daemon's first cycle, {total / floor_us:.1f}x with `once`")
    print(f"nginx (server side, all runs): {r['nginx_cpu_s']:.2f} s CPU")
    if r.get("idle_statements"):
        print("\nPostgreSQL statements while idle with every feed kept (pg_stat_statements): calls, ms, rows, query")
        print(r["idle_statements"])
    if r.get("first_statements"):
        print("\nPostgreSQL statements of the first run cycle (pg_stat_statements): calls, ms, rows, query")
        print(r["first_statements"])
    if r.get("kept_statements"):
        print("\nPostgreSQL statements of the kept cycle (pg_stat_statements): calls, ms, rows, query")
        print(r["kept_statements"])


if __name__ == "__main__":
    main()
