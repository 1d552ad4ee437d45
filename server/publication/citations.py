"""How to cite the article, a claim or any resource, from the data alone; no HTTP.

The article's bibliographic record is read from the store (data/article.ttl):
title, authors (given and family names), date, journal, volume, issue,
ISSN, publisher, DOI, language. Nothing the data does not hold is written:
no pages (the one page number the excerpt prints, e42, is a page of the
article, not its range), no month or day a format would guess. A claim or
quotation is cited as a passage of the article found through this
dataset: "Délano (2012), “…”, via mxus-ld, <URI>, dataset version 1.0.0".
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from server.rdf.namespaces import DATASET, ID_SPACE, PREFIXES
from server.store import Store

_PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
SITE_NAME = "mxus-ld"


@dataclass(frozen=True)
class Author:
    name: str
    given: str | None
    family: str | None


@dataclass(frozen=True)
class ArticleRecord:
    iri: str
    title: str
    authors: tuple[Author, ...]
    issued: str | None  # as the data has it: 2012-02-01
    journal: str | None
    volume: str | None
    issue: str | None
    issn: str | None
    publisher: str | None
    doi: str | None
    language: str | None

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def year(self) -> str | None:
        return self.issued[:4] if self.issued else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def short(self) -> str:
        """Author-date: Délano (2012)."""
        names = [a.family or a.name for a in self.authors]
        who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
        return f"{who} ({self.year})" if self.year else who


ARTICLE_QUERY = _PREFIXES + """SELECT ?article ?title ?issued ?doi ?language ?issue ?volume ?journal ?issn ?publisher WHERE {
  ?article a fabio:JournalArticle ; dcterms:title ?title .
  %s
  OPTIONAL { ?article dcterms:issued ?issued }
  OPTIONAL { ?article prism:doi ?doi }
  OPTIONAL { ?article dcterms:language ?language }
  OPTIONAL { ?article frbr:partOf ?i . ?i prism:issueIdentifier ?issue .
    OPTIONAL { ?i frbr:partOf ?v . ?v prism:volume ?volume .
      OPTIONAL { ?v frbr:partOf ?j . ?j dcterms:title ?journal .
        OPTIONAL { ?j prism:issn ?issn } OPTIONAL { ?j dcterms:publisher/foaf:name ?publisher } } } }
} ORDER BY ?article LIMIT 1"""
AUTHORS_QUERY = _PREFIXES + """SELECT ?name ?given ?family WHERE {
  <%s> dcterms:creator ?author . ?author foaf:name ?name .
  OPTIONAL { ?author schema:givenName ?given } OPTIONAL { ?author schema:familyName ?family }
} ORDER BY ?family ?name"""


def article_record(store: Store, slug: str | None = None) -> ArticleRecord | None:
    """The article (``article/{slug}``, or the dataset's one article) as a bibliographic record."""
    only = f"FILTER (?article = <{ID_SPACE}article/{slug}>)" if slug else ""
    rows = store.select(ARTICLE_QUERY % only)
    if not rows:
        return None
    row = {key: str(value) for key, value in rows[0].items()}
    authors = tuple(
        Author(str(a["name"]), _text(a.get("given")), _text(a.get("family")))
        for a in store.select(AUTHORS_QUERY % row["article"])
    )
    return ArticleRecord(row["article"], row["title"], authors, row.get("issued"), row.get("journal"), row.get("volume"),
                         row.get("issue"), row.get("issn"), row.get("publisher"), row.get("doi"), row.get("language"))


def _text(term) -> str | None:
    return None if term is None else str(term)


def dataset_version(store: Store) -> str | None:
    rows = store.select(_PREFIXES + f"SELECT ?v WHERE {{ <{DATASET}> owl:versionInfo ?v }}")
    return str(rows[0]["v"]) if rows else None


# ---------------------------------------------------------------- the article, in four formats


def apa_parts(record: ArticleRecord) -> dict:
    """An APA-like reference in parts, so a page can set the journal and volume in italics."""
    names = [f"{a.family}, {_initials(a.given)}" if a.family else a.name for a in record.authors]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1] if names else ""
    lead = f"{who} ({record.year or 'n.d.'}). {record.title}{'' if record.title.endswith(('?', '.', '!')) else '.'}"
    issue = f"({record.issue})" if record.issue else ""
    return {"lead": lead, "journal": record.journal, "volume": record.volume, "issue": issue,
            "link": record.doi_url or record.iri}


def apa(record: ArticleRecord) -> str:
    parts = apa_parts(record)
    where = ", ".join(p for p in (parts["journal"], (parts["volume"] or "") + parts["issue"]) if p)
    return f"{parts['lead']} {where}. {parts['link']}" if where else f"{parts['lead']} {parts['link']}"


def _initials(given: str | None) -> str:
    return " ".join(f"{part[0]}." for part in (given or "").split() if part)


def bibtex(record: ArticleRecord) -> str:
    key = (record.authors[0].family or record.authors[0].name).split()[-1] if record.authors else "article"
    key = "".join(c for c in _ascii(key).lower() if c.isalnum()) + (record.year or "")
    authors = " and ".join(f"{a.family}, {a.given}" if a.family and a.given else a.name for a in record.authors)
    fields = [
        ("author", _bib(authors)), ("title", "{" + _bib(record.title) + "}"), ("journal", _bib(record.journal)),
        ("year", record.year), ("volume", _bib(record.volume)), ("number", _bib(record.issue)),
        ("issn", record.issn), ("publisher", _bib(record.publisher)), ("doi", record.doi), ("url", record.doi_url),
        ("langid", record.language),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@article{{{key},\n{body}\n}}\n"


def _bib(text: str | None) -> str | None:
    """A BibTeX field value: its special characters escaped (the text is UTF-8, as biblatex reads it)."""
    if text is None:
        return None
    return "".join("\\textbackslash{}" if c == "\\" else "\\" + c if c in "{}&%$#_" else c for c in text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def ris(record: ArticleRecord) -> str:
    lines = [("TY", "JOUR")]
    lines += [("AU", f"{a.family}, {a.given}" if a.family and a.given else a.name) for a in record.authors]
    lines += [("TI", record.title), ("JO", record.journal), ("PY", record.year),
              ("DA", record.issued.replace("-", "/") if record.issued else None), ("VL", record.volume),
              ("IS", record.issue), ("SN", record.issn), ("PB", record.publisher), ("DO", record.doi),
              ("UR", record.doi_url), ("LA", record.language), ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value is not None)


def csl_json(record: ArticleRecord) -> str:
    item: dict = {"id": record.slug, "type": "article-journal", "title": record.title}
    item["author"] = [{"family": a.family, "given": a.given} if a.family else {"literal": a.name} for a in record.authors]
    if record.issued:
        item["issued"] = {"date-parts": [[int(part) for part in record.issued.split("-")]]}
    for key, value in (("container-title", record.journal), ("volume", record.volume), ("issue", record.issue),
                       ("ISSN", record.issn), ("publisher", record.publisher), ("DOI", record.doi),
                       ("URL", record.doi_url), ("language", record.language)):
        if value:
            item[key] = value
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


FORMATTERS = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json}


# ---------------------------------------------------------------- a claim, a quotation, any resource

PASSAGE_QUERY = _PREFIXES + """SELECT ?text ?label ?source ?sourceLabel WHERE {
  OPTIONAL { <%(iri)s> schema:text ?text }
  OPTIONAL { <%(iri)s> rdfs:label ?label FILTER (lang(?label) = "en" || lang(?label) = "") }
  OPTIONAL { <%(iri)s> prov:hadPrimarySource|prov:wasQuotedFrom ?source .
             ?source rdfs:label ?sourceLabel FILTER (lang(?sourceLabel) = "en") }
} ORDER BY ?source LIMIT 1"""


def resource_citation(store: Store, iri: str, record: ArticleRecord | None, version: str | None) -> str | None:
    """How to cite one resource: a claim or quotation as its passage of the article; anything else by its label."""
    if record is None or iri == record.iri:
        return None
    rows = store.select(PASSAGE_QUERY % {"iri": iri})
    row = rows[0] if rows else {}
    when = f"dataset version {version}" if version else "dataset"
    if row.get("text") is not None:
        citing = f", citing {row['sourceLabel']}" if row.get("sourceLabel") is not None else ""
        passage = str(row["text"]).replace("“", "‘").replace("”", "’")  # quotes inside the quotation
        return f"{record.short}{citing}, “{passage}”, via {SITE_NAME}, {iri}, {when}."
    label = str(row["label"]) if row.get("label") is not None else iri
    return f"“{label}”, in {SITE_NAME} ({when}), {iri}, after {record.short}."
