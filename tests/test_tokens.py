"""Tokens: stored hashed, ORCID iDs checked."""

import pytest

from server.publication.tokens import TokenRegistry, orcid_checksum_ok


@pytest.mark.parametrize("orcid,valid", [("0000-0002-1825-0097", True), ("0000-0001-5109-3700", True), ("0000-0002-1694-233X", True), ("0000-0002-1825-0098", False)])
def test_orcid_check_digit(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid


def test_tokens_are_stored_hashed_and_bad_orcids_refused(tmp_path):
    registry = TokenRegistry(tmp_path / "tokens.json")
    token = registry.add("Ana", "0000-0002-1825-0097")
    assert token not in (tmp_path / "tokens.json").read_text()
    assert registry.authenticate(token).orcid == "https://orcid.org/0000-0002-1825-0097"
    with pytest.raises(ValueError, match="check digit"):
        registry.add("Bob", "0000-0002-1825-0098")
