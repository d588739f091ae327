"""Headless Chromium (Debian's package) for page checks: a DOM dump and a screenshot, with
every request the page makes recorded by a local proxy (the page may load nothing)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The browser: $NEWSARCHIVE_CHROMIUM, else the first of CANDIDATES on PATH."""
    configured = os.environ.get("NEWSARCHIVE_CHROMIUM")
    if configured:
        return configured if shutil.which(configured) else None
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


@dataclass
class PageServer:
    """Serves one file on 127.0.0.1 and proxies nothing: every request is recorded, and any
    request but the page's gets a 404."""

    page: Path
    requests: list[str] = field(default_factory=list)

    def __enter__(self) -> PageServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                owner.requests.append(self.path)
                if urlsplit(self.path).path == "/" + owner.page.name:
                    body = owner.page.read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    body = b"not here"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_CONNECT = do_GET  # noqa: N815 - an https request through the proxy

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.page.name}"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Rendered:
    dom: str
    body: dict[str, str]
    console: list[str]
    stderr: str


def _flags(browser: str, profile: str, proxy_port: int, width: int, height: int) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-pings",
        "--no-default-browser-check",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,"
        "MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        # every request goes to our server, the page's own included: nothing leaves
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        "--proxy-bypass-list=<-loopback>",
        "--enable-logging=stderr",
        "--v=0",
        f"--window-size={width},{height}",
    ]


def _body_attributes(dom: str) -> dict[str, str]:
    match = re.search(r"<body([^>]*)>", dom)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1) if match else ""))
    return {k: html.unescape(v) for k, v in attrs.items()}


def render(browser: str, server: PageServer, width: int = 1100, height: int = 1000) -> Rendered:
    """Load the page and dump its DOM after the load event."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [*_flags(browser, profile, server.port, width, height), "--dump-dom", server.url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(result.stdout, _body_attributes(result.stdout), console, result.stderr)


def screenshot(browser: str, server: PageServer, out: Path, width: int, height: int) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                *_flags(browser, profile, server.port, width, height),
                f"--screenshot={out}",
                server.url,
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return out


BROWSER_SERVICES = ("googleapis.com", "google.com", "gvt1.com", "gstatic.com")
"""Hosts Chromium itself calls (updates, network time) whatever the page does; the proxy
answers them too, so they never leave the machine."""


def page_requests(requests: list[str]) -> list[str]:
    """The recorded requests, less Chromium's own calls to its services."""
    out = []
    for request in requests:
        target = request if "://" in request else f"https://{request}"
        host = (urlsplit(target).hostname or "").lower()
        if any(host == s or host.endswith("." + s) for s in BROWSER_SERVICES):
            continue
        out.append(request)
    return out


def chart_boxes(rendered: Rendered) -> list[dict]:
    return json.loads(rendered.body.get("data-chart-boxes", "[]"))
