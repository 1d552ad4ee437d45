"""Settings: every one with a name, a default and a line of help.

One checked object, so a typo in a setting is an error rather than a
silently ignored value, and the README can list them all from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_PATHS", [PROJECT_ROOT / "data"], "Files or folders of RDF published as the dataset."),
    Setting("ONTOLOGY_DIR", PROJECT_ROOT / "ontology", "Folder with mxus.ttl, external.ttl and shapes.ttl."),
    Setting("SEEDS_DIR", PROJECT_ROOT / "seeds", "Folder with the source text the spans count into."),
    Setting("BASE_URI", "https://w3id.org/mxus/", "Base the server answers at; canonical URIs are rewritten to it."),
    Setting("QUERY_TIMEOUT", 10.0, "Seconds a SPARQL query may run before its worker is stopped."),
    Setting("QUERY_WORKERS", 2, "Worker processes executing SPARQL queries."),
    Setting("WORKER_MEMORY_MB", 2048, "Address-space limit of each query worker, in MiB."),
    Setting("MAX_QUERY_BYTES", 100_000, "Largest accepted SPARQL query text, in bytes (413 beyond)."),
    Setting("MAX_RESULT_BYTES", 50_000_000, "Largest serialized query result, in bytes."),
    Setting("MAX_BODY_BYTES", 5_000_000, "Largest accepted request body, in bytes (413 beyond)."),
    Setting("MAX_SUBMISSION_TRIPLES", 10_000, "Most triples in one validation request or contribution (413 beyond)."),
    Setting("INSTANCE_DIR", PROJECT_ROOT / "instance", "Folder for contributions and the token file (not in git)."),
    Setting("STORE_PATH", None, "Folder for an on-disk store of the published data (None: in memory); loaded once, reopened at restart."),
    Setting("STORE_URL", None, "Query URL of a remote SPARQL 1.1 store to serve from (None: the embedded engine)."),
    Setting("STORE_UPDATE_URL", None, "Update URL of the remote store (None: STORE_URL with /query replaced by /update, as Oxigraph has it)."),
    Setting("STORE_USER", None, "User name for HTTP basic authentication to the remote store."),
    Setting("STORE_PASSWORD", None, "Password for HTTP basic authentication to the remote store."),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def check_settings(overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into the defaults, refusing names we do not know."""
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise KeyError(f"unknown setting(s): {', '.join(unknown)}")
    settings = {**DEFAULTS, **overrides}
    for name in ("STORE_URL", "STORE_UPDATE_URL"):
        url = settings[name]
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise ValueError(f"{name} must be an http:// or https:// URL, not {url!r}")
    if settings["STORE_URL"] is None and (settings["STORE_UPDATE_URL"] or settings["STORE_USER"] or settings["STORE_PASSWORD"]):
        raise ValueError("STORE_UPDATE_URL, STORE_USER and STORE_PASSWORD need STORE_URL (the remote store)")
    if settings["STORE_PATH"] is not None and settings["STORE_URL"] is not None:
        raise ValueError("STORE_PATH (an on-disk embedded store) and STORE_URL (a remote store) exclude each other")
    if (settings["STORE_USER"] is None) != (settings["STORE_PASSWORD"] is None):
        raise ValueError("STORE_USER and STORE_PASSWORD go together")
    return settings
