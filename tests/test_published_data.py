"""The published data conforms to the shapes, and the shapes to SHACL itself."""

import pyshacl



def test_published_data_conforms_without_warnings(published_command_validation):
    """`mxus validate` (the session's one run: the same validation as in-process) finds no result of any severity."""
    run = published_command_validation
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == "published dataset: conforms (0 violation(s), 0 warning(s), 0 info)", run.stdout


def test_shapes_graph_passes_shacl_shacl(published):
    conforms, _, text = pyshacl.validate(published.shapes, shacl_graph=published.shapes, meta_shacl=True, advanced=True)
    assert conforms, text


def test_every_class_used_in_the_data_is_targeted_by_a_shape(published, data):
    """A class no shape reaches is a class nothing checks."""
    targeted = set(published.shapes.objects(None, published.shapes.namespace_manager.expand_curie("sh:targetClass")))
    unchecked = [
        str(row[0])
        for row in data.query(
            """SELECT DISTINCT ?class WHERE {
                   ?thing a ?class .
                   FILTER (isIRI(?thing))
                   FILTER NOT EXISTS { ?class rdfs:subClassOf* ?targeted . VALUES ?targeted { %s } }
               }"""
            % " ".join(f"<{t}>" for t in targeted)
        )
    ]
    allowed_untargeted = {
        "https://schema.org/ScholarlyArticle",  # co-type of fabio:JournalArticle
        "https://schema.org/Periodical",
        "https://schema.org/PublicationIssue",
        "https://schema.org/PublicationVolume",
        "https://schema.org/Event",  # co-type of sem:Event
        "https://schema.org/CreativeWork",  # co-type of fabio:Expression
        "https://schema.org/Organization",
        "https://schema.org/GovernmentOrganization",
        "https://schema.org/CollegeOrUniversity",
        "https://schema.org/Person",
        "http://rdfs.org/ns/void#Dataset",
        "http://www.w3.org/2002/07/owl#Ontology",
        "http://www.w3.org/2002/07/owl#Class",
        "http://www.w3.org/2002/07/owl#ObjectProperty",
        "http://www.w3.org/2002/07/owl#DatatypeProperty",
        "http://www.w3.org/2002/07/owl#SymmetricProperty",
    }
    assert sorted(set(unchecked) - allowed_untargeted) == []
