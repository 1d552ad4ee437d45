"""The dataset description: /.well-known/void (RFC 8615 / VoID §7), VoID and DCAT.

What ``data/dataset.ttl`` states about the dataset, plus what depends on
the data and on where the server runs: counts, class and property
partitions, a linkset per external dataset linked to, the dumps and the SPARQL endpoint.
"""

from __future__ import annotations

from flask import Response, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, XSD

from server.rdf.media import DESCRIPTION_TYPES, content_type, serialize_as
from server.linking.linksets import Linkset
from server.rdf.namespaces import (
    CANONICAL_BASE,
    CC_BY,
    DATASET,
    DCAT,
    DCTERMS,
    DUMPS_BASE,
    ENDPOINT,
    FORMATS,
    IANA_MEDIA_TYPES,
    ID_SPACE,
    SD,
    VOID,
    VOID_DOCUMENT,
    bind_prefixes,
)
from server.state import state
from server.store import Store
from server.store.errors import QueryFailed
from server.store.graphs import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.negotiation import negotiate
from server.web.responses import Caching, etag_for, respond
from server.web.void import bp
from server.web.dump_list import DUMPS
from server.web.void.statistics import compute_statistics
from server.web.views import curie

# The formats the data can be had in (W3C format names): the dumps and /data/...
FEATURES = ("Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML")


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
def void_description():
    media_type = negotiate(request.accept_mimetypes, DESCRIPTION_TYPES, request.args.get("format"))
    return respond(Caching(etag_for("void", media_type)), lambda: _description(media_type))


def _description(media_type: str) -> Response:
    cache = versioned_cache("void")
    app = state()
    try:
        statistics = cache.get("statistics", lambda: compute_statistics(app.store))
        graph = cache.get("description", lambda: describe_dataset(app.store, statistics))
    except QueryFailed as exc:
        raise ApiError(503, f"the dataset statistics could not be computed: {exc}") from None
    body = cache.get(("description", media_type), lambda: app.rewriter.outgoing(serialize_as(graph, media_type)))
    return Response(body, 200, content_type=content_type(media_type))


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def describe_dataset(store: Store, statistics: dict) -> Graph:
    """The VoID + DCAT description, with canonical URIs (the caller rewrites)."""
    graph = bind_prefixes(Graph())
    graph.bind("sd", SD)
    # What data/dataset.ttl states about the dataset, as published.
    graph += store.construct(f"CONSTRUCT {{ <{DATASET}> ?p ?o }} WHERE {{ <{DATASET}> ?p ?o }}")

    document = VOID_DOCUMENT
    graph.add((document, RDF.type, VOID.DatasetDescription))
    graph.add((document, DCTERMS.title, Literal("VoID and DCAT description of the mxus-ld dataset", lang="en")))
    graph.add((document, FOAF.primaryTopic, DATASET))

    ds = DATASET
    for cls in (VOID.Dataset, DCAT.Dataset):
        graph.add((ds, RDF.type, cls))
    if (ds, DCTERMS.license, None) not in graph:
        graph.add((ds, DCTERMS.license, CC_BY))
    if (ds, VOID.uriSpace, None) not in graph:
        graph.add((ds, VOID.uriSpace, Literal(ID_SPACE)))
    for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties"):
        graph.add((ds, VOID[name], _integer(statistics[name])))
    graph.add((ds, VOID.sparqlEndpoint, ENDPOINT))
    for source in list(graph.objects(ds, DCTERMS.source)):
        graph.add((ds, VOID.rootResource, source))  # the article: where browsing starts
    for example in statistics["examples"]:
        graph.add((ds, VOID.exampleResource, URIRef(example)))
    for fmt in FEATURES:
        graph.add((ds, VOID.feature, FORMATS[fmt]))

    for cls, instances, iri_instances in statistics["classPartitions"]:
        partition = BNode()
        graph.add((ds, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, _integer(iri_instances)))
        graph.add((partition, VOID.distinctSubjects, _integer(instances)))
    for prop, triples in statistics["propertyPartitions"]:
        partition = BNode()
        graph.add((ds, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, _integer(triples)))

    # Dumps: void:dataDump for the data graph; every file as a dcat:Distribution.
    for dump in DUMPS.values():
        url = URIRef(DUMPS_BASE + dump.name)
        if dump.graphs == "data":
            graph.add((ds, VOID.dataDump, url))
        distribution = URIRef(f"{VOID_DOCUMENT}#dump-{dump.name.replace('.', '-')}")
        graph.add((ds, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.label, lang="en")))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.accessURL, URIRef(DUMPS_BASE)))
        graph.add((distribution, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + dump.media_type)))
        graph.add((distribution, DCTERMS.license, CC_BY))
        if dump.gzipped:
            graph.add((distribution, DCAT.compressFormat, URIRef(IANA_MEDIA_TYPES + "application/gzip")))
        if dump.graphs == "all":
            graph.add(
                (
                    distribution,
                    DCTERMS.description,
                    Literal(
                        f"The dataset in the named graph <{DATA_GRAPH}>, with the ontology in <{ONTOLOGY_GRAPH}> "
                        f"and the SHACL shapes in <{SHAPES_GRAPH}>.",
                        lang="en",
                    ),
                )
            )

    # The SPARQL endpoint as a DCAT data service.
    graph.add((ENDPOINT, RDF.type, DCAT.DataService))
    graph.add((ENDPOINT, RDF.type, SD.Service))
    graph.add((ENDPOINT, DCAT.endpointURL, ENDPOINT))
    graph.add((ENDPOINT, DCAT.endpointDescription, ENDPOINT))
    graph.add((ENDPOINT, DCAT.servesDataset, ds))
    graph.add((ENDPOINT, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    graph.add((ds, DCAT.accessService, ENDPOINT))

    for linkset in statistics["linksets"]:
        describe_linkset(graph, linkset)
    return graph


def describe_linkset(graph: Graph, linkset: Linkset) -> None:
    """A void:Linkset, subset of the dataset: its target dataset, link predicate, count and N-Triples dump."""
    target = linkset.target
    other = URIRef(f"{VOID_DOCUMENT}#{target.name}")
    graph.add((other, RDF.type, VOID.Dataset))
    graph.add((other, RDFS.label, Literal(target.label, lang="en")))
    if target.homepage:
        graph.add((other, FOAF.homepage, URIRef(target.homepage)))
    if target.uri_space:
        graph.add((other, VOID.uriSpace, Literal(target.uri_space)))
    if target.sparql:
        graph.add((other, VOID.sparqlEndpoint, URIRef(target.sparql)))
    node = URIRef(f"{VOID_DOCUMENT}#linkset-{linkset.name}")
    graph.add((DATASET, VOID.subset, node))
    graph.add((node, RDF.type, VOID.Linkset))
    graph.add((node, RDFS.label, Literal(f"{curie(linkset.predicate)} links to {target.label}", lang="en")))
    graph.add((node, VOID.subjectsTarget, DATASET))
    graph.add((node, VOID.objectsTarget, other))
    graph.add((node, VOID.target, DATASET))
    graph.add((node, VOID.target, other))
    graph.add((node, VOID.linkPredicate, URIRef(linkset.predicate)))
    graph.add((node, VOID.triples, _integer(linkset.triples)))
    graph.add((node, VOID.dataDump, URIRef(f"{CANONICAL_BASE}linksets/{linkset.name}.nt")))
