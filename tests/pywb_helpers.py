"""Replay WARC files with pywb, for tests: ``replay(warc_files, urls)``.

Builds a throwaway pywb collection (``wb-manager init`` / ``wb-manager add``) in a
temporary directory, runs pywb's ``wayback`` server on 127.0.0.1 in a subprocess, and
fetches each URL in *identity* mode (``/coll/<timestamp>id_/<url>``): the archived
response as pywb serves it, without rewriting. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

__all__ = ["ReplayResult", "capture_timestamps", "replay", "wayback_server"]

#: (status, headers as (name, value) pairs in order, body bytes as pywb sent them)
ReplayResult = tuple[int, list[tuple[str, str]], bytes]

COLLECTION = "coll"
REPO = Path(__file__).resolve().parents[1]
#: pywb lives in a venv of its own (``make`` builds ``.venv-pywb``): its pins (redis 2.10,
#: brotlipy) clash with the project's. ``NEWSARCHIVE_PYWB_BIN`` names another bin folder.
_BIN = Path(os.environ.get("NEWSARCHIVE_PYWB_BIN") or REPO / ".venv-pywb" / "bin")


def pywb_missing() -> str | None:
    """Why pywb cannot run here, or None when it can (tests skip with the reason)."""
    if (_BIN / "wayback").exists() and (_BIN / "wb-manager").exists():
        return None
    return f"pywb is not installed in {_BIN} (make test builds .venv-pywb)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def capture_timestamps(warc_files: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """Map each response record's WARC-Target-URI to its 14-digit timestamp (last wins)."""
    stamps: dict[str, str] = {}
    for path in warc_files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    date = record.rec_headers.get_header("WARC-Date")
                    stamps[uri] = iso_date_to_timestamp(date)
    return stamps


@contextmanager
def wayback_server(
    warc_files: Iterable[str | os.PathLike[str]], *, timeout: float = 60.0
) -> Iterator[str]:
    """Index ``warc_files`` into a fresh collection and serve it; yield the base URL.

    The base URL is ``http://127.0.0.1:PORT/coll/``.
    """
    missing = pywb_missing()
    if missing:
        import pytest

        pytest.skip(missing)
    files = [str(Path(path).resolve()) for path in warc_files]
    with tempfile.TemporaryDirectory(prefix="pywb-") as root:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        run = {"cwd": root, "env": env, "check": True, "capture_output": True}
        subprocess.run([str(_BIN / "wb-manager"), "init", COLLECTION], **run, timeout=timeout)
        # pywb 2.10 loads a WACZ by unpacking its WARC files into the collection
        unpack = ["--unpack-wacz"] if any(f.endswith(".wacz") for f in files) else []
        subprocess.run(
            [str(_BIN / "wb-manager"), "add", *unpack, COLLECTION, *files],
            **run,
            timeout=timeout,
        )
        port = _free_port()
        log = open(Path(root) / "wayback.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}/{COLLECTION}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"wayback exited with {proc.returncode}: "
                        + (Path(root) / "wayback.log").read_text(errors="replace")
                    )
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("wayback did not start") from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, *, timeout: float = 30.0, accept_encoding: str = "identity") -> ReplayResult:
    """GET ``url`` without following redirects or decoding the body."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})
    try:
        with opener.open(request, timeout=timeout) as resp:
            return resp.status, list(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, list(err.headers.items()), err.read()


def replay(
    warc_files: Iterable[str | os.PathLike[str]],
    urls: Iterable[str],
    *,
    accept_encoding: str = "identity",
) -> dict[str, ReplayResult]:
    """Replay ``urls`` from ``warc_files`` with pywb; return ``{url: (status, headers, body)}``.

    Each URL is requested at the timestamp of its (last) response record, in identity
    mode (``id_``), so the body is the archived entity: transfer coding removed by pywb,
    content coding (e.g. gzip) as archived, unless pywb decided to decode it (check
    ``Content-Encoding`` in the headers). ``accept_encoding`` is what the client (a
    browser) says it decodes: pywb decodes what is not in it.
    """
    files = list(warc_files)
    stamps = capture_timestamps(files)
    results: dict[str, ReplayResult] = {}
    with wayback_server(files) as base:
        for url in urls:
            stamp = stamps.get(url, "2")
            results[url] = fetch(f"{base}{stamp}id_/{url}", accept_encoding=accept_encoding)
    return results
