#!/usr/bin/env python3
"""Stand-ins for the `check` suite, all in one process inside the suite's
private network namespace:

- a registry token server (port 5001, TLS) for Debian's docker-registry with
  `auth: token`, answering Basic logins as ghcr.io's does: a token table says
  what each token may do (push, pull only, expired, fine-grained, an
  organization that wants SSO; optionally only some repository owners
  ("owners", public repositories aside) and only one registry ("service"),
  and a name for the log ("who"), as tests/kubelet/pulls.sh uses them); tokens it grants are JWTs signed by a key
  whose certificate the test CA issued (x5c), as distribution checks them;
  it grew out of tests/e2e/tokenserver.py, which takes identity tokens only;
  anonymous requests get pull access to the repositories listed as public
  in the config ("public"), as ghcr.io serves public images;
- a stand-in for the GitHub API (port 8443, TLS) answering GET / and
  GET /orgs/ORG with the headers GitHub sends: X-OAuth-Scopes,
  GitHub-Authentication-Token-Expiration, X-GitHub-SSO; 401 Bad credentials
  for an expired or unknown token;
- an HTTPS proxy (port 3128, CONNECT only) that logs each tunnel;
- a silent server (port 8444) that accepts and never answers (time-outs).

A token whose entry says "hostile" makes them answer as a hostile server
would (see HOSTILE_* below): the API's X-OAuth-Scopes and expiry header,
or the token server's refusal, carry bare CRs, workflow commands, C0 and
C1 controls (raw and UTF-8-encoded CSI and OSC 8/52) and invalid UTF-8,
around visible words the suite expects to see again, made safe.

Tokens come from a JSON file (never argv); each request leaves one line in
the log without any secret, so the suite can tell who was asked what.

usage: standins.py CONFIG.json
"""

import base64
import http.server
import json
import os
import select
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse


# What a hostile server sends, as bytes on the wire.
HOSTILE_SCOPES = (b"read:packages, write:packages\r::add-mask::x "
                  b"\x1b[31mred\x1b[0m \xc2\x9b" b"31mcsi "
                  b"\xc2\x9d8;;https://evil.example/\x07osc8\xc2\x9d8;;\x07 "
                  b"\x1b]52;c;ZXZpbA==\x1b\\clip \x9b" b"2Jraw ##[stop-commands]tok")
HOSTILE_EXPIRY_TAIL = b"\r::stop-commands::tok2 \xc2\x9b" b"2Jexp"
# A JSON message: json.dumps() sends the controls as \u escapes, which the
# helper's JSON parser turns back into the characters (U+009B is C2 9B).
HOSTILE_MESSAGE = ("denied\r::error::boom \u009b31mcsi "
                   "\u009d8;;https://evil.example/\u0007osc8 "
                   "\u001b]52;c;ZXZpbA==\u0007clip \u202eevil ##[add-mask]tok")
# A body that is not JSON: raw C1 bytes and bytes that are not UTF-8.
HOSTILE_BODY = (b"denied\r::error::raw \x9b" b"2Jraw \xc2\x9d" b"0;title\xc2\x9c "
                b"##[stop-commands]tok \xff\xfe")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, headers=(), content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def bearer_or_basic(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None, None
            return user, secret
        if auth.startswith("Bearer ") or auth.startswith("token "):
            return None, auth.split(" ", 1)[1]
        return None, None


def main():
    cfg = json.load(open(sys.argv[1], encoding="utf-8"))
    tokens = json.load(open(cfg["tokens"], encoding="utf-8"))
    log = open(cfg["log"], "a", buffering=1, encoding="utf-8")
    lock = threading.Lock()

    def note(line):
        with lock:
            log.write(line + "\n")

    der = subprocess.run(["openssl", "x509", "-in", cfg["sign_cert"],
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    x5c = base64.b64encode(der).decode()

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                              cfg["sign_key"]], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    def denied(handler, message):
        handler.reply(403, {"errors": [{"code": "DENIED", "message": message}]})

    class TokenHandler(Quiet):
        def do_GET(self):
            q = urllib.parse.urlparse(self.path)
            form = urllib.parse.parse_qs(q.query)
            user, secret = self.bearer_or_basic()
            info = tokens.get(secret or "")
            scopes = form.get("scope", [])
            note("token %s kind=%s scope=%s who=%s service=%s" % (
                "basic" if user is not None else "anonymous",
                info["kind"] if info else "unknown", " ".join(scopes) or "-",
                info.get("who", "-") if info else "-",
                form.get("service", ["-"])[0]))
            if user is None and info is None and cfg.get("public"):
                # Anonymous pulls of public repositories, as ghcr.io
                # serves them; nothing else.
                access = []
                for scope in scopes:
                    for item in scope.split(" "):
                        parts = item.split(":")
                        if (len(parts) == 3 and parts[0] == "repository" and
                                parts[1] in cfg["public"] and
                                "pull" in parts[2].split(",")):
                            access.append({"type": "repository", "name": parts[1],
                                           "actions": ["pull"]})
                now = int(time.time())
                jwt = sign({"iss": cfg["issuer"], "sub": "",
                            "aud": form.get("service", [""])[0],
                            "exp": now + 300, "nbf": now - 10, "iat": now,
                            "jti": b64url(os.urandom(12)), "access": access})
                self.reply(200, {"token": jwt, "access_token": jwt,
                                 "expires_in": 300})
                return
            if user is None or info is None:
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                             "message": "authentication required"}]})
                return
            if info["kind"] in ("expired", "fine-grained"):
                # What ghcr.io says to a dead token and to a github_pat_.
                denied(self, "denied")
                return
            if info.get("hostile") == "refusal":
                denied(self, HOSTILE_MESSAGE)
                return
            if info.get("hostile") == "raw-refusal":
                self.reply(403, HOSTILE_BODY, content_type="text/plain")
                return
            if info.get("service", form.get("service", [""])[0]) != \
                    form.get("service", [""])[0]:
                denied(self, "denied")  # another registry's token
                return
            access = []
            for scope in scopes:
                for item in scope.split(" "):
                    parts = item.split(":")
                    if len(parts) != 3 or parts[0] != "repository":
                        continue
                    owner = parts[1].split("/")[0]
                    if owner in info.get("sso_orgs", []):
                        continue  # not authorized for that org's SSO
                    if ("owners" in info and owner not in info["owners"] and
                            parts[1] not in cfg.get("public", [])):
                        continue  # not this identity's namespace
                    wanted = parts[2].split(",")
                    # A user who can push here owns the package: the
                    # registry lets them cancel (delete) an upload too.
                    allowed = [a for a in wanted
                               if a == "pull" or info["kind"] == "push"]
                    if allowed:
                        access.append({"type": "repository", "name": parts[1],
                                       "actions": allowed})
            now = int(time.time())
            claims = {"iss": cfg["issuer"], "sub": user,
                      "aud": form.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now,
                      "jti": b64url(os.urandom(12)), "access": access}
            jwt = sign(claims)
            self.reply(200, {"token": jwt, "access_token": jwt,
                             "expires_in": 300})

    class ApiHandler(Quiet):
        def do_GET(self):
            _, secret = self.bearer_or_basic()
            info = tokens.get(secret or "")
            kind = info["kind"] if info else "unknown"
            note("api GET %s kind=%s" % (self.path, kind))
            if info is None or kind == "expired":
                self.reply(401, {"message": "Bad credentials",
                                 "documentation_url": "https://docs.github.com/rest"})
                return
            headers = []
            hostile = info.get("hostile") == "headers"
            if hostile:
                # http.server writes a str header as latin-1: byte for byte.
                headers.append(("X-OAuth-Scopes", HOSTILE_SCOPES.decode("latin-1")))
            elif "scopes" in info:
                headers.append(("X-OAuth-Scopes", info["scopes"]))
            if "expires" in info:
                when = time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                     time.gmtime(info["expires"]))
                if hostile:
                    when += HOSTILE_EXPIRY_TAIL.decode("latin-1")
                headers.append(("GitHub-Authentication-Token-Expiration", when))
            if self.path.startswith("/orgs/"):
                org = self.path[len("/orgs/"):].split("/")[0]
                if org in info.get("sso_orgs", []):
                    headers.append(("X-GitHub-SSO", "required; url=https://github.com/orgs/%s/sso?authorization_request=TEST%s" % (org, org.upper())))
                    self.reply(403, {"message": "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."}, headers)
                    return
                self.reply(200, {"login": org}, headers)
                return
            self.reply(200, {"current_user_url": "https://api.github.test/user"}, headers)

    class ProxyHandler(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline().decode("latin-1").strip()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            parts = line.split()
            if len(parts) < 2 or parts[0] != "CONNECT":
                self.wfile.write(b"HTTP/1.1 405 CONNECT only\r\nContent-Length: 0\r\n\r\n")
                return
            note("proxy CONNECT %s" % parts[1])
            host, _, port = parts[1].rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            conns = [self.connection, upstream]
            try:
                while True:
                    ready, _, _ = select.select(conns, [], [], 30)
                    if not ready:
                        break
                    for s in ready:
                        data = s.recv(65536)
                        if not data:
                            return
                        (upstream if s is self.connection else self.connection).sendall(data)
            finally:
                upstream.close()

    class SilentHandler(socketserver.BaseRequestHandler):
        def handle(self):
            note("silent accepted")
            time.sleep(60)

    class Threading(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True
        allow_reuse_address = True

    def tls(server, cert, key):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        return server

    servers = [
        tls(http.server.ThreadingHTTPServer(("127.0.0.1", 5001), TokenHandler),
            cfg["cert"], cfg["key"]),
        tls(http.server.ThreadingHTTPServer(("127.0.0.1", 8443), ApiHandler),
            cfg["cert"], cfg["key"]),
        Threading(("127.0.0.1", 3128), ProxyHandler),
        Threading(("127.0.0.1", 8444), SilentHandler),
    ]
    for s in servers:
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    note("ready")
    threading.Event().wait()


if __name__ == "__main__":
    main()
