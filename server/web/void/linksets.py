"""/linksets/{name}.nt: the links of one linkset (VoID) as N-Triples, so others can load exactly our links.

Which linksets exist and their links are ``server.linking.linksets``'s,
read from the store's data graphs; the body is built once per dataset
version and carries the one ETag.
"""

from __future__ import annotations

from flask import Response

from server.linking.linksets import linkset_ntriples
from server.rdf.media import content_type
from server.state import state
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.responses import Caching, etag_for, respond
from server.web.void import bp
from server.web.void.statistics import DATA_GRAPHS, compute_statistics


@bp.route("/linksets/<name>.nt", methods=["GET", "HEAD"])
def linkset(name: str):
    app = state()
    cache = versioned_cache("void")
    statistics = cache.get("statistics", lambda: compute_statistics(app.store))
    found = {ls.name: ls for ls in statistics["linksets"]}
    if name not in found:
        raise ApiError(404, f"no linkset {name!r}; the linksets are: {', '.join(found) or 'none'}")

    def build() -> Response:
        body = cache.get(("linkset", name), lambda: app.rewriter.outgoing(linkset_ntriples(app.store, found[name], DATA_GRAPHS)))
        return Response(body, 200, content_type=content_type("application/n-triples"))

    return respond(Caching(etag_for("linkset", name), vary_accept=False), build)
