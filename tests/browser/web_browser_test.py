#!/usr/bin/python3
"""Browser test of the analyst web view in headless Chromium (DevTools protocol).

The change-detection scenario first: a loopback HTTP server serves a feed with
two articles; `feedwatch once` stores them; one article then changes a figure
and loses a sentence, the other changes its headline; a second `once` records
both edits. Then `feedwatch run` serves the web view on a free loopback port
and headless Chromium (fresh profile, no network beyond loopback) loads the
pages. Checks: the edits page lists both edits, the article page highlights the
changed words in <ins>/<del> with the stylesheet applied, search finds the
sentence that was later removed, and no page logs a Content-Security-Policy
violation. A screenshot of each page is saved under --artifacts.

Needs a PostgreSQL server named by the PG* variables (scripts/test runs every
test under pg_virtualenv), /usr/bin/chromium and python3-websocket.
Usage: web_browser_test.py --feedwatch build/feedwatch --artifacts build/test-artifacts
"""

import argparse
import base64
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import websocket  # Debian python3-websocket

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    # Nothing but loopback: every host name fails to resolve except 127.0.0.1, and
    # anything that would still leave goes to a proxy on a closed loopback port
    # (loopback itself bypasses proxies).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9", "--no-default-browser-check", "--disable-default-apps",
    "--disable-extensions", "--disable-dev-shm-usage", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--disable-breakpad", "--no-pings", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
    "--window-size=1280,900", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]

ARTICLE_1_V1 = ("<p>DeepSeek, the Hangzhou start-up, says its latest model cost $6 million to train, a "
                "fraction of what American laboratories spend.</p>"
                "<p>Analysts in London were sceptical of the figure, which leaves out years of research.</p>"
                "<p>The company did not respond to a request for comment.</p>")
ARTICLE_1_V2 = ("<p>DeepSeek, the Hangzhou start-up, says its latest model cost $60 million to train, a "
                "fraction of what American laboratories spend.</p>"
                "<p>The company did not respond to a request for comment.</p>")
ARTICLE_2 = ("<p>Huawei opened a research centre in Cambridge and will hire forty engineers over two "
             "years.</p><p>The centre will work on optical networks.</p>")


class Site:
    """The news site: a feed and two article pages, changed by edit()."""

    def __init__(self):
        self.edited = False
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body, ctype = site.page(self.path)
                data = body.encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def article(self, title, body):
        return ("<!DOCTYPE html><html><head><title>%s</title></head><body><article><h1>%s</h1>"
                "<div class=\"entry-content\">%s</div></article></body></html>" % (title, title, body))

    def page(self, path):
        if path == "/feed/":
            items = ""
            for slug, title in (("deepseek-cost", "DeepSeek model cost questioned"),
                                ("huawei-cambridge", "Huawei opens Cambridge lab")):
                items += ("<item><title>%s</title><link>%s/%s/</link><guid>%s</guid>"
                          "<pubDate>Fri, 31 Jan 2025 12:00:00 +0000</pubDate></item>" % (title, self.base, slug, slug))
            return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Focus</title><link>%s/</link>%s"
                    "</channel></rss>" % (self.base, items), "application/rss+xml")
        if path == "/deepseek-cost/":
            return self.article("DeepSeek model cost questioned", ARTICLE_1_V2 if self.edited else ARTICLE_1_V1), "text/html"
        if path == "/huawei-cambridge/":
            title = "Huawei to hire forty engineers in Cambridge" if self.edited else "Huawei opens Cambridge lab"
            return self.article(title, ARTICLE_2), "text/html"
        return "", "text/plain"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(db, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


class DevTools:
    """One page target of a headless Chromium, over the DevTools protocol."""

    def __init__(self, chromium, profile):
        self.proc = subprocess.Popen([chromium, *CHROMIUM_FLAGS, "--user-data-dir=" + profile, "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("chromium did not start: " + self.proc.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
        port = int(open(port_file).read().split("\n")[0])
        targets = json.loads(http_get("http://127.0.0.1:%d/json/list" % port)[1])
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events = []
        self.log = []  # console and browser log messages of every page opened
        self.call("Page.enable")
        self.call("Log.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg["result"]
            self.events.append(msg)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError("no %s within %d s" % (method, timeout))

    def open(self, url):
        self.log.extend(self.page_messages())
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        root = self.call("DOM.getDocument", depth=-1)["root"]
        return self.call("DOM.getOuterHTML", nodeId=root["nodeId"])["outerHTML"]

    def evaluate(self, expression):
        # DevTools evaluation is not page script: the page's CSP does not apply to it.
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def console_messages(self):
        return self.log + self.page_messages()

    def page_messages(self):
        out = []
        for e in self.events:
            if e.get("method") == "Log.entryAdded":
                out.append(e["params"]["entry"]["text"])
            elif e.get("method") == "Runtime.consoleAPICalled":
                out.append(" ".join(str(a.get("value")) for a in e["params"]["args"]))
        return out

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedwatch", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    args.feedwatch = os.path.abspath(args.feedwatch)
    os.makedirs(args.artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="fw-browser-")
    db = "fw_browser_%d" % os.getpid()
    site = Site()
    daemon = None
    browser = None
    psql("postgres", "CREATE DATABASE %s" % db)
    try:
        port = free_port()
        config = os.path.join(work, "feedwatch.yaml")
        with open(config, "w") as f:
            f.write("database:\n  url: \"dbname=%s\"\nstate_dir: \"%s\"\nhttp:\n  timeout: 10s\n"
                    "  allow_private_networks: true\n  per_host: { max_concurrent: 2, min_delay: 0s }\n"
                    "feeds:\n  - name: focus\n    url: \"%s/feed/\"\n    interval: 1h\n"
                    "sites:\n  - host: 127.0.0.1\n    body: \".entry-content\"\nrecheck: [1h]\n"
                    "rules:\n  - name: china-tech\n    events: [new, edited]\n    any: [DeepSeek, Huawei]\n"
                    "web: { listen: \"127.0.0.1:%d\" }\n" % (db, work, site.base, port))
        env = dict(os.environ, FEEDWATCH_LOOPBACK_ONLY="1")
        once = [args.feedwatch, "once", "--config", config]
        for step in ("first", "second"):
            if step == "second":
                site.edited = True
                psql(db, "UPDATE articles SET next_check_at = now()")
            r = subprocess.run(once, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("feedwatch once (%s) failed:\n%s" % (step, r.stderr))
        check(psql(db, "SELECT count(*) FROM article_changes") == "2", "the scenario recorded two edits")

        log = open(os.path.join(args.artifacts, "web-browser-daemon.log"), "w")
        daemon = subprocess.Popen([args.feedwatch, "run", "--config", config], env=env, stdout=log, stderr=log)
        web = "http://127.0.0.1:%d" % port
        deadline = time.time() + 30
        while True:
            try:
                if http_get(web + "/style.css")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("the web view did not come up")
            time.sleep(0.2)

        profile = os.path.join(work, "chromium-profile")
        os.makedirs(profile)
        browser = DevTools(args.chromium, profile)
        article = psql(db, "SELECT id FROM articles WHERE url LIKE '%deepseek-cost%'")

        html = browser.open(web + "/")
        browser.screenshot(os.path.join(args.artifacts, "web-edits.png"))
        check("DeepSeek model cost questioned" in html, "edits page lists the edited article")
        check("Huawei to hire forty engineers in Cambridge" in html, "edits page lists the headline change")
        check(browser.evaluate("document.querySelectorAll('li.edit').length") == 2, "edits page shows two edits")
        check(browser.evaluate("document.querySelector('.badge.k-title_changed') !== null"),
              "the headline change has its badge")

        html = browser.open(web + "/article/" + article)
        browser.screenshot(os.path.join(args.artifacts, "web-article.png"))
        dels = browser.evaluate("[...document.querySelectorAll('.diff del')].map(e => e.textContent)") or []
        inss = browser.evaluate("[...document.querySelectorAll('.diff ins')].map(e => e.textContent)") or []
        check(any("$6" == d.strip() for d in dels) and any("$60" == i.strip() for i in inss),
              "article page marks $6 -> $60 (del %r, ins %r)" % (dels, inss))
        check(any("sceptical" in d for d in dels), "article page marks the removed sentence")
        ins_bg = browser.evaluate("getComputedStyle(document.querySelector('.diff ins')).backgroundColor")
        check(ins_bg not in (None, "", "rgba(0, 0, 0, 0)"), "the stylesheet is applied (ins background %s)" % ins_bg)

        html = browser.open(web + "/article/" + article + "?view=side")
        browser.screenshot(os.path.join(args.artifacts, "web-article-side.png"))
        check(browser.evaluate("document.querySelectorAll('table.diff.side tr.changed').length") >= 1,
              "side-by-side view has a changed row")

        html = browser.open(web + "/search?q=sceptical")
        browser.screenshot(os.path.join(args.artifacts, "web-search.png"))
        marks = browser.evaluate("[...document.querySelectorAll('ol.results mark')].map(e => e.textContent)") or []
        check("DeepSeek model cost questioned" in html and "sceptical" in [m.lower() for m in marks],
              "search finds the removed sentence, highlighted (%r)" % marks)
        check("not in the current text" in html, "search says the text is no longer current")

        browser.open(web + "/sources")
        browser.screenshot(os.path.join(args.artifacts, "web-sources.png"))
        check(browser.evaluate("document.querySelector('table.sources td a').textContent") == "focus",
              "sources page lists the feed")

        messages = browser.console_messages()
        csp = [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
        check(not csp, "no Content-Security-Policy violations (%r)" % csp)
    finally:
        if browser:
            browser.close()
        if daemon:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
        site.server.shutdown()
        try:
            psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)
    print("screenshots in " + args.artifacts)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
