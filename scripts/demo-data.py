#!/usr/bin/env python3
"""Load a sample content library into a running nextstage server.

    scripts/demo-data.py URL [TOKEN]    load it through the HTTP API
    scripts/demo-data.py --write DIR    only write the generated files to DIR

URL is the server's base address (http://127.0.0.1:8080); TOKEN is an API
token of a marketer or an admin (`build/nextstage token create`), or the
environment variable NEXTSTAGE_TOKEN when TOKEN is left out.

It creates six buyer personas and 40 assets of a fictional accounts-payable
automation vendor, Ledgerline, spread over every deal stage, kind and
intent: PDFs (documents and landscape decks), Markdown, plain text, CSV,
HTML, PNG, DOCX and XLSX files made here in memory (each a few KB), a few
links, drafts, an archived and an expired asset, public gated and ungated
ones, and one asset with a second version. Then a fictional year of sales
history (scripts/demo_history.py): reps, deals, shares, opens and feedback.
Everything goes through the real API (POST /api/v1/personas, POST
/api/v1/assets, POST .../versions, PATCH, /users, /import/deals, /events).

Nothing is loaded when the library already has assets, so running it twice
is harmless; personas that exist already are kept. It prints one summary
line; a failed request stops it with a non-zero exit, the request and the
server's answer. Python 3 standard library only.
"""
import csv
import datetime
import hashlib
import io
import json
import os
import struct
import sys
import textwrap
import urllib.error
import urllib.request
import zipfile
import zlib

import demo_history

VENDOR = "Ledgerline"
SITE = "ledgerline.example"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
YEAR = NOW.year

# ---------------------------------------------------------------------------
# Documents: one block structure, rendered as PDF, Markdown, HTML, text or
# DOCX depending on the file name.


class Doc:
    def __init__(self, label, title, subtitle, blocks, deck=False):
        self.label, self.title, self.subtitle = label, title, subtitle
        self.blocks, self.deck = blocks, deck


def H(text):
    return ("h", text)


def P(text):
    return ("p", text)


def UL(*items):
    return ("ul", list(items))


def TABLE(*rows):
    return ("table", [list(r) for r in rows])


def QUOTE(text, who):
    return ("quote", text, who)


def KPI(*pairs):
    return ("kpi", list(pairs))


# --- PDF ---------------------------------------------------------------------
# Standard 14 fonts need no embedding; widths (1/1000 em) of characters
# 32..126 from the Adobe AFM files, used to wrap lines.
HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
HELVETICA_BOLD = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584]
# WinAnsiEncoding (cp1252) characters used in the texts.
EXTRA_WIDTH = {0x80: 556, 0x91: 222, 0x92: 222, 0x93: 333, 0x94: 333, 0x95: 350,
               0x96: 556, 0x97: 1000, 0xA0: 278, 0xA9: 737, 0xB7: 278, 0xD7: 584}
FONTS = {"F1": ("Helvetica", HELVETICA), "F2": ("Helvetica-Bold", HELVETICA_BOLD),
         "F3": ("Helvetica-Oblique", HELVETICA)}

TEAL = (0.043, 0.318, 0.357)
INK = (0.13, 0.15, 0.17)
GREY = (0.40, 0.43, 0.46)
PALE = (0.90, 0.95, 0.95)
WHITE = (1, 1, 1)


def winansi(s):
    return s.encode("cp1252", "replace")


def text_width(s, font, size):
    table = FONTS[font][1]
    total = 0
    for c in winansi(s):
        total += table[c - 32] if 32 <= c <= 126 else EXTRA_WIDTH.get(c, 556)
    return total * size / 1000


def pdf_string(s):
    out = []
    for c in winansi(s):
        if c in b"()\\":
            out.append("\\" + chr(c))
        elif 32 <= c < 127:
            out.append(chr(c))
        else:
            out.append("\\%03o" % c)
    return "(" + "".join(out) + ")"


def wrap(s, font, size, width):
    lines, line = [], ""
    for word in s.split():
        cand = word if not line else line + " " + word
        if line and text_width(cand, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = cand
    if line:
        lines.append(line)
    return lines or [""]


def rgb(c):
    return "%.3f %.3f %.3f" % c


class PdfCanvas:
    def __init__(self, width, height):
        self.w, self.h = width, height
        self.pages = []

    def new_page(self):
        self.pages.append([])

    def op(self, s):
        self.pages[-1].append(s)

    def rect(self, x, y, w, h, color):
        self.op("%s rg %.2f %.2f %.2f %.2f re f" % (rgb(color), x, y, w, h))

    def line(self, x1, y1, x2, y2, color, width=0.5):
        self.op("%s RG %.2f w %.2f %.2f m %.2f %.2f l S" % (rgb(color), width, x1, y1, x2, y2))

    def text(self, x, y, s, font="F1", size=10, color=INK, align="left"):
        if align == "right":
            x -= text_width(s, font, size)
        elif align == "center":
            x -= text_width(s, font, size) / 2
        self.op("BT /%s %.1f Tf %s rg %.2f %.2f Td %s Tj ET"
                % (font, size, rgb(color), x, y, pdf_string(s)))

    def save(self, title):
        """The PDF file: catalog, page tree, fonts, info, pages, xref, trailer."""
        objs = [None,  # objects are numbered from 1
                b"<< /Type /Catalog /Pages 2 0 R >>",
                None,  # the page tree, once the page objects are numbered
                ]
        font_ref = {}
        for name, (base, _) in FONTS.items():
            objs.append(("<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                         "/Encoding /WinAnsiEncoding >>" % base).encode())
            font_ref[name] = len(objs) - 1
        date = NOW.strftime("D:%Y%m%d%H%M%SZ")
        objs.append(("<< /Title %s /Author %s /Creator (nextstage demo-data) "
                     "/Producer (nextstage demo-data) /CreationDate (%s) >>"
                     % (pdf_string(title), pdf_string(VENDOR + " Marketing"), date)).encode())
        info = len(objs) - 1
        fonts = " ".join("/%s %d 0 R" % (n, r) for n, r in font_ref.items())
        kids = []
        for ops in self.pages:
            stream = "\n".join(ops).encode("ascii")
            objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
            content = len(objs) - 1
            objs.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                         "/Resources << /Font << %s >> >> /Contents %d 0 R >>"
                         % (self.w, self.h, fonts, content)).encode())
            kids.append(len(objs) - 1)
        objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d >>"
                   % (" ".join("%d 0 R" % k for k in kids), len(kids))).encode()
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = [0]
        for n in range(1, len(objs)):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n" % len(objs)
        out += b"0000000000 65535 f \n"
        for off in offsets[1:]:
            out += b"%010d 00000 n \n" % off
        out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                % (len(objs), info, xref))
        return bytes(out)


class PdfLayout:
    """Flows a Doc onto A4 pages (or landscape slides for decks)."""

    def __init__(self, doc):
        self.doc = doc
        self.deck = doc.deck
        self.c = PdfCanvas(842, 595) if doc.deck else PdfCanvas(595, 842)
        self.s = 1.35 if doc.deck else 1.0  # type scale
        self.m = 60 if doc.deck else 56     # margin
        self.width = self.c.w - 2 * self.m
        self.bottom = 64

    def page(self, first=False):
        c = self.c
        c.new_page()
        if self.deck and first:
            c.rect(0, 0, c.w, c.h, TEAL)
            c.text(self.m, c.h - 60, VENDOR.upper(), "F2", 14, WHITE)
            c.text(c.w - self.m, c.h - 60, self.doc.label.upper(), "F1", 10, PALE, "right")
            y = c.h / 2 + 60
            for line in wrap(self.doc.title, "F2", 34, self.width):
                c.text(self.m, y, line, "F2", 34, WHITE)
                y -= 40
            y -= 8
            for line in wrap(self.doc.subtitle, "F1", 15, self.width * 0.8):
                c.text(self.m, y, line, "F1", 15, PALE)
                y -= 20
            self.y = 0
            return
        if first:
            c.rect(0, c.h - 38, c.w, 38, TEAL)
            c.text(self.m, c.h - 24, VENDOR.upper(), "F2", 11, WHITE)
            c.text(c.w - self.m, c.h - 24, self.doc.label.upper(), "F1", 8.5, PALE, "right")
            y = c.h - 86
            for line in wrap(self.doc.title, "F2", 22, self.width):
                c.text(self.m, y, line, "F2", 22, INK)
                y -= 27
            y -= 2
            for line in wrap(self.doc.subtitle, "F1", 11.5, self.width):
                c.text(self.m, y, line, "F1", 11.5, GREY)
                y -= 15.5
            y -= 6
            c.line(self.m, y, c.w - self.m, y, TEAL, 1.2)
            self.y = y - 16
        else:
            c.rect(0, c.h - (30 if self.deck else 24), c.w, 30 if self.deck else 24, TEAL)
            c.text(self.m, c.h - (20 if self.deck else 16), VENDOR.upper() + "  \u00b7  "
                   + self.doc.title, "F1", 8, WHITE)
            self.y = c.h - (62 if self.deck else 54)

    def need(self, height):
        if self.y - height < self.bottom:
            self.page()

    def lines(self, text, font, size, x, width, leading, color=INK):
        for line in wrap(text, font, size, width):
            self.need(leading)
            self.c.text(x, self.y - size, line, font, size, color)
            self.y -= leading

    def block(self, b):
        s, m, c = self.s, self.m, self.c
        kind = b[0]
        if kind == "h":
            if self.deck:
                self.page()
                self.c.text(m, self.y - 26, b[1], "F2", 26, TEAL)
                self.y -= 50
                return
            self.y -= 8
            self.need(44)
            c.text(m, self.y - 14, b[1], "F2", 14, TEAL)
            self.y -= 22
        elif kind == "p":
            self.lines(b[1], "F1", 10.5 * s, m, self.width, 15 * s)
            self.y -= 6 * s
        elif kind == "ul":
            for item in b[1]:
                self.need(15 * s)
                c.text(m + 3, self.y - 10.5 * s, "\u2022", "F1", 10.5 * s, TEAL)
                self.lines(item, "F1", 10.5 * s, m + 16 * s, self.width - 16 * s, 15 * s)
                self.y -= 2
            self.y -= 5 * s
        elif kind == "quote":
            self.need(40 * s)
            top = self.y
            self.lines("\u201c" + b[1] + "\u201d", "F3", 12 * s, m + 14, self.width - 14,
                       17 * s, INK)
            self.lines("\u2014 " + b[2], "F1", 9.5 * s, m + 14, self.width - 14, 14 * s, GREY)
            c.rect(m, self.y + 4, 3, min(top, c.h) - self.y - 4, TEAL)
            self.y -= 8 * s
        elif kind == "kpi":
            n = len(b[1])
            gap = 10
            w = (self.width - gap * (n - 1)) / n
            h = 62 * s
            self.need(h + 8)
            for i, (value, label) in enumerate(b[1]):
                x = m + i * (w + gap)
                c.rect(x, self.y - h, w, h, PALE)
                c.text(x + 10, self.y - 30 * s, value, "F2", 22 * s, TEAL)
                ly = self.y - 44 * s
                for line in wrap(label, "F1", 8.5 * s, w - 20)[:2]:
                    c.text(x + 10, ly, line, "F1", 8.5 * s, GREY)
                    ly -= 10.5 * s
            self.y -= h + 14
        elif kind == "table":
            self.table(b[1])
        else:
            raise ValueError(kind)

    def table(self, rows):
        s, m, c = self.s, self.m, self.c
        size = 9.5 * s
        lead = 12.5 * s
        cols = len(rows[0])
        natural = [max(text_width(r[i], "F2", size) for r in rows) + 12 for i in range(cols)]
        total = sum(natural)
        widths = [self.width * w / total for w in natural]
        if total < self.width:
            widths = natural[:-1] + [natural[-1] + self.width - total]
        for ri, row in enumerate(rows):
            font = "F2" if ri == 0 else "F1"
            cells = [wrap(row[i], font, size, widths[i] - 10) for i in range(cols)]
            h = max(len(x) for x in cells) * lead + 8
            self.need(h)
            if ri == 0:
                c.rect(m, self.y - h, self.width, h, PALE)
            x = m
            for i in range(cols):
                y = self.y - 4 - size
                for line in cells[i]:
                    c.text(x + 5, y, line, font, size, INK)
                    y -= lead
                x += widths[i]
            self.y -= h
            c.line(m, self.y, m + self.width, self.y, (0.78, 0.82, 0.84), 0.6)
        self.y -= 12

    def render(self):
        self.page(first=True)
        for b in self.doc.blocks:
            self.block(b)
        c = self.c
        n = len(c.pages)
        for i, ops in enumerate(c.pages):
            tail = "%s Inc.  \u00b7  %s  \u00b7  \u00a9 %d" % (VENDOR, SITE, YEAR)
            color = PALE if self.deck and i == 0 else GREY
            ops.append("BT /F1 8 Tf %s rg %.2f %.2f Td %s Tj ET"
                       % (rgb(color), self.m, 30, pdf_string(tail)))
            num = "%d / %d" % (i + 1, n)
            ops.append("BT /F1 8 Tf %s rg %.2f %.2f Td %s Tj ET"
                       % (rgb(color), c.w - self.m - text_width(num, "F1", 8), 30,
                          pdf_string(num)))
        return c.save(self.doc.title)


def to_pdf(doc):
    return PdfLayout(doc).render()


# --- Markdown, HTML, text, DOCX ---------------------------------------------


def fill(text, width, **kw):
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False, **kw)


def to_markdown(doc):
    out = ["# " + doc.title, "", "*" + doc.subtitle + "*", ""]
    for b in doc.blocks:
        if b[0] == "h":
            out += ["## " + b[1], ""]
        elif b[0] == "p":
            out += [fill(b[1], 78), ""]
        elif b[0] == "ul":
            out += [fill(i, 78, initial_indent="- ", subsequent_indent="  ")
                    for i in b[1]] + [""]
        elif b[0] == "table":
            rows = b[1]
            out.append("| " + " | ".join(rows[0]) + " |")
            out.append("|" + "|".join("---" for _ in rows[0]) + "|")
            out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            out.append("")
        elif b[0] == "quote":
            out += [fill(b[1], 76, initial_indent="> ", subsequent_indent="> "),
                    "> \u2014 " + b[2], ""]
        elif b[0] == "kpi":
            out += ["- **%s** %s" % kv for kv in b[1]] + [""]
    out.append("---")
    out.append("%s Inc. \u00b7 %s" % (VENDOR, SITE))
    return ("\n".join(out) + "\n").encode()


def to_text(doc):
    out = [doc.title, "=" * len(doc.title), "", fill(doc.subtitle, 72), ""]
    for b in doc.blocks:
        if b[0] == "h":
            out += [b[1].upper(), "-" * len(b[1]), ""]
        elif b[0] == "p":
            out += [fill(b[1], 72), ""]
        elif b[0] == "ul":
            out += [fill(i, 72, initial_indent="  * ", subsequent_indent="    ")
                    for i in b[1]] + [""]
        elif b[0] == "table":
            rows = b[1]
            w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            for ri, r in enumerate(rows):
                out.append("  ".join(cell.ljust(w[i]) for i, cell in enumerate(r)).rstrip())
                if ri == 0:
                    out.append("  ".join("-" * x for x in w))
            out.append("")
        elif b[0] == "quote":
            out += [fill('"' + b[1] + '"', 72, initial_indent="    ",
                                  subsequent_indent="    "), "      - " + b[2], ""]
        elif b[0] == "kpi":
            out += ["  %-8s %s" % kv for kv in b[1]] + [""]
    out.append("-- %s Inc. / %s" % (VENDOR, SITE))
    return ("\n".join(out) + "\n").encode()


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def to_html(doc):
    body = []
    for b in doc.blocks:
        if b[0] == "h":
            body.append("<h2>%s</h2>" % esc(b[1]))
        elif b[0] == "p":
            body.append("<p>%s</p>" % esc(b[1]))
        elif b[0] == "ul":
            body.append("<ul>\n%s\n</ul>" % "\n".join("  <li>%s</li>" % esc(i) for i in b[1]))
        elif b[0] == "table":
            rows = b[1]
            head = "".join("<th>%s</th>" % esc(x) for x in rows[0])
            trs = "\n".join("  <tr>%s</tr>" % "".join("<td>%s</td>" % esc(x) for x in r)
                            for r in rows[1:])
            body.append("<table>\n  <tr>%s</tr>\n%s\n</table>" % (head, trs))
        elif b[0] == "quote":
            body.append("<blockquote><p>%s</p><footer>\u2014 %s</footer></blockquote>"
                        % (esc(b[1]), esc(b[2])))
        elif b[0] == "kpi":
            body.append('<div class="kpis">%s</div>' % "".join(
                '<div class="kpi"><b>%s</b><span>%s</span></div>' % (esc(v), esc(l))
                for v, l in b[1]))
    page = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s \u2014 %(vendor)s</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; color: #22272b; margin: 0; }
  header { background: #0b515b; color: #fff; padding: 14px 32px; font-weight: 700;
           letter-spacing: .08em; }
  main { max-width: 760px; margin: 0 auto; padding: 24px 32px 48px; }
  h1 { font-size: 30px; line-height: 1.2; margin: 12px 0 6px; }
  .sub { color: #5f676e; font-size: 18px; margin-top: 0; }
  h2 { color: #0b515b; margin-top: 28px; }
  table { border-collapse: collapse; width: 100%%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #c8d1d6; }
  th { background: #e6f2f3; }
  blockquote { border-left: 3px solid #0b515b; margin: 16px 0; padding: 2px 16px;
               font-style: italic; }
  blockquote footer { font-style: normal; color: #5f676e; font-size: 14px; }
  .kpis { display: flex; gap: 10px; }
  .kpi { background: #e6f2f3; padding: 10px 14px; flex: 1; }
  .kpi b { display: block; font-size: 26px; color: #0b515b; }
  .kpi span { color: #5f676e; font-size: 13px; }
  footer.page { color: #5f676e; font-size: 13px; border-top: 1px solid #c8d1d6;
                margin-top: 40px; padding-top: 10px; }
</style>
</head>
<body>
<header>%(vendor_uc)s <span style="float:right;font-weight:400">%(label)s</span></header>
<main>
<h1>%(title)s</h1>
<p class="sub">%(subtitle)s</p>
%(body)s
<footer class="page">%(vendor)s Inc. \u00b7 %(site)s \u00b7 \u00a9 %(year)d</footer>
</main>
</body>
</html>
""" % {"title": esc(doc.title), "subtitle": esc(doc.subtitle), "vendor": VENDOR,
       "vendor_uc": VENDOR.upper(), "label": esc(doc.label.upper()), "site": SITE,
       "body": "\n".join(body), "year": YEAR}
    return page.encode()


def zip_bytes(files):
    """A ZIP with @files (name, text) in the given order, deterministic times."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=(YEAR, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


OOXML_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
              'relationships">%s</Relationships>')


def ooxml_rel(rid, kind, target):
    return ('<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/%s" Target="%s"/>' % (rid, kind, target))


def ooxml_types(overrides):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>%s</Types>'
            % "".join('<Override PartName="%s" ContentType="%s"/>' % o for o in overrides))


def to_docx(doc):
    def run(text, bold=False, italic=False, size=None, color=None):
        props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        props += '<w:color w:val="%s"/>' % color if color else ""
        props += '<w:sz w:val="%d"/>' % size if size else ""
        return ('<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r>'
                % ("<w:rPr>%s</w:rPr>" % props if props else "", esc(text)))

    def para(*runs, after=120):
        return '<w:p><w:pPr><w:spacing w:after="%d"/></w:pPr>%s</w:p>' % (after, "".join(runs))

    body = [para(run(VENDOR.upper(), bold=True, color="0B515B", size=20)),
            para(run(doc.title, bold=True, size=40), after=60),
            para(run(doc.subtitle, color="5F676E", size=24), after=240)]
    for b in doc.blocks:
        if b[0] == "h":
            body.append(para(run(b[1], bold=True, color="0B515B", size=28)))
        elif b[0] == "p":
            body.append(para(run(b[1])))
        elif b[0] == "ul":
            body += [para(run("\u2022  " + i), after=60) for i in b[1]]
        elif b[0] == "quote":
            body.append(para(run("\u201c%s\u201d \u2014 %s" % (b[1], b[2]), italic=True)))
        elif b[0] == "kpi":
            body += [para(run(v + "  ", bold=True), run(l)) for v, l in b[1]]
        elif b[0] == "table":
            border = ''.join('<w:%s w:val="single" w:sz="4" w:space="0" w:color="C8D1D6"/>' % e
                             for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
            rows = []
            for ri, r in enumerate(b[1]):
                cells = "".join('<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>%s</w:tc>'
                                % para(run(x, bold=ri == 0), after=0) for x in r)
                rows.append("<w:tr>%s</w:tr>" % cells)
            body.append('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>%s'
                        '</w:tblBorders></w:tblPr><w:tblGrid>%s</w:tblGrid>%s</w:tbl>'
                        % (border, '<w:gridCol/>' * len(b[1][0]), "".join(rows)))
            body.append(para(run("")))
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                '2006/main"><w:body>%s<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
                '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" '
                'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>'
                % "".join(body))
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return zip_bytes([
        ("[Content_Types].xml", ooxml_types([("/word/document.xml", main)])),
        ("_rels/.rels", OOXML_RELS % ooxml_rel("rId1", "officeDocument", "word/document.xml")),
        ("word/document.xml", document),
    ])


def xlsx(sheet_name, rows, widths):
    """A one-sheet workbook. @rows: lists of cells; a cell is a str, a number,
    or ("=FORMULA", cached value). Formulas are recomputed on open."""
    def col(i):
        return chr(ord("A") + i)
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for i, v in enumerate(row):
            ref = "%s%d" % (col(i), r)
            if v is None or v == "":
                continue
            if isinstance(v, tuple):
                cells.append('<c r="%s"><f>%s</f><v>%s</v></c>' % (ref, esc(v[0][1:]), v[1]))
            elif isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
        xml_rows.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    cols = "".join('<col min="%d" max="%d" width="%d" customWidth="1"/>' % (i + 1, i + 1, w)
                   for i, w in enumerate(widths))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet %s><cols>%s</cols><sheetData>%s</sheetData></worksheet>'
             % (ns, cols, "".join(xml_rows)))
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook %s %s><sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets>'
                '<calcPr fullCalcOnLoad="1"/></workbook>' % (ns, rns, esc(sheet_name)))
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    return zip_bytes([
        ("[Content_Types].xml", ooxml_types([("/xl/workbook.xml", ct + "sheet.main+xml"),
                                             ("/xl/worksheets/sheet1.xml",
                                              ct + "worksheet+xml")])),
        ("_rels/.rels", OOXML_RELS % ooxml_rel("rId1", "officeDocument", "xl/workbook.xml")),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels",
         OOXML_RELS % ooxml_rel("rId1", "worksheet", "worksheets/sheet1.xml")),
        ("xl/worksheets/sheet1.xml", sheet),
    ])


def to_csv(rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode()


# --- PNG ---------------------------------------------------------------------
# A 5x7 bitmap font (upper case, digits and a little punctuation) for labels.
GLYPHS = {
    "A": ".###.#...##...#######...##...##...#", "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.", "D": "###..#..#.#...##...##...##..#.###..",
    "E": "######....#....####.#....#....#####", "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####", "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.", "J": "..###...#....#....#....##..#..##...",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#", "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##.#.##...##...##...#", "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.", "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#", "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".#####....#.....###.....#....#####.", "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.", "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.", "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..", "Z": "#####....#...#...#...#...#....#####",
    "0": ".###.#...##..###.#.###..##...#.###.", "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####", "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.", "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.", "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.", "9": ".###.#...##...#.####....#...#..##..",
    " ": "." * 35, ".": "." * 25 + ".##...##..", ",": "." * 20 + ".##....#...#...",
    "-": "." * 15 + "#####" + "." * 15, ":": "......##...##........##...##.......",
    "%": "##...##..#...#...#...#...#..##...##", "$": "..#...#####.#...###...#.#####...#..",
    "/": ".........#...#...#...#...#.........", "+": ".......#....#..#####..#....#.......",
    "(": "...#...#...#....#....#.....#.....#.", ")": ".#.....#.....#....#....#...#...#...",
    "&": ".##..#..#.#.#...#...#.#.##..#..##.#", "'": "..#....#...#.......................",
    ">": ".#.....#.....#.....#...#...#...#...",
}


class Image:
    def __init__(self, width, height, bg=WHITE):
        self.w, self.h = width, height
        px = bytes(int(v * 255) for v in bg)
        self.px = bytearray(px * (width * height))

    def rect(self, x, y, w, h, color):
        c = bytes(int(v * 255) for v in color)
        x0, y0 = max(0, int(x)), max(0, int(y))
        x1, y1 = min(self.w, int(x + w)), min(self.h, int(y + h))
        if x1 <= x0:
            return
        row = c * (x1 - x0)
        for yy in range(y0, y1):
            i = (yy * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, scale=2, color=INK, align="left"):
        s = s.upper()
        width = len(s) * 6 * scale - scale
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        for ch in s:
            g = GLYPHS.get(ch, GLYPHS[" "]).ljust(35, ".")
            for gy in range(7):
                for gx in range(5):
                    if g[gy * 5 + gx] == "#":
                        self.rect(x + gx * scale, y + gy * scale, scale, scale, color)
            x += 6 * scale

    def arrow(self, x0, x1, y, color, thick=4):
        self.rect(x0, y - thick / 2, x1 - x0 - 8, thick, color)
        for i in range(9):
            self.rect(x1 - 9 + i, y - (9 - i), 1, 2 * (9 - i), color)

    def png(self):
        raw = bytearray()
        stride = self.w * 3
        for y in range(self.h):
            raw.append(0)  # filter: none
            raw += self.px[y * stride:(y + 1) * stride]

        def chunk(kind, data):
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"tEXt", b"Software\x00nextstage demo-data")
                + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
                + chunk(b"IEND", b""))


def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def png_workflow():
    im = Image(880, 320)
    im.rect(0, 0, 880, 48, TEAL)
    im.text(24, 17, VENDOR + "  -  invoice lifecycle", 2, WHITE)
    steps = [("CAPTURE", "EMAIL, PDF, EDI"), ("CODE", "GL + TAX"), ("MATCH", "PO + RECEIPT"),
             ("APPROVE", "MOBILE, TEAMS"), ("PAY", "ACH, CARD, WIRE")]
    bw, gap, x = 136, 36, 24
    for i, (name, sub) in enumerate(steps):
        im.rect(x, 110, bw, 90, PALE)
        im.rect(x, 110, bw, 6, TEAL)
        im.text(x + bw / 2, 140, name, 3, TEAL, "center")
        im.text(x + bw / 2, 175, sub, 1, GREY, "center")
        if i < len(steps) - 1:
            im.arrow(x + bw + 4, x + bw + gap - 4, 155, GREY)
        x += bw + gap
    im.text(440, 250, "78% of invoices touchless  -  2.5 days receipt to approval", 2, INK,
            "center")
    im.text(440, 285, "Exceptions route to the right approver with the PO and receipt attached",
            1, GREY, "center")
    return im.png()


def png_heatmap():
    rows = ["Price mismatch", "Quantity mismatch", "Missing PO", "Duplicate", "New vendor",
            "Tax code"]
    data = [[64, 41, 22, 15], [38, 30, 19, 11], [55, 32, 14, 6], [9, 4, 2, 1],
            [21, 17, 12, 10], [30, 12, 5, 3]]
    im = Image(720, 420)
    im.rect(0, 0, 720, 48, TEAL)
    im.text(24, 17, "Pilot exceptions by week  -  4,812 invoices", 2, WHITE)
    x0, y0, cw, ch = 240, 90, 110, 44
    for j in range(4):
        im.text(x0 + j * cw + cw / 2, y0 - 22, "Week %d" % (j + 1), 2, INK, "center")
    for i, name in enumerate(rows):
        im.text(x0 - 16, y0 + i * ch + ch / 2 - 7, name, 2, INK, "right")
        for j in range(4):
            v = data[i][j]
            color = mix((0.93, 0.97, 0.97), (0.75, 0.22, 0.17), min(1, v / 64))
            im.rect(x0 + j * cw + 2, y0 + i * ch + 2, cw - 4, ch - 4, color)
            im.text(x0 + j * cw + cw / 2, y0 + i * ch + ch / 2 - 7, str(v), 2,
                    WHITE if v > 32 else INK, "center")
    im.text(360, 372, "Exceptions fell 61% from week 1 to week 4 as vendor rules were learned",
            1, GREY, "center")
    return im.png()


def png_cost_chart():
    bars = [("Manual", 12.40, (0.62, 0.66, 0.69)), ("OCR only", 7.10, (0.45, 0.62, 0.66)),
            ("Ledgerline", 2.90, TEAL)]
    im = Image(720, 440)
    im.rect(0, 0, 720, 48, TEAL)
    im.text(24, 17, "Cost per invoice (USD, fully loaded)", 2, WHITE)
    base, top = 380, 90
    im.rect(80, base, 580, 2, INK)
    for k in range(0, 15, 3):
        y = base - (base - top) * k / 14
        im.rect(80, y, 580, 1, (0.85, 0.87, 0.88))
        im.text(70, y - 7, "%d" % k, 2, GREY, "right")
    for i, (name, value, color) in enumerate(bars):
        x = 130 + i * 180
        h = (base - top) * value / 14
        im.rect(x, base - h, 110, h, color)
        im.text(x + 55, base - h - 24, "$%.2f" % value, 2, INK, "center")
        im.text(x + 55, base + 16, name, 2, INK, "center")
    im.text(360, 426, "Source: Ledgerline customer data, median of 212 mid-market customers",
            1, GREY, "center")
    return im.png()


# ---------------------------------------------------------------------------
# The library.

PERSONAS = [
    ("cfo", "CFO",
     "Owns the budget and signs the contract. Measured on cash, cost per invoice and a fast, "
     "clean close; wants a business case in numbers and proof from peers."),
    ("it-director", "IT director",
     "Decides whether we fit the stack: ERP integration (NetSuite, SAP, Dynamics 365), single "
     "sign-on, data residency and how much maintenance lands on the team."),
    ("sales-ops", "Head of sales operations",
     "Runs quote-to-cash and the CRM. Wants invoices out the day a deal closes, clean "
     "CRM-to-billing data and no billing disputes slowing renewals."),
    ("procurement", "Procurement lead",
     "Runs the buying process: vendor onboarding, security and legal review, contract terms, "
     "SLAs and price benchmarks. Needs complete answers early to keep the deal on schedule."),
    ("ap-manager", "AP manager (end-user champion)",
     "Runs the accounts payable team day to day and feels the pain of paper, email approvals "
     "and exceptions. Our champion: needs material to sell the change to the team and the CFO."),
    ("security-officer", "Security officer",
     "CISO or security lead. Reviews the SOC 2 and ISO 27001 reports, the data processing "
     "agreement, access controls and sub-processors; can stop a deal late if not engaged early."),
]

DISCLOSURE = ("By downloading you agree that %s will email you once, within five business "
              "days, about how AP automation could apply to your team. No newsletter and no "
              "list sharing; one reply and we will not contact you again." % VENDOR)

MIME = {".pdf": "application/pdf", ".md": "text/markdown", ".txt": "text/plain",
        ".csv": "text/csv", ".html": "text/html", ".png": "image/png",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(filename, content):
    """The bytes of @filename: a Doc rendered by extension, bytes as they are,
    or a function called to make them."""
    if callable(content):
        content = content()
    if isinstance(content, bytes):
        return content
    ext = os.path.splitext(filename)[1]
    return {".pdf": to_pdf, ".md": to_markdown, ".txt": to_text, ".html": to_html,
            ".docx": to_docx}[ext](content)


def asset(title, description, kind, intent, personas, stages, tags, file=None, url=None,
          **extra):
    meta = {"title": title, "description": description, "kind": kind, "intent": intent,
            "personas": personas, "stages": stages, "tags": tags,
            "status": extra.pop("status", "published")}
    for key in ("public", "gated", "disclosure", "source"):
        if key in extra:
            meta[key] = extra.pop(key)
    if "expires_in_days" in extra:
        when = NOW + datetime.timedelta(days=extra.pop("expires_in_days"))
        meta["expires_at"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"meta": meta, "file": file, "url": url, "then": extra.pop("then", None),
            "version2": extra.pop("version2", None)}


def gated():
    return {"public": True, "gated": True, "disclosure": DISCLOSURE}


def product_sheet(spring):
    blocks = [
        KPI(("78%", "of invoices processed with no human touch"),
            ("2.5 days", "from receipt to approval, down from 11"),
            ("$2.90", "fully loaded cost per invoice")),
        H("What it does"),
        UL("Capture: invoices from email, PDF, EDI and the supplier portal, read with 99.1% "
           "field accuracy and no templates to maintain.",
           "Code: GL account, cost centre and tax code suggested from your history.",
           "Match: two- and three-way matching against POs and goods receipts, with tolerances "
           "per vendor.",
           "Approve: rules by amount, entity and cost centre; approve from email, mobile or "
           + ("Microsoft Teams and Slack." if spring else "the web app."),
           "Pay: ACH, wire, virtual card and cross-border payments in 38 currencies, with "
           "positive pay files for your bank."),
        H("Fits your stack"),
        P("Native, two-way connectors for NetSuite, SAP S/4HANA, Microsoft Dynamics 365 "
          "Business Central and Sage Intacct sync vendors, POs, receipts and GL codes every "
          "five minutes. SAML single sign-on, SCIM provisioning and a REST API with webhooks "
          "are included in every plan."),
        H("Controls your auditors will like"),
        UL("Segregation of duties enforced by role; every change is logged with who and when.",
           "Duplicate and fraud checks on every invoice and every vendor bank change.",
           "SOC 2 Type II and ISO 27001 certified; data stays in your region (US or EU)."),
    ]
    if spring:
        blocks += [H("New in the spring release"),
                   UL("Approvals inside Microsoft Teams and Slack, with the PDF and PO inline.",
                      "Vendor bank-change verification by call-back workflow.",
                      "Accrual suggestions for uninvoiced receipts at month end.")]
    return Doc("Product sheet", VENDOR + " AP" + (" \u2014 spring release" if spring else ""),
               "Accounts payable automation for mid-market finance teams: from invoice to "
               "payment without paper, email chains or spreadsheets.", blocks)


def library():
    y = YEAR
    return [
        # --- prospecting: educational, invitation content ---
        asset("The CFO's guide to touchless accounts payable",
              "A practical guide for finance leaders: what touchless AP means, the metrics that "
              "matter (cost per invoice, cycle time, touchless rate, DPO) and a 90-day plan to "
              "get there without replacing your ERP.",
              "guide", "educational", ["cfo", "ap-manager"], ["prospecting", "discovery"],
              ["ap-automation", "touchless-ap", "cost-per-invoice", "month-end-close"],
              file=("cfo-guide-touchless-ap.pdf", Doc(
                  "Guide", "The CFO's guide to touchless accounts payable",
                  "What best-in-class finance teams measure, and a 90-day plan to get there.", [
                      H("Why accounts payable is a CFO topic"),
                      P("For most mid-market companies accounts payable is still a chain of "
                        "PDFs, shared inboxes and approval emails. Each invoice is touched five "
                        "to eight times before it is paid. That costs money, but the larger cost "
                        "is visibility: the CFO cannot see liabilities until invoices are "
                        "keyed, and the close waits for the last approval."),
                      KPI(("$12.40", "median cost per invoice, manual process"),
                          ("$2.90", "best-in-class, touchless process"),
                          ("9 days", "median month-end close with manual AP")),
                      H("The four metrics that matter"),
                      TABLE(("Metric", "Typical", "Best in class"),
                            ("Cost per invoice", "$12.40", "under $3"),
                            ("Receipt to approval", "11 days", "under 3 days"),
                            ("Touchless rate", "12%", "over 75%"),
                            ("Early-payment discounts captured", "18%", "over 80%")),
                      H("A 90-day plan"),
                      UL("Days 1-30: route every invoice to one inbox and measure the baseline.",
                         "Days 31-60: automate capture and coding; set approval rules by amount "
                         "and cost centre.",
                         "Days 61-90: switch on PO matching and scheduled payment runs; report "
                         "the four metrics to the board."),
                      P("None of this needs a new ERP. It needs the invoice to become data the "
                        "moment it arrives."),
                  ])), **gated()),
        asset("%d AP benchmark: what an invoice really costs" % y,
              "Survey of 412 finance teams in North America and Europe: fully loaded cost per "
              "invoice, cycle times, exception rates and payment methods, by company size.",
              "whitepaper", "educational", ["cfo", "procurement", "ap-manager"], ["prospecting"],
              ["benchmark", "research", "cost-per-invoice"],
              file=("ap-benchmark-%d.pdf" % y, Doc(
                  "Research report", "%d AP benchmark: what an invoice really costs" % y,
                  "Findings from 412 finance teams, from 50 to 5,000 employees.", [
                      H("Headline findings"),
                      KPI(("412", "finance teams surveyed in %d" % (y - 1)),
                          ("$12.40", "median fully loaded cost per invoice"),
                          ("14%", "of invoices arrive with an exception")),
                      P("Costs fall sharply with automation, but not with headcount: teams that "
                        "added staff to keep up with volume saw their cost per invoice rise. "
                        "The single strongest predictor of a low cost per invoice is the share "
                        "of invoices that pass without a human touch."),
                      H("Cost per invoice by company size"),
                      TABLE(("Employees", "Invoices / month", "Cost per invoice", "Cycle time"),
                            ("50-199", "600", "$15.10", "12 days"),
                            ("200-999", "2,400", "$12.40", "11 days"),
                            ("1,000-4,999", "9,800", "$9.80", "8 days"),
                            ("Automated (any size)", "-", "$2.90", "2.5 days")),
                      H("Where the time goes"),
                      UL("Chasing approvals: 31% of AP staff time.",
                         "Keying and coding invoices: 27%.",
                         "Resolving exceptions with purchasing and vendors: 22%.",
                         "Answering vendor status questions: 12%."),
                      H("Method"),
                      P("Online survey in Q4 %d, weighted by company size and region; cost per "
                        "invoice includes staff time at local loaded rates, software, printing, "
                        "storage and late-payment fees." % (y - 1)),
                  ])), **gated()),
        asset("5 signs your AP team has outgrown email approvals",
              "Blog post for AP managers: the symptoms of an approval process that no longer "
              "scales, and what to fix first.",
              "blog_post", "educational", ["ap-manager", "cfo"], ["prospecting"],
              ["approvals", "email", "ap-automation"],
              file=("outgrown-email-approvals.md", Doc(
                  "Blog", "5 signs your AP team has outgrown email approvals",
                  "If three of these sound familiar, your approval process is costing more than "
                  "it saves.", [
                      H("1. Approvers ask for the invoice again"),
                      P("The PDF is buried in a thread from three weeks ago, so it gets "
                        "forwarded again, and now there are two versions in circulation."),
                      H("2. Vendors call to ask where their money is"),
                      P("When nobody can see which approver holds an invoice, the AP team "
                        "becomes a call centre."),
                      H("3. Month end means a spreadsheet of unapproved invoices"),
                      P("Accruals are guesses because approvals arrive after the books close."),
                      H("4. You paid the same invoice twice"),
                      P("A resent invoice with a new number slips through a manual check."),
                      H("5. Out-of-office breaks the process"),
                      P("One approver on holiday holds up a week of payments."),
                      H("What to fix first"),
                      UL("One inbox for every invoice, read automatically.",
                         "Approval rules by amount and cost centre, with delegates.",
                         "A status page vendors can check themselves."),
                  ])), public=True),
        asset("Early-payment discounts: a treasury playbook",
              "E-book for CFOs on funding early-payment discounts and dynamic discounting from "
              "operating cash, with the maths on when 2/10 net 30 beats a money-market yield.",
              "ebook", "educational", ["cfo"], ["prospecting", "discovery"],
              ["cash-flow", "dpo", "early-payment-discounts", "treasury"],
              file=("early-payment-discounts-playbook.pdf", Doc(
                  "E-book", "Early-payment discounts: a treasury playbook",
                  "Turn accounts payable into a yield on idle cash.", [
                      H("The maths"),
                      P("A 2/10 net 30 term pays 2% for paying 20 days early: an annualised "
                        "return of about 37%. Few treasury instruments come close, yet the "
                        "median company captures fewer than one in five discounts offered, "
                        "because invoices are not approved within ten days."),
                      TABLE(("Terms", "Days early", "Annualised return"),
                            ("1/10 net 30", "20", "18.4%"),
                            ("2/10 net 30", "20", "37.2%"),
                            ("2/10 net 45", "35", "21.3%"),
                            ("Dynamic, 1.5% at day 5", "25", "22.3%")),
                      H("Chapter 1: find the discounts you already have"),
                      P("Start with the vendor master: 30% of vendors in a typical mid-market "
                        "company offer terms that are never taken."),
                      H("Chapter 2: approve inside the window"),
                      P("Discounts are lost in approval, not in payment. Route discount-bearing "
                        "invoices first and set an escalation at day five."),
                      H("Chapter 3: balance discounts against DPO"),
                      UL("Take discounts where the annualised return beats your cost of capital.",
                         "Pay everything else on the due date, not before.",
                         "Review the policy every quarter as rates move."),
                  ]))),
        asset("Webinar: close the books in three days",
              "On-demand webinar (45 minutes) with two mid-market controllers on what they "
              "changed in AP and accruals to cut the close from nine days to three.",
              "webinar", "educational", ["cfo", "ap-manager"], ["prospecting"],
              ["month-end-close", "webinar", "controllers"],
              url="https://%s/webinars/close-the-books-in-three-days" % SITE,
              source="Finance Leaders Summit %d" % (y - 1)),
        asset("Outbound email sequence: month-end close pain",
              "Four-step outbound sequence for reps targeting CFOs and controllers who "
              "struggle with the close; with subject lines, timing and personalisation notes.",
              "template", "sales", ["cfo", "ap-manager"], ["prospecting"],
              ["outbound", "email-template", "month-end-close"],
              file=("outbound-sequence-month-end-close.txt", Doc(
                  "Email template", "Outbound email sequence: month-end close pain",
                  "Four touches over twelve days. Replace the [brackets]; keep each email "
                  "under 90 words.", [
                      H("Email 1 (day 1): the close"),
                      P("Subject: the last approval before close. Hi [first name], most "
                        "controllers we talk to at [company size] companies lose two to three "
                        "days of every close waiting for invoice approvals. [Peer company] got "
                        "theirs from nine days to four. Worth 20 minutes to compare notes?"),
                      H("Email 2 (day 4): the benchmark"),
                      P("Subject: $12.40 per invoice. Our %d benchmark of 412 finance teams "
                        "puts the median cost per invoice at $12.40; automated teams are under "
                        "$3. Happy to send the report, no strings." % y),
                      H("Email 3 (day 8): a peer story"),
                      P("Subject: how Harborview Logistics closed faster. Their AP team of "
                        "six now handles 9,000 invoices a month, 78% without a touch. Two-page "
                        "case study attached."),
                      H("Email 4 (day 12): the break-up"),
                      P("Subject: should I close the file? If the close is not a priority this "
                        "quarter, no problem. I will check back after [next quarter end]."),
                      H("Notes for reps"),
                      UL("Personalise line one with their ERP (check the job posts).",
                         "Attach the benchmark only when they reply; link it otherwise."),
                  ]))),
        asset("Invoice fraud: 7 red flags every AP team should know",
              "One-page checklist of the invoice and vendor-master fraud patterns seen most "
              "often, with the control that stops each.",
              "one_pager", "educational", ["ap-manager", "security-officer", "cfo"],
              ["prospecting"], ["fraud", "controls", "vendor-master"],
              file=("invoice-fraud-red-flags.html", Doc(
                  "One-pager", "Invoice fraud: 7 red flags every AP team should know",
                  "Business email compromise and vendor impersonation cost companies more "
                  "than any other payment fraud. These are the signs.", [
                      TABLE(("Red flag", "The control that stops it"),
                            ("Bank details change by email", "Call-back to a number on file"),
                            ("New vendor, urgent first invoice", "Dual approval for new vendors"),
                            ("Invoice number one digit off", "Fuzzy duplicate detection"),
                            ("Round amounts just under a limit", "Split-invoice detection"),
                            ("Sender domain looks alike", "Domain check on every inbound invoice"),
                            ("PO-less invoice for goods", "Mandatory PO above a threshold"),
                            ("Vendor address is a PO box", "Vendor verification at onboarding")),
                      H("What good looks like"),
                      P("Every vendor bank change is verified out of band, every invoice is "
                        "checked for duplicates before approval, and nobody can both create a "
                        "vendor and approve its payment."),
                  ])), public=True),

        # --- discovery ---
        asset("Discovery call question bank for AP automation",
              "The questions our best reps ask in the first two calls, grouped by persona, "
              "with what a strong answer sounds like and the next step it justifies.",
              "guide", "sales", ["cfo", "ap-manager", "it-director"], ["discovery"],
              ["discovery", "qualification", "meddicc", "enablement"],
              file=("discovery-question-bank.txt", Doc(
                  "Sales guide", "Discovery call question bank for AP automation",
                  "Ask fewer, better questions. Aim to leave the call with a metric, a pain "
                  "owner and a date.", [
                      H("For the AP manager"),
                      UL("How many invoices a month, and how many people touch each one?",
                         "Where do invoices arrive today, and how do they get into the ERP?",
                         "What happens when an invoice has no PO?",
                         "How do you find out an approver is on holiday?"),
                      H("For the CFO"),
                      UL("How many days does the close take, and what holds it up?",
                         "Do you know your cost per invoice? What would you guess?",
                         "How many early-payment discounts did you take last quarter?",
                         "Who else would need to agree to change the AP process?"),
                      H("For the IT director"),
                      UL("Which ERP and version, and who owns the integration?",
                         "Do you require SSO and SCIM? Which identity provider?",
                         "Any data residency requirements?"),
                      H("Next steps that fit"),
                      TABLE(("If you heard", "Propose"),
                            ("A number for invoices and touches", "ROI calculator session"),
                            ("The close is slow", "Controller webinar + peer case study"),
                            ("ERP is customised", "Integration workshop with IT")),
                  ]))),
        asset("%s intro deck: AP automation in six slides" % VENDOR,
              "The first-meeting deck: the problem in numbers, how %s works, three customer "
              "results and the path to a pilot." % VENDOR,
              "deck", "sales", ["cfo", "ap-manager", "it-director"], ["discovery"],
              ["intro-deck", "first-meeting", "ap-automation"],
              file=("ledgerline-intro-deck.pdf", Doc(
                  "Deck", "AP automation without the ERP project",
                  "%s in six slides \u2014 first meeting deck." % VENDOR, [
                      H("Finance teams are still keying invoices"),
                      KPI(("$12.40", "median cost per invoice"), ("11 days", "receipt to approval"),
                          ("14%", "invoices with an exception")),
                      H("Where the week goes"),
                      UL("31% chasing approvals", "27% keying and coding",
                         "22% resolving exceptions", "12% answering vendors"),
                      H("How %s works" % VENDOR),
                      UL("Capture every invoice from one inbox",
                         "Code and match against POs automatically",
                         "Approve from email, mobile or Teams", "Pay in 38 currencies"),
                      H("Customers"),
                      TABLE(("Customer", "Result"),
                            ("Harborview Logistics", "-76% cost per invoice"),
                            ("Pinecrest Hotels", "14 properties, one AP inbox"),
                            ("Quayside Manufacturing", "40,000 invoices a month matched")),
                      H("The path to a pilot"),
                      UL("Week 1: connect the ERP (read-only)",
                         "Weeks 2-5: run a 30-day pilot on one entity",
                         "Week 6: results review with your CFO"),
                  ], deck=True))),
        asset("%s AP product sheet" % VENDOR,
              "Two-page product sheet: capture, coding, matching, approvals and payments, "
              "ERP connectors and controls, with the headline customer numbers.",
              "product_sheet", "sales", ["cfo", "ap-manager", "it-director"],
              ["discovery", "evaluation"],
              ["product", "invoice-capture", "approvals", "payments", "erp"],
              file=("ledgerline-ap-product-sheet.pdf", product_sheet(False)),
              version2=("ledgerline-ap-product-sheet-spring.pdf", product_sheet(True))),
        asset("%s Billing for sales ops: invoices out the day the deal closes" % VENDOR,
              "Product sheet for heads of sales operations: invoices generated from closed-won "
              "opportunities in Salesforce or HubSpot, usage billing and dunning.",
              "product_sheet", "sales", ["sales-ops", "cfo"], ["discovery", "evaluation"],
              ["billing", "quote-to-cash", "crm", "salesforce", "hubspot"],
              file=("ledgerline-billing-sales-ops.pdf", Doc(
                  "Product sheet", "%s Billing: invoices out the day the deal closes" % VENDOR,
                  "Quote-to-cash for sales operations teams, straight from your CRM.", [
                      KPI(("Same day", "invoice after closed-won, from 6 days"),
                          ("-63%", "billing disputes at renewal"),
                          ("11 days", "lower DSO in the first two quarters")),
                      H("From opportunity to invoice"),
                      P("When an opportunity closes, %s reads the products, prices, billing "
                        "contact and terms from the CRM and issues the invoice the same day, "
                        "with the PO number the customer asked for." % VENDOR),
                      UL("Two-way sync with Salesforce and HubSpot; invoice and payment status "
                         "visible on the account.",
                         "Subscriptions, milestones and usage-based lines on one invoice.",
                         "Dunning sequences that pause when a rep flags a dispute."),
                      H("Why sales ops teams choose it"),
                      P("Renewals slip when the first invoice was wrong. Billing from the same "
                        "data the rep closed on removes the re-keying step where most errors "
                        "start."),
                  ]))),
        asset("Battlecard: %s vs. spreadsheets and email" % VENDOR,
              "How to win against the status quo: the objections AP teams raise, the cost of "
              "doing nothing, and the proof points that move a champion to act.",
              "battlecard", "sales", ["ap-manager", "cfo"], ["discovery", "evaluation"],
              ["competitive", "status-quo", "objection-handling"],
              file=("battlecard-status-quo.md", Doc(
                  "Battlecard", "Battlecard: %s vs. spreadsheets and email" % VENDOR,
                  "Internal \u2014 do not send to prospects. The status quo is our biggest "
                  "competitor in 6 of 10 lost deals.", [
                      H("Objections and answers"),
                      TABLE(("They say", "You say"),
                            ("It works well enough", "Ask for cost per invoice; show the benchmark"),
                            ("We will fix it after the ERP upgrade", "We connect to today's ERP and move with you"),
                            ("My team will resist", "Offer the champion kit and a pilot on one entity"),
                            ("No budget this year", "Model the discounts captured: most pilots pay back")),
                      H("Cost of doing nothing"),
                      UL("At 2,400 invoices a month, $9.50 of avoidable cost per invoice is "
                         "$274,000 a year.",
                         "Every month of delay is roughly $23,000 of savings not taken."),
                      H("Proof points"),
                      UL("Harborview Logistics: -76% cost per invoice in five months.",
                         "Pinecrest Hotels: AP team redeployed to vendor management."),
                      H("Trap-setting questions"),
                      UL("How would you know if the same invoice was paid twice?",
                         "What does month end look like for your approvers?"),
                  ]))),
        asset("Invoice lifecycle with %s (diagram)" % VENDOR,
              "Diagram of the five steps from invoice capture to payment, for slides and "
              "emails; shows where exceptions are routed.",
              "other", "sales", ["it-director", "ap-manager"], ["discovery", "evaluation"],
              ["workflow", "diagram", "invoice-capture"],
              file=("invoice-lifecycle-diagram.png", png_workflow)),
        asset("Duplicate payments and invoice fraud: a prevention guide",
              "Guide for finance and security leaders on duplicate payments and payment fraud: "
              "how they happen, what they cost and the controls that prevent them.",
              "guide", "educational", ["cfo", "security-officer", "ap-manager"], ["discovery"],
              ["fraud", "duplicate-payments", "controls", "audit"],
              file=("duplicate-payment-fraud-guide.pdf", Doc(
                  "Guide", "Duplicate payments and invoice fraud: a prevention guide",
                  "0.8% of payables are paid twice or to the wrong party. Most of it never "
                  "comes back.", [
                      H("How duplicates happen"),
                      UL("The same invoice arrives by email and by post.",
                         "A vendor resends with a new invoice number after a reminder.",
                         "Two entities pay a shared vendor for the same delivery."),
                      H("How fraud happens"),
                      P("Most payment fraud is social engineering: an email that appears to "
                        "come from a known vendor announces new bank details. The next "
                        "payment run sends real money to a mule account."),
                      H("Controls that work"),
                      TABLE(("Control", "Stops", "Effort"),
                            ("Fuzzy duplicate check before approval", "Duplicates", "Automatic"),
                            ("Out-of-band bank change verification", "Vendor impersonation", "5 min per change"),
                            ("Segregation of duties", "Internal fraud", "Set once"),
                            ("Positive pay with the bank", "Altered payments", "Set once")),
                      H("A quick self-assessment"),
                      P("If you cannot answer yes to all four controls, start with bank change "
                        "verification: it stops the costliest losses."),
                  ])), **gated()),

        # --- evaluation ---
        asset("Harborview Logistics cut invoice processing costs by 76%",
              "Case study: a 1,800-employee logistics company on NetSuite moved 9,000 "
              "invoices a month to touchless AP in five months.",
              "case_study", "sales", ["cfo", "ap-manager"], ["evaluation", "proposal"],
              ["case-study", "logistics", "netsuite", "cost-per-invoice"],
              file=("case-study-harborview-logistics.pdf", Doc(
                  "Case study", "Harborview Logistics cut invoice processing costs by 76%",
                  "Freight, fuel and maintenance invoices from 2,300 vendors, now 78% "
                  "touchless.", [
                      KPI(("-76%", "cost per invoice, $11.80 to $2.80"),
                          ("78%", "touchless invoices after five months"),
                          ("4 days", "month-end close, down from 9")),
                      H("The challenge"),
                      P("Harborview's AP team of six keyed 9,000 invoices a month into "
                        "NetSuite. Fuel and maintenance invoices arrived from depots as photos "
                        "and scans, approvals ran through email, and the close took nine "
                        "days."),
                      H("The solution"),
                      UL("One AP inbox per region, read by %s capture." % VENDOR,
                         "Approval rules by depot and amount, approved from mobile.",
                         "Three-way matching for parts orders against NetSuite receipts."),
                      H("The results"),
                      P("Within five months 78% of invoices passed without a touch. The team "
                        "absorbed 30% growth in volume without hiring and now spends its time "
                        "on vendor terms."),
                      QUOTE("We stopped being the department that loses invoices. Our depots "
                            "approve from their phones and I close in four days.",
                            "Dana Okafor, Controller, Harborview Logistics"),
                  ])), public=True),
        asset("Pinecrest Hotels: 14 properties, one AP inbox",
              "Case study: a hotel group centralised AP for 14 properties and 3 legal entities "
              "on Dynamics 365 without adding staff.",
              "case_study", "sales", ["ap-manager", "cfo"], ["evaluation"],
              ["case-study", "hospitality", "multi-entity", "dynamics-365"],
              file=("case-study-pinecrest-hotels.pdf", Doc(
                  "Case study", "Pinecrest Hotels: 14 properties, one AP inbox",
                  "Centralised accounts payable for a growing hotel group.", [
                      KPI(("14", "properties on one AP process"),
                          ("3", "legal entities, one approval policy"),
                          ("0", "new AP hires through two acquisitions")),
                      H("The challenge"),
                      P("Each property ran its own AP clerk, its own vendor list and its own "
                        "approval habits. Group finance saw liabilities only at month end."),
                      H("What changed"),
                      UL("A single inbox and vendor master across all properties.",
                         "Property managers approve food and beverage invoices from mobile.",
                         "Intercompany invoices are coded to the right entity automatically."),
                      QUOTE("When we bought two more hotels, onboarding their AP took a week.",
                            "Marcus Lindqvist, Group Finance Director, Pinecrest Hotels"),
                  ]))),
        asset("Quayside Manufacturing automates three-way matching at 40,000 invoices a month",
              "Case study for IT and procurement: PO and goods-receipt matching against SAP "
              "S/4HANA at high volume, with vendor-specific tolerances.",
              "case_study", "sales", ["it-director", "procurement", "ap-manager"], ["evaluation"],
              ["case-study", "manufacturing", "sap", "po-matching"],
              file=("case-study-quayside-manufacturing.pdf", Doc(
                  "Case study",
                  "Quayside Manufacturing automates three-way matching at 40,000 invoices a "
                  "month", "SAP S/4HANA, 6 plants, 4,100 suppliers.", [
                      KPI(("40,000", "invoices a month"), ("91%", "matched automatically"),
                          ("6 weeks", "SAP integration, go-live to full volume")),
                      H("Integration"),
                      P("%s reads purchase orders and goods receipts from SAP S/4HANA through "
                        "the standard OData services and posts approved invoices back as "
                        "supplier invoices. No custom ABAP was written." % VENDOR),
                      H("Matching rules"),
                      TABLE(("Supplier group", "Price tolerance", "Quantity tolerance"),
                            ("Raw materials", "0.5%", "2%"),
                            ("MRO and spare parts", "2%", "0"),
                            ("Freight", "5% or $50", "n/a")),
                      QUOTE("The integration was the part I worried about. It was the part "
                            "that gave us the least trouble.",
                            "Priya Raman, IT Director, Quayside Manufacturing"),
                  ]))),
        asset("Security and compliance overview: SOC 2 Type II, ISO 27001, GDPR",
              "Whitepaper for security reviews: architecture, encryption, access control, "
              "certifications, data residency, sub-processors and incident response.",
              "whitepaper", "sales", ["security-officer", "it-director", "procurement"],
              ["evaluation", "negotiation"], ["security", "soc2", "iso27001", "gdpr"],
              file=("security-compliance-overview.pdf", Doc(
                  "Whitepaper", "Security and compliance overview",
                  "SOC 2 Type II, ISO 27001 and GDPR: how %s protects your financial data."
                  % VENDOR, [
                      H("Certifications"),
                      TABLE(("Standard", "Scope", "Latest report"),
                            ("SOC 2 Type II", "Security, availability, confidentiality",
                             "Q1 %d" % y),
                            ("ISO/IEC 27001:2022", "All production systems", "%d" % (y - 1)),
                            ("GDPR", "DPA with SCCs; EU data residency", "current")),
                      H("Data protection"),
                      UL("Encryption in transit (TLS 1.2+) and at rest (AES-256).",
                         "Customer data stored in the US or the EU, chosen at signup.",
                         "Bank account numbers tokenised; never shown in full in the UI.",
                         "Backups encrypted and tested monthly; RPO 15 minutes, RTO 4 hours."),
                      H("Access control"),
                      UL("SAML SSO and SCIM on every plan; MFA enforced for all staff.",
                         "Role-based permissions with segregation of duties.",
                         "Production access by just-in-time approval, logged and reviewed."),
                      H("Incident response"),
                      P("Security incidents affecting customer data are notified within 48 "
                        "hours. Our status page and sub-processor list are public."),
                  ]))),
        asset("Security questionnaire: pre-filled answers (SIG Lite)",
              "Our standard answers to the SIG Lite questionnaire, ready to paste into a "
              "customer's security review; reviewed by the security team every quarter.",
              "template", "sales", ["security-officer", "procurement"],
              ["evaluation", "negotiation"], ["security", "questionnaire", "sig-lite"],
              file=("security-questionnaire-sig-lite.csv", to_csv([
                  ["id", "domain", "question", "answer", "evidence"],
                  ["A.1", "Risk management", "Is there a documented risk assessment process?",
                   "Yes; reviewed annually and on major change", "ISO 27001 certificate"],
                  ["B.1", "Security policy", "Is there an information security policy approved "
                   "by management?", "Yes; reviewed annually", "Policy index (on request)"],
                  ["C.2", "Organizational security", "Is there a named security officer?",
                   "Yes; CISO reporting to the CEO", "Org chart"],
                  ["D.1", "Asset management", "Is there an inventory of information assets?",
                   "Yes; automated from cloud accounts", "SOC 2 report, CC6.1"],
                  ["E.3", "Human resources", "Are background checks performed?",
                   "Yes; for all staff where legally permitted", "SOC 2 report, CC1.4"],
                  ["G.4", "Operations", "Is customer data encrypted at rest?", "Yes; AES-256",
                   "Security overview"],
                  ["H.2", "Access control", "Is MFA required for administrative access?",
                   "Yes; enforced by SSO", "SOC 2 report, CC6.1"],
                  ["H.5", "Access control", "Does the service support SAML SSO?",
                   "Yes; all plans", "Product documentation"],
                  ["I.1", "Application security", "Are penetration tests performed?",
                   "Yes; annually by an independent firm", "Pen test summary (NDA)"],
                  ["J.1", "Incident management", "Is there an incident response plan?",
                   "Yes; tested twice a year", "SOC 2 report, CC7.3"],
                  ["K.1", "Business resilience", "What are the RPO and RTO?",
                   "RPO 15 minutes; RTO 4 hours", "Security overview"],
                  ["L.2", "Compliance", "Is the service GDPR compliant?",
                   "Yes; DPA with SCCs, EU hosting available", "DPA"],
                  ["P.1", "Privacy", "Are sub-processors listed publicly?", "Yes",
                   "https://%s/subprocessors" % SITE],
              ]))),
        asset("ERP integration guide: NetSuite, SAP S/4HANA and Dynamics 365",
              "What syncs, how often, which permissions the integration user needs and how "
              "long set-up takes for each supported ERP.",
              "guide", "sales", ["it-director"], ["evaluation"],
              ["integration", "erp", "netsuite", "sap", "dynamics-365"],
              file=("erp-integration-guide.pdf", Doc(
                  "Technical guide", "ERP integration guide",
                  "NetSuite, SAP S/4HANA, Microsoft Dynamics 365 Business Central and Sage "
                  "Intacct.", [
                      H("What syncs"),
                      TABLE(("Object", "Direction", "Frequency"),
                            ("Vendors and bank details", "ERP to %s" % VENDOR, "5 minutes"),
                            ("GL accounts, cost centres, tax codes", "ERP to %s" % VENDOR, "Hourly"),
                            ("Purchase orders and receipts", "ERP to %s" % VENDOR, "5 minutes"),
                            ("Approved invoices", "%s to ERP" % VENDOR, "On approval"),
                            ("Payments", "%s to ERP" % VENDOR, "On settlement")),
                      H("Set-up by ERP"),
                      TABLE(("ERP", "Method", "Typical set-up"),
                            ("NetSuite", "SuiteApp + token-based auth", "1 day"),
                            ("SAP S/4HANA", "Standard OData services", "2-3 weeks"),
                            ("Dynamics 365 BC", "Marketplace app", "1 day"),
                            ("Sage Intacct", "Web services user", "2 days")),
                      H("Permissions"),
                      P("The integration user needs read access to vendors, POs, receipts and "
                        "the chart of accounts, and create access to vendor bills and payments. "
                        "It never needs administrator rights."),
                  ]))),
        asset("API reference and webhooks (developer docs)",
              "The public REST API and webhook reference for IT teams planning custom "
              "integrations or data-warehouse exports.",
              "other", "sales", ["it-director"], ["evaluation"],
              ["api", "webhooks", "integration", "developers"],
              url="https://docs.%s/api" % SITE),
        asset("Product demo: from invoice to payment in four minutes",
              "Four-minute product video following one invoice from the inbox through "
              "coding, matching and mobile approval to payment.",
              "video", "sales", ["ap-manager", "cfo", "it-director"], ["discovery", "evaluation"],
              ["demo", "video", "approvals"],
              url="https://video.%s/demo/invoice-to-payment" % SITE),
        asset("CRM-to-billing field mapping: Salesforce and HubSpot",
              "The default mapping of CRM fields to invoice fields, for sales ops and IT to "
              "review before connecting the CRM.",
              "template", "sales", ["sales-ops", "it-director"], ["evaluation"],
              ["crm", "salesforce", "hubspot", "billing", "integration"],
              file=("crm-billing-field-mapping.csv", to_csv([
                  ["invoice_field", "salesforce_field", "hubspot_property", "required", "notes"],
                  ["customer_name", "Account.Name", "company.name", "yes", ""],
                  ["billing_email", "Account.Billing_Email__c", "company.billing_email", "yes",
                   "custom field in most orgs"],
                  ["po_number", "Opportunity.PO_Number__c", "deal.po_number", "no",
                   "printed on the invoice when present"],
                  ["currency", "Opportunity.CurrencyIsoCode", "deal.deal_currency_code", "yes", ""],
                  ["line_product", "OpportunityLineItem.Product2.Name", "line_item.name", "yes", ""],
                  ["line_quantity", "OpportunityLineItem.Quantity", "line_item.quantity", "yes", ""],
                  ["line_unit_price", "OpportunityLineItem.UnitPrice", "line_item.price", "yes", ""],
                  ["payment_terms", "Account.Payment_Terms__c", "company.payment_terms", "no",
                   "defaults to net 30"],
                  ["service_start", "Opportunity.Service_Start__c", "deal.service_start", "no",
                   "first invoice date for subscriptions"],
                  ["owner_email", "Opportunity.Owner.Email", "deal.hubspot_owner_id", "no",
                   "copied on dunning emails"],
              ]))),
        asset("Pilot results: exception heatmap from a 30-day pilot",
              "Heatmap of invoice exceptions by type and week in a typical 30-day pilot, "
              "showing how quickly vendor-specific rules cut exceptions.",
              "one_pager", "sales", ["ap-manager", "cfo"], ["evaluation"],
              ["pilot", "exceptions", "chart"],
              file=("pilot-exception-heatmap.png", png_heatmap)),
        asset("Battlecard: %s vs. Tallyforge" % VENDOR,
              "Where we win and lose against Tallyforge, their likely attacks, our landmines "
              "and the pricing comparison, updated after the %d pricing change." % y,
              "battlecard", "sales", ["cfo", "it-director", "ap-manager"],
              ["evaluation", "negotiation"], ["competitive", "tallyforge"],
              file=("battlecard-tallyforge.md", Doc(
                  "Battlecard", "Battlecard: %s vs. Tallyforge" % VENDOR,
                  "Internal \u2014 updated quarterly by product marketing.", [
                      H("Where we win"),
                      UL("ERP depth: native SAP and Dynamics connectors; Tallyforge relies on "
                         "flat-file exports outside NetSuite.",
                         "Payments: 38 currencies vs. 12; virtual cards included.",
                         "Controls: bank-change verification and SoD enforcement built in."),
                      H("Where we lose"),
                      UL("Very small teams (under 300 invoices a month) on price.",
                         "Prospects who want AP and expense management in one tool."),
                      H("Their attacks and our answers"),
                      TABLE(("They say", "You say"),
                            ("%s is more expensive" % VENDOR, "Compare cost per invoice at volume; show the ROI calculator"),
                            ("We are faster to implement", "Ask how they handle your PO matching; ours is live in 30 days"),
                            ("%s is only for enterprises" % VENDOR, "Pinecrest Hotels went live with one AP manager")),
                      H("Landmines to set"),
                      UL("Ask them to demo a three-way match with a partial receipt.",
                         "Ask where bank details are verified when a vendor changes them."),
                  ]))),

        # --- proposal ---
        asset("AP automation ROI calculator",
              "Spreadsheet to build the business case with the buyer: invoice volume, current "
              "cost per invoice, discounts captured and subscription cost give savings, "
              "payback and three-year ROI.",
              "template", "sales", ["cfo", "procurement"], ["evaluation", "proposal"],
              ["roi", "business-case", "calculator"],
              file=("ap-roi-calculator.xlsx", roi_calculator)),
        asset("Executive business case deck",
              "Deck for the CFO meeting before the proposal: the buyer's own numbers from the "
              "ROI calculator, the risk of waiting and the implementation plan.",
              "deck", "sales", ["cfo"], ["proposal"],
              ["business-case", "roi", "executive"],
              file=("executive-business-case-deck.pdf", Doc(
                  "Deck", "The business case for touchless AP",
                  "Executive review \u2014 replace the sample numbers with the buyer's.", [
                      H("Where you are today"),
                      KPI(("4,000", "invoices a month"), ("$12.40", "cost per invoice"),
                          ("9 days", "to close the books")),
                      H("What changes"),
                      TABLE(("", "Today", "With %s" % VENDOR),
                            ("Cost per invoice", "$12.40", "$2.90"),
                            ("Annual processing cost", "$595,200", "$139,200"),
                            ("Discounts captured", "$9,000", "$47,000"),
                            ("Close", "9 days", "4 days")),
                      H("Return"),
                      KPI(("$494,000", "annual savings incl. discounts"),
                          ("1.3 months", "payback"), ("8.1x", "three-year return")),
                      H("The risk of waiting"),
                      UL("Every month of delay: about $41,000 of savings not taken.",
                         "Volume grows 20% a year; the manual cost grows with it."),
                      H("Next steps"),
                      UL("Security review in parallel with the proposal",
                         "Mutual action plan to a signature date", "Kick-off within two weeks"),
                  ], deck=True))),
        asset("Implementation plan: live in 30 days",
              "One-page implementation plan for the proposal: weekly milestones, who does "
              "what on both sides, and what we need from IT.",
              "one_pager", "sales", ["it-director", "ap-manager"], ["proposal"],
              ["implementation", "onboarding", "timeline"],
              file=("implementation-plan-30-days.html", Doc(
                  "One-pager", "Implementation plan: live in 30 days",
                  "A fixed plan with named owners on both sides; most customers pay their "
                  "first invoices through %s in week four." % VENDOR, [
                      TABLE(("Week", "Milestone", "Your team", "%s" % VENDOR),
                            ("1", "ERP connected, data synced", "IT: integration user, SSO",
                             "Solution engineer"),
                            ("2", "Approval rules and roles configured", "AP manager, controller",
                             "Onboarding manager"),
                            ("3", "Parallel run on one entity", "AP team", "Onboarding manager"),
                            ("4", "Go-live; first payment run", "AP team, treasury",
                             "Support on call")),
                      H("What we need from IT"),
                      UL("An ERP integration user with the documented permissions.",
                         "SAML metadata from your identity provider.",
                         "An email alias that forwards invoices to %s." % VENDOR),
                      H("After go-live"),
                      P("A 30-day review with your CFO compares the four AP metrics with the "
                        "baseline we measured in week one."),
                  ]))),
        asset("Mutual action plan template",
              "Word template to agree the steps from proposal to signature with the buyer: "
              "owners, dates, security and legal review, and the go-live date.",
              "template", "sales", ["procurement", "cfo", "it-director"],
              ["proposal", "negotiation"], ["mutual-action-plan", "procurement", "timeline"],
              file=("mutual-action-plan-template.docx", Doc(
                  "Template", "Mutual action plan",
                  "[Customer] and %s \u2014 agreed on [date]. Replace the bracketed text."
                  % VENDOR, [
                      H("Goal"),
                      P("[Customer] goes live with %s on [go-live date] so that the [quarter] "
                        "close runs on the new process." % VENDOR),
                      H("Steps"),
                      TABLE(("Step", "Owner", "Due", "Status"),
                            ("Business case reviewed by the CFO", "[Customer CFO]", "[date]", "Open"),
                            ("Security questionnaire returned", "%s security" % VENDOR, "[date]", "Open"),
                            ("DPA and MSA redlines", "[Customer legal]", "[date]", "Open"),
                            ("Vendor onboarding in procurement system", "[Procurement]", "[date]", "Open"),
                            ("Order form signed", "[Customer CFO]", "[date]", "Open"),
                            ("Kick-off call", "%s onboarding" % VENDOR, "[date]", "Open")),
                      H("Contacts"),
                      UL("[Customer]: [name, role, email]", "%s: [rep name, email]" % VENDOR),
                  ]))),
        asset("Pricing and packaging %d" % y,
              "Plans (Essentials, Growth, Enterprise), what each includes, volume tiers and "
              "the discount guidelines reps may offer without approval.",
              "product_sheet", "sales", ["cfo", "procurement"], ["proposal", "negotiation"],
              ["pricing", "packaging", "plans"],
              file=("pricing-and-packaging-%d.pdf" % y, Doc(
                  "Pricing", "Pricing and packaging %d" % y,
                  "List prices in USD, billed annually. Valid until the date on this sheet.", [
                      TABLE(("Plan", "Invoices / month", "Price / year", "Includes"),
                            ("Essentials", "up to 1,000", "$18,000", "Capture, approvals, 1 ERP"),
                            ("Growth", "up to 5,000", "$54,000", "+ PO matching, payments, SSO"),
                            ("Enterprise", "unlimited", "from $120,000", "+ multi-entity, SAP, sandbox")),
                      H("Add-ons"),
                      UL("Additional legal entity: $6,000 a year.",
                         "Premium support (1-hour response): 15% of subscription.",
                         "Implementation: included in Growth and Enterprise."),
                      H("Discount guidelines (internal)"),
                      UL("Reps: up to 10% for a 2-year term.",
                         "Managers: up to 20%; beyond that, deal desk."),
                  ])), expires_in_days=150),
        asset("Cost per invoice before and after %s (chart)" % VENDOR,
              "Bar chart of fully loaded cost per invoice: manual, OCR-only and %s; for "
              "proposals and the business case deck." % VENDOR,
              "one_pager", "sales", ["cfo"], ["proposal"], ["roi", "chart", "cost-per-invoice"],
              file=("cost-per-invoice-chart.png", png_cost_chart)),

        # --- negotiation ---
        asset("Procurement FAQ: contract, SLA and payment terms",
              "Answers to the questions procurement asks at the contract stage: term, "
              "renewal, SLA credits, liability, payment terms and vendor onboarding data.",
              "guide", "sales", ["procurement"], ["negotiation"],
              ["procurement", "sla", "contract", "legal"],
              file=("procurement-faq.md", Doc(
                  "FAQ", "Procurement FAQ: contract, SLA and payment terms",
                  "Everything procurement usually asks, answered before they ask.", [
                      H("Contract"),
                      UL("Standard term 12 or 36 months; renewal at the same price for the "
                         "first renewal.",
                         "Termination for convenience: not offered; termination for cause "
                         "with 30 days to cure.",
                         "Liability cap: 12 months of fees; data breach: 2x."),
                      H("Service levels"),
                      TABLE(("Measure", "Commitment", "Credit"),
                            ("Availability", "99.9% monthly", "5-25% of monthly fee"),
                            ("Support response (P1)", "1 hour", "included in credits"),
                            ("Data export on exit", "within 30 days", "-")),
                      H("Payment terms"),
                      P("Annual in advance, net 30. Quarterly billing for Enterprise on request."),
                      H("Vendor onboarding data"),
                      P("W-9, certificate of insurance, bank letter and our SOC 2 report are "
                        "in the procurement pack; ask your account executive."),
                  ]))),
        asset("Data processing agreement and sub-processors: summary",
              "One-page summary of the DPA: roles, data categories, hosting regions, "
              "sub-processors, breach notification and audit rights.",
              "one_pager", "sales", ["security-officer", "procurement"], ["negotiation"],
              ["dpa", "gdpr", "legal", "sub-processors"],
              file=("dpa-summary.pdf", Doc(
                  "Legal summary", "Data processing agreement: summary",
                  "Not a substitute for the DPA itself; for review meetings.", [
                      TABLE(("Topic", "Our position"),
                            ("Roles", "Customer is controller; %s is processor" % VENDOR),
                            ("Data", "Vendor, invoice and payment data; user names and emails"),
                            ("Hosting", "US (Virginia) or EU (Frankfurt), chosen by the customer"),
                            ("Transfers", "EU SCCs (2021) and UK addendum"),
                            ("Breach notice", "Within 48 hours of confirmation"),
                            ("Audit", "SOC 2 report yearly; on-site audit once a year on notice"),
                            ("Deletion", "Within 30 days of termination, certified on request")),
                      H("Sub-processors"),
                      UL("Cloud hosting (US or EU region)", "Transactional email",
                         "Payment processing partner (payments module only)",
                         "Support ticketing"),
                      P("Customers are notified 30 days before a new sub-processor is added "
                        "and may object."),
                  ]))),
        asset("Quarter-end offer: three months free on annual plans",
              "Last quarter's promotion for deals signed before quarter end; expired, kept "
              "for reference until the review board retires it.",
              "product_sheet", "sales", ["cfo", "procurement"], ["negotiation"],
              ["promotion", "pricing", "quarter-end"],
              file=("quarter-end-offer.pdf", Doc(
                  "Offer", "Quarter-end offer: three months free",
                  "For new Growth and Enterprise customers who sign by the last day of the "
                  "quarter.", [
                      P("Sign a 12-month Growth or Enterprise order form by quarter end and "
                        "the first three months are free. Implementation starts the week "
                        "after signature."),
                      UL("Not combinable with multi-year discounts.",
                         "Requires deal desk approval above $150,000."),
                  ])), expires_in_days=-20),

        # --- closed won / closed lost ---
        asset("Customer onboarding checklist: your first 90 days",
              "Checklist shared at kick-off: what the customer's AP, IT and finance teams do "
              "in the first 90 days, and the metrics we review together.",
              "guide", "educational", ["ap-manager", "it-director"], ["closed_won"],
              ["onboarding", "customer-success", "checklist"],
              file=("onboarding-checklist-90-days.md", Doc(
                  "Checklist", "Customer onboarding checklist: your first 90 days",
                  "Welcome to %s. This is what the next three months look like." % VENDOR, [
                      H("Days 1-30: live"),
                      UL("Connect the ERP and SSO.", "Forward the AP inbox.",
                         "Configure approval rules with your controller.",
                         "First payment run."),
                      H("Days 31-60: automate"),
                      UL("Switch on PO matching with vendor tolerances.",
                         "Invite approvers to mobile and Teams.",
                         "Turn on early-payment discount routing."),
                      H("Days 61-90: measure"),
                      UL("Review the four AP metrics against the baseline.",
                         "Plan the next entity or the payments module."),
                  ]))),
        asset("Win-back playbook: deals lost to the status quo",
              "How and when to re-open deals lost to 'no decision': triggers to watch, the "
              "six-month check-in and what to offer.",
              "guide", "sales", ["cfo", "ap-manager"], ["closed_lost"],
              ["win-back", "status-quo", "playbook"],
              file=("win-back-playbook.md", Doc(
                  "Playbook", "Win-back playbook: deals lost to the status quo",
                  "Four in ten deals we lose go to 'no decision'. Many come back within a year.",
                  [
                      H("Triggers that re-open a deal"),
                      UL("A new CFO or controller (watch for job changes).",
                         "An ERP migration announced.", "An acquisition or new entity.",
                         "A fraud incident or a failed audit finding."),
                      H("The six-month check-in"),
                      P("Send the latest benchmark with one line about what changed for them. "
                        "Do not ask whether the timing is better now; ask what the close "
                        "looked like last month."),
                      H("What to offer"),
                      UL("A 30-day pilot on one entity, free.",
                         "A business case built with their new numbers."),
                  ]))),
        asset("Loss reasons analysis, H1",
              "Closed-lost deals of the first half by primary reason, segment and stage "
              "lost; draft for the sales kick-off, not yet reviewed.",
              "other", "sales", ["cfo", "procurement"], ["closed_lost"],
              ["loss-analysis", "win-loss", "internal"],
              file=("loss-reasons-h1.csv", to_csv([
                  ["reason", "segment", "stage_lost", "deals", "amount_usd"],
                  ["No decision / status quo", "Mid-market", "evaluation", "23", "1150000"],
                  ["No decision / status quo", "Enterprise", "proposal", "6", "840000"],
                  ["Lost to Tallyforge", "Mid-market", "evaluation", "11", "486000"],
                  ["Lost to Tallyforge", "SMB", "discovery", "9", "162000"],
                  ["Price", "SMB", "negotiation", "7", "126000"],
                  ["Security review", "Enterprise", "negotiation", "2", "310000"],
                  ["ERP not supported", "Mid-market", "evaluation", "4", "188000"],
                  ["Timing / budget freeze", "Mid-market", "proposal", "8", "392000"],
              ])), status="draft"),

        # --- drafts and retired material ---
        asset("AI invoice coding: how GL prediction works",
              "Whitepaper draft explaining how %s predicts GL account, cost centre and tax "
              "code from invoice history, and how accuracy is measured." % VENDOR,
              "whitepaper", "educational", ["cfo", "it-director", "ap-manager"], ["discovery"],
              ["ai", "gl-coding", "machine-learning"],
              file=("ai-invoice-coding-draft.pdf", Doc(
                  "Whitepaper (draft)", "AI invoice coding: how GL prediction works",
                  "DRAFT \u2014 for review by product marketing and legal.", [
                      H("The problem"),
                      P("Coding an invoice means choosing a GL account, a cost centre and a "
                        "tax code. Done by hand it is slow and inconsistent between clerks."),
                      H("How the model works"),
                      P("For each vendor and line description, the model learns from the last "
                        "24 months of posted invoices which codes were chosen and how often "
                        "they were corrected. It suggests a code with a confidence; below a "
                        "threshold the invoice goes to a person."),
                      H("Measuring accuracy"),
                      TABLE(("Measure", "Median customer"),
                            ("Suggestions accepted unchanged", "94%"),
                            ("Invoices below the confidence threshold", "9%"),
                            ("Months of history needed", "6")),
                  ])), status="draft"),
        asset("Brightwater Clinics case study (awaiting customer approval)",
              "Case study draft: a network of 40 outpatient clinics moved from paper invoices "
              "to %s in six weeks. Not to be shared until the customer signs off." % VENDOR,
              "case_study", "sales", ["cfo", "ap-manager"], ["evaluation"],
              ["case-study", "healthcare", "draft"],
              file=("case-study-brightwater-clinics-draft.pdf", Doc(
                  "Case study (draft)", "Brightwater Clinics: 40 clinics, zero paper invoices",
                  "DRAFT \u2014 numbers to be confirmed by the customer.", [
                      KPI(("40", "clinics"), ("6 weeks", "to go live"),
                          ("-58%", "cost per invoice (to confirm)")),
                      H("The story so far"),
                      P("Medical supply invoices arrived on paper at each clinic and were "
                        "mailed to head office weekly. Today they are captured at the clinic "
                        "by email and approved by the clinic manager the same day."),
                  ])), status="draft"),
        asset("Battlecard: %s vs. Tallyforge (%d edition)" % (VENDOR, y - 2),
              "Superseded by the current Tallyforge battlecard; kept for the record.",
              "battlecard", "sales", ["cfo", "it-director"], ["evaluation"],
              ["competitive", "tallyforge", "superseded"],
              file=("battlecard-tallyforge-%d.pdf" % (y - 2), Doc(
                  "Battlecard", "Battlecard: %s vs. Tallyforge (%d)" % (VENDOR, y - 2),
                  "Superseded \u2014 pricing and features have changed since.", [
                      H("Where we won then"),
                      UL("Approval workflows by amount and cost centre.",
                         "NetSuite connector depth."),
                      H("Where we lost then"),
                      UL("No mobile approvals (shipped since).", "No SAP connector (shipped since)."),
                  ])), then={"status": "archived"}),
    ]


def roi_calculator():
    volume, today, ours, discounts, subscription = 4000, 12.40, 2.90, 38000, 54000
    cost_today = volume * today * 12
    cost_ours = volume * ours * 12
    savings = cost_today - cost_ours + discounts
    rows = [
        ["%s AP \u2014 ROI calculator" % VENDOR, ""],
        ["Change the blue inputs; results recalculate.", ""],
        ["", ""],
        ["Inputs", ""],
        ["Invoices per month", volume],
        ["Current cost per invoice (USD)", today],
        ["Cost per invoice with %s (USD)" % VENDOR, ours],
        ["Early-payment discounts gained per year (USD)", discounts],
        ["%s subscription per year (USD)" % VENDOR, subscription],
        ["", ""],
        ["Results", ""],
        ["Annual processing cost today", ("=B5*B6*12", round(cost_today, 2))],
        ["Annual processing cost with %s" % VENDOR, ("=B5*B7*12", round(cost_ours, 2))],
        ["Annual savings incl. discounts", ("=B12-B13+B8", round(savings, 2))],
        ["Net benefit after subscription", ("=B14-B9", round(savings - subscription, 2))],
        ["Payback (months)", ("=ROUND(B9/(B14/12),1)", round(subscription / (savings / 12), 1))],
        ["Three-year return (x)", ("=ROUND(3*B14/(3*B9),1)", round(savings / subscription, 1))],
    ]
    return xlsx("ROI", rows, [48, 18])


# ---------------------------------------------------------------------------
# HTTP.


class Fail(Exception):
    pass


class Api:
    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.token = token
        self.users = {}
        # No proxies: the server is usually on localhost.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None, ctype=None, ok=(200, 201), what=""):
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("Accept", "application/json")
        if ctype:
            req.add_header("Content-Type", ctype)
        label = "%s %s%s" % (method, path, " (%s)" % what if what else "")
        try:
            with self.opener.open(req, timeout=60) as resp:
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            raise Fail("%s: %s: %s" % (label, self.base, getattr(e, "reason", e)))
        if status not in ok:
            raise Fail("%s -> HTTP %d\n%s" % (label, status, data.decode("utf-8", "replace")))
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            raise Fail("%s -> HTTP %d, not JSON:\n%s"
                       % (label, status, data[:500].decode("utf-8", "replace")))

    def json(self, method, path, obj, **kw):
        return self.call(method, path, json.dumps(obj).encode(), "application/json", **kw)

    def raw_get(self, path, user_agent):
        """GET @path as a client with @user_agent would (no token); the status."""
        req = urllib.request.Request(self.base + path, headers={"User-Agent": user_agent})
        try:
            with self.opener.open(req, timeout=60) as resp:
                resp.read()
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, OSError) as e:
            raise Fail("GET %s: %s" % (path, getattr(e, "reason", e)))

    def as_user(self, email, password):
        """An Api with a token of the user @email (signed in with @password)."""
        if email not in self.users:
            req = urllib.request.Request(
                self.base + "/api/v1/session", method="POST",
                data=json.dumps({"email": email, "password": password}).encode(),
                headers={"Content-Type": "application/json"})
            try:
                with self.opener.open(req, timeout=60) as resp:
                    cookie = resp.headers["Set-Cookie"].split(";")[0]
            except (urllib.error.URLError, OSError, AttributeError) as e:
                raise Fail("POST /api/v1/session as %s: %s" % (email, e))
            req = urllib.request.Request(
                self.base + "/api/v1/tokens", method="POST",
                data=json.dumps({"name": "demo-data"}).encode(),
                headers={"Content-Type": "application/json", "Cookie": cookie,
                         "X-Requested-With": "demo-data"})
            try:
                with self.opener.open(req, timeout=60) as resp:
                    self.users[email] = Api(self.base, json.loads(resp.read())["token"])
            except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
                raise Fail("POST /api/v1/tokens as %s: %s" % (email, e))
        return self.users[email]

    def multipart(self, path, parts, **kw):
        boundary = "----nextstage-demo-" + os.urandom(12).hex()
        out = bytearray()
        for name, filename, ctype, data in parts:
            out += b"--%s\r\n" % boundary.encode()
            disp = 'form-data; name="%s"' % name
            if filename:
                disp += '; filename="%s"' % filename
            out += ("Content-Disposition: %s\r\nContent-Type: %s\r\n\r\n" % (disp, ctype)).encode()
            out += data + b"\r\n"
        out += b"--%s--\r\n" % boundary.encode()
        return self.call("POST", path, bytes(out), "multipart/form-data; boundary=" + boundary, **kw)


def file_part(filename, data):
    return ("file", filename, MIME[os.path.splitext(filename)[1]], data)


def check_version(v, filename, data, warnings):
    """The stored version should be our bytes with the type the name implies."""
    want = MIME[os.path.splitext(filename)[1]]
    if v.get("sha256") != hashlib.sha256(data).hexdigest() or v.get("size") != len(data):
        warnings.append("%s: stored sha256/size differ from the bytes sent" % filename)
    if v.get("mime") != want:
        warnings.append("%s: stored as %s, expected %s" % (filename, v.get("mime"), want))


def load(api):
    _, page = api.call("GET", "/api/v1/assets?limit=1", what="is the library empty?")
    if page and page.get("items"):
        print("demo-data: the library already has assets (%s); nothing loaded"
              % page.get("total", "some"))
        return
    personas = 0
    for slug, name, description in PERSONAS:
        status, _ = api.json("POST", "/api/v1/personas",
                             {"slug": slug, "name": name, "description": description},
                             ok=(201, 409), what="persona " + slug)
        personas += status == 201
    assets = files = links = kib = 0
    warnings, made_assets = [], []
    for a in library():
        meta = a["meta"]
        if a["url"]:
            _, made = api.json("POST", "/api/v1/assets", dict(meta, url=a["url"]),
                               ok=(201,), what=meta["title"])
            links += 1
        else:
            filename, content = a["file"]
            data = render(filename, content)
            _, made = api.multipart("/api/v1/assets", [
                ("metadata", None, "application/json", json.dumps(meta).encode()),
                file_part(filename, data)], ok=(201,), what=meta["title"])
            check_version(made.get("current_version") or {}, filename, data, warnings)
            files += 1
            kib += len(data)
        if a["version2"]:
            filename, content = a["version2"]
            data = render(filename, content)
            _, v = api.multipart("/api/v1/assets/%s/versions" % made["id"],
                                 [file_part(filename, data)], ok=(201,),
                                 what="second version of " + meta["title"])
            check_version(v, filename, data, warnings)
            kib += len(data)
        if a["then"]:
            api.json("PATCH", "/api/v1/assets/" + made["id"], a["then"], ok=(200,),
                     what=meta["title"])
        made_assets.append((made["id"], dict(meta, **(a["then"] or {}))))
        assets += 1
    for w in warnings:
        print("demo-data: warning: " + w, file=sys.stderr)
    print("demo-data: loaded %d personas, %d assets (%d files, %d links, %d KB) into %s"
          % (personas, assets, files, links, kib // 1024, api.base))
    try:
        history = demo_history.load(api, made_assets)
    except RuntimeError as e:
        raise Fail(str(e))
    print("demo-data: and a fictional year of sales: " + history)


def write_files(directory):
    os.makedirs(directory, exist_ok=True)
    n = 0
    for a in library():
        for spec in (a["file"], a["version2"]):
            if spec:
                filename, content = spec
                with open(os.path.join(directory, filename), "wb") as f:
                    f.write(render(filename, content))
                n += 1
    print("demo-data: wrote %d files to %s" % (n, directory))


def main(argv):
    if len(argv) == 3 and argv[1] == "--write":
        write_files(argv[2])
        return 0
    if len(argv) not in (2, 3) or argv[1].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    token = argv[2] if len(argv) == 3 else os.environ.get("NEXTSTAGE_TOKEN", "")
    if not token:
        print("demo-data: no token (second argument or NEXTSTAGE_TOKEN)", file=sys.stderr)
        return 2
    try:
        load(Api(argv[1], token))
    except Fail as e:
        print("demo-data: failed: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
