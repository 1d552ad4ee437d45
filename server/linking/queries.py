"""Reading what a reconciliation client sends: a query batch or a data extension query, checked and bounded.

Everything a client may send is checked here, with a message that says
what is wrong (``Refused``, 400 by default): JSON that does not parse, a
batch that is not an object of queries, a query with neither a name nor
properties, an unknown type or property, and every size that bounds the
cost of one request (queries per batch, characters per name, candidates
per query, properties and values per query, entities per extension).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from server.linking.catalogue import PROPERTIES_BY_ID, TYPES, TYPES_BY_ID
from server.rdf.namespaces import ID_SPACE

MAX_BATCH = 50  # queries in one batch (the manifest's batchSize; 413 beyond)
MAX_QUERY_CHARS = 300  # characters of one name, prefix or value
MAX_LIMIT = 50  # candidates per query
DEFAULT_LIMIT = 10
MAX_PROPERTIES = 10  # properties per query or extension
MAX_VALUES = 10  # values per property
MAX_EXTEND_IDS = 200  # entities in one data extension query
SPEC = "https://reconciliation-api.github.io/specs/0.2/"


class Refused(Exception):
    """A request the service will not answer, with the HTTP status and why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Query:
    key: str
    text: str  # "" when only properties are given
    types: set[str] | None  # type keys; None: any reconcilable type
    limit: int
    properties: list[tuple[str, list]] = field(default_factory=list)  # (property id, values)


def _json(text: str, what: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Refused(f"{what} is not JSON: {exc}") from None


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise Refused(f"{what} must be a string")
    if len(value) > MAX_QUERY_CHARS:
        raise Refused(f"{what} is longer than {MAX_QUERY_CHARS} characters")
    return value.strip()


def entity_type(value) -> str:
    """The key of a type given by its id (a class IRI) or its short name."""
    found = TYPES_BY_ID.get(value) if isinstance(value, str) else None
    if found is None:
        known = ", ".join(t.id for t in TYPES)
        raise Refused(f"unknown type {value!r}; the types are: {known}")
    return found.key


def property_id(value) -> str:
    if not isinstance(value, str) or value not in PROPERTIES_BY_ID:
        raise Refused(f"unknown property {value!r}; GET /reconcile/suggest/property lists them")
    return value


def _values(value, what: str) -> list:
    values = value if isinstance(value, list) else [value]
    if not values or len(values) > MAX_VALUES:
        raise Refused(f"{what} must have 1 to {MAX_VALUES} values")
    checked = []
    for item in values:
        if isinstance(item, dict):
            if not isinstance(item.get("id"), str):
                raise Refused(f"{what}: an entity value needs an \"id\" string")
            checked.append({"id": _text(item["id"], what)})
        elif isinstance(item, (str, int, float, bool)):
            checked.append(_text(item, what) if isinstance(item, str) else item)
        else:
            raise Refused(f"{what}: a value is a string, a number, a boolean or {{\"id\": …}}")
    return checked


def _query(key: str, body) -> Query:
    where = f"query {key!r}"
    if not isinstance(body, dict):
        raise Refused(f"{where} must be an object")
    unknown = set(body) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise Refused(f"{where} has fields the specification does not define: {', '.join(sorted(unknown))}")
    text = _text(body["query"], f"{where}: \"query\"") if "query" in body else ""
    raw_types = body.get("type")
    types = None
    if raw_types is not None:
        listed = raw_types if isinstance(raw_types, list) else [raw_types]
        types = {entity_type(t) for t in listed} if listed else None
    limit = body.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 1 or limit != int(limit):
        raise Refused(f"{where}: \"limit\" must be a positive whole number")
    raw_properties = body.get("properties", [])
    if not isinstance(raw_properties, list) or len(raw_properties) > MAX_PROPERTIES:
        raise Refused(f"{where}: \"properties\" must be a list of at most {MAX_PROPERTIES}")
    properties = []
    for item in raw_properties:
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise Refused(f"{where}: each property is an object with \"pid\" and \"v\"")
        properties.append((property_id(item["pid"]), _values(item["v"], f"{where}: property {item['pid']!r}")))
    if not text and not properties:
        raise Refused(f"{where} needs a non-empty \"query\" or at least one property (specification §4.1)")
    return Query(key, text, types, min(int(limit), MAX_LIMIT), properties)


def read_batch(text: str) -> list[Query]:
    """The queries of a reconciliation query batch (``queries=``), checked."""
    batch = _json(text, "queries")
    if not isinstance(batch, dict) or not batch:
        raise Refused("queries must be a non-empty JSON object of queries by key, e.g. {\"q0\": {\"query\": \"Colin Powell\"}}")
    if len(batch) > MAX_BATCH:
        raise Refused(f"a batch may hold at most {MAX_BATCH} queries (the manifest's batchSize), not {len(batch)}", 413)
    return [_query(key, body) for key, body in batch.items()]


def read_extension(text: str) -> tuple[list[str], list[str]]:
    """The entity IRIs and property ids of a data extension query (``extend=``), checked."""
    query = _json(text, "extend")
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) or not isinstance(query.get("properties"), list):
        raise Refused("extend must be a JSON object with \"ids\" (a list) and \"properties\" (a list of {\"id\": …})")
    ids, properties = query["ids"], query["properties"]
    if len(ids) > MAX_EXTEND_IDS:
        raise Refused(f"a data extension query may name at most {MAX_EXTEND_IDS} entities, not {len(ids)}", 413)
    if len(properties) > MAX_PROPERTIES:
        raise Refused(f"a data extension query may name at most {MAX_PROPERTIES} properties")
    if not all(isinstance(i, str) for i in ids):
        raise Refused("extend: every id must be a string")
    if not all(isinstance(p, dict) and "id" in p for p in properties):
        raise Refused("extend: every property is an object with an \"id\"")
    return [entity_iri(i) for i in ids], [property_id(p["id"]) for p in properties]


def entity_iri(value: str) -> str:
    """The IRI of one of our resources from a reconciliation id ("person/colin-powell") or its IRI."""
    value = value.strip()
    return value if value.startswith(ID_SPACE) else ID_SPACE + value


def read_limit(value: str | None, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise Refused(f"limit must be a positive whole number, not {value!r}")
    return min(int(value), maximum)


def read_cursor(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit() or int(value) > 10_000:
        raise Refused(f"cursor must be a whole number from 0 to 10000, not {value!r}")
    return int(value)
