#!/usr/bin/env python3
"""Test token server for the identity-token flow of the end-to-end suite.

The plain registry with htpasswd cannot take an identity token: a client that
holds one (helper answer with Username "<token>") trades it at the registry's
token server with an OAuth2 refresh_token grant.  This server plays that part
for a registry configured with `auth: token`: it accepts exactly one refresh
token (read from a file, never from argv), refuses every other grant, Basic
login included, and answers with a JWT signed by a key whose certificate the
test CA issued (sent in the x5c header, as distribution verifies it).  Each
request leaves one line in the log file, so the suite can tell which grant a
client really used.  It listens with TLS on 127.0.0.1 inside the suite's
private network namespace only.

usage: tokenserver.py PORT CERT KEY SIGN_CERT SIGN_KEY TOKEN_FILE LOG ISSUER
"""

import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    port, cert, key, sign_cert, sign_key, token_file, log_path, issuer = \
        sys.argv[1:9]
    with open(token_file, encoding="utf-8") as f:
        accepted = f.read().strip()
    # x5c carries the signing certificate as base64 DER.
    der = subprocess.run(["openssl", "x509", "-in", sign_cert,
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    x5c = base64.b64encode(der).decode()
    log = open(log_path, "a", buffering=1, encoding="utf-8")

    def sign(claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                              sign_key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    def access_for(scopes):
        access = []
        for scope in scopes:
            for item in scope.split(" "):
                parts = item.split(":")
                if len(parts) == 3:
                    access.append({"type": parts[0], "name": parts[1],
                                   "actions": parts[2].split(",")})
        return access

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet: the log file says it all
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            # Go clients (skopeo) send the form chunked, without a length.
            if "chunked" in self.headers.get("Transfer-Encoding", ""):
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length")
                                       or 0))

        def do_GET(self):
            # A Basic (username/password) token request: this server takes
            # identity tokens only, so a client that gets here did not use one.
            kind = "basic" if self.headers.get("Authorization") else "anonymous"
            log.write("GET %s refused\n" % kind)
            self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                         "message": "identity token only"}]})

        def do_POST(self):
            form = urllib.parse.parse_qs(self.body().decode())
            grant = form.get("grant_type", [""])[0]
            token = form.get("refresh_token", [""])[0]
            if grant != "refresh_token" or token != accepted:
                log.write("POST grant=%s refused\n" % (grant or "-"))
                self.reply(401, {"error": "invalid_grant"})
                return
            now = int(time.time())
            scopes = form.get("scope", [])
            claims = {"iss": issuer, "sub": "octocat",
                      "aud": form.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now,
                      "jti": b64url(os.urandom(12)),
                      "access": access_for(scopes)}
            log.write("POST grant=refresh_token ok scope=%s\n"
                      % (" ".join(scopes) or "-"))
            jwt = sign(claims)
            self.reply(200, {"access_token": jwt, "token": jwt,
                             "expires_in": 300})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)),
                                             Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    log.write("ready\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
