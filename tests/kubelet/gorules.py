"""Go's rules that the kubelet's code relies on, written again in Python
for the stand-in kubelet (standin_kubelet.py): time.ParseDuration (the
text form of metav1.Duration), path/filepath.Match (keyring.go URLsMatch's
host-label globs), net/url.Parse's host and path (keyring.go
ParseSchemelessURL and BasicDockerKeyring.Add) and the strict JSON decoding
the kubelet's codecs use (sigs.k8s.io/json UnmarshalStrict: unknown fields,
duplicate fields and map keys are errors, names match by case).  Each
function says where Python's library differs and what is added.
"""

import json
import re


class Rejected(Exception):
    """The kubelet would drop this input (config, response, pattern)."""


# --- Go's time.ParseDuration --------------------------------------------------

_UNITS_NS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000,
             "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def go_parse_duration(text):
    """Nanoseconds for a Go duration string; Rejected where Go errs."""
    if not isinstance(text, str):
        raise Rejected("duration is not a string")
    s, neg = text, False
    if s[:1] in ("-", "+"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if s == "":
        raise Rejected("invalid duration %r" % text)
    total = 0
    while s:
        if not (s[0] == "." or s[0].isdigit() and s[0] < "\x80"):
            raise Rejected("invalid duration %r" % text)
        m = re.match(r"([0-9]*)", s)
        whole, s = m.group(1), s[m.end():]
        frac = ""
        if s.startswith("."):
            m = re.match(r"\.([0-9]*)", s)
            frac, s = m.group(1), s[m.end():]
            if not whole and not frac:
                raise Rejected("invalid duration %r" % text)
        elif not whole:
            raise Rejected("invalid duration %r" % text)
        m = re.match(r"([^0-9.]*)", s)
        unit, s = m.group(1), s[m.end():]
        if not unit:
            raise Rejected("missing unit in duration %r" % text)
        if unit not in _UNITS_NS:
            raise Rejected("unknown unit %r in duration %r" % (unit, text))
        v = int(whole or "0")
        if v > (1 << 63) // _UNITS_NS[unit]:
            raise Rejected("invalid duration %r" % text)
        v *= _UNITS_NS[unit]
        if frac:
            # Go scales the fraction in float64, as here.
            v += int(float(int(frac)) * (_UNITS_NS[unit] / float(10 ** len(frac))))
        total += v
        if total > 1 << 63:
            raise Rejected("invalid duration %r" % text)
    if neg:
        return -total
    if total > (1 << 63) - 1:
        raise Rejected("invalid duration %r" % text)
    return total


# --- Go's path/filepath.Match ---------------------------------------------------

def _compile_glob(pattern):
    """Tokens of a filepath.Match pattern; Rejected (ErrBadPattern) when
    malformed, which Go reports whatever the name."""
    toks, i, n = [], 0, len(pattern)

    def esc(i):
        if i >= n or pattern[i] in "-]":
            raise Rejected("syntax error in pattern")
        if pattern[i] == "\\":
            i += 1
            if i >= n:
                raise Rejected("syntax error in pattern")
        if i + 1 >= n:
            raise Rejected("syntax error in pattern")  # class never closed
        return pattern[i], i + 1

    while i < n:
        c = pattern[i]
        if c == "*":
            if not toks or toks[-1] != ("star",):
                toks.append(("star",))
            i += 1
        elif c == "?":
            toks.append(("any",))
            i += 1
        elif c == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            if negate:
                i += 1
            ranges = []
            while True:
                if i < n and pattern[i] == "]" and ranges:
                    i += 1
                    break
                lo, i = esc(i)
                hi = lo
                if pattern[i] == "-":
                    hi, i = esc(i + 1)
                ranges.append((lo, hi))
            toks.append(("class", negate, ranges))
        elif c == "\\":
            if i + 1 >= n:
                raise Rejected("syntax error in pattern")
            toks.append(("lit", pattern[i + 1]))
            i += 2
        else:
            toks.append(("lit", c))
            i += 1
    return toks


def go_path_match(pattern, name):
    """filepath.Match(pattern, name) on Unix: (matched, error or None)."""
    try:
        toks = _compile_glob(pattern)
    except Rejected as e:
        return False, str(e)

    def match(ti, si):
        while ti < len(toks):
            t = toks[ti]
            if t[0] == "star":
                for k in range(si, len(name) + 1):
                    if match(ti + 1, k):
                        return True
                    if k < len(name) and name[k] == "/":
                        return False
                return False
            if si >= len(name):
                return False
            ch = name[si]
            if t[0] == "lit" and ch != t[1]:
                return False
            if t[0] == "any" and ch == "/":
                return False
            if t[0] == "class":
                inside = any(lo <= ch <= hi for lo, hi in t[2])
                if inside == t[1]:
                    return False
            ti, si = ti + 1, si + 1
        return si == len(name)
    return match(0, 0), None


# --- Go's net/url.Parse -------------------------------------------------------

_HOST_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       b"!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                           b"-._:~!$&'()*+,;=%@")
_HEX = b"0123456789abcdefABCDEF"


def _unescape(b, host=False):
    """url.unescape: %XX decoded; a bad escape is an error, and so, in a
    host, is an escaped ASCII byte other than %25 and a character a host may
    not hold."""
    out, i = bytearray(), 0
    while i < len(b):
        c = b[i]
        if c == 0x25:  # '%'
            if i + 2 >= len(b) or b[i + 1] not in _HEX or b[i + 2] not in _HEX:
                raise Rejected("invalid URL escape")
            if host and int(chr(b[i + 1]), 16) < 8 and b[i:i + 3] != b"%25":
                raise Rejected("invalid URL escape in host")
            out.append(int(b[i + 1:i + 3], 16))
            i += 3
            continue
        if host and c < 0x80 and c not in _HOST_SAFE:
            raise Rejected("invalid character %r in host name" % chr(c))
        out.append(c)
        i += 1
    return bytes(out)


def _valid_port(colon_port):
    return colon_port == b"" or (colon_port[:1] == b":" and colon_port[1:].isdigit()) \
        or colon_port == b":"


def go_url_parse(raw):
    """(host, path) as Go's url.Parse gives them for an absolute http(s)
    URL, errors included (written after Go 1.19's net/url: control
    characters, the query cut at the first '?', the authority up to the
    first '/', userinfo after the last '@', the port after the host's last
    ':' (or a bracketed host's ']') all digits, the host's characters and
    escapes, the path's and fragment's escapes).  IPv6 zones (%25) are taken
    as plain host text."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise Rejected("invalid control character in URL")
    b = raw.encode("utf-8", "surrogateescape")
    b, _, frag = b.partition(b"#")
    scheme, colon, rest = b.partition(b":")
    if not colon or scheme.lower() not in (b"http", b"https"):
        raise Rejected("not an http(s) URL")
    if rest.endswith(b"?") and rest.count(b"?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.partition(b"?")[0]
    host = b""
    if rest.startswith(b"//"):
        authority, slash, path = rest[2:].partition(b"/")
        rest = slash + path
        userinfo, at, hostpart = authority.rpartition(b"@")
        if not at:
            hostpart = authority
        if hostpart.startswith(b"["):
            end = hostpart.rfind(b"]")
            if end < 0:
                raise Rejected("missing ']' in host")
            if not _valid_port(hostpart[end + 1:]):
                raise Rejected("invalid port after host")
        elif b":" in hostpart and not _valid_port(hostpart[hostpart.rfind(b":"):]):
            raise Rejected("invalid port after host")
        host = _unescape(hostpart, host=True)
        if at:
            if any(c not in _USERINFO_SAFE for c in userinfo):
                raise Rejected("invalid userinfo")
            for part in userinfo.split(b":", 1):
                _unescape(part)
    path = _unescape(rest)
    if frag:
        _unescape(frag)
    return (host.decode("utf-8", "replace"), path.decode("utf-8", "replace"))


# --- strict decoding (sigs.k8s.io/json UnmarshalStrict) --------------------------

def pairs_no_dupes(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise Rejected('duplicate field "%s"' % k)
        seen[k] = v
    return seen


def _no_constants(name):
    raise Rejected("invalid JSON value %s" % name)


def json_strict_load(data):
    """JSON text to Python values, refusing duplicate keys at any depth and
    what Go's decoder refuses (NaN, Infinity, trailing data)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    try:
        return json.loads(data, object_pairs_hook=pairs_no_dupes,
                          parse_constant=_no_constants)
    except ValueError as e:
        raise Rejected("invalid JSON: %s" % e)


STRING, DURATION, BOOL = "string", "duration", "bool"


def decode_strict(value, schema, where):
    """Checks value against schema as a strict, case-sensitive Go decode
    into the API types would: schema is STRING, DURATION, BOOL, ("list", item),
    ("map", item) or a dict of field name to schema.  null is accepted
    wherever Go leaves the zero value."""
    if value is None:
        return
    if schema == STRING:
        if not isinstance(value, str):
            raise Rejected("%s: expected a string" % where)
    elif schema == DURATION:
        go_parse_duration(value)
    elif schema == BOOL:
        if not isinstance(value, bool):
            raise Rejected("%s: expected a boolean" % where)
    elif isinstance(schema, tuple):
        kind, item = schema
        want = list if kind == "list" else dict
        if not isinstance(value, want):
            raise Rejected("%s: expected a %s" % (where, kind))
        items = enumerate(value) if kind == "list" else value.items()
        for k, v in items:
            decode_strict(v, item, "%s[%s]" % (where, k))
    else:
        if not isinstance(value, dict):
            raise Rejected("%s: expected an object" % where)
        for k, v in value.items():
            if k not in schema:
                raise Rejected('%s: unknown field "%s"' % (where, k))
            decode_strict(v, schema[k], where + "." + k)
