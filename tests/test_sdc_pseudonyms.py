"""Tests of iomlib.sdc.pseudonyms: keyed pseudonyms, the pseudonym key, identifier scans."""
from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd
import pytest

from iomlib.errors import ParameterError
from iomlib.sdc.pseudonyms import (
    KEY_ENV,
    KEY_FILE_ENV,
    new_key_file,
    pseudonym_key,
    pseudonymise,
    scan_for_identifiers,
)

# ------------------------------------------------------------------------------------------
# pseudonyms


def test_pseudonyms_are_keyed_and_stable():
    expect = "N-" + hmac.new(b"s3cret", b"P0001", hashlib.sha256).hexdigest()[:10]
    assert pseudonymise("P0001", "s3cret") == expect
    assert pseudonymise("P0001", b"s3cret") == expect
    assert pseudonymise("P0001", "s3cret") == pseudonymise("P0001", "s3cret")
    assert pseudonymise("P0001", "other key") != expect
    assert pseudonymise("P0002", "s3cret") != expect
    assert re.fullmatch(r"N-[0-9a-f]{10}", expect)
    assert pseudonymise("S1", "k", prefix="S-", length=8).startswith("S-")
    assert len(pseudonymise("S1", "k", prefix="S-", length=8)) == 10


def test_pseudonymise_keeps_shape_and_missing_values():
    s = pd.Series(["P1", None, "P2", "P1"], index=[10, 11, 12, 13])
    out = pseudonymise(s, "k")
    assert list(out.index) == [10, 11, 12, 13]
    assert out.iloc[0] == out.iloc[3] == pseudonymise("P1", "k") and out.iloc[1] is None
    assert pseudonymise(["P1", "P2"], "k") == [pseudonymise("P1", "k"), pseudonymise("P2", "k")]
    many = pseudonymise([f"P{i:06d}" for i in range(20_000)], "k")
    assert len(set(many)) == 20_000


def test_pseudonymise_refuses_bad_keys_and_collisions():
    with pytest.raises(ParameterError, match="key"):
        pseudonymise("P1", "")
    with pytest.raises(ParameterError, match="length"):
        pseudonymise("P1", "k", length=2)
    with pytest.raises(ParameterError, match="same pseudonym"):
        pseudonymise([f"P{i}" for i in range(2000)], "k", length=4)   # 16 bits: collides


# ------------------------------------------------------------------------------------------
# identifier scans


def test_scan_finds_whole_identifiers_only():
    ids = ["P0001", "P0002", "P0003", "S1", "O-17", "P0004"]
    text = ("<td>P0001</td> P00012 xP0003 P0002-P0003, survivor S1. case O-17; "
            "<img src='data:image/png;base64,AAAA+P0004/BBBB'>")
    assert scan_for_identifiers(text, ids) == {"P0001", "P0002", "P0003", "S1", "O-17"}
    assert scan_for_identifiers(text, ids, ignore_data_uris=False) >= {"P0004"}
    assert scan_for_identifiers("nothing here", ids) == set()
    assert scan_for_identifiers("", ids) == set()
    assert scan_for_identifiers("P0001", []) == set()


def test_scan_handles_many_identifiers_and_a_big_text():
    # correctness at the scale of a national report; speed is not timed here
    ids = [f"P{i:06d}" for i in range(100_000)]
    text = " ".join(f"row {i} value {i * 7 % 1000}" for i in range(100_000)) + " P054321 "
    found = scan_for_identifiers(text, ids)
    assert found == {"P054321"}


# ------------------------------------------------------------------------------------------
# the pseudonym key


def test_key_from_environment_and_key_file(tmp_path):
    assert pseudonym_key({KEY_ENV: "abc"}) == (b"abc", f"the environment variable {KEY_ENV}")
    path = new_key_file(tmp_path / "sub" / ".pseudonym-key")
    assert (path.stat().st_mode & 0o777) == 0o600
    key = path.read_bytes().strip()
    assert len(key) == 64
    assert new_key_file(path).read_bytes().strip() == key          # never replaced
    got, source = pseudonym_key({KEY_FILE_ENV: str(path)})
    assert got == key and KEY_FILE_ENV in source
    assert pseudonym_key({}) [0] is None
    with pytest.raises(ParameterError, match="cannot read"):
        pseudonym_key({KEY_FILE_ENV: str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ParameterError, match="empty"):
        pseudonym_key({KEY_FILE_ENV: str(tmp_path / "empty")})
