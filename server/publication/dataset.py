"""The published graphs on disk: ontology, shapes and data.

The ontology and the shapes are small and read with rdflib at start (pages,
validation). The data may be a million triples: it is not read here but
loaded by pyoxigraph wherever it is queried (``graph_files``), and read
with rdflib only on demand (``data``), by the command line and the tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from server.publication.anchors import read_source, sha256_of
from server.rdf.media import UnknownFormat, rdf_format_for_filename
from server.store.base import graph_from_ntriples
from server.store.graphs import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, GraphFile, files_as_ntriples

ONTOLOGY_FILES = ("mxus.ttl", "external.ttl")
SHAPES_FILE = "shapes.ttl"
LABELS_FILE = "labels.ttl"  # plain-word labels of the reused terms the data uses: for pages, not published


@dataclass
class PublishedGraphs:
    ontology: Graph  # our terms plus the reused vocabularies' axioms we rely on
    shapes: Graph
    data_files: list[Path] = field(default_factory=list)
    digest: str = ""  # of the files' bytes: the same files give the same digest, on any machine
    sources: dict = field(default_factory=dict)  # SHA-256 of a source text -> its text, for checking anchors
    ontology_files: list[Path] = field(default_factory=list)
    shapes_files: list[Path] = field(default_factory=list)
    term_labels: Graph = field(default_factory=Graph)  # ontology/labels.ttl

    @cached_property
    def label_table(self) -> dict[str, dict[str, str]]:
        """{term IRI: {language: label}} of labels.ttl and the ontology's own terms: how pages name a term."""
        table: dict[str, dict[str, str]] = {}
        for graph in (self.ontology, self.term_labels):
            for term, label in graph.subject_objects(RDFS.label):
                if isinstance(label, Literal) and label.language:
                    table.setdefault(str(term), {}).setdefault(label.language, str(label))
        return table

    @cached_property
    def data(self) -> Graph:
        """The data as one rdflib graph, parsed on first use: never on the server's paths."""
        return read_graph(self.data_files)

    def graph_files(self) -> list[GraphFile]:
        """Every published file with the named graph the store keeps it in."""
        return [
            *(GraphFile(str(path), ONTOLOGY_GRAPH) for path in self.ontology_files),
            *(GraphFile(str(path), SHAPES_GRAPH) for path in self.shapes_files),
            *(GraphFile(str(path), DATA_GRAPH) for path in self.data_files),
        ]


def rdf_files(paths: list[Path]) -> list[Path]:
    """The RDF files under ``paths`` (files as given, folders walked), sorted."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.is_file():
                try:
                    rdf_format_for_filename(candidate.name)
                except UnknownFormat:
                    if not path.is_dir():
                        raise
                    continue
                found.append(candidate)
    return found


def read_graph(paths: list[Path]) -> Graph:
    """The RDF files under ``paths`` as one rdflib graph (LoadFailed names a file that fails to parse)."""
    return graph_from_ntriples(files_as_ntriples([str(path) for path in rdf_files(paths)]))


def files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in rdf_files(paths):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_published(settings: dict) -> PublishedGraphs:
    ontology_dir = Path(settings["ONTOLOGY_DIR"])
    ontology_files = [ontology_dir / name for name in ONTOLOGY_FILES]
    shapes_files = [ontology_dir / SHAPES_FILE]
    data_paths = [Path(p) for p in settings["DATA_PATHS"]]
    labels_files = [path for path in (ontology_dir / LABELS_FILE,) if path.is_file()]
    return PublishedGraphs(
        ontology=read_graph(ontology_files),
        shapes=read_graph(shapes_files),
        data_files=rdf_files(data_paths),
        digest=files_digest([*ontology_files, *shapes_files, *labels_files, *data_paths]),
        sources=source_texts(Path(settings["SEEDS_DIR"])),
        ontology_files=ontology_files,
        shapes_files=shapes_files,
        term_labels=read_graph(labels_files),
    )


def source_texts(folder: Path) -> dict[str, str]:
    """The seed files by SHA-256: a mxus:SourceText names its file by digest."""
    return {sha256_of(path): read_source(path) for path in sorted(folder.glob("*.txt"))} if folder.is_dir() else {}
