"""URI minting and rewriting between the canonical base and the served base.

The data names things under https://w3id.org/mxus/. A server running
elsewhere (http://127.0.0.1:8080/) rewrites canonical URIs in what it sends
to its own base, and maps what it receives back, so a client following
links stays on the running server. Equal bases mean no rewriting.
"""

from __future__ import annotations

import re

from server.rdf.namespaces import CANONICAL_BASE, ID_SPACE

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TYPE = re.compile(r"^[a-z]+$")


def thing_uri(kind: str, slug: str) -> str:
    return f"{ID_SPACE}{kind}/{slug}"


def is_valid_thing_path(kind: str, slug: str) -> bool:
    return bool(TYPE.match(kind) and SLUG.match(slug))


class Rewriter:
    def __init__(self, served_base: str):
        self.served_base = served_base if served_base.endswith("/") else served_base + "/"
        self.active = self.served_base != CANONICAL_BASE

    def outgoing(self, body: bytes) -> bytes:
        if not self.active:
            return body
        return body.replace(CANONICAL_BASE.encode(), self.served_base.encode())

    def outgoing_text(self, text: str) -> str:
        return text.replace(CANONICAL_BASE, self.served_base) if self.active else text

    def incoming(self, text: str) -> str:
        return text.replace(self.served_base, CANONICAL_BASE) if self.active else text
