"""mxus-ld: the article's knowledge graph, its validation and its server."""
