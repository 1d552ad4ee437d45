"""What crawlers read: /sitemap.xml (sitemaps.org, split beyond 50,000 URLs), /robots.txt, /favicon.ico."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from flask import Response

from server.rdf.namespaces import CANONICAL_BASE, ID_SPACE
from server.rdf.uris import Rewriter, is_valid_thing_path
from server.state import state
from server.store import Store
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.responses import SITEMAP_MAX_AGE, STATIC_MAX_AGE, Caching, etag_for, respond
from server.web.void import bp
from server.web.void.statistics import select_data

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
STATIC_PAGES = ("", "claims", "timeline", "ontology", "query")
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def page_urls(store: Store) -> list[str]:
    """Canonical URLs of the HTML pages: the fixed ones and /page/{type}/{slug} per resource."""
    urls = [CANONICAL_BASE + page for page in STATIC_PAGES]
    rows = select_data(
        store,
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID_SPACE}")) }} ORDER BY ?s',
    )
    for row in rows:
        kind, _, slug = row["s"][len(ID_SPACE) :].partition("/")
        if is_valid_thing_path(kind, slug):
            urls.append(f"{CANONICAL_BASE}page/{kind}/{slug}")
    return urls


def build_sitemaps(store: Store, rewriter: Rewriter) -> list[bytes]:
    """One urlset (sitemaps.org) when it fits, else a sitemap index followed by its parts."""
    urls = page_urls(store)
    chunks = [urls[i : i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    namespace = f'xmlns="{SITEMAP_NAMESPACE}"'

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


def _sitemaps() -> list[bytes]:
    app = state()
    return versioned_cache("void").get("sitemaps", lambda: build_sitemaps(app.store, app.rewriter))


def _xml(part: int, tag: str) -> Response:
    def build() -> Response:
        return Response(_sitemaps()[part], 200, content_type="application/xml; charset=utf-8")

    return respond(Caching(etag_for(tag), max_age=SITEMAP_MAX_AGE, vary_accept=False), build)


@bp.route("/sitemap.xml", methods=["GET", "HEAD"])
def sitemap():
    return _xml(0, "sitemap")


@bp.route("/sitemaps/<int:number>.xml", methods=["GET", "HEAD"])
def sitemap_part(number: int):
    parts = _sitemaps()
    if len(parts) == 1 or not 1 <= number < len(parts):
        raise ApiError(404, f"no sitemap part {number}; start at /sitemap.xml")
    return _xml(number, f"sitemap-{number}")


def robots_text(served_base: str) -> str:
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
    rewriter = state().rewriter
    body = rewriter.outgoing(robots_text(rewriter.served_base).encode())
    response = Response(body, 200, content_type="text/plain; charset=utf-8")
    return Caching(max_age=STATIC_MAX_AGE, vary_accept=False).apply(response)


@bp.route("/favicon.ico", methods=["GET", "HEAD"])
def favicon():
    """Browsers ask for /favicon.ico on every site; answer "no icon" rather than a 404 in their console.

    A page blueprint that serves a real icon, registered before this one, takes precedence.
    """
    return Caching(max_age=STATIC_MAX_AGE, vary_accept=False).apply(Response(status=204))
