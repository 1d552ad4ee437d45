"""/dumps/: the data as Turtle, N-Triples and N-Quads (the three named graphs), plain and gzipped.

The files are written once per dataset version by the store
(``dump_files``) into a temporary folder, then sent from disk with Range
and conditional-request support.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response

from server.state import state
from server.web.cache import versioned_cache
from server.web.errors import ApiError
from server.web.i18n import current_language
from server.web.responses import Caching, etag_for, respond, send_cached_file
from server.web.views import render_page
from server.web.void import bp
from server.web.dump_list import DUMPS
from server.web.void.dump_files import dump_folder


def _folder() -> Path:
    app = state()
    return versioned_cache("void").get("dumps", lambda: dump_folder(app.store, app.rewriter))


@bp.route("/dumps/", methods=["GET", "HEAD"])
def dump_index():
    language = current_language()
    return respond(Caching(etag_for("dumps-index", language), vary_accept=False, language=language), _index_page)


def _index_page() -> Response:
    folder = _folder()
    files = [
        {"name": dump.name, "label": dump.label, "type": dump.served_type, "bytes": (folder / dump.name).stat().st_size}
        for dump in DUMPS.values()
    ]
    return render_page("dumps.html", files=files, active=None)


@bp.route("/dumps/<name>", methods=["GET", "HEAD"])
def dump_file(name: str):
    dump = DUMPS.get(name)
    if dump is None:
        raise ApiError(404, f"no dump {name!r}; the dumps are: {', '.join(DUMPS)}")
    return send_cached_file(
        _folder() / dump.name,
        mimetype="application/gzip" if dump.gzipped else dump.media_type,  # Flask adds charset=utf-8 to text/*
        download_name=dump.name,
        as_attachment=dump.gzipped,
        caching=Caching(etag_for("dump", dump.name), vary_accept=False),
    )
