"""A W3C-style JSON-LD annotation of a new claim validates with `mxus validate`.

Its context types oa:start and oa:end as xsd:nonNegativeInteger, as the Web
Annotation vocabulary's own context (anno.jsonld) does; the shapes accept
that as well as xsd:integer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import RDF, XSD

from server.rdf.media import rdf_format_for_filename
from server.rdf.parsing import parse_rdf, union_graph

OA = Namespace("http://www.w3.org/ns/oa#")
ANNOTATION = Path(__file__).with_name("w3c-annotation.jsonld")


def test_the_annotation_types_its_offsets_as_the_standard_does(seed_text):
    graph = union_graph(parse_rdf(ANNOTATION.read_bytes(), rdf_format_for_filename(ANNOTATION.name), str(ANNOTATION)))
    [position] = graph.subjects(RDF.type, OA.TextPositionSelector)
    start, end = graph.value(position, OA.start), graph.value(position, OA.end)
    assert start.datatype == end.datatype == XSD.nonNegativeInteger
    [quote] = graph.subjects(RDF.type, OA.TextQuoteSelector)
    assert seed_text[int(start) : int(end)] == str(graph.value(quote, OA.exact))


def test_mxus_validate_accepts_it(project_root):
    command = [str(Path(sys.executable).with_name("mxus")), "validate", str(ANNOTATION)]
    done = subprocess.run(command, cwd=project_root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms (0 violation(s), 0 warning(s)" in done.stdout
