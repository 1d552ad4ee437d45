"""Trusty URIs, module RA (Trusty URI Specification, version 1): a hash of a set of named graphs.

Written from the specification (trustyuri.net/spec/v1, "Module RA"): every
occurrence of the artifact code in a URI is replaced by one blank, the
triples are sorted by graph, subject, predicate and object (URIs before
literals; literals by label, then language-tagged before typed, then by
tag or datatype), each written as four lines, and the SHA-256 of that text
in UTF-8, in URL-safe Base64 without padding (the two zero bits the
specification appends), follows the module identifier ``RA``.

A nanopublication names itself and its graphs with its own trusty URI, so
it is built with a placeholder in that place and hashed with the
placeholder standing for the code; the placeholder is then replaced.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from rdflib import Literal, URIRef

MODULE = "RA"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Stands for the artifact code while a nanopublication is built; never in a finished one.
PLACEHOLDER = "RAtrustyuriplaceholder0000000000000000000000"

Quad = tuple[URIRef | None, URIRef, URIRef, URIRef | Literal]


def artifact_code(quads: Iterable[Quad], code: str = PLACEHOLDER) -> str:
    """The artifact code (``RA`` + 43 Base64 characters) of ``quads``, in which ``code`` stands for it."""
    digest = hashlib.sha256(normalized(quads, code).encode("utf-8")).digest()
    return MODULE + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def verifies(quads: Iterable[Quad], code: str) -> bool:
    """Whether ``code`` is the artifact code of ``quads`` (which contain it wherever they name themselves)."""
    return artifact_code(quads, code) == code


def normalized(quads: Iterable[Quad], code: str) -> str:
    """The text the specification hashes: sorted, duplicates dropped, four lines per triple."""
    lines = sorted({_key(quad, code) for quad in quads})
    return "".join(text for *_, text in lines)


def _key(quad: Quad, code: str) -> tuple:
    graph, subject, predicate, obj = quad
    graph_text = "" if graph is None else str(graph).replace(code, " ")
    subject_text = str(subject).replace(code, " ")
    predicate_text = str(predicate).replace(code, " ")
    if isinstance(obj, Literal):
        escaped = str(obj).replace("\\", "\\\\").replace("\n", "\\n")
        if obj.language:
            tag = obj.language.lower()
            order = (1, str(obj), 0, tag)  # no datatype identifier: before the typed ones
            object_text = f"@{tag} {escaped}"
        else:
            datatype = str(obj.datatype) if obj.datatype else XSD_STRING
            order = (1, str(obj), 1, datatype)
            object_text = f"^{datatype} {escaped}"
    else:
        object_text = str(obj).replace(code, " ")
        order = (0, object_text, 0, "")
    text = f"{graph_text}\n{subject_text}\n{predicate_text}\n{object_text}\n"
    return (graph_text, subject_text, predicate_text, order, text)
