"""Content checks on article pages: what is not a whole article never becomes a record.

Pure functions; the page object (newscrawl/page/article.py) asks them three questions of every
article response and turns each answer into an event (a counter under ``newscrawl/`` and one
log line, see docs/bad-input.md):

1. the raw bytes (before decoding): is it an HTML page at all? ``sniff_not_html``: bytes of a
   PDF, an image, a zip ... (whatever the Content-Type says), JSON or XML at an article URL.
2. the decoded markup (one linear scan of the tags, scripts/styles/comments skipped):
   ``scan_markup`` finds nesting deeper than NEWSCRAWL_MAX_HTML_DEPTH (a "depth bomb": libxml2
   silently cuts such a tree at depth 256), a page cut off mid-way (the server stopped: the text
   would be half an article; a page that merely omits ``</body></html>`` but ends on a closed
   element is whole), a second <html> document (``repair_second_html`` makes it one), and
   unclosed container tags (lxml's recovery handles them; counted).
3. the extracted article: ``wall_kind`` (only a consent wall or a login/paywall box, little text
   made of "Cookieに同意", "有料会員限定", "続きを読むにはログイン" ...), ``repair_mojibake``
   (a title that is UTF-8 read as windows-1252), ``same_name`` (a "title" that is only the
   site's name).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import lxml.html

DEFAULT_MAX_HTML_DEPTH = 256  # libxml2's own limit for HTML without huge_tree; real pages stay under 60

# -- 1. raw bytes -------------------------------------------------------------------------------------
_MAGIC = [
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0", "ole"), (b"\x1f\x8b", "gzip"), (b"OggS", "ogg"), (b"ID3", "mp3"),
    (b"\x1aE\xdf\xa3", "webm"),
]
_HTML_START_RE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title"
                            rb"|div|p|script|link|!--)", re.IGNORECASE | re.DOTALL)


_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES_RE = re.compile(r"^(?:text/|application/(?:json|[\w.+-]*\+?xml|javascript|x-javascript|ld\+json))")


def sniff_not_html(body: bytes, content_type: str = "") -> str | None:
    """What the bytes are when they are not an HTML page (``pdf``, ``png``, ``json`` ...), else None.

    The bytes decide first: a PDF or an image served as text/html is still not a page.  Then the
    Content-Type: a binary type is not a page; a text type that is not HTML (JSON, XML, plain
    text) is one only if it starts like HTML; a page without a Content-Type is judged by its bytes.
    """
    head = body[:64].lstrip()
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI ", b"WAVE"):
        return head[8:12].decode().strip().lower()
    mime = (content_type or "").split(";")[0].strip().lower()
    declared = (content_type or "").lower()
    utf16 = "utf-16" in declared or "utf-32" in declared or body[:2] in (b"\xff\xfe", b"\xfe\xff")
    if b"\x00" in body[:1024] and not utf16:
        return "binary"
    if mime in _HTML_TYPES:
        return None
    if mime and not _TEXT_TYPES_RE.match(mime) and mime != "application/octet-stream":
        return "binary"
    # a JSON error body, an XML document, plain text, no type at all: HTML only if it looks like it
    start = body[:2048].lstrip(b"\xef\xbb\xbf")
    if not _HTML_START_RE.match(start):
        return {b"{": "json", b"[": "json", b"<": "xml"}.get(start.lstrip()[:1], "text")
    return None


# -- 2. the markup ------------------------------------------------------------------------------------
# containers whose end tag is required: the ones a depth bomb nests and a broken template leaves open
_CONTAINERS = frozenset({"div", "span", "section", "article", "main", "aside", "table", "ul", "ol", "dl",
                         "blockquote", "figure", "form", "nav", "header", "footer", "center", "font"})
_STRUCTURE = frozenset({"html", "head", "body"})
# One pass over the tags. Comments, scripts and styles are skipped whole (even unterminated);
# a tag is "<name ...>" without another "<" inside, so that the scan stays linear on any input.
# Only the tags the scan counts are matched: two thirds of a page's tags (a, li, p, img, meta ...) matter
# to none of the checks, and a Match object for each was the guard's largest cost. The result is the
# same as matching every tag (tests/test_scan_markup.py): every alternative starts with "<", a tag left
# out holds no other "<" where a match could start, and a name ends on a word boundary either way.
_TAG_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea)\b[^<>]*>.*?(?:</\1\s*>|\Z)|<(/?)("
    + "|".join(sorted(_CONTAINERS | _STRUCTURE)) + r")\b[^<>]*>",
    re.DOTALL | re.IGNORECASE,
)


@dataclass
class Markup:
    depth: int = 0  # deepest nesting of container tags seen (the scan stops past the limit)
    too_deep: bool = False
    truncated: bool = False
    unclosed: int = 0  # container tags left open at the end
    structure: list[tuple[str, bool, int, int]] = field(default_factory=list)  # (name, closing, start, end)

    def starts(self, name: str) -> list[tuple[int, int]]:
        return [(s, e) for n, closing, s, e in self.structure if n == name and not closing]

    def ends(self, name: str) -> list[tuple[int, int]]:
        return [(s, e) for n, closing, s, e in self.structure if n == name and closing]

    @property
    def second_html(self) -> bool:
        return len(self.starts("html")) > 1 or len(self.starts("body")) > 1


def scan_markup(text: str, max_depth: int = DEFAULT_MAX_HTML_DEPTH, *, tags: re.Pattern = _TAG_RE) -> Markup:
    """Container depth, cut-off and html/head/body tags of *text*, in one regex pass.  *tags*: the tag
    pattern (its groups as _TAG_RE's); tests/test_scan_markup.py passes the every-tag pattern it replaced."""
    found = Markup()
    depth = 0
    for match in tags.finditer(text):
        name = match.group(3)
        if not name:
            continue
        name = name.lower()
        closing = bool(match.group(2))
        if name in _CONTAINERS:
            if closing:
                depth = max(0, depth - 1)
            elif not match.group(0).endswith("/>"):
                depth += 1
                if depth > found.depth:
                    found.depth = depth
                    if depth > max_depth:
                        found.too_deep = True
                        return found
        elif name in _STRUCTURE:
            found.structure.append((name, closing, match.start(), match.end()))
    found.unclosed = depth
    opened = found.starts("html") or found.starts("body")
    found.truncated = bool(opened) and not (found.ends("html") or found.ends("body")) and _ends_mid_page(text)
    return found


_LAST_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>\s*$")
_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "base", "col",
                        "embed", "param", "track"})


def _ends_mid_page(text: str) -> bool:
    """A page without </body></html> is whole when it ends on a closed element; many real pages omit
    the two end tags. Cut off: it ends in text, inside a tag, or right after an opening container tag."""
    tail = text[-4096:].rstrip()
    if not tail.endswith(">"):
        return True
    if tail.endswith("-->"):
        return False
    last = _LAST_TAG_RE.search(tail)
    if last is None:
        return True  # a ">" that closes no tag (inside text or a cut-off comment)
    closing, name = last.group(1), last.group(2).lower()
    return not closing and name not in _VOID_TAGS and not last.group(0).rstrip().endswith("/>")


def repair_second_html(text: str, markup: Markup) -> str:
    """One document out of two: pages glued together keep the first; a document pasted inside
    the page loses its own <html>/<head>/<body> tags (their content stays where it is)."""
    html_starts, html_ends = markup.starts("html"), markup.ends("html")
    if len(html_starts) > 1 and html_ends and html_starts[1][0] > html_ends[0][0]:
        return text[:html_ends[0][1]]  # glued: everything after the first </html> is another page
    drop: list[tuple[int, int]] = []
    for name in ("html", "head", "body"):
        drop += markup.starts(name)[1:]  # the first start tag of each stays
    drop += markup.ends("head")[1:]  # the first </head> closes the real head
    drop += markup.ends("body")[:-1] + markup.ends("html")[:-1]  # the last </body></html> close the page
    out, pos = [], 0
    for start, end in sorted(drop):
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


# -- 3. the extracted article -------------------------------------------------------------------------
_WALL_MAX_CHARS = 600  # a wall is short; an article that mentions a login is not
_WALL_PATTERNS = [
    ("consent", re.compile(r"(?:cookie|クッキー)[^。\n]{0,80}?(?:同意|許可|承諾|consent|accept)", re.I)),
    ("consent", re.compile(r"(?:同意|consent|accept)[^。\n]{0,80}?(?:cookie|クッキー)", re.I)),
    ("consent", re.compile(r"\b(?:accept|reject|allow) (?:all|cookies)\b|同意して(?:続ける|閉じる)", re.I)),
    ("consent", re.compile(r"個人情報(?:の取り扱い|保護方針)|プライバシー(?:ポリシー|設定)")),
    ("login", re.compile(r"(?:有料|プレミアム|購読|会員)(?:会員)?(?:限定|専用)")),
    ("login", re.compile(r"続きを(?:読む|お読みになる|ご覧になる|閲覧する)には")),
    ("login", re.compile(r"(?:ログイン|サインイン|会員登録)[^。\n]{0,30}?(?:してください|が必要|すると|して(?:お読み|ご覧))")),
    ("login", re.compile(r"\b(?:subscribe|sign in|log in)\b[^.\n]{0,30}?\b(?:to (?:continue|read)|required)", re.I)),
    ("login", re.compile(r"로그인이? 필요|회원 ?전용|구독자 ?전용")),
]
_PASSWORD_XPATH = ("//input[translate(@type,'PASWORD','pasword')='password']"
                   "[not(ancestor::header or ancestor::nav or ancestor::aside or ancestor::footer)]")


def wall_kind(body_text: str, page_root=None) -> str | None:
    """``consent`` / ``login`` when the article text is only a consent wall or a login box.

    *page_root* is the page's parsed tree: a password field outside the header/nav is one more sign.
    """
    compact = "".join(body_text.split())
    if len(compact) >= _WALL_MAX_CHARS:
        return None
    hits: dict[str, int] = {}
    for kind, pattern in _WALL_PATTERNS:
        if pattern.search(body_text):
            hits[kind] = hits.get(kind, 0) + 1
    password = bool(page_root is not None and page_root.xpath(_PASSWORD_XPATH))
    if password:
        hits["login"] = hits.get("login", 0) + 1
    if not hits:
        return None
    kind = max(hits, key=hits.get)
    return kind if hits[kind] >= 2 else None


# Double-encoded UTF-8: every character of the mojibake is one byte of the original text,
# read as windows-1252 (browsers map its 5 undefined bytes to the C1 controls, so do we).
def _cp1252_bytes() -> dict[str, int]:
    table = {}
    for byte in range(0x80, 0x100):
        try:
            table[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D
            pass
    table.update({chr(byte): byte for byte in range(0x80, 0xA0)})  # C1 controls: the Latin-1 reading
    return table


_CP1252_BYTE = _cp1252_bytes()
_LATIN_RUN_RE = re.compile("[" + re.escape("".join(sorted(_CP1252_BYTE))) + "]+")
# a whole UTF-8 sequence read that way: a lead byte, then exactly as many continuation bytes as it
# announces ("é’s" is English; "éŸ“" is 韓)
_CONT = "[" + re.escape("".join(ch for ch, b in _CP1252_BYTE.items() if 0x80 <= b <= 0xBF)) + "]"
_MOJIBAKE_RE = re.compile(f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """(text, None) when clean; (repaired, "repaired"); (text, "broken") when it is mojibake
    that cannot be undone (bytes lost: U+FFFD or "?" inside the sequences)."""
    if not text or not _MOJIBAKE_RE.search(text):
        return text, None
    broken = False

    def fix(match: re.Match) -> str:
        nonlocal broken
        run = match.group(0)
        if not _MOJIBAKE_RE.search(run):
            return run
        raw = bytes(_CP1252_BYTE[ch] for ch in run)
        for _ in range(3):  # double, and triple, encoding
            try:
                decoded = raw.decode("utf-8")
            except UnicodeDecodeError:
                broken = True
                return run
            if not _MOJIBAKE_RE.search(decoded) or not all(ch in _CP1252_BYTE for ch in decoded):
                return decoded
            raw = bytes(_CP1252_BYTE[ch] for ch in decoded)
        return decoded

    # UTF-8 sequences hold no ASCII byte: each run of Latin characters is repaired on its own
    repaired = _LATIN_RUN_RE.sub(fix, text)
    if broken or "\ufffd" in repaired or _MOJIBAKE_RE.search(repaired):
        return text, "broken"
    return repaired, "repaired"


def same_name(title: str, names: list[str]) -> bool:
    """The title is one of the site's names (NFKC, case and spaces ignored): no headline."""
    norm = lambda s: "".join(unicodedata.normalize("NFKC", s).split()).casefold()  # noqa: E731
    return norm(title) in {norm(n) for n in names if n}


def body_text(body_html: str) -> str:
    if not body_html or not body_html.strip():
        return ""
    try:
        return lxml.html.fromstring(body_html).text_content()
    except (lxml.etree.ParserError, ValueError):
        return ""
