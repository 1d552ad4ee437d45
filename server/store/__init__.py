"""The storage seam: one Store interface, its implementations, and the query engine."""
