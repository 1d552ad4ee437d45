"""The benchmark corpus: synthetic articles that conform to the same shapes."""

import sys
from pathlib import Path

from rdflib import Graph, URIRef

sys.path.insert(0, str(Path(__file__).parent / "perf"))

from generate_corpus import write_corpus  # noqa: E402

from server.publication.validation import run_shacl  # noqa: E402


def test_synthetic_articles_conform_and_are_distinct(tmp_path, published):
    out = tmp_path / "corpus.nt"
    write_corpus(2, out)
    corpus = Graph().parse(out, format="nt")
    assert len(corpus) == 2 * len(published.data)
    shapes = Graph()
    shapes += published.shapes  # pySHACL may add to the shapes graph it is given: never the shared fixture
    conforms, report = run_shacl(corpus, shapes, published.ontology)
    assert conforms, report.serialize(format="turtle")
    powell = [URIRef("https://w3id.org/mxus/id/person/colin-powell-a1"), URIRef("https://w3id.org/mxus/id/person/colin-powell-a2")]
    assert all((person, None, None) in corpus for person in powell)
    assert (URIRef("https://w3id.org/mxus/id/person/colin-powell"), None, None) not in corpus
