"""Settings: every one with a name, a default and a line of help.

One checked object, so a typo in a setting is an error rather than a
silently ignored value, and the README can list them all from here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from server.rdf.uris import CANONICAL_BASE

PROJECT_ROOT = Path(__file__).resolve().parent.parent


Settings = dict[str, Any]  # checked by ``check_settings``: every name known, every value of its kind


class SettingError(ValueError):
    """A setting of the wrong kind or value; the message names it and says what it takes."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: str = "text"  # one of the checks in KINDS below


def _positive_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _positive_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _path(value) -> bool:
    return isinstance(value, (str, Path)) and str(value) != ""


def _url(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _base_uri(value) -> bool:
    """A base the app answers at: the root of its host, or the canonical base (behind a proxy)."""
    if not _url(value):
        return False
    return urlsplit(value).path in ("", "/") or value.rstrip("/") == CANONICAL_BASE.rstrip("/")


def _addresses(value) -> bool:
    """IP addresses (a list, possibly empty): the proxies whose X-Forwarded-For is believed."""
    if not isinstance(value, (list, tuple)):
        return False
    try:
        return all(isinstance(v, str) and ipaddress.ip_address(v) is not None for v in value)
    except ValueError:
        return False


KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "seconds": (_positive_number, "a positive number of seconds"),
    "count": (_positive_integer, "a positive whole number"),
    "path": (_path, "a file or folder path"),
    "paths": (lambda v: isinstance(v, (list, tuple)) and len(v) > 0 and all(_path(p) for p in v), "a non-empty list of paths"),
    "base": (_base_uri, "an http(s) URL at the root of its host, e.g. http://127.0.0.1:8080/ (the app answers at the root)"),
    "url": (_url, "an http:// or https:// URL"),
    "text": (lambda v: isinstance(v, str), "a string"),
    "addresses": (_addresses, "a list of IP addresses, e.g. [\"127.0.0.1\"] (may be empty)"),
}



SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_PATHS", [PROJECT_ROOT / "data"], "Files or folders of RDF published as the dataset.", "paths"),
    Setting("ONTOLOGY_DIR", PROJECT_ROOT / "ontology", "Folder with mxus.ttl, external.ttl and shapes.ttl.", "path"),
    Setting("SEEDS_DIR", PROJECT_ROOT / "seeds", "Folder with the source text the spans count into.", "path"),
    Setting("BASE_URI", "https://w3id.org/mxus/", "Base the server answers at; canonical URIs are rewritten to it.", "base"),
    Setting("QUERY_TIMEOUT", 10.0, "Seconds a SPARQL query may run before its worker is stopped.", "seconds"),
    Setting("QUERY_WORKERS", 2, "Worker processes executing SPARQL queries sent to /sparql and the query page (the site may borrow them).", "count"),
    Setting("SITE_WORKERS", 1, "More worker processes reserved for the site's own queries (pages, /data, VoID, dumps, validation).", "count"),
    Setting("PUBLIC_QUEUE_SECONDS", 2.0, "Seconds a query sent to /sparql or the query page waits for a free worker (503 with Retry-After beyond).", "seconds"),
    Setting("PER_CLIENT_QUERIES", 1, "Queries one client may have running at once on /sparql and the query page (429 beyond).", "count"),
    Setting("PER_CLIENT_QUERY_SECONDS", 20.0, "Seconds of query time one client may use per window (429 beyond); a query stopped at the time limit uses them all.", "seconds"),
    Setting("PER_CLIENT_WINDOW_SECONDS", 60.0, "The window of PER_CLIENT_QUERY_SECONDS, in seconds.", "seconds"),
    Setting("TRUSTED_PROXIES", (), "Addresses of reverse proxies whose X-Forwarded-For names the client (empty: the peer address is the client).", "addresses"),
    Setting("WORKER_MEMORY_MB", 2048, "Address-space limit of each query worker, in MiB.", "count"),
    Setting("MAX_QUERY_BYTES", 100_000, "Largest accepted SPARQL query text, in bytes (413 beyond).", "count"),
    Setting("MAX_RESULT_BYTES", 50_000_000, "Largest serialized query result, in bytes.", "count"),
    Setting("RESULT_CACHE_BYTES", 32_000_000, "Memory for answers of /sparql kept for repeated queries, in bytes; dropped when the data changes.", "count"),
    Setting("RESPONSE_REPLAY_BYTES", 64_000_000, "Memory for public answers (descriptions, pages, 304s) replayed for the same request without going through the app, in bytes; dropped when the data changes.", "count"),
    Setting("RESPONSE_REPLAY_ENTRY_BYTES", 512_000, "Largest answer body kept for replay, in bytes.", "count"),
    Setting("MAX_BODY_BYTES", 5_000_000, "Largest accepted request body, in bytes (413 beyond).", "count"),
    Setting("MAX_SUBMISSION_TRIPLES", 10_000, "Most triples in one validation request or contribution (413 beyond).", "count"),
    Setting("ANONYMOUS_MAX_TRIPLES", 1_000, "Most triples in one /validate request without a contributor's token (413 beyond).", "count"),
    Setting("ANONYMOUS_VALIDATION_WAIT_SECONDS", 1.0, "Seconds a /validate request without a contributor's token waits for the validator, behind contributors (503 with Retry-After beyond).", "seconds"),
    Setting("MAX_LITERAL_CHARS", 10_000, "Longest literal in a contribution or validation request, in characters (422 beyond).", "count"),
    Setting("MAX_TRIPLES_PER_SUBJECT", 1_000, "Most statements about one subject in one contribution or validation request (422 beyond).", "count"),
    Setting("INSTANCE_DIR", PROJECT_ROOT / "instance", "Folder for contributions and the token file (not in git).", "path"),
    Setting("STORE_PATH", None, "Folder for an on-disk store of the published data (None: in memory); loaded once, reopened at restart.", "path"),
    Setting("STORE_URL", None, "Query URL of a remote SPARQL 1.1 store to serve from (None: the embedded engine).", "url"),
    Setting("STORE_UPDATE_URL", None, "Update URL of the remote store (None: STORE_URL with /query replaced by /update, as Oxigraph has it).", "url"),
    Setting("STORE_USER", None, "User name for HTTP basic authentication to the remote store.", "text"),
    Setting("STORE_PASSWORD", None, "Password for HTTP basic authentication to the remote store.", "text"),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def check_settings(overrides: dict[str, Any]) -> Settings:
    """Merge ``overrides`` into the defaults; SettingError for an unknown name or a value of the wrong kind."""
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise SettingError(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(DEFAULTS)})")
    settings = {**DEFAULTS, **overrides}
    for setting in SETTINGS:
        value = settings[setting.name]
        if value is None and setting.default is None:
            continue  # optional, and not set
        accepts, wanted = KINDS[setting.kind]
        if setting.kind == "base" and _url(value) and not accepts(value):
            raise SettingError(f"{setting.name} {value} has a path; the server answers at the root of its host "
                               "(serve it on a host of its own, e.g. https://data.example.org/)")
        if not accepts(value):
            raise SettingError(f"{setting.name} must be {wanted}, not {value!r}")
    if settings["STORE_URL"] is None and (settings["STORE_UPDATE_URL"] or settings["STORE_USER"] or settings["STORE_PASSWORD"]):
        raise SettingError("STORE_UPDATE_URL, STORE_USER and STORE_PASSWORD need STORE_URL (the remote store)")
    if settings["STORE_PATH"] is not None and settings["STORE_URL"] is not None:
        raise SettingError("STORE_PATH (an on-disk embedded store) and STORE_URL (a remote store) exclude each other")
    if (settings["STORE_USER"] is None) != (settings["STORE_PASSWORD"] is None):
        raise SettingError("STORE_USER and STORE_PASSWORD go together")
    settings["DATA_PATHS"] = [Path(p) for p in settings["DATA_PATHS"]]
    return settings
