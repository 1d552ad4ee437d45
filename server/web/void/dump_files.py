"""Writing the dumps (``server.web.dump_list`` says which): streamed by the store, rewritten to the served base, gzipped.

Not a route module: the dataset description lists the dumps as DCAT
distributions, and /dumps/ serves them.
"""

from __future__ import annotations

import atexit
import gzip
import shutil
import tempfile
from pathlib import Path

from server.publication.nanopubs import build_nanopubs
from server.web.dump_list import DUMPS
from server.rdf.namespaces import ID_SPACE, PREFIXES
from server.rdf.uris import Rewriter
from server.store import Store
from server.store.graphs import ACCEPTED_GRAPH, DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH


def dump_folder(store: Store, rewriter: Rewriter) -> Path:
    """A temporary folder holding every dump (removed at exit); a large corpus is serialized once, then sent from disk."""
    folder = Path(tempfile.mkdtemp(prefix="mxus-dumps-"))
    atexit.register(shutil.rmtree, folder, True)
    try:
        write_dumps(store, rewriter, folder)
    except BaseException:
        shutil.rmtree(folder, True)
        raise
    return folder


def write_dumps(store: Store, rewriter: Rewriter, folder: Path) -> None:
    """Write the dumps once into ``folder``, streamed by the store, then rewritten to the served base.

    The data graph of the dumps holds the accepted contributions too, as the default graph serves them.
    """
    data = {DATA_GRAPH: (DATA_GRAPH, ACCEPTED_GRAPH)}
    everything = {**data, ONTOLOGY_GRAPH: (ONTOLOGY_GRAPH,), SHAPES_GRAPH: (SHAPES_GRAPH,)}
    for dump in DUMPS.values():
        if dump.gzipped:
            continue
        if dump.graphs == "nanopubs":  # as built: a trusty URI is a hash of the canonical URIs
            (folder / dump.name).write_bytes(build_nanopubs(store).dump())
            continue
        raw = folder / (dump.name + ".raw")
        store.dump(raw, dump.media_type, everything if dump.graphs == "all" else data,
                   turtle_prefixes(store) if dump.media_type == "text/turtle" else None)
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


def turtle_prefixes(store: Store) -> dict[str, str]:
    """The usual prefixes, and one per kind of thing (``person:`` for .../id/person/), asked of the store:
    a million subjects are not worth a million Python objects."""
    rows = store.select(
        f"""SELECT DISTINCT ?kind WHERE {{
              ?s ?p ?o
              FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}"))
              BIND (STRBEFORE(STRAFTER(STR(?s), "{ID_SPACE}"), "/") AS ?kind)
            }}""",
        (DATA_GRAPH, ACCEPTED_GRAPH),
    )
    prefixes = dict(PREFIXES)
    for kind in sorted(str(row["kind"]) for row in rows if "kind" in row):
        if kind and kind.isalpha() and kind not in prefixes:
            prefixes[kind] = f"{ID_SPACE}{kind}/"
    return prefixes
