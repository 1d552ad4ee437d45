"""Parsing errors name the line and column, even at the end of the input."""

import pytest

from server.rdf.media import rdf_format_by_name
from server.rdf.parsing import RdfInputError, parse_rdf


@pytest.mark.parametrize("text,line", [(b"@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b", 3), (b"<http://a> <http://b> [ <http://c>", 1)])
def test_unfinished_turtle_is_reported_at_its_end(text, line):
    with pytest.raises(RdfInputError) as failure:
        parse_rdf(text, rdf_format_by_name("turtle"), "input.ttl")
    assert failure.value.line == line
    assert "ends in the middle of a statement" in failure.value.message or "syntax error" in failure.value.message
    assert failure.value.column is not None
