"""RDF terms and syntaxes: namespaces, media types, safe parsing, URIs."""
