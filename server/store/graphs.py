"""The named graphs of the store, and putting the published files into pyoxigraph.

The published files are parsed by pyoxigraph's Rust parsers straight into a
store (about 3 s and 350 MB per million triples, against 24 s and three
times the memory through rdflib). The query workers, the dumps and
``mxus load`` all load them here, so every copy of the data is the same.
This module imports no rdflib: the query workers stay small.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from server.store.errors import LoadFailed

# Spelled here as well as in server.rdf.namespaces, so that the query workers import no rdflib;
# tests/test_store_loading.py checks the two agree.
GRAPH_BASE = "https://w3id.org/mxus/graph/"
DATA_GRAPH = GRAPH_BASE + "data"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
SHAPES_GRAPH = GRAPH_BASE + "shapes"
# Accepted contributions' statements and provenance, each triple once (a
# default graph made of many graphs would repeat shared triples in results).
ACCEPTED_GRAPH = GRAPH_BASE + "accepted"
# What a query sees when it names no graph: the data, the ontology (so
# rdfs:subClassOf* and labels of terms work) and accepted contributions;
# not the shapes, not pending or rejected contributions.
DEFAULT_GRAPHS = (DATA_GRAPH, ONTOLOGY_GRAPH, ACCEPTED_GRAPH)
# The data a submission is validated against: the published data and accepted contributions.
CONTEXT_GRAPHS = (DATA_GRAPH, ACCEPTED_GRAPH)

# A triple accepted from a contribution that the published data already has
# is dropped from the accepted graph, so the default graph holds it once.
PRUNE_ACCEPTED = f"""DELETE {{ GRAPH <{ACCEPTED_GRAPH}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{ACCEPTED_GRAPH}> {{ ?s ?p ?o }} GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}"""

_TRIPLE_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML"}
_QUAD_FORMATS = {".nq": "N_QUADS", ".trig": "TRIG", ".jsonld": "JSON_LD", ".json": "JSON_LD"}


@dataclass(frozen=True)
class GraphFile:
    """One file of the published dataset and the named graph it goes into."""

    path: str
    graph: str  # "": the store's own default graph


def as_nquads(ntriples: bytes, graph_name: str) -> bytes:
    """N-Triples lines placed in a named graph."""
    suffix = f" <{graph_name}> .".encode()
    lines = []
    for line in ntriples.splitlines():
        line = line.rstrip()
        if line.endswith(b"."):
            lines.append(line[:-1].rstrip() + suffix)
    return b"\n".join(lines) + b"\n" if lines else b""


def load_files(store, files: list[GraphFile]) -> None:
    """Load each file into its graph (pyoxigraph ``store``); LoadFailed names the file that failed.

    Triples go into the file's graph as they are. Quads (N-Quads, TriG,
    JSON-LD) are flattened into it, as rdflib's union of a dataset would:
    the published data is one graph whatever the files' own graph names.
    """
    import pyoxigraph as ox

    for file in files:
        suffix = Path(file.path).suffix.lower()
        target = ox.NamedNode(file.graph) if file.graph else ox.DefaultGraph()
        try:
            if suffix in _TRIPLE_FORMATS:
                store.bulk_load(path=file.path, format=getattr(ox.RdfFormat, _TRIPLE_FORMATS[suffix]), to_graph=target)
            elif suffix in _QUAD_FORMATS:
                quads = ox.parse(path=file.path, format=getattr(ox.RdfFormat, _QUAD_FORMATS[suffix]))
                store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
            else:
                raise LoadFailed(f"{file.path}: not a file of RDF this server reads (by its extension)")
        except (SyntaxError, ValueError, OSError) as exc:
            raise LoadFailed(f"{file.path}:{_where(exc)}") from None


def _where(exc: Exception) -> str:
    """pyoxigraph's "Parser error at line 3 between columns 1 and 4: ..." as "3:1: ..." (FILE:LINE:COLUMN)."""
    import re

    text = str(exc)
    match = re.match(r"Parser error (?:at|between) line (\d+)(?: between columns| column) (\d+)[^:]*: (.*?)(?: \([^()]*\))?$", text, re.S)
    if match:
        return f"{match[1]}:{match[2]}: {match[3]}"
    return f" {text}"


def graph_counts(store) -> dict[str, int]:
    """Triples per named graph of a pyoxigraph store."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def _published_store(files: list[GraphFile]):
    import pyoxigraph as ox

    store = ox.Store()
    load_files(store, files)
    return store


def published_counts(files: list[GraphFile]) -> dict[str, int]:
    """Triples per graph of ``files`` (each triple once), in the order the files name the graphs."""
    counts = graph_counts(_published_store(files))
    return {name: counts.get(name, 0) for name in dict.fromkeys(file.graph for file in files)}


def files_as_ntriples(paths: list[str]) -> bytes:
    """Every triple of the files at ``paths`` (quads flattened) as one N-Triples document, each triple once.

    The published ontology, shapes and labels are read this way at every start (and the data, where a
    command wants it as one graph): pyoxigraph's parsers, then one pass into rdflib, take a third of the
    time of rdflib's own Turtle parser. LoadFailed names a file that fails to parse."""
    import pyoxigraph as ox

    graph = GRAPH_BASE + "read"
    store = _published_store([GraphFile(path, graph) for path in paths])
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))


def published_ntriples(files: list[GraphFile]) -> list[tuple[str, bytes, int]]:
    """Each graph of ``files`` as N-Triples with its triple count, in the order the files name them."""
    import pyoxigraph as ox

    store = _published_store(files)
    counts = graph_counts(store)
    return [
        (name, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)), counts.get(name, 0))
        for name in dict.fromkeys(file.graph for file in files)
    ]


# ---------------------------------------------------------------- the store on disk (--store-path)
#
# A folder of ours: ``rocksdb/`` (pyoxigraph's on-disk store) and ``published``
# (the layout and the digest of the files it holds, written last). The query
# workers open it read-only: they start at once, share the operating system's
# page cache instead of each holding a copy, and a restart re-parses nothing.
#
# On disk, copies cost no memory, so the default graph a query sees (data,
# ontology, accepted contributions) is also stored as the store's own default
# graph: one index scan per pattern instead of a union over three graphs
# (a three-pattern join over a million triples: 29 -> 17 ms), each triple once.

LAYOUT = "2"  # of what a folder holds: a folder of another layout is loaded again

_DEFAULT_FROM_ACCEPTED = f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ACCEPTED_GRAPH}> {{ ?s ?p ?o }} }}"
_DEFAULT_WITHOUT_ACCEPTED = f"""DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{ACCEPTED_GRAPH}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}
  FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}
}}"""


def disk_store(folder: str | Path) -> Path:
    return Path(folder) / "rocksdb"


def prepare_disk_store(folder: str | Path, files: list[GraphFile], version: str, additions: bytes) -> bool:
    """Make the store in ``folder`` hold the published files and ``additions``; True if the files were loaded.

    The files are loaded only when their digest (``version``) differs from
    the one recorded; the additions (contributions' graphs and the accepted
    graph, small) replace every other graph at each start.
    """
    import pyoxigraph as ox

    folder = Path(folder)
    marker = folder / "published"
    recorded = f"{LAYOUT} {version}"
    loaded = not (marker.is_file() and marker.read_text() == recorded and disk_store(folder).is_dir())
    if loaded:
        marker.unlink(missing_ok=True)
        shutil.rmtree(disk_store(folder), ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(disk_store(folder)))
        load_files(store, files)
        load_files(store, [GraphFile(file.path, "") for file in files if file.graph in DEFAULT_GRAPHS])
        store.optimize()
        del store  # closed: only then may read-only workers open it
        marker.write_text(recorded)
    keep = {file.graph for file in files}
    add_to_disk_store(folder, additions, drop_other_graphs=keep)
    return loaded


def add_to_disk_store(folder: str | Path, nquads: bytes, drop_other_graphs: set[str] | None = None) -> None:
    """Write quads into the store while no worker has it open (RocksDB allows one writer, no readers then).

    ``drop_other_graphs``: first remove every named graph but these (and
    their copies in the default graph), as a start does before adding the
    contributions the instance folder holds.
    """
    import pyoxigraph as ox

    store = ox.Store(str(disk_store(folder)))
    if drop_other_graphs is not None:
        store.update(_DEFAULT_WITHOUT_ACCEPTED)
        for graph in list(store.named_graphs()):
            if getattr(graph, "value", None) not in drop_other_graphs:
                store.remove_graph(graph)
    if nquads.strip():
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
        store.update(PRUNE_ACCEPTED)
        store.update(_DEFAULT_FROM_ACCEPTED)
    store.flush()
    del store


def write_dump(store, destination: str | Path, media_type: str, graphs: dict[str, tuple[str, ...]], prefixes=None) -> None:
    """Stream graphs of a pyoxigraph ``store`` to a file (see ``Store.dump``): no copy in memory."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media_type)

    def quads():
        for target, sources in graphs.items():
            name = ox.NamedNode(target)
            for source in sources:
                for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(source)):
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, name)

    if fmt.supports_datasets:
        ox.serialize(quads(), output=str(destination), format=fmt, prefixes=prefixes)
    else:
        ox.serialize((quad.triple for quad in quads()), output=str(destination), format=fmt, prefixes=prefixes)
