"""Make ``wget-1.21.warc.gz``: a capture by GNU Wget (Debian's ``wget``) of a tiny site served
on 127.0.0.1 with a plain, a chunked and a gzip-encoded page. Run once by hand
(``python tests/data/thirdparty/make_wget_sample.py``); the result is committed, so the
tests need no wget."""

from __future__ import annotations

import gzip
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEX = b'<html><body><a href="/chunked.html">c</a> <a href="/gzip.html">g</a></body></html>\n'
PAGE = b"<html><head><title>%s</title></head><body><p>%s page</p></body></html>\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/chunked.html":
            body = PAGE % (b"Chunked", b"A chunked")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (body[:20], body[20:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/gzip.html":
            body = gzip.compress(PAGE % (b"Gzip", b"A gzip"), mtime=0)
            extra = [("Content-Encoding", "gzip")]
        elif self.path == "/":
            body, extra = INDEX, []
        else:
            body, extra = b"not found\n", []
            self.send_response(404)
        if self.path in ("/", "/gzip.html"):
            self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "wget",
                "-q",
                "-r",
                "-l",
                "1",
                "-e",
                "robots=off",
                "--compression=gzip",
                "--warc-file",
                str(Path(tmp) / "wget-1.21"),
                "-P",
                tmp,
                url,
            ],
            check=False,
        )
        (HERE / "wget-1.21.warc.gz").write_bytes((Path(tmp) / "wget-1.21.warc.gz").read_bytes())
    server.shutdown()


if __name__ == "__main__":
    main()
