"""``newsarchive validate`` on archives other tools wrote: valid ones pass (warnings allowed),
with the warnings their writers' conventions call for."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from newsarchive.validate import validate_paths
from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "thirdparty"
ROOT = Path(__file__).parent.parent

#: Each sample and exactly the warnings (and notes) it must get.
EXPECTED = {
    "wget-1.21.warc.gz": {"warc-payload-digest-legacy"},
    "warcio-1.1.warc.gz": {
        "warc-warcinfo-id",
        "warc-payload-digest-legacy",
        "warc-revisit-orphan",
    },
    "warcio-1.0.warc": {"warc-warcinfo-id", "warc-payload-digest-legacy", "warc-revisit-orphan"},
    "warcprox-style.warc.gz": {"warc-warcinfo-id"},
    "sample.arc.gz": {"arc-file"},
}


def test_every_sample_is_listed() -> None:
    samples = {p.name for p in DATA.iterdir() if p.suffix in (".gz", ".warc")}
    assert samples == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_valid_sample_passes_with_its_warnings(name: str) -> None:
    report = validate_paths([DATA / name])
    assert {p.code for p in report.problems} == EXPECTED[name], report.render()
    assert all(p.severity != "error" for p in report.problems), report.render()
    assert report.exit_status == 0
    assert report.warc_records > 1


def test_cli_exit_0_with_warnings_and_1_when_strict() -> None:
    sample = str(DATA / "wget-1.21.warc.gz")
    result = run_cli("validate", sample)
    assert result.returncode == 0, result.stdout
    assert ": warning: warc-payload-digest-legacy: " in result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 errors, 1 warnings, 0 notes")
    assert run_cli("validate", "--strict", sample).returncode == 1


def test_spec_digest_of_a_chunked_response_is_not_a_warning() -> None:
    """warcprox's convention: the digest over the de-chunked entity is the spec's."""
    report = validate_paths([DATA / "warcprox-style.warc.gz"])
    assert "warc-payload-digest-legacy" not in report.codes()
    assert "warc-payload-digest" not in report.codes()


def _pywb_samples() -> list[str]:
    pattern = str(ROOT / ".venv-pywb" / "lib" / "python*" / "site-packages" / "pywb" / "**")
    found = [
        path
        for path in glob.glob(pattern, recursive=True)
        if path.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))
    ]
    return sorted(found)


def test_pywb_samples_when_the_pywb_venv_has_them() -> None:
    samples = _pywb_samples()
    if not samples:
        pytest.skip("the pywb package in .venv-pywb ships no sample archive (GPL-3.0, not copied)")
    for path in samples:
        report = validate_paths([path])
        assert "internal-error" not in report.codes(), report.render()


def test_the_samples_stay_small() -> None:
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 1_000_000
