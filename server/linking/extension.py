"""Data extension (Reconciliation Service API 0.2 §7): the values of chosen properties of matched entities.

One query to the store for every entity and property asked. Our own
resources are given as entities (their reconciliation id and name); other
IRIs (an identifier in Wikidata, GeoNames ...) and literals as strings,
except whole numbers and decimals. A date is given as a string at the
precision the data has ("2001-09", "2005"), not stretched to the
date-time the specification's ``date`` value requires.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from server.linking.catalogue import PROPERTIES_BY_ID, NameIndex, short_id
from server.linking.reconciliation import property_values
from server.rdf.namespaces import ID_SPACE
from server.store import Store

INTEGERS = {XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger}
DECIMALS = {XSD.decimal, XSD.double, XSD.float}


def _value(term, names: list[str], index: NameIndex) -> dict:
    if isinstance(term, URIRef) and str(term).startswith(ID_SPACE):
        entity = index.entities.get(str(term))
        name = entity.name if entity else (sorted(names)[0] if names else short_id(str(term)))
        return {"id": short_id(str(term)), "name": name}
    if isinstance(term, Literal) and term.datatype in INTEGERS:
        try:
            return {"int": int(str(term))}
        except ValueError:
            pass
    if isinstance(term, Literal) and term.datatype in DECIMALS:
        try:
            return {"float": float(str(term))}
        except ValueError:
            pass
    return {"str": str(term)}


def extend(index: NameIndex, store: Store, iris: list[str], property_ids: list[str]) -> dict:
    """A data extension response: ``meta`` (the properties) and ``rows`` (by id, by property, the values)."""
    values = property_values(store, iris, property_ids)
    rows = {}
    for iri in iris:
        rows[short_id(iri)] = {
            pid: [_value(term, names, index) for term, names in values.get((iri, pid), [])] for pid in property_ids
        }
    meta = [{"id": pid, "name": PROPERTIES_BY_ID[pid].name} for pid in property_ids]
    return {"meta": meta, "rows": rows}
