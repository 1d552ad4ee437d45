"""Claims and quotations as nanopublications: /nanopubs/, /data/{claim|quotation}/{slug}.trig, /np/{code}.

Built by ``server.publication.nanopubs``: one alone for its /data/ URL, all
of them once per dataset version for the listing and /np/{code}; served
as built: a nanopublication's trusty URI is a hash of its content, canonical
URIs included, so unlike every other answer its body is never rewritten to
the served base (it would no longer verify).
"""

from __future__ import annotations

from flask import Blueprint, Response

from server.publication.nanopubs import Nanopub, Nanopubs, build_nanopubs
from server.rdf.media import content_type, rdf_format_by_name
from server.rdf.namespaces import NANOPUB_BASE
from server.rdf.uris import is_valid_thing_path, thing_uri
from server.state import state
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.responses import Caching, etag_for, respond
from server.web.views import iri_view, render_page, row_text, select

bp = Blueprint("nanopubs", __name__)
TRIG = rdf_format_by_name("trig").media_type
KINDS = ("claim", "quotation")


def all_nanopubs() -> Nanopubs:
    app = state()
    return versioned_cache("nanopubs", entries=1).get("all", lambda: build_nanopubs(app.store))


@bp.route("/nanopubs/", methods=["GET", "HEAD"])
def listing():
    return respond(Caching(etag_for("nanopubs"), vary_accept=False), _listing_page)


def _listing_page() -> Response:
    labels = {
        str(row["s"]): row_text(row, "label")
        for row in select('SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER (lang(?label) = "en") }')
    }
    items = [
        {
            "subject": iri_view(nanopub.subject, labels.get(nanopub.subject)),
            "uri": nanopub.uri,
            "trig": f"/np/{nanopub.code}.trig",
        }
        for nanopub in all_nanopubs().by_subject.values()
    ]
    items.sort(key=lambda item: item["subject"]["text"].casefold())
    return render_page("nanopubs.html", items=items, active=None)


@bp.route("/data/<kind>/<slug>.trig", methods=["GET", "HEAD"])
def of_resource(kind: str, slug: str):
    if kind not in KINDS or not is_valid_thing_path(kind, slug):
        raise ApiError(404, f"no nanopublication for /id/{kind}/{slug}: claims and quotations have one")
    iri, app = thing_uri(kind, slug), state()
    nanopub = versioned_cache("nanopub").get(iri, lambda: build_nanopubs(app.store, iri).by_subject.get(iri))
    if nanopub is None:
        raise ApiError(404, f"no {kind} /id/{kind}/{slug} in this dataset")
    return _send(nanopub)


@bp.route("/np/<code>", methods=["GET", "HEAD"])
@bp.route("/np/<code>.trig", methods=["GET", "HEAD"])
def by_code(code: str):
    nanopub = all_nanopubs().by_code.get(code)
    if nanopub is None:
        raise ApiError(404, f"no nanopublication {NANOPUB_BASE}{code} in this version of the dataset")
    return _send(nanopub)


def _send(nanopub: Nanopub) -> Response:
    link = f'<{nanopub.uri}>; rel="canonical", <{nanopub.subject}>; rel="describes"'
    caching = Caching(etag_for("nanopub", nanopub.code), vary_accept=False, link=link)
    return respond(caching, lambda: Response(nanopub.trig, 200, content_type=content_type(TRIG)))
