"""The nanopublications of the running server, in each mode: they verify, and the trusty URI
does not depend on the store (in memory, on disk, or the Oxigraph server) nor on the served base."""

from __future__ import annotations

import gzip
import warnings

from rdflib import ConjunctiveGraph

from server.rdf.namespaces import NANOPUB_BASE

# The same content gives the same URI in every mode: collected across the session's three servers.
SEEN: dict[str, set[str]] = {}


def test_nanopublication_of_a_claim_verifies_and_resolves(base_url, fetch):
    from nanopub import Nanopub

    reply = fetch(base_url + "data/claim/powell-no-political-conditions.trig")
    assert reply.status == 200 and reply.header("Content-Type") == "application/trig"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = ConjunctiveGraph()
        graph.parse(data=reply.body.decode("utf-8"), format="trig")
        nanopub = Nanopub(rdf=graph)
        assert nanopub.is_valid and nanopub.has_valid_trusty
    uri = nanopub.source_uri
    assert uri.startswith(NANOPUB_BASE)
    SEEN.setdefault("powell-no-political-conditions", set()).add(uri)
    assert len(SEEN["powell-no-political-conditions"]) == 1
    again = fetch(base_url + "np/" + uri[len(NANOPUB_BASE):])
    assert again.status == 200 and again.body == reply.body
    dump = fetch(base_url + "dumps/mxus-ld-nanopubs.trig.gz")
    assert reply.body in gzip.decompress(dump.body)
