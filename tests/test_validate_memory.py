"""``newsarchive validate`` streams: memory stays flat in the size of a record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bigwarc import write_big_warc

SIZE = 100 << 20  # a 100 MiB payload
MEASURE = """
import resource, sys
from pathlib import Path
from newsarchive.validate import validate_paths
report = validate_paths([Path(p) for p in sys.argv[1:]])
print(sorted(report.codes()))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(*paths: Path) -> tuple[list[str], int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    codes, peak = result.stdout.splitlines()[-2:]
    return eval(codes), int(peak)  # noqa: S307 - our own subprocess's list of strings


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_100_mib_record_validates_in_flat_memory(tmp_path: Path) -> None:
    small = tmp_path / "small.warc"
    write_big_warc(small, 1024, "plain")
    big = [tmp_path / "plain.warc", tmp_path / "chunked.warc", tmp_path / "gzip.warc.gz"]
    for path, kind in zip(big, ("plain", "chunked", "gzip"), strict=True):
        write_big_warc(path, SIZE, kind)
    base_codes, baseline = _peak_kib(small)
    codes, peak = _peak_kib(*big)
    # every record read whole and its digests right: only the policy warnings remain
    assert base_codes == codes == ["warc-no-warcinfo", "warc-unpaired-response"]
    assert peak - baseline < 100 * 1024, (baseline, peak)  # KiB; was +300..600 MiB
    # and a byte flipped in the middle is still found
    with big[1].open("r+b") as fh:
        fh.seek(SIZE // 2)
        byte = fh.read(1)
        fh.seek(SIZE // 2)
        fh.write(bytes([byte[0] ^ 1]))
    codes, _ = _peak_kib(big[1])
    assert "warc-block-digest" in codes
