"""The seed is the byte-identical source every anchor counts into."""

import hashlib

from server.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "seeds" / "000_823eb89eef74c7a1.txt"

SHA256 = "20074cfd666222b4be1b021bcafdf3c63e358bf4d05e60150d189841f6a0b981"


def test_seed_is_byte_identical_to_the_shared_copy():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SHA256


def test_source_text_resource_states_the_seed_digest_and_length(data, seed_text):
    rows = list(
        data.query(
            """SELECT ?sha ?length WHERE {
                   ?source a mxus:SourceText ; mxus:sha256 ?sha ; mxus:length ?length }"""
        )
    )
    assert [(str(sha), int(length)) for sha, length in rows] == [(SHA256, len(seed_text))]
