"""mxus-ld: the article's knowledge graph, its validation and its server.

``create_app(config)`` (built in ``server.app``) assembles the Flask application. The package itself
imports nothing: a query worker (``python -m server.store.query_worker``) imports this package first,
and should pay for pyoxigraph only, not for Flask, rdflib and pySHACL (0.7 s of CPU a worker).
"""


def create_app(config: dict | None = None):
    from server.app import create_app as build

    return build(config)
