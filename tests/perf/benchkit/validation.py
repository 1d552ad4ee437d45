"""Contribution validation timed in-process (Publication.validate over a LocalStore)."""

from __future__ import annotations

import statistics
import time

from . import ID
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
