#!/usr/bin/env python3
"""A local copy of the Focus tag feed and its article pages, and a webhook
receiver, on 127.0.0.1 only: what `scripts/demo` runs feedwatch against.

The feed is tests/fixtures/feeds/cbbc-tech-companies.xml with its links moved to
this server; each article page is built from the item's content:encoded inside
a WordPress-like page (header, share bar, Read Also box, newsletter box,
footer), as the real site serves it. POST /_demo/edit edits the DeepSeek
article (a phrase changed, a correction paragraph added, the page's modified
time left alone: a stealth edit). The receiver prints one line per webhook and
checks its HMAC-SHA256 signature.
"""
import argparse
import hashlib
import hmac
import html
import json
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ORIGIN = "https://focus.cbbc.org"
EDIT_SLUG = "what-is-deepseek-the-chinese-ai-shaking-up-the-global-ai-landscape"


class Site:
    def __init__(self, fixture, base):
        raw = open(fixture, encoding="utf-8").read()
        self.feed = raw.replace(ORIGIN, base)
        self.pages = {}
        self.edited = False
        root = ET.fromstring(raw.encode("utf-8"))
        for item in root.iter("item"):
            link = item.findtext("link")
            slug = link[len(ORIGIN):].strip("/")
            published = parsedate_to_datetime(item.findtext("pubDate")).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            self.pages[slug] = {
                "title": item.findtext("title"),
                "body": item.findtext(CONTENT),
                "published": published,
            }

    def page(self, slug):
        p = self.pages[slug]
        body = p["body"]
        if self.edited and slug == EDIT_SLUG:
            body = body.replace("Founded in 2023 by Liang Wenfeng",
                                "Founded in 2023 by the hedge-fund manager Liang Wenfeng", 1)
            body += ("<p>Correction: an earlier version of this article misstated when DeepSeek-R1 "
                     "was released.</p>")
        title = html.escape(p["title"], quote=True)
        return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="UTF-8">
<title>{title} - Focus - China Britain Business Council</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{p['published']}">
<meta property="article:modified_time" content="{p['published']}">
</head><body>
<header class="site-header"><a href="/">Focus</a><nav><a href="/tag/tech-companies/">Tech companies</a>
<a href="/about/">About</a></nav></header>
<div class="cookie-notice">We use cookies to improve your experience. <a href="/privacy/">Accept</a></div>
<article class="post"><h1 class="entry-title">{title}</h1>
<div class="entry-meta">By Focus editors</div>
<div class="entry-content">
{body}
<div class="read-also"><p>Read Also: How UK firms can work with Chinese tech giants</p></div>
<div class="sharedaddy"><h3>Share this:</h3><a href="#">Twitter</a> <a href="#">LinkedIn</a></div>
</div></article>
<div class="newsletter"><h3>Sign up to our newsletter</h3><form><input name="email"></form></div>
<footer><p>© China-Britain Business Council</p></footer>
</body></html>"""


def make_site_handler(site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body, content_type):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/tag/tech-companies/feed/":
                return self.send(200, site.feed, "application/rss+xml; charset=UTF-8")
            slug = path.strip("/")
            if slug in site.pages:
                return self.send(200, site.page(slug), "text/html; charset=UTF-8")
            if path == "/robots.txt":
                return self.send(200, "User-agent: *\nDisallow: /wp-admin/\n", "text/plain")
            return self.send(404, "<html><body>Not found</body></html>", "text/html")

        def do_POST(self):
            if self.path == "/_demo/edit":
                site.edited = True
                return self.send(200, "edited\n", "text/plain")
            return self.send(404, "not found\n", "text/plain")

    return Handler


def make_receiver_handler(secret, out, lock):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            timestamp = self.headers.get("X-Feedwatch-Timestamp", "")
            signature = self.headers.get("X-Feedwatch-Signature", "")
            expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            verified = "ok" if secret and hmac.compare_digest(expected, signature) else "BAD"
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            terms = event.get("matched_terms") or []
            article = event.get("article") or {}
            kinds = (event.get("edit") or {}).get("change_kinds") or []
            line = (f"webhook event={event.get('event')} rule={event.get('rule')} "
                    f"terms={','.join(terms)} kinds={','.join(kinds)} signature={verified} "
                    f"key={self.headers.get('Idempotency-Key', '')[:12]} title=\"{article.get('title', '')}\"")
            with lock:
                out.write(line + "\n")
                out.flush()
            self.send_response(204)
            self.end_headers()

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--port", type=int, required=True, help="site port on 127.0.0.1")
    ap.add_argument("--receiver-port", type=int, required=True, help="webhook receiver port on 127.0.0.1")
    ap.add_argument("--secret", default="", help="HMAC key the hook signs with")
    ap.add_argument("--receiver-log", required=True, help="file the receiver appends its lines to")
    args = ap.parse_args()
    site = Site(args.fixture, f"http://127.0.0.1:{args.port}")
    lock = threading.Lock()
    out = open(args.receiver_log, "a", encoding="utf-8")
    servers = [
        ThreadingHTTPServer(("127.0.0.1", args.port), make_site_handler(site)),
        ThreadingHTTPServer(("127.0.0.1", args.receiver_port), make_receiver_handler(args.secret, out, lock)),
    ]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
