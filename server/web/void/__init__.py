"""The dataset as a whole: its description, its dumps, and what crawlers read.

One blueprint, ``void``, with one module per concern, as ``pages`` has:
``description`` (/.well-known/void: VoID and DCAT, counts by SPARQL),
``dumps`` (/dumps/: the data as files, written by the store),
``crawlers`` (/sitemap.xml, /robots.txt, /favicon.ico) and ``linksets``
(/linksets/{name}.nt: our links out, one file per VoID linkset). What they share
is ``dump_files`` (writing the dumps; which exist is ``server.web.dump_list``) and ``statistics`` (the counts).

Everything is computed at the first request that needs it and kept in
the application's cache for the dataset version (``server.web.cache``).
Every body is built with canonical URIs and passed through the Rewriter,
so links point at the served base.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("void", __name__)

# The route modules register their views on ``bp`` when imported.
from server.web.void import crawlers, description, dumps, linksets  # noqa: E402, F401
