"""Contribution validation timed in-process (Publication.validate over a LocalStore)."""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.request

from . import ID, ROOT
from .report import fmt


def validation_times(repeats: int = 5) -> list[list]:
    from rdflib import RDFS, Graph, URIRef

    from server.publication.dataset import load_published
    from server.publication.service import Publication
    from server.settings import check_settings
    from server.store import open_store

    settings = check_settings({})
    published = load_published(settings)
    store = open_store(settings, published.graph_files(), published.digest, in_process=True)
    validate = Publication(published, store, records=None).validate
    rows = []
    subject = URIRef(ID + "person/colin-powell")
    for size in (10, 100, 1000):
        submission = Graph()
        for i in range(size):
            submission.add((subject, RDFS.seeAlso, URIRef(f"https://example.org/see-also/{i}")))
        times, conforms = [], None
        for _ in range(repeats if size < 1000 else 3):
            t0 = time.perf_counter()
            report = validate(submission)
            times.append(time.perf_counter() - t0)
            conforms = report.conforms
        rows.append([size, len(times), fmt(statistics.median(times) * 1000), fmt(max(times) * 1000), conforms])
    return rows


# The README's kind of contribution: a new claim with its span, quotation selectors and provenance
# (a shape case), its IRIs given the first corpus copy's suffix as generate_corpus.py does.
EXAMPLE_CLAIM = ROOT / "tests" / "cases" / "shapes" / "valid" / "new-reported-fact-with-new-span.ttl"


def http_validation_ms(base: str, runs: int = 5) -> float:
    """Median milliseconds of POST /validate (anonymous, N-Triples) for the example claim on a running mxus."""
    from rdflib import Graph

    from tests.perf.generate_corpus import synthetic_article

    body = synthetic_article(Graph().parse(EXAMPLE_CLAIM).serialize(format="nt", encoding="utf-8"), 1)
    times = []
    for _ in range(runs):
        request = urllib.request.Request(base + "/validate", data=body, method="POST",
                                         headers={"Content-Type": "application/n-triples", "Accept": "application/json"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:  # 422 (does not conform) is still a validation
            exc.read()
            if exc.code != 422:
                return float("nan")
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000
