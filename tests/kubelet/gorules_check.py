#!/usr/bin/env python3
"""Proves gorules.py (and the stand-in's SplitURL) answer as Go does: builds
gorules_check.go with the Go toolchain, feeds both the same cases (a fixed
list from the kubelet's examples plus seeded random strings over the
characters that matter) and compares every answer: time.ParseDuration,
path/filepath.Match, net/url.Parse of "https://" + a key, and
net.SplitHostPort.  Prints one line per rule and a closing count; each
mismatch is printed with its input.

usage: gorules_check.py WORK_DIR [SEED]
"""

import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gorules  # noqa: E402
import standin_kubelet  # noqa: E402

FIXED = {
    "duration": ["25m0s", "1h30m", "0", "+5s", "-1s", "1.5h", ".5s", "1.s", "1\u00b5s",
                 "1\u03bcs", "1us", "", "5", "1d", ".", "s", "-", "1h 30m", "1e3s",
                 "9223372036854775807ns", "9223372036854775808ns", "2562047h47m16.854775807s",
                 "2562047h47m16.854775808s", "-9223372036854775808ns", "0.0000000001s",
                 "1.0000000001s", "00012m", "+0", "-0", "0s", "1h1h"],
    "match": [("*", "ghcr"), ("gh?r", "ghcr"), ("[a-c]ontainers", "containers"),
              ("[^c]ontainers", "containers"), ("\\*", "*"), ("[", "a"), ("[]a]", "]"),
              ("[a", "a"), ("\\", "a"), ("[a-", "a"), ("a*[", "b"), ("*[", ""), ("[^]", "x"),
              ("[\\]]", "]"), ("[a-b-c]", "b"), ("*", ""), ("a*", "ab"), ("*a*b", "xaxb")],
    "url": ["ghcr.io", "ghcr.io/org-a/", "ghcr.io:443/x", "ghcr.io:x/", "gh cr.io/",
            "ghcr.io/%zz", "ghcr.io/org%2Da/", "ghcr.io/org-a/?x#y", "[::1]:5000/x",
            "[::1/x", "user@ghcr.io/x", "ghcr.io/v2/org", "ghcr.io\x01/", "GHCR.IO/A",
            "*.ghes.example", "ghcr.io:/x", "a%41.io/x", "ghcr.io/a b"],
    "splithostport": ["ghcr.io", "ghcr.io:443", "[::1]:5000", "::1", "[::1]", "a:b:c",
                      "ghcr.io:", ":443", "[ghcr.io]:1"],
}

ALPHABETS = {
    "duration": "0123456789.+-hmsunµμ d",
    "match": "ab*?[]^-\\",
    "url": "abg.-:/%0123456789_@?#[] A~!é",
    "splithostport": "ab.:[]19",
}


def random_cases(rng, n):
    cases = {k: list(v) for k, v in FIXED.items()}
    for op, alphabet in ALPHABETS.items():
        for _ in range(n):
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
            if op == "match":
                name = "".join(rng.choice("ab]-^") for _ in range(rng.randint(0, 5)))
                cases[op].append((s, name))
            else:
                cases[op].append(s)
    return cases


def python_answer(op, case, want_err=False):
    if op == "duration":
        try:
            return {"err": False, "ns": gorules.go_parse_duration(case)}
        except gorules.Rejected:
            return {"err": True}
    if op == "match":
        ok, err = gorules.go_path_match(*case)
        return {"err": True, "ok": False} if err and want_err else {"ok": bool(ok)}
    if op == "url":
        try:
            host, path = gorules.go_url_parse("https://" + case)
            return {"err": False, "host": host, "path": path}
        except gorules.Rejected:
            return {"err": True}
    parts, port = standin_kubelet.split_url(case)
    return {"host": ".".join(parts), "port": port}


def go_view(op, got, case):
    """Go's answer reduced to what the Python side claims to reproduce."""
    if op == "duration":
        return {"err": True} if got["err"] else {"err": False, "ns": got["ns"]}
    if op == "match":
        # Go before 1.20 did not check the rest of a pattern once a match
        # failed ("a*[" against "b": no error); newer Go, as the kubelet is
        # built with, and gorules do.  The match itself is the same.
        return {"ok": got["ok"]} if not got["err"] else {"err": True, "ok": False}
    if op == "url":
        return {"err": True} if got["err"] else \
            {"err": False, "host": got["host"], "path": got["path"]}
    # SplitURL: on SplitHostPort's error, the whole host and no port.
    return {"host": case, "port": ""} if got["err"] else \
        {"host": got["host"], "port": got["port"]}


def main(argv):
    work = argv[0]
    seed = int(argv[1]) if len(argv) > 1 else 1
    binary = os.path.join(work, "gorules_check")
    env = dict(os.environ, GOCACHE=os.path.join(work, "gocache"),
               GOPATH=os.path.join(work, "gopath"), GO111MODULE="off", CGO_ENABLED="0")
    build = subprocess.run(["go", "build", "-o", binary, os.path.join(HERE, "gorules_check.go")],
                           capture_output=True, env=env)
    if build.returncode != 0:
        print("FAIL - go build: %s" % build.stderr.decode(errors="replace").strip()[-400:])
        return 1
    cases = random_cases(random.Random(seed), 1500)
    lines = []
    for op, items in cases.items():
        for c in items:
            arg = list(c) if isinstance(c, tuple) else ["https://" + c if op == "url" else c]
            lines.append(json.dumps([op] + arg))
    run = subprocess.run([binary], input="\n".join(lines).encode() + b"\n", capture_output=True)
    answers = [json.loads(x) for x in run.stdout.decode().splitlines()]
    if run.returncode != 0 or len(answers) != len(lines):
        print("FAIL - the Go program answered %d of %d cases" % (len(answers), len(lines)))
        return 1
    failed = 0
    i = 0
    for op, items in cases.items():
        bad = []
        for c in items:
            want = go_view(op, answers[i], c if not isinstance(c, tuple) else None)
            got = python_answer(op, c, want.get("err", False))
            if want != got:
                bad.append((c, want, got))
            i += 1
        if bad:
            failed += 1
            print("FAIL - %s: %d of %d cases differ from Go's, e.g." % (op, len(bad), len(items)))
            for c, want, got in bad[:5]:
                print("       %r: Go %s, stand-in %s" % (c, want, got))
        else:
            print("ok   - %s: all %d cases as Go answers them" % (op, len(items)))
    print("gorules: %d passed, %d failed" % (len(cases) - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
