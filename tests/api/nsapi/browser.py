"""A small browser for flows across servers (the sso suite): follows
redirects by hand, keeps cookies per host and port (whatever their Domain
attribute: every server here is on 127.0.0.1), and fills in HTML forms."""
import html.parser
import http.client
import urllib.parse

from .harness import Failure


class Page:
    def __init__(self, url, status, headers, body):
        self.url, self.status, self.headers, self.body = url, status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def describe(self, n=600):
        return f"{self.status} {self.url}\n" + "\n".join(f"{k}: {v}" for k, v in self.headers) \
            + "\n\n" + self.text[:n]


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method":
                               (a.get("method") or "get").lower(), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value") or "")


def forms_of(page):
    p = _Forms()
    p.feed(page.text)
    return p.forms


class Browser:
    def __init__(self):
        self.jar = {}  # (host, port) -> {name: value}

    def cookies(self, url):
        u = urllib.parse.urlsplit(url)
        return self.jar.setdefault((u.hostname, u.port), {})

    def request(self, method, url, body=None, headers=None):
        """One request, no redirect followed."""
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        h = dict(headers or {})
        jar = self.cookies(url)
        if jar:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        try:
            conn.request(method, target, body=body, headers=h)
            r = conn.getresponse()
            page = Page(url, r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for k, v in page.headers:
            if k.lower() == "set-cookie":
                pair = v.split(";", 1)[0]
                name, _, value = pair.partition("=")
                attrs = v.lower()
                if value == "" or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                    jar.pop(name.strip(), None)
                else:
                    jar[name.strip()] = value.strip()
        return page

    def get(self, url, follow=True, stop=None, limit=10):
        """GET @url, following redirects (unless @follow is false) until an
        answer that is not one, or a Location for which @stop(url) is true
        (that answer is returned, unfollowed)."""
        page = self.request("GET", url)
        for _ in range(limit):
            loc = page.header("Location")
            if not follow or page.status not in (301, 302, 303, 307) or not loc:
                return page
            nxt = urllib.parse.urljoin(page.url, loc)
            if stop is not None and stop(nxt):
                return page
            page = self.request("GET", nxt)
        raise Failure(f"more than {limit} redirects from {url}")

    def submit(self, page, form, values, stop=None):
        """Posts @form of @page (its hidden fields, overridden by @values),
        following redirects as get does."""
        fields = dict(form["fields"], **values)
        action = urllib.parse.urljoin(page.url, form["action"] or page.url)
        body = urllib.parse.urlencode(fields)
        if form["method"] == "get":
            return self.get(action.split("?")[0] + "?" + body, stop=stop)
        r = self.request("POST", action, body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        loc = r.header("Location")
        if r.status in (301, 302, 303) and loc:
            nxt = urllib.parse.urljoin(r.url, loc)
            if stop is not None and stop(nxt):
                return r
            return self.get(nxt, stop=stop)
        return r
