"""``WARC-Block-Digest`` and ``WARC-Payload-Digest``: parse, compare, and tell the two
payload digest conventions apart (over the stored bytes, chunk framing included: legacy;
over the de-chunked entity: the WARC spec's)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable

from newsarchive.validation.httpcheck import PayloadCheck
from newsarchive.validation.index import RecordInfo

#: emit(offset, code, message) reports one problem in the file being checked.
Emit = Callable[[int, str, str], None]

_ALGORITHMS = {
    "sha1": "sha1",
    "sha-1": "sha1",
    "sha256": "sha256",
    "sha-256": "sha256",
    "sha512": "sha512",
    "sha-512": "sha512",
    "md5": "md5",
}


def decode_digest(value: str) -> tuple[str, bytes] | None:
    """Split ``algorithm:value`` and decode the value (base32, hex or base64) to raw bytes."""
    algo_text, sep, text = value.partition(":")
    algo = _ALGORITHMS.get(algo_text.strip().lower())
    if not sep or algo is None:
        return None
    size = hashlib.new(algo).digest_size
    text = text.strip()
    attempts = (
        lambda: base64.b32decode(text + "=" * (-len(text) % 8), casefold=True),
        lambda: bytes.fromhex(text),
        lambda: base64.b64decode(text + "=" * (-len(text) % 4), validate=True),
        lambda: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)),
    )
    for attempt in attempts:
        try:
            raw = attempt()
        except (binascii.Error, ValueError):
            continue
        if len(raw) == size:
            return algo, raw
    return None


def digest_of(
    declared: str | None, header: str, offset: int, emit: Emit
) -> tuple[str, bytes] | None:
    if not declared:
        return None
    decoded = decode_digest(declared)
    if decoded is None:
        algo = declared.partition(":")[0].strip().lower()
        if ":" in declared and algo not in _ALGORITHMS:
            emit(
                offset,
                "warc-digest-unknown",
                f"{header} {declared!r}: algorithm {algo!r} not checked",
            )
        else:
            emit(offset, "warc-digest-format", f"{header} {declared!r} cannot be parsed")
    return decoded


def check_payload_digest(
    info: RecordInfo, check: PayloadCheck, declared: tuple[str, bytes], offset: int, emit: Emit
) -> None:
    algo, expected = declared
    stored, entity = check.digests()
    if stored is None or check.broken_chunks:
        return  # no payload, or broken chunking (reported): the entity is unknown
    info.payload_digests.add((algo, stored))
    if entity is not None:
        info.payload_digests.add((algo, entity))
    header = info.payload_digest
    if expected == (entity if entity is not None else stored):
        return
    if entity is not None and expected == stored:
        emit(
            offset,
            "warc-payload-digest-legacy",
            f"WARC-Payload-Digest {header} is over the chunk framing as stored (the legacy "
            f"convention); the WARC spec digests the de-chunked entity: {label(algo, entity)}",
        )
        return
    computed = label(algo, entity if entity is not None else stored)
    if entity is not None:
        computed = f"{computed} (de-chunked) or {label(algo, stored)} (as stored)"
    emit(
        offset,
        "warc-payload-digest",
        f"WARC-Payload-Digest is {header} but the payload hashes to {computed}",
    )


def label(algo: str, digest: bytes) -> str:
    return f"{algo}:{base64.b32encode(digest).decode('ascii')}"


def compare(
    declared: tuple[str, bytes], actual: bytes, text: str | None, kind: str, offset: int, emit: Emit
) -> None:
    algo, expected = declared
    if actual != expected:
        emit(
            offset,
            f"warc-{kind}-digest",
            f"WARC-{kind.capitalize()}-Digest is {text} "
            f"but the {kind} hashes to {label(algo, actual)}",
        )
