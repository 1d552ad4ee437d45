"""Loading the published graphs from disk: ontology, shapes and data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .media import UnknownFormat, rdf_format_for_filename
from .parsing import parse_rdf, union_graph

ONTOLOGY_FILES = ("mxus.ttl", "external.ttl")
SHAPES_FILE = "shapes.ttl"


@dataclass
class PublishedGraphs:
    ontology: Graph  # our terms plus the reused vocabularies' axioms we rely on
    shapes: Graph
    data: Graph


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
    graph = Graph()
    for path in rdf_files(paths):
        graph += union_graph(parse_rdf(path.read_bytes(), rdf_format_for_filename(path.name), str(path)))
    return graph


def load_published(settings: dict) -> PublishedGraphs:
    ontology_dir = Path(settings["ONTOLOGY_DIR"])
    return PublishedGraphs(
        ontology=read_graph([ontology_dir / name for name in ONTOLOGY_FILES]),
        shapes=read_graph([ontology_dir / SHAPES_FILE]),
        data=read_graph([Path(p) for p in settings["DATA_PATHS"]]),
    )
