"""Reading a request body within the size limit: shared by /validate and /contributions."""

from __future__ import annotations

from werkzeug.exceptions import RequestEntityTooLarge

from server.web.errors import ApiError


def request_body(request, max_bytes: int) -> bytes:
    """The raw body of ``request``; 413 naming the limit when it is larger than ``max_bytes``.

    A body without Content-Length (chunked) is read one byte past the limit:
    Werkzeug stops such a stream at the limit without an error, which would
    silently store a truncated submission.
    """
    try:
        if request.content_length is None and request.method == "POST":
            body = request.stream.read(max_bytes + 1)
            if len(body) > max_bytes or request.stream.read(1):
                raise ApiError(413, too_large_message(max_bytes))
            return body
        return request.get_data()
    except RequestEntityTooLarge:
        raise ApiError(413, too_large_message(max_bytes)) from None


def too_large_message(max_bytes: int) -> str:
    return f"the request body is larger than the limit of {max_bytes} bytes (MAX_BODY_BYTES); split the submission"
