"""Validating answers against the Reconciliation Service API 0.2's own JSON Schemas (vendored here, see README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas-0.2"
KINDS = (
    "manifest", "reconciliation-query-batch", "reconciliation-result-batch", "suggest-entities-response",
    "suggest-properties-response", "suggest-types-response", "data-extension-query", "data-extension-response",
)


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def errors(kind: str, body) -> list[str]:
    """What is wrong with ``body`` as a ``kind`` (a schema's file name), by the specification; [] when valid."""
    validator = Draft7Validator(_load(kind), registry=REGISTRY)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def assert_valid(kind: str, body) -> None:
    found = errors(kind, body)
    assert found == [], f"not a valid {kind}: {found}"


def assert_property_proposal(body, type_id: str) -> None:
    """§7.2 "Data Extension Property Proposals": ``properties`` (id, name), the ``type`` asked, ``limit`` optional."""
    assert set(body) <= {"properties", "type", "limit"}, body
    assert body["type"] == type_id
    assert isinstance(body["properties"], list) and body["properties"]
    for item in body["properties"]:
        assert isinstance(item.get("id"), str) and item["id"] and isinstance(item.get("name"), str) and item["name"]
