"""The ontology and the shapes as documents: /ontology and /shapes.

Each is HTML for people and RDF (Turtle, JSON-LD, N-Triples, RDF/XML) for
machines, by Accept, by ``?format=`` or by extension (/ontology.ttl). The
HTML is generated from the published graphs already loaded at start-up
(``ontology_views``); usage counts come from the store, through SPARQL.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request
from rdflib import Graph

from server.rdf.media import DESCRIPTION_TYPES, EXTENSIONS, HTML, content_type, serialize_as
from server.rdf.namespaces import VANN, bind_prefixes
from server.state import state
from server.web.errors import ApiError
from server.web.negotiation import negotiate
from server.web.ontology_views import ontology_doc, ontology_graph, ontology_version, shapes_doc
from server.web.i18n import current_language
from server.web.responses import Caching, alternates, etag_for, respond
from server.web.views import render_page

bp = Blueprint("ontology_docs", __name__)


@bp.route("/ontology", defaults={"extension": None})
@bp.route("/ontology.<extension>")
def ontology(extension: str | None):
    media_type = _media_type(extension, "ontology")
    if media_type != HTML:
        return _document("ontology", media_type, lambda: _rdf(ontology_graph(), media_type))
    return _document("ontology", HTML, lambda: render_page("ontology.html", doc=ontology_doc(), active="ontology_docs.ontology"))


@bp.route("/ontology/<version>", endpoint="ontology_version")
def ontology_version_iri(version: str):
    """The version IRI (owl:versionIRI, /ontology/0.1.0): the current version is /ontology.

    /ontology/0.1.0.ttl and the other extensions answer like /ontology.ttl.
    Earlier versions are not kept: 404.
    """
    current = ontology_version()
    if current and version == current:
        return ontology(None)
    if current and version.startswith(current + "."):
        return ontology(version[len(current) + 1 :])
    where = f"the current version is /ontology/{current} (also /ontology)" if current else "see /ontology"
    raise ApiError(404, f"no version {version} of the ontology here: {where}")


@bp.route("/shapes", defaults={"extension": None})
@bp.route("/shapes.<extension>")
def shapes(extension: str | None):
    media_type = _media_type(extension, "shapes")
    if media_type != HTML:
        return _document("shapes", media_type, lambda: _rdf(state().published.shapes, media_type))
    return _document("shapes", HTML, lambda: render_page("shapes.html", doc=shapes_doc(), active=None))


def _media_type(extension: str | None, name: str) -> str:
    if extension is not None:
        media_type = EXTENSIONS.get("." + extension)
        if media_type is None:
            raise ApiError(404, f"no /{name}.{extension}: the formats are " + ", ".join(f"/{name}{e}" for e in EXTENSIONS))
        return media_type
    return negotiate(request.accept_mimetypes, (HTML, *DESCRIPTION_TYPES), request.args.get("format"))


def _document(name: str, media_type: str, build: Callable[[], Response]) -> Response:
    language = current_language() if media_type == HTML else None  # the page is in one language, the RDF in all
    return respond(Caching(etag_for(name, media_type, language or ""), link=alternates(f"/{name}"), language=language), build)


def _rdf(graph: Graph, media_type: str) -> Response:
    out = bind_prefixes(Graph())
    out.bind("vann", VANN)
    out += graph
    body = state().rewriter.outgoing(serialize_as(out, media_type))
    return Response(body, 200, content_type=content_type(media_type))
