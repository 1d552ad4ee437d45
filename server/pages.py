"""HTML pages for people: home and the query page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)

EXAMPLE_QUERIES = {
    "The argument: thesis, what it answers and disputes": """PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thesis ?question ?disputed WHERE {
  ?thesis a mxus:Thesis ; mxus:answers ?q ; mxus:disputes ?d .
  ?q rdfs:label ?question . ?d rdfs:label ?disputed .
  FILTER (lang(?question) = "en" && lang(?disputed) = "en")
}""",
    "Events in order": """PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label ?when WHERE {
  ?event a sem:Event ; rdfs:label ?label .
  OPTIONAL { ?event sem:hasTimeStamp ?t } OPTIONAL { ?event sem:hasBeginTimeStamp ?b }
  BIND (COALESCE(?t, ?b) AS ?when)
  FILTER (lang(?label) = "en")
} ORDER BY STR(?when)""",
    "Who held which post": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX mxus: <https://w3id.org/mxus/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name ?post ?title WHERE {
  ?m a org:Membership ; org:member ?person ; mxus:post ?post .
  ?person rdfs:label ?name . ?post rdfs:label ?title .
  FILTER (lang(?name) = "en" && lang(?title) = "en")
}""",
}


@bp.route("/")
def home():
    return render_template("home.html", examples=EXAMPLE_QUERIES)


def render_query_page():
    return render_template("query.html", examples=EXAMPLE_QUERIES, query=next(iter(EXAMPLE_QUERIES.values())))


@bp.route("/query")
def query_page():
    return render_query_page()
