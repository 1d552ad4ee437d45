"""Every class and property the data uses has a label in English and in Spanish (ontology/labels.ttl,
or mxus.ttl for our own terms): pages name terms in words, never by prefixed name."""

from __future__ import annotations

from rdflib.namespace import RDF

from server.publication.dataset import load_published
from server.settings import check_settings


def test_every_term_the_data_uses_is_labelled_in_both_languages():
    published = load_published(check_settings({}))
    data = published.data
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    assert len(used) > 150
    missing = sorted(t for t in used if not {"en", "es"} <= set(published.label_table.get(t, {})))
    assert missing == []


def test_labels_are_words_not_names():
    """The plain-word rule of labels.ttl: no camelCase, no prefix."""
    published = load_published(check_settings({}))
    for term in published.term_labels.subjects():
        for language, label in published.label_table[str(term)].items():
            assert ":" not in label and not any(a.islower() and b.isupper() for a, b in zip(label, label[1:])), (term, label)
