"""Bearer tokens for contributors and maintainers, stored hashed.

A token is shown once, when it is made; the registry keeps only its
SHA-256 (tokens are 32 random bytes, so a fast hash is enough), the
identity it stands for (name, optional ORCID) and its rights.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from server.publication.files import write_durably

CONTRIBUTE, MAINTAIN = "contribute", "maintain"
ORCID = re.compile(r"^(https://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ENVIRONMENT_VARIABLE = "MXUS_TOKENS"  # JSON of the same form as the file, for deployments without one


@dataclass
class Identity:
    name: str
    orcid: str | None = None
    rights: list[str] = field(default_factory=lambda: [CONTRIBUTE])

    def can(self, right: str) -> bool:
        return right in self.rights


@dataclass
class TokenRecord:
    sha256: str
    name: str
    orcid: str | None
    rights: list[str]
    created: str
    revoked: bool = False


def orcid_checksum_ok(orcid: str) -> bool:
    """ORCID's check character (ISO 7064 MOD 11-2) matches the other 15 digits."""
    digits = orcid.rsplit("/", 1)[-1].replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenRegistry:
    def __init__(self, path: Path):
        self.path = path

    def _records(self) -> list[TokenRecord]:
        documents = []
        if self.path.is_file():
            documents.append(json.loads(self.path.read_text(encoding="utf-8")))
        if os.environ.get(ENVIRONMENT_VARIABLE):
            documents.append(json.loads(os.environ[ENVIRONMENT_VARIABLE]))
        return [TokenRecord(**record) for document in documents for record in document.get("tokens", [])]

    def _save(self, records: list[TokenRecord]) -> None:
        document = {"tokens": [asdict(record) for record in records]}
        write_durably(self.path, json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))
        os.chmod(self.path, 0o600)

    def add(self, name: str, orcid: str | None = None, maintainer: bool = False) -> str:
        """Make a token for ``name`` and return it (it is not stored in clear)."""
        if not name.strip():
            raise ValueError("a token needs the contributor's name")
        if orcid and not (ORCID.match(orcid) and orcid_checksum_ok(orcid)):
            raise ValueError(f"{orcid!r} is not a valid ORCID iD (0000-0000-0000-0000, with its check digit)")
        if orcid and not orcid.startswith("https://"):
            orcid = "https://orcid.org/" + orcid
        token = "mxus_" + secrets.token_urlsafe(32)
        records = self._own_records()
        records.append(
            TokenRecord(
                sha256=hash_token(token),
                name=name.strip(),
                orcid=orcid,
                rights=[CONTRIBUTE, MAINTAIN] if maintainer else [CONTRIBUTE],
                created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
        )
        self._save(records)
        return token

    def revoke(self, name: str) -> int:
        """Revoke every token of ``name``; returns how many were revoked."""
        records = self._own_records()
        count = 0
        for record in records:
            if record.name == name and not record.revoked:
                record.revoked = True
                count += 1
        if count:
            self._save(records)
        return count

    def list(self) -> list[TokenRecord]:
        return self._records()

    def _own_records(self) -> list[TokenRecord]:
        if not self.path.is_file():
            return []
        return [TokenRecord(**r) for r in json.loads(self.path.read_text(encoding="utf-8")).get("tokens", [])]

    def authenticate(self, token: str) -> Identity | None:
        digest = hash_token(token)
        for record in self._records():
            if hmac.compare_digest(record.sha256, digest) and not record.revoked:
                return Identity(record.name, record.orcid, list(record.rights))
        return None
