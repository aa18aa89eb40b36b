"""multipart/form-data bodies with arbitrary parts, filenames and
boundaries, and tiny generators of real files whose type libmagic
recognises (checked against `file --mime-type` 5.44):

    pdf(n)     application/pdf   ("%PDF-1.4" ... random bytes ... "%%EOF")
    png()      image/png         (IHDR, IDAT, IEND with correct CRCs)
    csv_text() text/csv or text/plain (a .csv name makes it text/csv)
    text()     text/plain
    elf()      application/x-executable (not on the allow-list)
"""
import json
import os
import struct
import zlib

MIB = 1024 * 1024


class Part:
    """One part. @data: bytes (str is UTF-8 encoded). @filename: None for a
    field part; a str (any bytes after UTF-8 encoding, including quotes, CR
    and LF: nothing is escaped, so tests can send hostile names). @headers:
    extra header lines as (name, value). @disposition: replaces the whole
    Content-Disposition value when given."""

    def __init__(self, name, data, filename=None, content_type=None, headers=(),
                 disposition=None):
        self.name = name
        self.data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.filename = filename
        self.content_type = content_type
        self.headers = list(headers)
        self.disposition = disposition

    def head(self):
        if self.disposition is not None:
            disp = self.disposition
        else:
            disp = "form-data"
            if self.name is not None:
                disp += f'; name="{self.name}"'
            if self.filename is not None:
                disp += f'; filename="{self.filename}"'
        lines = [f"Content-Disposition: {disp}"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}")
        lines += [f"{k}: {v}" for k, v in self.headers]
        return ("\r\n".join(lines)).encode("utf-8")


def new_boundary():
    return "nsb" + os.urandom(12).hex()


def encode(parts, boundary=None, terminate=True):
    """(body bytes, Content-Type value) for @parts. @terminate False leaves
    out the closing delimiter (an unterminated last part)."""
    boundary = boundary or new_boundary()
    b = boundary.encode("utf-8")
    out = []
    for p in parts:
        out += [b"--", b, b"\r\n", p.head(), b"\r\n\r\n", p.data, b"\r\n"]
    if terminate:
        out += [b"--", b, b"--\r\n"]
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def metadata_part(meta):
    """The "metadata" part: @meta as JSON (bytes/str are sent as they are)."""
    data = meta if isinstance(meta, (bytes, str)) else json.dumps(meta)
    return Part("metadata", data, content_type="application/json")


def file_part(data, filename="file.pdf", content_type="application/octet-stream"):
    return Part("file", data, filename=filename, content_type=content_type)


def asset_form(meta, data, filename="file.pdf", content_type="application/octet-stream",
               boundary=None):
    """The usual upload: a metadata part and a file part."""
    return encode([metadata_part(meta), file_part(data, filename, content_type)], boundary)


def version_form(data, filename="file.pdf", content_type="application/octet-stream",
                 boundary=None):
    """A new version: one file part."""
    return encode([file_part(data, filename, content_type)], boundary)


# ---------------------------------------------------------------- files

PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
PDF_TAIL = b"\n%%EOF\n"


def pdf(size=None, seed=None):
    """A PDF libmagic calls application/pdf. Without @size: a small valid
    one-page document. With @size: exactly @size bytes (at least 24), the
    header, random bytes (os.urandom, or a fixed pattern from @seed) and
    %%EOF."""
    if size is None:
        return minimal_pdf()
    filler = size - len(PDF_HEAD) - len(PDF_TAIL)
    if filler < 0:
        raise ValueError(f"a PDF needs at least {len(PDF_HEAD) + len(PDF_TAIL)} bytes")
    return PDF_HEAD + random_bytes(filler, seed) + PDF_TAIL


def random_bytes(n, seed=None):
    if seed is None:
        return os.urandom(n)
    # Deterministic: the same @seed gives the same bytes (for dedup tests).
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += zlib.crc32(b"%d:%d" % (seed, counter)).to_bytes(4, "little") * 8
        counter += 1
    return bytes(out[:n])


def minimal_pdf(text="nextstage test"):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = b"BT /F1 12 Tf 20 100 Td (" + text.encode("latin-1") + b") Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width=2, height=2):
    """A real RGB PNG of @width x @height pixels."""
    rows = b"".join(
        b"\0" + b"".join(bytes((x * 40 % 256, y * 40 % 256, 128)) for x in range(width))
        for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(rows))
            + _png_chunk(b"IEND", b""))


def csv_text():
    return (b"account,region,stage,amount\n"
            b"Acme,emea,discovery,12000\n"
            b"Globex,amer,proposal,48000\n"
            b"Initech,apac,negotiation,7500\n")


def text(words="plain words for a plain text file"):
    return (words + "\n" + "a second line of ordinary prose\n").encode("utf-8")


def elf():
    """A 512-byte x86-64 ELF executable header with one program header:
    libmagic says application/x-executable."""
    ehdr = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack(
        "<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 512, 512, 0x1000)
    data = ehdr + phdr
    return data + b"\0" * (512 - len(data))
