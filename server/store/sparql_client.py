"""A SPARQL 1.1 Protocol client for one store (through SPARQLWrapper): queries within a deadline
and a size limit, updates, and the store's failures as the errors of ``server.store.errors``.

Written for any SPARQL 1.1 store and run against two (Oxigraph server and Virtuoso 7.2): writes are
``INSERT { GRAPH … } WHERE { }`` in batches (Virtuoso refuses blank nodes in ``INSERT DATA`` and
updates over about 1,500 triples), and an answer a store marks as partial is never passed on as whole.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import time
import urllib.error
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit, urlunsplit

from SPARQLWrapper import INSERT, POST, POSTDIRECTLY, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from server.store.errors import QueryFailed, QueryTimeout, QueryTooLarge, StoreFailed, store_refusal
from server.store.answers import TSV, refuse_partial, tsv_from_json
from server.store.updates import batches, insert_update

log = logging.getLogger(__name__)

UPDATE_TIMEOUT = 120.0  # seconds for one write while serving (a contribution, an acceptance)
LOAD_TIMEOUT = 3600.0  # seconds for one graph pushed by ``mxus load`` or at start
CHUNK = 1 << 16
MESSAGE_CHARS = 2000  # of a store's error message passed on

# How a store ends an answer it cut off at its own time limit after it had begun it with 200
# (Oxigraph server: its message appended to the partial body): a timeout, not a result.
CUT_OFF_MARKERS = (b"The SPARQL operation has been cancelled",)

# What a store may answer for the media type asked (older or generic names of the same thing).
EQUIVALENT_TYPES = {
    "application/sparql-results+json": {"application/json"},
    "application/sparql-results+xml": {"application/xml", "text/xml"},
    "application/rdf+xml": {"application/xml", "text/xml"},
    "application/ld+json": {"application/json"},
    "application/n-triples": {"text/plain"},
    "text/turtle": {"application/x-turtle"},
}


def default_update_url(query_url: str) -> str:
    """Oxigraph server answers queries at /query and updates at /update; other stores often use one URL."""
    parts = urlsplit(query_url)
    if parts.path.endswith("/query"):
        return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
    return query_url


def display_url(url: str) -> str:
    """The URL without credentials, for logs and messages."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    return urlunsplit(parts)


def _message(body: bytes | None) -> str:
    """A store's error body as one readable message (HTML pages reduced to their text)."""
    text = (body or b"").decode("utf-8", errors="replace")
    if "<html" in text[:500].lower() or "<!doctype" in text[:500].lower():
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = text.split("\n\nSPARQL query:\n", 1)[0].strip()  # Virtuoso repeats the whole query after its message
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS] + " …"
    return text or "(no message)"


def _response_of(error: SPARQLWrapperException) -> bytes:
    """The body a SPARQLWrapper exception was raised with (it keeps it only in its message, as a repr)."""
    text = str(error.args[0]) if error.args else ""
    _, found, rest = text.partition("\n\nResponse:\n")
    if found:
        try:
            body = ast.literal_eval(rest)
        except (ValueError, SyntaxError):
            return rest.encode()
        if isinstance(body, bytes):
            return body
    return b""


class _Client(SPARQLWrapper):
    """SPARQLWrapper told what it sends (a query or an update) rather than guessing from the text.

    Its guess warns on text it cannot read; the store is the one to say what is wrong with it.
    """

    def __init__(self, endpoint: str, update_endpoint: str, kind: str):
        self._kind = kind
        super().__init__(endpoint, updateEndpoint=update_endpoint)

    def _parseQueryType(self, query: str) -> str | None:  # the hook SPARQLWrapper calls from setQuery
        return self._kind


@dataclass
class RemoteEndpoint:
    """One SPARQL 1.1 store: its query and update URLs, credentials and limits."""

    url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0  # seconds a query may take, in all (QUERY_TIMEOUT)
    max_result_bytes: int = 50_000_000

    def __post_init__(self) -> None:
        self.update_url = self.update_url or default_update_url(self.url)

    @classmethod
    def from_settings(cls, settings: dict) -> "RemoteEndpoint":
        return cls(
            settings["STORE_URL"],
            settings["STORE_UPDATE_URL"],
            settings["STORE_USER"],
            settings["STORE_PASSWORD"],
            float(settings["QUERY_TIMEOUT"]),
            settings["MAX_RESULT_BYTES"],
        )

    def _client(self, kind: str, timeout: float) -> _Client:
        client = _Client(self.url, self.update_url, kind)
        client.setMethod(POST)  # queries up to MAX_QUERY_BYTES and many graph parameters do not fit a URL
        client.setOnlyConneg(True)  # the media type goes in Accept only, no format= parameters
        if self.user is not None:
            client.setCredentials(self.user, self.password)  # HTTP basic
        client.timeout = timeout  # setTimeout() would round it down to whole seconds
        return client

    # ------------------------------------------------------------------ queries

    def query(self, text: str, media_type: str, default_graphs=(), named_graphs=()) -> bytes:
        """The answer of the store in ``media_type``, unchanged; QueryFailed (a subclass) otherwise."""
        deadline = time.monotonic() + self.timeout
        if media_type == TSV:  # written here from JSON: stores differ from the specification there
            return tsv_from_json(self.query(text, "application/sparql-results+json", default_graphs, named_graphs))
        client = self._client(SELECT, self.timeout)
        client.setQuery(text)
        for graph in default_graphs:
            client.addParameter("default-graph-uri", graph)
        for graph in named_graphs:
            client.addParameter("named-graph-uri", graph)
        client.addCustomHttpHeader("Accept", media_type)
        response = self._send(client, "query")
        try:
            refuse_partial(response.headers)
            served = response.headers.get("Content-Type")
            if served:
                served = served.split(";")[0].strip().lower()
                if served != media_type and served not in EQUIVALENT_TYPES.get(media_type, ()):
                    log.warning("the SPARQL store at %s answered %s when asked for %s", display_url(self.url), served, media_type)
                    raise StoreFailed(f"the SPARQL store answered {served} when asked for {media_type}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > self.max_result_bytes:
                raise self._too_large(int(length))
            return self._read(response, deadline)
        finally:
            response.close()

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query was abandoned after the time limit of {self.timeout:g} s (the SPARQL store had not answered)"
        )

    def _too_large(self, size: int | None = None) -> QueryTooLarge:
        what = f"the result ({size} bytes)" if size else "the result"
        return QueryTooLarge(f"{what} exceeds the limit of {self.max_result_bytes} bytes; add a LIMIT")

    def _read(self, response, deadline: float) -> bytes:
        """The whole body, within the deadline and the size limit (the socket waits at most until the deadline)."""
        raw = getattr(getattr(response, "fp", None), "raw", None)
        sock = getattr(raw, "_sock", None)
        chunks, size = [], 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timed_out()
            if sock is not None:
                sock.settimeout(remaining)
            try:
                chunk = response.read1(CHUNK)
            except TimeoutError:
                raise self._timed_out() from None
            except (OSError, HTTPException) as exc:
                log.warning("reading an answer of the SPARQL store at %s failed: %s", display_url(self.url), exc)
                raise StoreFailed("the SPARQL store broke off its answer") from None
            if not chunk:
                body = b"".join(chunks)
                if body.rstrip().endswith(CUT_OFF_MARKERS):
                    raise QueryTimeout("the SPARQL store stopped the query at its own time limit")
                return body
            size += len(chunk)
            if size > self.max_result_bytes:
                raise self._too_large()
            chunks.append(chunk)

    def _send(self, client: _Client, operation: str):
        """The store's response (headers read); its failures as QueryFailed subclasses."""
        target = display_url(self.url if operation == "query" else self.update_url)
        try:
            return client.query().response
        except SPARQLWrapperException as exc:
            code = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414}.get(
                type(exc).__name__, 500
            )
            raise self._refused(operation, target, code, _message(_response_of(exc))) from None
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, HTTPException):
                body = b""
            raise self._refused(operation, target, exc.code, _message(body)) from None
        except TimeoutError:
            if operation == "query":
                raise self._timed_out() from None
            raise StoreFailed(f"the SPARQL store did not finish the {operation} in time") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError) and operation == "query":
                raise self._timed_out() from None
            log.warning("cannot reach the SPARQL store at %s: %s", target, exc.reason)
            raise StoreFailed(f"the SPARQL store could not be reached ({exc.reason})") from None
        except (OSError, HTTPException) as exc:
            log.warning("the SPARQL store at %s failed: %s", target, exc)
            raise StoreFailed(f"the SPARQL store could not be reached ({exc})") from None

    def _refused(self, operation: str, target: str, code: int, message: str) -> QueryFailed:
        if code != 400 or operation != "query":
            log.warning("the SPARQL store at %s answered %s to a %s: %s", target, code, operation, message[:300])
        return store_refusal(operation, code, message)

    def select(self, text: str) -> list[dict[str, str]]:
        """Rows of a SELECT over the store's own dataset (every graph by name), as plain strings."""
        body = json.loads(self.query(text, "application/sparql-results+json"))
        return [{name: cell["value"] for name, cell in row.items()} for row in body["results"]["bindings"]]

    # ------------------------------------------------------------------ updates

    def update(self, text: str, timeout: float = UPDATE_TIMEOUT) -> None:
        client = self._client(INSERT, timeout)
        client.setRequestMethod(POSTDIRECTLY)  # application/sparql-update: the text as it is, not form-encoded
        client.setQuery(text)
        self._send(client, "update").close()

    def insert(self, graph: str, ntriples: bytes, timeout: float = UPDATE_TIMEOUT) -> None:
        """Add N-Triples to a named graph, in batches that keep each blank node whole."""
        for batch in batches(ntriples):
            self.update(insert_update(graph, batch), timeout)

    def replace(self, graph: str, ntriples: bytes, timeout: float = LOAD_TIMEOUT) -> None:
        """Make a named graph hold exactly these N-Triples: one request up to ``BATCH_TRIPLES`` (then the
        replacement is atomic), else the drop with the first batch and one request per further batch."""
        parts = batches(ntriples)
        text = f"DROP SILENT GRAPH <{graph}>"
        if parts:
            text += " ;\n" + insert_update(graph, parts[0])
        self.update(text, timeout)
        for batch in parts[1:]:
            self.update(insert_update(graph, batch), timeout)

    def drop(self, graphs: list[str]) -> None:
        if graphs:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))

    def fetch_graph(self, graph: str) -> bytes:
        """A whole named graph as N-Triples, without the result-size limit of queries."""
        whole = RemoteEndpoint(self.url, self.update_url, self.user, self.password, LOAD_TIMEOUT, 1 << 62)
        return whole.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", "application/n-triples")

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]) if rows and "n" in rows[0] else 0

    def graphs_under(self, prefix: str) -> list[str]:
        rows = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), "{prefix}")) }}'
        )
        return sorted(row["g"] for row in rows if "g" in row)

