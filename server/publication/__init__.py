"""The domain: the published dataset, validation, contributions, tokens, query policy."""
