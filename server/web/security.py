"""What every answer carries so a hostile page or input cannot turn the site against its readers.

Security headers on every answer (a strict Content-Security-Policy on
pages: no script runs, but the query page's own editor, nothing loads from
elsewhere, no framing);
control and bidirectional-override characters from the data shown as
visible escapes in pages, never raw; no redirect built from the client's
``Host`` (paths with ``//`` are not merged into a redirect); secrets in a
query string never written to the log.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request
from markupsafe import Markup

from server.publication.tokens import Identity
from server.state import state

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The query page's editor (YASGUI): its scripts and its queries to /sparql, from this origin only;
# still no inline script and no eval. YASR's column resizer adds its rules as two <style> elements
# (the table's layout, the cursor while dragging): their hashes allow exactly those two texts.
# tests/test_query_editor.py recomputes them from server/static/yasgui/yasgui.min.js.
EDITOR_STYLE_HASHES = ("sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=", "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=")
SCRIPTED_POLICY = (
    CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' " + " ".join(f"'{h}'" for h in EDITOR_STYLE_HASHES))
    + "; script-src 'self'; connect-src 'self'"
)
FRAMEABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls; bidirectional embeddings,
# overrides and isolates: they reorder or hide what a reader sees.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
access_log = logging.getLogger("mxus.access")
SECRET_PARAMETERS = {"token", "access_token", "api_key", "apikey", "password", "authorization"}


def bearer_identity() -> Identity | None:
    """Who the request's ``Authorization: Bearer TOKEN`` names; None without a valid one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return state().tokens.authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def visible(text: str) -> str:
    """``text`` with every invisible control shown as its code point, e.g. ``⟨U+202E⟩``."""
    return _INVISIBLE.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


def _finalize(value):
    """Jinja's last step for every ``{{ … }}``: strings from the data lose their invisible controls."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def log_access(method: str, path: str, query_string: str, status: int | str, started: float) -> None:
    """The access log's one line per request, secrets replaced, whoever answered it (Flask or the replay)."""
    access_log.info("%s %s %s %.1fms", method, shown_path(path, query_string), status, (time.perf_counter() - started) * 1000)


def shown_path(path: str, query_string: str) -> str:
    """``path?query`` with the values of secret parameters replaced (also for requests answered before Flask)."""
    if not query_string:
        return path
    pairs = parse_qsl(query_string, keep_blank_values=True)
    shown = [(name, "REDACTED" if name.lower() in SECRET_PARAMETERS else value) for name, value in pairs]
    return f"{path}?{urlencode(shown)}"


def install(app: Flask) -> None:
    app.url_map.merge_slashes = False  # Werkzeug would redirect //x to an absolute URL built from Host
    app.jinja_env.finalize = _finalize

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if response.mimetype == "text/html" and getattr(response, "frameable", False):
            # A reconciliation preview: made to be shown in a client's <iframe> (OpenRefine), any origin;
            # it has no form and no action to be tricked into, and still runs no script.
            response.headers["Content-Security-Policy"] = FRAMEABLE_POLICY
        elif response.mimetype == "text/html":
            scripted = getattr(response, "scripted", False)
            response.headers["Content-Security-Policy"] = SCRIPTED_POLICY if scripted else CONTENT_SECURITY_POLICY
            response.headers["X-Frame-Options"] = "DENY"
        return response
