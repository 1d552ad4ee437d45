"""HTTP: one blueprint per concern, thin, over the domain and the store."""
