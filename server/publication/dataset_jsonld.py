"""The dataset as schema.org ``Dataset`` JSON-LD, for dataset search engines; no HTTP.

What Google's dataset guidelines and DataCite ask for (name, description,
licence, creator, version, date, distribution, citation), each taken from
data/dataset.ttl and data/article.ttl through the store: the creator is the
dataset's ``dcterms:creator`` as written there, the citation the article
the data is drawn from. Only schema.org terms (tests/schemaorg/ lists the
ones used, with their release).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDFS

from server.publication.citations import ArticleRecord
from server.rdf.namespaces import DATASET, DCTERMS
from server.store import Store


def dataset_jsonld(store: Store, served_base: str, record: ArticleRecord | None,
                   downloads: Iterable[tuple[str, str]]) -> dict:
    """``downloads``: (file name under /dumps/, media type) of every dump."""
    graph = store.construct(f"CONSTRUCT {{ <{DATASET}> ?p ?o }} WHERE {{ <{DATASET}> ?p ?o }}")

    def first(predicate, lang: str | None = "en"):
        values = sorted(graph.objects(DATASET, predicate), key=str)
        for value in values:
            if not isinstance(value, Literal) or lang is None or value.language in (lang, None):
                return value
        return None

    data: dict = {"@context": "https://schema.org", "@type": "Dataset", "@id": str(DATASET),
                  "identifier": str(DATASET), "url": served_base}
    for key, predicate in (("name", DCTERMS.title), ("description", DCTERMS.description)):
        value = first(predicate)
        if value is not None:
            data[key] = str(value)
    spanish = first(RDFS.label, "es")
    if spanish is not None and spanish.language == "es":
        data["alternateName"] = {"@value": str(spanish), "@language": "es"}
    licence = first(DCTERMS.license)
    if licence is not None:
        data["license"] = str(licence)
    creators = sorted(graph.objects(DATASET, DCTERMS.creator), key=str)
    if creators:
        made = [{"@id": str(c)} if isinstance(c, URIRef) else {"@type": "Organization", "name": str(c)} for c in creators]
        data["creator"] = made[0] if len(made) == 1 else made
    version = first(OWL.versionInfo)
    if version is not None:
        data["version"] = str(version)
    issued = first(DCTERMS.issued, None)
    if issued is not None:
        data["datePublished"] = str(issued)
    if record is not None:
        article = {"@type": "ScholarlyArticle", "@id": record.iri, "name": record.title}
        if record.authors:
            article["author"] = [{"@type": "Person", "name": a.name, **({"familyName": a.family} if a.family else {}),
                                  **({"givenName": a.given} if a.given else {})} for a in record.authors]
        if record.issued:
            article["datePublished"] = record.issued
        if record.doi_url:
            article["sameAs"] = record.doi_url
        data["citation"] = article
        data["isBasedOn"] = {"@id": record.iri}
    data["distribution"] = [
        {"@type": "DataDownload", "name": name, "encodingFormat": media_type, "contentUrl": f"{served_base}dumps/{name}"}
        for name, media_type in downloads
    ]
    return data
