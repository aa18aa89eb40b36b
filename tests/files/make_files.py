#!/usr/bin/env python3
"""Writes the files the extraction tests feed to nextstage, with known words.

    tests/files/make_files.py OUTDIR [--bench COUNT PAGES]

Python 3 standard library only; the output is the same on every run (no
clock, a seeded generator), so tests may compare words and page numbers.

Good files (text_status "done" unless said otherwise; words are lower case
and unique to their page, slide or sheet):

  guide.pdf     PDF, 5 pages, Helvetica. Every page has "pricing".
                page 1 "aardvark" and the line
                    Terms & conditions <script>alert(1)</script>
                (for escaping tests), page 2 "bumblebee", page 3 "zanzibar",
                page 4 "quixotic", page 5 "marmalade". Thumbnail: PNG.
  report.docx   Word, 3 pages split by explicit breaks: page 1 "kilimanjaro"
                (then <w:br w:type="page"/>), page 2 "lighthouse" (then
                <w:lastRenderedPageBreak/>), page 3 "nightingale". Also
                "Q3 & Q4 <targets>" on page 1.
  deck.pptx     PowerPoint, 3 slides in presentation order: slide 1
                "orchid", slide 2 "pelican", slide 3 "quartz". The order in
                ppt/presentation.xml differs from the file names (slide 2 is
                stored as ppt/slides/slide3.xml), so reading files by name
                gives the wrong order.
  sheets.xlsx   Excel, 2 sheets: 1 "Pipeline" (shared strings "walrus",
                "acme"; number 42), 2 "Forecast" (inline string "yodel";
                number 3.5). Each page's text starts with its sheet name.
  notes.odt     OpenDocument text, 1 page: "juniper", "Heading & <b>".
  slides.odp    OpenDocument presentation, 2 pages: 1 "saffron",
                2 "tangerine"; Thumbnails/thumbnail.png (a PNG thumbnail).
  table.ods     OpenDocument spreadsheet, 2 sheets: 1 "Accounts" with
                "umbrella", 2 "Regions" with "velvet".
  page.html     HTML, 1 page: "hummingbird" and "Fish & chips"; the words
                "secretscript", "secretstyle", "secretnoscript" and
                "secrettemplate" sit in <script>, <style>, <noscript> and
                <template> and must NOT be extracted.
  readme.md     Markdown, 1 page: "marzipan".
  data.csv      CSV, 1 page: "olive", "12".
  notes.txt     plain text, 1 page: "pistachio"; also an invalid UTF-8
                byte (Latin-1 0xe9, replaced) and a run of blanks (collapsed).
  controls.txt  "cashew" with control bytes \\x01 \\x02 \\x07 between words;
                none may come out. libmagic calls it application/octet-stream
                (so an upload refuses it): for unit tests given "text/plain".
  logo.png      PNG 640x400: status "empty", with a PNG thumbnail.
  clip.mp4      an MP4 header (ftyp + empty mdat): status "empty", no
                thumbnail.

Hostile files:

  bomb.docx       word/document.xml is 256 MiB of zeros deflated (~1000x):
                  status "too_large" (ratio cap), the server unharmed.
  bomb_lying.docx the same entry, but the ZIP headers declare it 1 KiB
                  uncompressed: still "too_large" (sizes counted on bytes
                  actually inflated), or "failed" if the ZIP is refused.
  bomb_total.docx word/document.xml inflates to ~80 MiB of XML at a modest
                  ratio (~20x, under the ratio cap) but past the default
                  unzip_bytes cap (64 MiB): status "too_large".
  laughs.docx     "billion laughs" entities in word/document.xml: "failed"
                  (the reason names entities), never a gigabyte of text.
  nested.docx     100,000 nested elements in word/document.xml: "failed".
  broken.pdf      guide.pdf cut in the middle of its catalog, no xref:
                  "failed" ("not a valid PDF").
  garbage.pdf     "%PDF-1.7" then 64 KiB of random bytes: "failed".
  encrypted.pdf   guide.pdf encrypted (standard security handler, RC4
                  40-bit, user password "secret"): "encrypted".
  manypages.pdf   1,001 pages (one word each), past the default page limit
                  of 1,000: "too_large".

--bench COUNT PAGES also writes bench/pdf-001.pdf ... : COUNT PDFs of PAGES
pages each, ~250 words a page, for `make bench` (scenario extract).
"""
import hashlib
import os
import random
import struct
import sys
import zipfile
import zlib

# ---------------------------------------------------------------- PDF


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_stream(lines):
    out = ["BT", "/F1 12 Tf", "14 TL", "72 740 Td"]
    for line in lines:
        out.append("(%s) Tj T*" % pdf_escape(line))
    out.append("ET")
    return "\n".join(out).encode("latin-1")


def pdf_bytes(pages, crypt=None, trailer_id=None):
    """pages: a list of lists of lines. crypt: (encrypt_obj_fn, obj_bytes_fn)."""
    n = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, then per page: page, content
    objs = {}
    kids = " ".join("%d 0 R" % (4 + 2 * i) for i in range(n))
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)).encode()
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    for i, lines in enumerate(pages):
        pno, cno = 4 + 2 * i, 5 + 2 * i
        objs[pno] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % cno
        ).encode()
        data = page_stream(lines)
        if crypt:
            data = crypt(cno, data)
        objs[cno] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    extra = b""
    if crypt:
        enc_no = 4 + 2 * n
        objs[enc_no] = crypt.dictionary
        extra = b" /Encrypt %d 0 R" % enc_no
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for no in sorted(objs):
        offsets[no] = len(out)
        out += b"%d 0 obj\n" % no + objs[no] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for no in range(1, size):
        out += b"%010d 00000 n \n" % offsets[no]
    out += b"trailer\n<< /Size %d /Root 1 0 R%s" % (size, extra)
    if trailer_id:
        out += b" /ID [<%s> <%s>]" % (trailer_id.hex().encode(), trailer_id.hex().encode())
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


FILLER = (
    "Our platform helps revenue teams share the right content at the right stage.",
    "This page explains plans, onboarding and support for growing sales teams.",
)


def guide_pages():
    words = ["aardvark", "bumblebee", "zanzibar", "quixotic", "marmalade"]
    pages = []
    for i, w in enumerate(words):
        lines = [
            "Pricing guide, page %d" % (i + 1),
            "The pricing word of this page is %s." % w,
            *FILLER,
        ]
        if i == 0:
            lines.append("Terms & conditions <script>alert(1)</script>")
        pages.append(lines)
    return pages


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


class Rc4Crypt:
    """PDF standard security handler, revision 2 (40-bit RC4)."""

    def __init__(self, user, owner, file_id):
        up = (user.encode() + PAD)[:32]
        op = (owner.encode() + PAD)[:32]
        o = rc4(hashlib.md5(op).digest()[:5], up)
        p = -44  # print, no modify/copy/annotate
        self.key = hashlib.md5(up + o + struct.pack("<i", p) + file_id).digest()[:5]
        u = rc4(self.key, PAD)
        self.dictionary = (
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
            % (o.hex().encode(), u.hex().encode(), p)
        )

    def __call__(self, objno, data):
        k = hashlib.md5(self.key + struct.pack("<I", objno)[:3] + b"\0\0").digest()[:10]
        return rc4(k, data)


# ---------------------------------------------------------------- PNG


def png_bytes(w, h):
    rows = bytearray()
    for y in range(h):
        rows.append(0)
        for x in range(w):
            rows += bytes(((x * 255) // w, (y * 255) // h, 160))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- ZIP


def write_zip(path, entries, first_stored=None):
    """entries: [(name, bytes)]; first_stored: a name written uncompressed first."""
    with zipfile.ZipFile(path, "w") as z:
        if first_stored:
            z.writestr(zipfile.ZipInfo(first_stored[0], (1980, 1, 1, 0, 0, 0)), first_stored[1],
                       compress_type=zipfile.ZIP_STORED)
        for name, data in entries:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


X = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def content_types(overrides):
    parts = "".join('<Override PartName="%s" ContentType="%s"/>' % o for o in overrides)
    return (
        X + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + parts + "</Types>"
    )


def root_rels(target):
    return (
        X + '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" '
        'Target="%s"/></Relationships>' % (PKG_RELS, RELS, target)
    )


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_entries(document_xml):
    return [
        ("[Content_Types].xml", content_types([("/word/document.xml", DOCX_MAIN)])),
        ("_rels/.rels", root_rels("word/document.xml")),
        ("word/document.xml", document_xml),
    ]


def w_par(text):
    return "<w:p><w:r><w:t xml:space=\"preserve\">%s</w:t></w:r></w:p>" % text


def report_docx():
    body = (
        w_par("Quarterly report: kilimanjaro")
        + w_par("Q3 &amp; Q4 &lt;targets&gt;")
        + '<w:p><w:r><w:t>End of page one.</w:t><w:br w:type="page"/>'
        + "<w:t>Page two is about the lighthouse.</w:t></w:r></w:p>"
        + w_par("More text on page two.")
        + "<w:p><w:r><w:lastRenderedPageBreak/><w:t>Page three: nightingale.</w:t></w:r></w:p>"
    )
    return X + "<w:document %s><w:body>%s</w:body></w:document>" % (W_NS, body)


def pptx_entries():
    P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ' \
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="%s"' % RELS
    # presentation order: orchid (slide1.xml), pelican (slide3.xml), quartz (slide2.xml)
    files = {"slide1.xml": "orchid", "slide3.xml": "pelican", "slide2.xml": "quartz"}
    order = ["slide1.xml", "slide3.xml", "slide2.xml"]
    ents = [
        ("[Content_Types].xml", content_types(
            [("/ppt/presentation.xml",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")]
            + [("/ppt/slides/%s" % f,
                "application/vnd.openxmlformats-officedocument.presentationml.slide+xml")
               for f in sorted(files)])),
        ("_rels/.rels", root_rels("ppt/presentation.xml")),
    ]
    ids = "".join('<p:sldId id="%d" r:id="rId%d"/>' % (256 + i, 10 + i) for i in range(3))
    ents.append(("ppt/presentation.xml",
                 X + "<p:presentation %s><p:sldIdLst>%s</p:sldIdLst></p:presentation>" % (P, ids)))
    rels = "".join(
        '<Relationship Id="rId%d" Type="%s/slide" Target="slides/%s"/>' % (10 + i, RELS, f)
        for i, f in enumerate(order))
    ents.append(("ppt/_rels/presentation.xml.rels",
                 X + '<Relationships xmlns="%s">%s</Relationships>' % (PKG_RELS, rels)))
    for f in sorted(files):
        w = files[f]
        ents.append(("ppt/slides/" + f, X + (
            "<p:sld %s><p:cSld><p:spTree><p:sp><p:txBody>"
            "<a:p><a:r><a:t>Slide about %s</a:t></a:r></a:p>"
            "<a:p><a:r><a:t>Second line &amp; more</a:t></a:r></a:p>"
            "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>") % (P, w)))
    return ents


def xlsx_entries():
    S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ct = content_types(
        [("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
         ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
         ("/xl/worksheets/sheet2.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
         ("/xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")])
    wb = X + ('<workbook %s xmlns:r="%s"><sheets>'
              '<sheet name="Pipeline" sheetId="1" r:id="rId1"/>'
              '<sheet name="Forecast" sheetId="2" r:id="rId2"/>'
              "</sheets></workbook>") % (S, RELS)
    wbrels = X + ('<Relationships xmlns="%s">'
                  '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
                  '<Relationship Id="rId2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
                  '<Relationship Id="rId3" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
                  "</Relationships>") % (PKG_RELS, RELS, RELS, RELS)
    sst = X + ('<sst %s count="3" uniqueCount="3"><si><t>Account</t></si><si><t>walrus</t></si>'
               '<si><r><t>ac</t></r><r><t>me</t></r></si></sst>') % S
    sheet1 = X + ('<worksheet %s><sheetData>'
                  '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
                  '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>42</v></c></row>'
                  "</sheetData></worksheet>") % S
    sheet2 = X + ('<worksheet %s><sheetData>'
                  '<row r="1"><c r="A1" t="inlineStr"><is><t>yodel</t></is></c>'
                  '<c r="B1"><v>3.5</v></c></row>'
                  "</sheetData></worksheet>") % S
    return [("[Content_Types].xml", ct), ("_rels/.rels", root_rels("xl/workbook.xml")),
            ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels),
            ("xl/sharedStrings.xml", sst), ("xl/worksheets/sheet1.xml", sheet1),
            ("xl/worksheets/sheet2.xml", sheet2)]


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
          'office:version="1.3"')


def odf(path, mime, body, thumb=None):
    manifest = X + ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                    'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                    'manifest:media-type="%s"/><manifest:file-entry manifest:full-path="content.xml" '
                    'manifest:media-type="text/xml"/></manifest:manifest>') % mime
    content = X + "<office:document-content %s><office:body>%s</office:body></office:document-content>" % (
        ODF_NS, body)
    ents = [("content.xml", content), ("META-INF/manifest.xml", manifest)]
    if thumb:
        ents.append(("Thumbnails/thumbnail.png", thumb))
    write_zip(path, ents, first_stored=("mimetype", mime))


# ---------------------------------------------------------------- hostile ZIPs


def raw_zip(path, entries, big_name, raw, size, crc):
    """A ZIP whose @big_name entry holds already-deflated @raw declaring @size
    (so the inflated gigabytes are never built in memory)."""
    out = bytearray()
    central = bytearray()
    items = []
    for name, data in entries:
        b = data.encode() if isinstance(data, str) else data
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        comp = c.compress(b) + c.flush()
        items.append((name.encode(), comp, len(b), zlib.crc32(b) & 0xFFFFFFFF))
    items.append((big_name.encode(), raw, size, crc))
    for name, comp, usize, ccrc in items:
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, ccrc, len(comp),
                           usize, len(name), 0) + name + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, ccrc,
                               len(comp), usize, len(name), 0, 0, 0, 0, 0, off) + name
    cd = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(items), len(items), len(central), cd, 0)
    open(path, "wb").write(bytes(out))


def deflate_zeros(total):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    parts = []
    crc = 0
    for _ in range(total >> 20):
        parts.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(c.flush())
    return b"".join(parts), crc & 0xFFFFFFFF


def deflate_stream(gen):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    parts, crc, size = [], 0, 0
    for piece in gen:
        b = piece.encode()
        parts.append(c.compress(b))
        crc = zlib.crc32(b, crc)
        size += len(b)
    parts.append(c.flush())
    return b"".join(parts), size, crc & 0xFFFFFFFF


def bulky_document(target, rng):
    yield X + "<w:document %s><w:body>" % W_NS
    fixed = " ".join(["deal stage pricing persona renewal pipeline quota forecast"] * 10)
    n = 0
    while n < target:  # ~20x: a repeated sentence with a few random numbers
        p = w_par("%s %08x %08x %08x %08x" % ((fixed,) + tuple(rng.getrandbits(32) for _ in range(4))))
        n += len(p)
        yield p
    yield "</w:body></w:document>"


# ---------------------------------------------------------------- all files


def write(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def make_all(outdir):
    rng = random.Random(16)
    os.makedirs(outdir, exist_ok=True)
    p = lambda n: os.path.join(outdir, n)  # noqa: E731

    guide = pdf_bytes(guide_pages())
    write(outdir, "guide.pdf", guide)
    write_zip(p("report.docx"), docx_entries(report_docx()))
    write_zip(p("deck.pptx"), pptx_entries())
    write_zip(p("sheets.xlsx"), xlsx_entries())
    odf(p("notes.odt"), "application/vnd.oasis.opendocument.text",
        "<office:text><text:h>Heading &amp; &lt;b&gt;</text:h>"
        "<text:p>Notes about the juniper account.</text:p></office:text>")
    odf(p("slides.odp"), "application/vnd.oasis.opendocument.presentation",
        "<office:presentation>"
        '<draw:page draw:name="one"><draw:frame><draw:text-box><text:p>saffron slide</text:p>'
        "</draw:text-box></draw:frame></draw:page>"
        '<draw:page draw:name="two"><draw:frame><draw:text-box><text:p>tangerine slide</text:p>'
        "</draw:text-box></draw:frame></draw:page></office:presentation>",
        thumb=png_bytes(128, 96))
    odf(p("table.ods"), "application/vnd.oasis.opendocument.spreadsheet",
        "<office:spreadsheet>"
        '<table:table table:name="Accounts"><table:table-row><table:table-cell>'
        "<text:p>umbrella</text:p></table:table-cell></table:table-row></table:table>"
        '<table:table table:name="Regions"><table:table-row><table:table-cell>'
        "<text:p>velvet</text:p></table:table-cell></table:table-row></table:table>"
        "</office:spreadsheet>")
    write(outdir, "page.html",
          "<!DOCTYPE html>\n<html><head><title>Case study</title>"
          "<style>body { color: red } /* secretstyle */</style>"
          "<script>var s = 'secretscript';</script></head><body>"
          "<h1>Case study</h1><p>The hummingbird team chose us.</p><p>Fish &amp; chips</p>"
          "<noscript>secretnoscript</noscript><template><p>secrettemplate</p></template>"
          '<img src="http://example.invalid/x.png" alt="">'
          "</body></html>\n")
    write(outdir, "readme.md", "# Battlecard\n\nWhy we win: *marzipan* support.\n\n- one\n- two\n")
    write(outdir, "data.csv", "name,value\nolive,12\nfig,7\n")
    write(outdir, "notes.txt",
          b"Plain notes about pistachio.\n\nA Latin-1 caf\xe9 is not UTF-8,"
          b"      blanks     collapsed.\n")
    write(outdir, "controls.txt", b"Controls\x01 between\x02 words\x07 of cashew.\n")
    write(outdir, "logo.png", png_bytes(640, 400))
    write(outdir, "clip.mp4",
          struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
          + struct.pack(">I", 8) + b"mdat")

    # hostile
    raw, crc = deflate_zeros(256 << 20)
    raw_zip(p("bomb.docx"), docx_entries(report_docx())[:2], "word/document.xml", raw,
             256 << 20, crc)
    raw_zip(p("bomb_lying.docx"), docx_entries(report_docx())[:2], "word/document.xml", raw,
             1024, crc)
    raw, size, crc = deflate_stream(bulky_document(80 << 20, rng))
    raw_zip(p("bomb_total.docx"), docx_entries(report_docx())[:2], "word/document.xml", raw,
             size, crc)
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        + "".join('<!ENTITY lol%d "%s">\n' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10)
                  for i in range(1, 10))
        + "]>\n<w:document %s><w:body>%s</w:body></w:document>" % (W_NS, w_par("&lol9;"))
    )
    write_zip(p("laughs.docx"), docx_entries(laughs))
    depth = 100000
    nested = X + "<w:document %s><w:body>" % W_NS + "<w:p>" * depth + "deep" + "</w:p>" * depth \
        + "</w:body></w:document>"
    write_zip(p("nested.docx"), docx_entries(nested))
    cut = guide.find(b"/Pages 2 0 R")
    write(outdir, "broken.pdf", guide[:cut + 6])
    write(outdir, "garbage.pdf", b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(65536)))
    file_id = hashlib.md5(b"nextstage encrypted.pdf").digest()
    write(outdir, "encrypted.pdf",
          pdf_bytes(guide_pages(), crypt=Rc4Crypt("secret", "owner", file_id), trailer_id=file_id))
    write(outdir, "manypages.pdf", pdf_bytes([["page %d" % (i + 1)] for i in range(1001)]))


BENCH_WORDS = ("account pipeline renewal quota forecast persona stage pricing discount champion "
               "budget timeline decision security onboarding integration support contract value "
               "revenue expansion adoption").split()


def make_bench(outdir, count, pages):
    rng = random.Random(20)
    d = os.path.join(outdir, "bench")
    os.makedirs(d, exist_ok=True)
    for n in range(count):
        doc = []
        for pg in range(pages):
            lines = ["Document %d, page %d" % (n + 1, pg + 1)]
            for _ in range(25):
                lines.append(" ".join(rng.choice(BENCH_WORDS) for _ in range(10)))
            doc.append(lines)
        write(d, "pdf-%03d.pdf" % (n + 1), pdf_bytes(doc))


def main(argv):
    if len(argv) not in (2, 5) or (len(argv) == 5 and argv[2] != "--bench"):
        sys.stderr.write("usage: make_files.py OUTDIR [--bench COUNT PAGES]\n")
        return 2
    if len(argv) == 5:
        make_bench(argv[1], int(argv[3]), int(argv[4]))
    else:
        make_all(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
