"""Which dumps exist: their names, media types and what each holds.

Not a blueprint: the dataset description lists them as DCAT distributions
(``void``), /dumps/ serves them (``void``), and the home page names them in
its schema.org Dataset JSON-LD (``pages``).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.rdf.media import content_type

DUMP_STEM = "mxus-ld"


@dataclass(frozen=True)
class Dump:
    name: str  # file name under /dumps/
    media_type: str  # of the (uncompressed) content
    label: str
    graphs: str  # "data", "all" or "nanopubs" (every claim and quotation as a nanopublication)
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
        Dump(f"{DUMP_STEM}-nanopubs.trig", "application/trig",
             "TriG, every claim and quotation as a nanopublication (not rewritten: trusty URIs)", "nanopubs"),
    )
    return plain + tuple(Dump(d.name + ".gz", d.media_type, d.label + ", gzipped", d.graphs, True) for d in plain)


DUMPS = {dump.name: dump for dump in _dumps()}
