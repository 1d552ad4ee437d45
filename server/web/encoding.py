"""How answers travel: every page carries an ETag, and bodies are compressed when the client accepts it.

Compression is Flask-Compress: Brotli, else gzip, by the request's
``Accept-Encoding``; never bodies under ``MIN_BYTES``, never redirects or errors,
never streamed ones (the dumps are sent from disk with Range support and come
as ``.gz`` files of their own). A compressed body is another representation,
so it has another ETag: Flask-Compress tags it ``"X:br"`` or ``"X:gzip"``, and
``responses.respond`` counts those tags as current for a 304 when the
request accepts that coding. ``Vary: Accept-Encoding`` goes on every answer.

HTML answers whose route does not give an ETag (an error page, the query
page, a validation report) get one from their bytes, with 304s; routes that
know what a page shows should say so with ``responses.Caching`` instead, so
a 304 costs no rendering.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

from server.rdf.media import GRAPH_TYPES, HTML, JSON, OPENSEARCH, RESULT_TYPES
from server.web.responses import COMPRESSED_CODINGS

MIN_BYTES = 500  # below this a compressed body saves less than its headers cost
COMPRESSED_TYPES = (HTML, JSON, OPENSEARCH, *GRAPH_TYPES, *RESULT_TYPES, "text/plain", "text/css", "application/javascript",
                    "image/svg+xml", "application/xml", "text/xml")


def install(app: Flask) -> None:
    app.config.update(
        COMPRESS_ALGORITHM=list(COMPRESSED_CODINGS),
        COMPRESS_MIMETYPES=list(dict.fromkeys(COMPRESSED_TYPES)),
        COMPRESS_MIN_SIZE=MIN_BYTES,
        COMPRESS_BR_LEVEL=4,  # Brotli's fast levels: within a few per cent of level 11 on HTML, many times quicker
        COMPRESS_LEVEL=6,
        COMPRESS_STREAMS=False,  # the dumps: files with Range support, and .gz of their own
        COMPRESS_REGISTER=False,  # run below, after the page's ETag is known
        COMPRESS_EVALUATE_CONDITIONAL_REQUEST=False,  # 304s are ours (responses.respond, below)
    )
    compress = Compress(app)

    @app.after_request
    def tag_and_compress(response: Response) -> Response:
        tagged_here = _tag_page(response)
        if not (200 <= response.status_code < 300 or response.status_code == 304):
            return response  # redirects and errors: small, never compressed, so no Vary: Accept-Encoding
        response = compress.after_request(response)
        if tagged_here and response.status_code == 200 and request.method in ("GET", "HEAD"):
            response = _not_modified_if_current(response)
        return response


def _tag_page(response: Response) -> bool:
    """An ETag from the bytes of an HTML answer that has none (not a streamed one); whether one was added."""
    if response.mimetype != HTML or response.is_streamed or response.get_etag()[0] or response.status_code == 304:
        return False
    response.add_etag()
    return True


def _not_modified_if_current(response: Response) -> Response:
    """304 when the client already has this representation (its ETag, compressed or not, as sent)."""
    etag, weak = response.get_etag()
    if not etag or not request.if_none_match.contains_weak(etag):
        return response
    response.status_code = 304
    response.set_data(b"")
    for name in ("Content-Length", "Content-Encoding", "Content-Type"):
        response.headers.pop(name, None)
    response.headers["ETag"] = f'{"W/" if weak else ""}"{etag}"'
    return response
