"""The "cite this" box of every resource page and the home page's Dataset JSON-LD.

What to cite comes from ``server.publication.citations`` (the article's
record, a resource's citation) and ``server.publication.dataset_jsonld``;
this module only gathers it for the templates (``_cite.html``).
"""

from __future__ import annotations

from server.publication.citations import apa, apa_parts, article_record, dataset_version, resource_citation
from server.publication.dataset_jsonld import dataset_jsonld
from server.rdf.media import CITATION_FORMATS
from server.rdf.namespaces import ID_SPACE
from server.state import state
from server.web.cache import versioned_cache
from server.web.dump_list import DUMPS


def _cached_article():
    """The article's record: the same for every page of one version of the dataset (three queries, asked once)."""
    store = state().store
    return versioned_cache("citation").get("article", lambda: article_record(store))


def page_citation(iri: str) -> dict | None:
    """The article's reference (with its downloads) and, for any other resource, how to cite that resource."""
    store = state().store
    record = _cached_article()
    if record is None:
        return None
    return {
        "article": {
            "text": apa(record),
            "parts": apa_parts(record),
            "downloads": [
                {"href": f"/cite/article/{record.slug}{fmt.extension}", "label": fmt.label, "type": fmt.media_type}
                for fmt in CITATION_FORMATS
            ],
        },
        "resource": resource_citation(store, iri, record,
                                      versioned_cache("citation").get("version", lambda: dataset_version(store))),
        "nanopub": _nanopub_path(iri),
    }


def _nanopub_path(iri: str) -> str | None:
    """Claims and quotations are also nanopublications (server.web.nanopubs serves them)."""
    kind, _, slug = iri[len(ID_SPACE):].partition("/") if iri.startswith(ID_SPACE) else ("", "", "")
    return f"/data/{kind}/{slug}.trig" if kind in ("claim", "quotation") and slug else None


def home_jsonld() -> dict:
    app = state()
    downloads = [(dump.name, dump.media_type) for dump in DUMPS.values() if not dump.gzipped]
    return dataset_jsonld(app.store, app.rewriter.served_base, _cached_article(), downloads)
