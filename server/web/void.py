"""Dataset description: VoID and DCAT, dumps, sitemap, robots.txt.

``/.well-known/void`` describes the dataset (RFC 5785 / VoID §7): what
``data/dataset.ttl`` states, plus what depends on the data and on where the
server runs: counts, class and property partitions, the Wikidata linkset,
the dumps and the SPARQL endpoint. ``/dumps/`` serves the data as Turtle,
N-Triples and N-Quads (the three named graphs), plain and gzipped;
``/sitemap.xml`` and ``/robots.txt`` are for crawlers.

Everything is computed once per application, at the first request that
needs it, and cached: the counts by SPARQL through the store, the dumps as
files in a temporary folder (a large corpus is serialized and compressed
once, then sent from disk with Range and conditional-request support).
Every body is built with canonical URIs and passed through the Rewriter,
so links point at the served base.
"""

from __future__ import annotations

import atexit
import gzip
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request, send_file
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from server.rdf.namespaces import bind_prefixes
from server.state import AppState, state
from server.rdf.uris import CANONICAL_BASE, is_valid_thing_path
from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from server.store.errors import QueryFailed
from server.web.errors import ApiError
from server.web.negotiation import DESCRIPTION_TYPES, NotAcceptable, content_type, negotiate_media_type, serialize_as

bp = Blueprint("void", __name__)

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"

DATASET = URIRef(CANONICAL_BASE + "id/dataset/mxus-ld")
ID_SPACE = CANONICAL_BASE + "id/"
VOID_DOCUMENT = CANONICAL_BASE + ".well-known/void"
ENDPOINT = URIRef(CANONICAL_BASE + "sparql")
WIKIDATA_SPACE = "http://www.wikidata.org/entity/"
DUMP_STEM = "mxus-ld"

# Classes whose first instance (by IRI) is given as a void:exampleResource.
EXAMPLE_CLASSES = (
    "http://xmlns.com/foaf/0.1/Person",
    "http://semanticweb.cs.vu.nl/2009/11/sem/Event",
    "https://w3id.org/mxus/ontology#Thesis",
    "http://purl.org/spar/fabio/JournalArticle",
)
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
STATIC_PAGES = ("", "claims", "timeline", "ontology", "query")


@dataclass(frozen=True)
class Dump:
    name: str  # file name under /dumps/
    media_type: str  # of the (uncompressed) content
    label: str
    graphs: str  # "data" or "all"
    gzipped: bool = False

    @property
    def served_type(self) -> str:
        return "application/gzip" if self.gzipped else content_type(self.media_type)


def _dumps() -> tuple[Dump, ...]:
    plain = (
        Dump(f"{DUMP_STEM}.ttl", "text/turtle", "Turtle, the data graph", "data"),
        Dump(f"{DUMP_STEM}.nt", "application/n-triples", "N-Triples, the data graph", "data"),
        Dump(
            f"{DUMP_STEM}.nq",
            "application/n-quads",
            "N-Quads, the data, ontology and shapes named graphs",
            "all",
        ),
    )
    return plain + tuple(Dump(d.name + ".gz", d.media_type, d.label + ", gzipped", d.graphs, True) for d in plain)


DUMPS = {dump.name: dump for dump in _dumps()}


# --------------------------------------------------------------------------- cache


class DescriptionCache:
    """What this blueprint serves, built once per application (thread-safe)."""

    def __init__(self, app: AppState):
        self.app = app
        self.version = app.store.version  # rebuilt when an accepted contribution changes it
        self._lock = threading.Lock()
        self._dumps_lock = threading.Lock()
        self._statistics: dict | None = None
        self._description: Graph | None = None
        self._descriptions: dict[str, bytes] = {}
        self._dump_dir: Path | None = None
        self._dump_index: bytes | None = None
        self._sitemaps: list[bytes] | None = None
        self._robots: bytes | None = None

    # counts, by SPARQL through the store
    def statistics(self) -> dict:
        with self._lock:
            if self._statistics is None:
                self._statistics = compute_statistics(self.app.store)
            return self._statistics

    def description(self, media_type: str) -> bytes:
        statistics = self.statistics()
        with self._lock:
            if self._description is None:
                self._description = describe_dataset(self.app.store, statistics)
            if media_type not in self._descriptions:
                body = serialize_as(self._description, media_type)
                self._descriptions[media_type] = self.app.rewriter.outgoing(body)
            return self._descriptions[media_type]

    # dumps, as files
    def dump_dir(self) -> Path:
        with self._dumps_lock:
            if self._dump_dir is None:
                folder = Path(tempfile.mkdtemp(prefix="mxus-dumps-"))
                atexit.register(shutil.rmtree, folder, True)
                try:
                    # The published data and the accepted contributions, as the default graph serves them.
                    write_dumps(self.app.store, self.app.rewriter, folder)
                except BaseException:
                    shutil.rmtree(folder, True)
                    raise
                self._dump_dir = folder
            return self._dump_dir

    def dump_index(self) -> bytes:
        folder = self.dump_dir()
        with self._lock:
            if self._dump_index is None:
                self._dump_index = dump_index_html(folder, self.app.rewriter)
            return self._dump_index

    # crawlers
    def sitemaps(self) -> list[bytes]:
        with self._lock:
            if self._sitemaps is None:
                self._sitemaps = build_sitemaps(self.app.store, self.app.rewriter)
            return self._sitemaps

    def robots(self) -> bytes:
        with self._lock:
            if self._robots is None:
                rewriter = self.app.rewriter
                self._robots = rewriter.outgoing(robots_text(rewriter.served_base).encode())
            return self._robots


def _cache() -> DescriptionCache:
    app = state()
    cache = app.caches.get("void")
    if cache is None or cache.version != app.store.version:
        cache = app.caches["void"] = DescriptionCache(app)
    return cache


def _etag(*parts: str) -> str:
    return "-".join((state().store.version, *parts))


# --------------------------------------------------------------------------- statistics


def data_graphs(store) -> tuple[str, ...]:
    """The graphs that hold data: the curated data and accepted contributions (not the ontology)."""
    return (DATA_GRAPH, ACCEPTED_GRAPH)


def _select(store, text: str, graphs: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    rows = store.select(text, graphs or data_graphs(store))
    return [{name: str(value) for name, value in row.items()} for row in rows]


def _count(store, text: str) -> int:
    return store.count(text, data_graphs(store))


PREFIXES = "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"


def compute_statistics(store) -> dict:
    """The VoID counts of the data graph, each by one SPARQL query."""
    statistics = {
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "entities": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"),
        "distinctSubjects": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctObjects": _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        "classes": _count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        "properties": _count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "wikidataLinks": _count(
            store,
            PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s owl:sameAs ?o "
            f'FILTER (isIRI(?o) && STRSTARTS(STR(?o), "{WIKIDATA_SPACE}")) }}',
        ),
    }
    statistics["classPartitions"] = [
        (row["c"], int(row["all"]), int(row["iris"]))
        for row in _select(
            store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?iri) AS ?iris) "
            "WHERE { ?s a ?c BIND (IF(isIRI(?s), ?s, ?unbound) AS ?iri) } GROUP BY ?c ORDER BY ?c",
        )
    ]
    statistics["propertyPartitions"] = [
        (row["p"], int(row["n"]))
        for row in _select(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
    ]
    values = " ".join(f"<{c}>" for c in EXAMPLE_CLASSES)
    statistics["examples"] = [
        row["x"]
        for row in _select(
            store,
            f"SELECT ?c (MIN(STR(?s)) AS ?x) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c "
            f'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}")) }} GROUP BY ?c ORDER BY ?x',
        )
        if "x" in row
    ]
    return statistics


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def describe_dataset(store, statistics: dict) -> Graph:
    """The VoID + DCAT description, with canonical URIs (the caller rewrites)."""
    graph = bind_prefixes(Graph())
    graph.bind("sd", SD)
    # What data/dataset.ttl states about the dataset, as published.
    graph += store.construct(f"CONSTRUCT {{ <{DATASET}> ?p ?o }} WHERE {{ <{DATASET}> ?p ?o }}")

    document = URIRef(VOID_DOCUMENT)
    graph.add((document, RDF.type, VOID.DatasetDescription))
    graph.add((document, DCTERMS.title, Literal("VoID and DCAT description of the mxus-ld dataset", lang="en")))
    graph.add((document, FOAF.primaryTopic, DATASET))

    ds = DATASET
    for cls in (VOID.Dataset, DCAT.Dataset):
        graph.add((ds, RDF.type, cls))
    if (ds, DCTERMS.license, None) not in graph:
        graph.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    if (ds, VOID.uriSpace, None) not in graph:
        graph.add((ds, VOID.uriSpace, Literal(ID_SPACE)))
    for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties"):
        graph.add((ds, VOID[name], _integer(statistics[name])))
    graph.add((ds, VOID.sparqlEndpoint, ENDPOINT))
    for source in list(graph.objects(ds, DCTERMS.source)):
        graph.add((ds, VOID.rootResource, source))  # the article: where browsing starts
    for example in statistics["examples"]:
        graph.add((ds, VOID.exampleResource, URIRef(example)))
    for fmt in ("Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML"):
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
        url = URIRef(f"{CANONICAL_BASE}dumps/{dump.name}")
        if dump.graphs == "data":
            graph.add((ds, VOID.dataDump, url))
        distribution = URIRef(f"{VOID_DOCUMENT}#dump-{dump.name.replace('.', '-')}")
        graph.add((ds, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.label, lang="en")))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.accessURL, URIRef(CANONICAL_BASE + "dumps/")))
        graph.add((distribution, DCAT.mediaType, URIRef(IANA + dump.media_type)))
        graph.add((distribution, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        if dump.gzipped:
            graph.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
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

    # Links to Wikidata: a linkset, subset of the dataset.
    wikidata = URIRef(f"{VOID_DOCUMENT}#wikidata")
    graph.add((wikidata, RDF.type, VOID.Dataset))
    graph.add((wikidata, RDFS.label, Literal("Wikidata", lang="en")))
    graph.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    graph.add((wikidata, VOID.uriSpace, Literal(WIKIDATA_SPACE)))
    graph.add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    linkset = URIRef(f"{VOID_DOCUMENT}#links-wikidata")
    graph.add((ds, VOID.subset, linkset))
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, RDFS.label, Literal("owl:sameAs links to Wikidata", lang="en")))
    graph.add((linkset, VOID.subjectsTarget, ds))
    graph.add((linkset, VOID.objectsTarget, wikidata))
    graph.add((linkset, VOID.target, ds))
    graph.add((linkset, VOID.target, wikidata))
    graph.add((linkset, VOID.linkPredicate, OWL.sameAs))
    graph.add((linkset, VOID.triples, _integer(statistics["wikidataLinks"])))
    return graph


# --------------------------------------------------------------------------- dumps


def write_dumps(store, rewriter, folder: Path) -> None:
    """Write the dumps once into ``folder``, streamed by the store, then rewritten to the served base.

    The data graph of the dumps holds the accepted contributions too, as the default graph serves them.
    """
    data = {DATA_GRAPH: (DATA_GRAPH, ACCEPTED_GRAPH)}
    everything = {**data, ONTOLOGY_GRAPH: (ONTOLOGY_GRAPH,), SHAPES_GRAPH: (SHAPES_GRAPH,)}
    for dump in DUMPS.values():
        if dump.gzipped:
            continue
        raw = folder / (dump.name + ".raw")
        store.dump(raw, dump.media_type, everything if dump.graphs == "all" else data,
                   _prefixes(store) if dump.media_type == "text/turtle" else None)
        with raw.open("rb") as source, (folder / dump.name).open("wb") as out:
            for line in source:
                out.write(rewriter.outgoing(line))
        raw.unlink()
    for dump in DUMPS.values():
        if dump.gzipped:
            source = folder / dump.name[: -len(".gz")]
            # mtime=0 and no file name: the same content always gives the same bytes.
            with source.open("rb") as raw, (folder / dump.name).open("wb") as out:
                with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as zipped:
                    shutil.copyfileobj(raw, zipped, 1 << 20)


def _prefixes(store) -> dict[str, str]:
    """The usual prefixes, and one per kind of thing (``person:`` for .../id/person/), asked of the store:
    a million subjects are not worth a million Python objects."""
    from server.rdf.namespaces import PREFIXES as KNOWN

    rows = store.select(
        f"""SELECT DISTINCT ?kind WHERE {{
              ?s ?p ?o
              FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}"))
              BIND (STRBEFORE(STRAFTER(STR(?s), "{ID_SPACE}"), "/") AS ?kind)
            }}""",
        (DATA_GRAPH, ACCEPTED_GRAPH),
    )
    prefixes = dict(KNOWN)
    for kind in sorted(str(row["kind"]) for row in rows if "kind" in row):
        if kind and kind.isalpha() and kind not in prefixes:
            prefixes[kind] = f"{ID_SPACE}{kind}/"
    return prefixes


def dump_index_html(folder: Path, rewriter) -> bytes:
    rows = "\n".join(
        f'<tr><td><a href="{escape(dump.name)}">{escape(dump.name)}</a></td><td>{escape(dump.label)}</td>'
        f"<td>{escape(dump.served_type)}</td><td>{(folder / dump.name).stat().st_size}</td></tr>"
        for dump in DUMPS.values()
    )
    html = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>mxus-ld dumps</title>
<link rel="stylesheet" href="{CANONICAL_BASE}static/style.css"></head>
<body><main>
<h1>Dumps of the mxus-ld dataset</h1>
<p>The whole dataset, licensed CC BY 4.0, as described in the
<a href="{CANONICAL_BASE}.well-known/void">VoID description</a>.
Query it at the <a href="{CANONICAL_BASE}sparql">SPARQL endpoint</a>.</p>
<table>
<thead><tr><th>file</th><th>content</th><th>Content-Type</th><th>bytes</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main></body>
</html>
"""
    return rewriter.outgoing(html.encode())


@bp.route("/dumps/", methods=["GET", "HEAD"])
def dump_index():
    etag = _etag("dumps-index")
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(_cache().dump_index(), 200, content_type="text/html; charset=utf-8")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/dumps/<name>", methods=["GET", "HEAD"])
def dump_file(name: str):
    dump = DUMPS.get(name)
    if dump is None:
        raise ApiError(404, f"no dump {name!r}; the dumps are: {', '.join(DUMPS)}")
    path = _cache().dump_dir() / dump.name
    response = send_file(
        path,
        mimetype="application/gzip" if dump.gzipped else dump.media_type,  # Flask adds charset=utf-8 to text/*
        as_attachment=dump.gzipped,
        download_name=dump.name,
        conditional=True,
        etag=_etag("dump", dump.name),
        max_age=300,
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --------------------------------------------------------------------------- VoID


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
def void_description():
    try:
        media_type = negotiate_media_type(request.accept_mimetypes, DESCRIPTION_TYPES, request.args.get("format"))
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    etag = _etag("void", media_type)
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        try:
            body = _cache().description(media_type)
        except QueryFailed as exc:
            raise ApiError(503, f"the dataset statistics could not be computed: {exc}") from None
        response = Response(body, 200, content_type=content_type(media_type))
    response.set_etag(etag)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --------------------------------------------------------------------------- crawlers


def page_urls(store) -> list[str]:
    """Canonical URLs of the HTML pages: the fixed ones and /page/{type}/{slug} per resource."""
    urls = [CANONICAL_BASE + page for page in STATIC_PAGES]
    rows = _select(
        store,
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}")) }} ORDER BY ?s',
    )
    for row in rows:
        kind, _, slug = row["s"][len(ID_SPACE) :].partition("/")
        if is_valid_thing_path(kind, slug):
            urls.append(f"{CANONICAL_BASE}page/{kind}/{slug}")
    return urls


def build_sitemaps(store, rewriter) -> list[bytes]:
    """One urlset (sitemaps.org) when it fits, else a sitemap index followed by its parts."""
    urls = page_urls(store)
    chunks = [urls[i : i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    namespace = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def urlset(chunk: list[str]) -> bytes:
        entries = "".join(f"  <url><loc>{escape(url)}</loc></url>\n" for url in chunk)
        return rewriter.outgoing(f"{head}<urlset {namespace}>\n{entries}</urlset>\n".encode())

    if len(chunks) == 1:
        return [urlset(chunks[0])]
    index = "".join(
        f"  <sitemap><loc>{CANONICAL_BASE}sitemaps/{n}.xml</loc></sitemap>\n" for n in range(1, len(chunks) + 1)
    )
    first = rewriter.outgoing(f"{head}<sitemapindex {namespace}>\n{index}</sitemapindex>\n".encode())
    return [first, *(urlset(chunk) for chunk in chunks)]


def _xml(body: bytes, tag: str) -> Response:
    etag = _etag(tag)
    response = Response(status=304) if request.if_none_match.contains_weak(etag) else Response(body, 200)
    response.content_type = "application/xml; charset=utf-8"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/sitemap.xml", methods=["GET", "HEAD"])
def sitemap():
    return _xml(_cache().sitemaps()[0], "sitemap")


@bp.route("/sitemaps/<int:number>.xml", methods=["GET", "HEAD"])
def sitemap_part(number: int):
    parts = _cache().sitemaps()
    if len(parts) == 1 or not 1 <= number < len(parts):
        raise ApiError(404, f"no sitemap part {number}; start at /sitemap.xml")
    return _xml(parts[number], f"sitemap-{number}")


def robots_text(served_base: str) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(served_base).path or "/"
    return (
        "# mxus-ld: crawl the pages; query the data through the dumps, not the endpoint.\n"
        "User-agent: *\n"
        f"Allow: {path}\n"
        f"Disallow: {path}sparql?\n"
        f"Sitemap: {CANONICAL_BASE}sitemap.xml\n"
    )


@bp.route("/robots.txt", methods=["GET", "HEAD"])
def robots():
    response = Response(_cache().robots(), 200, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/favicon.ico", methods=["GET", "HEAD"])
def favicon():
    """Browsers ask for /favicon.ico on every site; answer "no icon" rather than a 404 in their console.

    A page blueprint that serves a real icon, registered before this one, takes precedence.
    """
    response = Response(status=204)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
