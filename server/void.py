"""Dataset description: VoID and DCAT, dumps, sitemap, robots.txt."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("void", __name__)
