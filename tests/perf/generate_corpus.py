"""Generate a synthetic corpus of N article-like datasets, for benchmarks only.

Each synthetic article is the published dataset with every identifier under
https://w3id.org/mxus/id/ given a suffix (-a1, -a2, ...) and every blank node
renamed, so the corpus uses the same ontology, conforms to the same shapes
and has N times as many distinct resources. It is never published.

    python tests/perf/generate_corpus.py --articles 430 --out /tmp/corpus.nt   # about 1M triples
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.publication.dataset import read_graph  # noqa: E402
from server.settings import check_settings  # noqa: E402

IDENTIFIER = re.compile(rb"<https://w3id\.org/mxus/id/([a-z]+)/([a-z0-9-]+)>")
BLANK = re.compile(rb"_:([A-Za-z0-9]+)")


def article_template() -> bytes:
    settings = check_settings({})
    return read_graph([Path(p) for p in settings["DATA_PATHS"]]).serialize(format="nt", encoding="utf-8")


def synthetic_article(template: bytes, number: int) -> bytes:
    suffix = f"-a{number}".encode()
    renamed = IDENTIFIER.sub(lambda m: b"<https://w3id.org/mxus/id/" + m[1] + b"/" + m[2] + suffix + b">", template)
    return BLANK.sub(lambda m: b"_:" + m[1] + b"a" + str(number).encode(), renamed)


def write_corpus(articles: int, out: Path, max_triples: int | None = None) -> int:
    """``max_triples`` cuts the corpus short (the cost curve's 1k point, smaller than one article)."""
    template = article_template()
    written = 0
    with out.open("wb") as handle:
        for number in range(1, articles + 1):
            lines = synthetic_article(template, number).splitlines(keepends=True)
            if max_triples is not None:
                lines = lines[: max_triples - written]
            handle.writelines(lines)
            written += len(lines)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, required=True, help="how many synthetic articles")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--max-triples", type=int, help="stop after this many triples")
    args = parser.parse_args(argv)
    triples = write_corpus(args.articles, args.out, args.max_triples)
    print(f"wrote {args.out}: {args.articles} articles, about {triples} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
