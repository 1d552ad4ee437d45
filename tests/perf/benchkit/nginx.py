"""nginx as the static-file yardstick, and as a caching proxy in front of mxus."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from .systems import System

NGINX_WORKERS = 1  # one core, as mxus's single gunicorn worker; wrk and the other core's noise share the rest

NGINX_CONF = """\
{user}worker_processes {workers};
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/turtle;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    {http_extra}
    server {{
        listen 127.0.0.1:{port};
        {site}
    }}
}}
"""

# mxus behind nginx as a caching reverse proxy, the deployment the README shows: /data answers carry
# Cache-Control: public, max-age=300, a strong ETag and Vary: Accept, so nginx keeps them and answers
# If-None-Match itself; mxus sees a request only when an entry expires.
CACHE_HTTP = ("proxy_cache_path {home}/cache levels=1:2 keys_zone=mxus:10m max_size=256m inactive=60m "
              "use_temp_path=off;")
CACHE_SITE = """location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache mxus;
            proxy_cache_key "$request_method$request_uri$http_accept";
            proxy_cache_revalidate on;
        }}"""


class Nginx(System):
    """nginx sending the Turtle bodies mxus gave, as static files: the most a server that only sends
    bytes achieves on this machine, the yardstick of the dereference figures. Everything it writes (config,
    pid, error log, temp files) stays in its folder under the temp folder; keep-alive requests are unlimited
    so wrk's connections last the whole run."""

    name = "nginx"

    def __init__(self, work: Path, binary: str, root: Path, probe: tuple[str, str], upstream: int | None = None):
        """``upstream``: the port of mxus, to run as its caching proxy instead of serving files."""
        super().__init__(root, work)  # its "corpus" is the folder of files
        self.binary, self.root, self.probe, self.upstream = binary, root, probe, upstream
        if upstream:
            self.name = "nginx cache"
        # a cache of its own per run: another size's mxus gave the same URIs other ETags
        self.home = work / (f"nginx-cache-{self.port}" if upstream else "nginx")

    def prepare(self):
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        # as root, nginx would switch its worker to nobody, who may not read the 0700 temp folder
        user = "user root;\n" if os.geteuid() == 0 else ""
        site = CACHE_SITE.format(upstream=self.upstream) if self.upstream else f"root {self.root};"
        extra = CACHE_HTTP.format(home=self.home) if self.upstream else ""
        (self.home / "nginx.conf").write_text(NGINX_CONF.format(
            user=user, workers=NGINX_WORKERS, home=self.home, port=self.port, site=site, http_extra=extra))

    def command(self):
        # -e: the error log before the config is read, else nginx tries /var/log/nginx/error.log
        return [self.binary, "-c", str(self.home / "nginx.conf"), "-p", str(self.home), "-e",
                str(self.home / "error.log")]

    def probe_url(self):
        if self.upstream:  # through the proxy to mxus's endpoint, which answers the JSON launch() asks for
            return super().probe_url()
        return self.describe_request(*self.probe).full_url

    @property
    def sparql_url(self):
        return self.base + "/sparql"

    def describe_request(self, kind, slug):
        suffix = "" if self.upstream else ".ttl"
        return urllib.request.Request(f"{self.base}/data/{kind}/{slug}{suffix}", headers={"Accept": "text/turtle"})

