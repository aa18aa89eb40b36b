"""The shipped nginx site (deploy/nginx-nextstage.conf) for make bench: plain
HTTP on 127.0.0.1:PORT (the redirecting server and TLS taken out: TLS is
nginx's cost, not the server's), its upstream the given ports.

    python3 tests/bench/nginx_site.py PORT UPSTREAM-PORT... > site.conf
"""
import re
import sys

port, upstreams = sys.argv[1], sys.argv[2:]
site = open("deploy/nginx-nextstage.conf").read()
# the server block that only redirects http to https
site = re.sub(r"server \{\n    listen 80;.*?\n\}\n\n?", "", site, flags=re.S)
site = re.sub(r"(?m)^.*listen \[::\].*\n", "", site)
site = re.sub(r"(?m)^\s*ssl_.*\n", "", site)
site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in upstreams)
site = re.sub(r"(?m)^    #?server 127\.0\.0\.1:808\d .*\n", "", site)
site = site.replace("upstream nextstage {\n", "upstream nextstage {\n" + servers, 1)
sys.stdout.write(site)
