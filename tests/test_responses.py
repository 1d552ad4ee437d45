"""The web layer's single mechanisms, without an app: the versioned cache, the code version, the media table."""

from __future__ import annotations

import threading

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from server.rdf import media
from server.web import responses
from server.web.cache import VersionedCache


class Version:
    def __init__(self):
        self.value = "v1"

    def __call__(self) -> str:
        return self.value


def test_a_value_is_built_once_per_dataset_version():
    version, builds = Version(), []
    cache = VersionedCache(version)

    def build():
        builds.append(version.value)
        return f"body of {version.value}"

    assert cache.get("k", build) == "body of v1"
    assert cache.get("k", build) == "body of v1"
    assert builds == ["v1"]
    version.value = "v2"  # an accepted contribution
    assert cache.get("k", build) == "body of v2"
    assert builds == ["v1", "v2"]


def test_the_cache_is_bounded_least_recently_used_out_first():
    cache = VersionedCache(Version(), entries=2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 1)  # a is now the most recent
    cache.get("c", lambda: 3)  # b goes
    assert cache.get("a", lambda: "rebuilt") == 1
    assert cache.get("b", lambda: "rebuilt") == "rebuilt"


def test_a_failed_build_is_not_kept():
    cache = VersionedCache(Version())

    def fail():
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError):
        cache.get("k", fail)
    assert cache.get("k", lambda: "ok") == "ok"


def test_concurrent_requests_for_one_key_build_it_once():
    cache = VersionedCache(Version())
    started, release, builds = threading.Event(), threading.Event(), []

    def slow_build():
        builds.append(1)
        started.set()
        release.wait()
        return "dump"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get("dumps", slow_build)))
    first.start()
    started.wait()
    waiters = [threading.Thread(target=lambda: results.append(cache.get("dumps", slow_build))) for _ in range(3)]
    for thread in waiters:
        thread.start()
    release.set()
    for thread in (first, *waiters):
        thread.join()
    assert results == ["dump"] * 4
    assert builds == [1]


def test_the_code_version_names_the_package_version_and_changes_with_the_sources(tmp_path, monkeypatch):
    (tmp_path / "module.py").write_text("A = 1\n")
    monkeypatch.setattr(responses, "PACKAGE", tmp_path)
    before = responses.code_version.__wrapped__()
    (tmp_path / "module.py").write_text("A = 2\n")
    after = responses.code_version.__wrapped__()
    assert before != after
    assert before.split("+")[0] == after.split("+")[0] != ""


@pytest.mark.parametrize("media_type", media.GRAPH_TYPES)
def test_every_rdf_type_serializes_and_parses_back(media_type):
    fmt = media.rdf_format_for_media_type(media_type)
    graph = Graph()
    graph.add((URIRef("https://w3id.org/mxus/id/person/x"), URIRef("http://xmlns.com/foaf/0.1/name"), Literal("X")))
    body = media.serialize_as(graph, media_type)
    if fmt.quads:
        back = {quad[:3] for quad in Dataset().parse(data=body, format=fmt.rdflib_name).quads()}
    else:
        back = set(Graph().parse(data=body, format=fmt.rdflib_name))
    assert back == set(graph)


def test_the_table_gives_each_description_type_a_url_extension_and_each_generic_type_a_specific_one():
    assert list(media.EXTENSIONS.values()) == list(media.DESCRIPTION_TYPES)
    assert all(media.rdf_format_for_filename("x" + ext).media_type == mt for ext, mt in media.EXTENSIONS.items())
    assert media.SPECIFIC == {
        "application/json": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
    }
    assert set(media.SPECIFIC.values()) <= set(media.RESULT_TYPES)
    assert media.FORMAT_NAMES["json"] == ("application/sparql-results+json", "application/ld+json")
    assert media.FORMAT_NAMES["xml"] == ("application/sparql-results+xml", "application/rdf+xml")
