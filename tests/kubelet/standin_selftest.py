"""Self-tests of the stand-in kubelet (standin_kubelet.py --self-test): each
check is one rule of the kubelet's code, with the values the kubelet's own
tests and documentation give (keyring_test.go, plugin_test.go, the
matchImages examples of CredentialProviderConfig).  They prove the stand-in
is faithful before the suite trusts what it says about the real plugin.

The provider checks run small shell plugins written here (stand-ins of a
plugin, not of the product): they answer from a file, count their runs and
record their arguments, environment and stdin, so the kubelet's side of
the exchange (gating, environment merge, timeout, cache) can be observed.
"""

import json
import os
import shutil
import tempfile
import time

V1 = "credentialprovider.kubelet.k8s.io/v1"


def run(k):
    """Runs every check; prints one line each and a closing count."""
    passed, failed = [0], [0]
    try:
        _run(k, passed, failed)
    except Exception as e:  # a crash is a failure, with its reason
        failed[0] += 1
        print("FAIL - self-test: stopped by %s: %s" % (type(e).__name__, e))
    print("self-test: %d passed, %d failed" % (passed[0], failed[0]))
    return 0 if failed[0] == 0 else 1


def _run(k, passed, failed):

    def check(name, cond, detail=""):
        if cond:
            passed[0] += 1
            print("ok   - self-test: %s" % name)
        else:
            failed[0] += 1
            print("FAIL - self-test: %s%s" % (name, ": " + str(detail) if detail else ""))

    def rejects(fn, *args):
        try:
            fn(*args)
        except k.Rejected:
            return True
        return False

    # --- Go durations (metav1.Duration: time.ParseDuration) ---------------
    for text, ns in (("25m0s", 1500 * 10**9), ("1h30m", 5400 * 10**9), ("0", 0),
                     ("+5s", 5 * 10**9), ("-1s", -10**9), ("1.5h", 5400 * 10**9),
                     (".5s", 5 * 10**8), ("1.s", 10**9), ("1\u00b5s", 1000),
                     ("1us", 1000), ("2h0m0.5s", 7200 * 10**9 + 5 * 10**8),
                     ("9223372036854775807ns", (1 << 63) - 1)):
        try:
            got = k.go_parse_duration(text)
        except k.Rejected as e:
            got = e
        check("duration %r is %s ns" % (text, ns), got == ns, got)
    for text in ("", "5", "1d", ".", "s", "-", "1h 30m", "9223372036854775808ns", "1e3s"):
        check("duration %r is refused" % text, rejects(k.go_parse_duration, text))

    # --- filepath.Match on host labels ----------------------------------------
    for pat, name, want in (("*", "ghcr", True), ("gh?r", "ghcr", True),
                            ("[a-c]ontainers", "containers", True),
                            ("[^c]ontainers", "containers", False),
                            ("\\*", "*", True), ("\\*", "a", False),
                            ("app*", "apps", True), ("*", "", True),
                            ("ghcr", "GHCR", False)):
        check("filepath.Match(%r, %r) is %s" % (pat, name, want),
              k.go_path_match(pat, name) == (want, None))
    for pat in ("[", "[]a]", "[a", "\\", "[a-"):
        m, err = k.go_path_match(pat, "a")
        check("filepath.Match(%r) is ErrBadPattern" % pat, not m and err)

    # --- URLsMatchStr (keyring.go) ---------------------------------------------
    for glob, target, want in (
            ("*.docker.io", "blah.docker.io", True),
            ("*.docker.io", "not.right.io", False),
            ("ghcr.io/org", "ghcr.io/orgab/x", True),      # a string prefix
            ("ghcr.io/org/", "ghcr.io/orgab/x", False),
            ("ghcr.io/org-a/", "ghcr.io/org-a/app", True),
            ("ghcr.io/org-a/", "ghcr.io/org-a", False),
            ("ghcr.io", "ghcr.io/anyone/x", True),
            ("*.io", "ghcr.io", True), ("*.io", "k8s.gcr.io", False),
            ("ghcr.io:443", "ghcr.io/x", False), ("ghcr.io", "ghcr.io:5000/x", False),
            ("ghcr.io:5000", "ghcr.io:5000/x", True),
            ("GHCR.io", "ghcr.io/x", False),
            ("ghcr.io", "ghcr.io.evil.com/x", False),
            ("*.ghes.example", "containers.ghes.example/team/app", True),
            ("containers.*.example", "containers.ghes.example/x", True),
            ("*.*.registry.io", "a.b.registry.io/x", True),
            ("registry.io:8080/path", "registry.io:8080/path/x", True)):
        check("URLsMatchStr(%r, %r) is %s" % (glob, target, want),
              k.urls_match_str(glob, target)[0] == want)

    # --- Add's keys and Lookup's order ---------------------------------------
    for loc, key in (("https://ghcr.io/v2/org-a", "ghcr.io/org-a"),
                     ("ghcr.io/v1/", "ghcr.io"), ("ghcr.io/", "ghcr.io"),
                     ("http://ghcr.io/org-a/", "ghcr.io/org-a/"),
                     ("ghcr.io/org%2Da/", "ghcr.io/org-a/"),
                     ("ghcr.io/org-a/?x#y", "ghcr.io/org-a/"),
                     ("ghcr.io:5000", "ghcr.io:5000")):
        check("Add: key of %r is %r" % (loc, key), k.keyring_key(loc) == key)
    for loc in ("ghcr.io:x/", "ghcr.io\x01/", "gh cr.io/", "ghcr.io/%zz"):
        check("Add: %r is invalid (ignored)" % loc, rejects(k.keyring_key, loc))
    ring = k.Keyring()
    ring.add({"ghcr.io": ("host", ""), "ghcr.io/org-a/": ("a", ""),
              "ghcr.io/org-b/": ("b", ""), "ghcr.io/org": ("org", ""),
              "containers.ghes.example": ("ghes", ""), "bad:port:x": ("bad", "")})
    ring.add({"ghcr.io": ("host2", "")})

    def users(image):
        return [u for u, _ in ring.lookup(image)]
    check("index reverse-sorted", ring.index == sorted(ring.index, reverse=True), ring.index)
    check("Lookup ghcr.io/org-a/app: most specific first, then the host's in added order",
          users("ghcr.io/org-a/app") == ["a", "org", "host", "host2"], users("ghcr.io/org-a/app"))
    check("Lookup ghcr.io/org-ab/x: the unslashed ghcr.io/org catches it, org-a/ does not",
          users("ghcr.io/org-ab/x") == ["org", "host", "host2"], users("ghcr.io/org-ab/x"))
    check("Lookup registry.example.com/x: nothing", users("registry.example.com/x") == [])
    check("Lookup containers.ghes.example/t/a: the GHES key only",
          users("containers.ghes.example/t/a") == ["ghes"])
    hub = k.Keyring()
    hub.add({"index.docker.io": ("hub", "")})
    check("Lookup docker.io/library/alpine: the default registry's",
          [u for u, _ in hub.lookup("docker.io/library/alpine")] == ["hub"])
    for image, repo in (("ghcr.io/org-a/app:v1", "ghcr.io/org-a/app"),
                        ("ghcr.io/org-a/app@sha256:00", "ghcr.io/org-a/app"),
                        ("localhost:5000/x:t", "localhost:5000/x"),
                        ("alpine", "docker.io/library/alpine"),
                        ("user/app:1", "docker.io/user/app")):
        check("repository of %r is %r" % (image, repo), k.repository_of(image) == repo)

    # --- strict decoding of the response --------------------------------------
    def resp(**over):
        d = {"kind": "CredentialProviderResponse", "apiVersion": V1,
             "cacheKeyType": "Image", "auth": {"ghcr.io": {"username": "u", "password": "p"}}}
        d.update(over)
        return json.dumps(d)
    good = resp()
    check("a valid response decodes", not rejects(k.decode_response, good, V1))
    check("auth null decodes (no credential)", not rejects(k.decode_response, resp(auth=None), V1))
    check("cacheDuration '5m' decodes", not rejects(k.decode_response, resp(cacheDuration="5m"), V1))
    bad = {
        "an unknown top-level field": resp(extra=1),
        "an unknown field in an auth entry": resp(auth={"ghcr.io": {"username": "u", "password": "p", "email": "e"}}),
        "a field in another case (Auth)": good.replace('"auth"', '"Auth"'),
        "a duplicate top-level field": good[:-1] + ', "cacheKeyType": "Image"}',
        "a duplicate auth key": good.replace('"auth": {', '"auth": {"ghcr.io": {"username": "x", "password": "y"}, '),
        "a duplicate field in an auth entry": good.replace('"username": "u"', '"username": "u", "username": "v"'),
        "a username that is a number": resp(auth={"ghcr.io": {"username": 5, "password": "p"}}),
        "auth as a list": resp(auth=[]),
        "cacheDuration without a unit": resp(cacheDuration="5"),
        "cacheDuration as a number": resp(cacheDuration=300),
        "another apiVersion than configured": resp(apiVersion="credentialprovider.kubelet.k8s.io/v1beta1"),
        "no apiVersion": good.replace('"apiVersion": "%s", ' % V1, ""),
        "kind CredentialProviderRequest": resp(kind="CredentialProviderRequest"),
        "NaN": good[:-1] + ', "cacheDuration": NaN}',
        "trailing data": good + " {}",
        "not an object": "[]",
    }
    for what, text in bad.items():
        check("response with %s is dropped" % what, rejects(k.decode_response, text, V1))

    # --- configuration -----------------------------------------------------------
    tmp = tempfile.mkdtemp(prefix="standin-selftest.")
    try:
        _config_checks(k, check, rejects, tmp)
        _provider_checks(k, check, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)



CONFIG = """apiVersion: kubelet.config.k8s.io/v1
kind: CredentialProviderConfig
providers:
  - name: plugin
    matchImages: [ghcr.io, "*.ghes.example"]
    defaultCacheDuration: 10m
    apiVersion: credentialprovider.kubelet.k8s.io/v1
    args: [kubelet]
    env:
      - {name: FOO, value: from-config}
"""


def _config_checks(k, check, rejects, tmp):
    path = os.path.join(tmp, "config.yaml")

    def load(text):
        with open(path, "w") as f:
            f.write(text)
        return k.load_config(path)
    check("a valid config loads", not rejects(load, CONFIG))
    for what, text in {
            "an unknown provider field": CONFIG.replace("    args:", "    argv: [x]\n    args:"),
            "a duplicate key": CONFIG.replace("    args:", "    name: again\n    args:"),
            "no defaultCacheDuration": CONFIG.replace("    defaultCacheDuration: 10m\n", ""),
            "a negative defaultCacheDuration": CONFIG.replace("10m", "-1m"),
            "a defaultCacheDuration without a unit": CONFIG.replace("10m", "'10'"),
            "an unknown plugin apiVersion": CONFIG.replace("kubelet.k8s.io/v1\n    args", "kubelet.k8s.io/v2\n    args"),
            "a name with '/'": CONFIG.replace("name: plugin", "name: a/b"),
            "no matchImages": CONFIG.replace('[ghcr.io, "*.ghes.example"]', "[]"),
            "an invalid matchImages entry": CONFIG.replace("[ghcr.io,", '["ghcr.io:x",'),
            "another kind": CONFIG.replace("kind: CredentialProviderConfig", "kind: KubeletConfiguration"),
            "another group": CONFIG.replace("apiVersion: kubelet.config.k8s.io/v1", "apiVersion: example.com/v1"),
            "env with an unknown field": CONFIG.replace("value: from-config}", "value: x, from: y}"),
    }.items():
        check("config with %s is refused" % what, rejects(load, text))


PLUGIN = """#!/bin/sh
cat > "$DIR/stdin"
printf '%s\\n' "$*" > "$DIR/args"
echo run >> "$DIR/runs"
[ -z "$SLEEP" ] || exec sleep "$SLEEP"
[ -z "$FAIL" ] || { echo "plugin says no" >&2; exit 3; }
[ -z "$NOTE" ] || echo "a note" >&2
sed -e "s/@FOO@/$FOO/" -e "s/@BAR@/$BAR/" "$DIR/response"
"""


def _provider_checks(k, check, tmp):
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    with open(os.path.join(bindir, "plugin"), "w") as f:
        f.write(PLUGIN)
    os.chmod(os.path.join(bindir, "plugin"), 0o755)
    now = [1000.0]

    def provider(env=(), timeout=5.0, matches=("ghcr.io",), default="10m"):
        conf = {"name": "plugin", "matchImages": list(matches), "defaultCacheDuration": default,
                "apiVersion": V1, "args": ["kubelet"],
                "env": [{"name": "DIR", "value": tmp}] + [{"name": n, "value": v} for n, v in env]}
        environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FOO": "from-kubelet",
                   "BAR": "from-kubelet"}
        return k.PluginProvider(conf, bindir, environ, timeout, clock=lambda: now[0])

    def answer(**over):
        d = {"kind": "CredentialProviderResponse", "apiVersion": V1, "cacheKeyType": "Image",
             "auth": {"ghcr.io/org-a/": {"username": "@FOO@:@BAR@", "password": "p"}}}
        d.update(over)
        with open(os.path.join(tmp, "response"), "w") as f:
            json.dump(d, f)

    def runs():
        try:
            with open(os.path.join(tmp, "runs")) as f:
                return len(f.readlines())
        except FileNotFoundError:
            return 0

    answer()
    p = provider()
    check("matchImages: a foreign image adds nothing", p.provide("registry.example.com/x") == {})
    check("matchImages: ... and the plugin is not run", runs() == 0)
    got = p.provide("ghcr.io/org-a/app")
    check("env: the kubelet's own environment reaches the plugin",
          got.get("ghcr.io/org-a/") == ("from-kubelet:from-kubelet", "p"), got)
    p = provider(env=[("FOO", "from-config")])
    got = p.provide("ghcr.io/org-b/app")
    check("env: config FOO overrides the kubelet's, BAR passes through",
          got.get("ghcr.io/org-a/") == ("from-config:from-kubelet", "p"), got)
    with open(os.path.join(tmp, "args")) as f:
        check("args: BIN_DIR/NAME gets the config's args", f.read().strip() == "kubelet")
    with open(os.path.join(tmp, "stdin")) as f:
        req = json.load(f)
    check("request: kind, the configured apiVersion and the image on stdin",
          req == {"kind": "CredentialProviderRequest", "apiVersion": V1,
                  "image": "ghcr.io/org-b/app"}, req)

    # Cache keys.
    before = runs()
    p = provider()
    p.provide("ghcr.io/org-a/app")
    p.provide("ghcr.io/org-a/app")
    check("cache Image: the same image is served from the cache", runs() == before + 1)
    p.provide("ghcr.io/org-b/app")
    check("cache Image: another image of the host runs the plugin", runs() == before + 2)
    now[0] += 601
    p.provide("ghcr.io/org-a/app")
    check("cache: an entry past its duration runs the plugin again", runs() == before + 3)
    answer(cacheKeyType="Registry")
    p, before = provider(), runs()
    p.provide("ghcr.io/org-a/app")
    p.provide("ghcr.io/org-b/app")
    check("cache Registry: another image of the host is served from the cache",
          runs() == before + 1)
    answer(cacheKeyType="Global")
    p, before = provider(matches=("ghcr.io", "*.ghes.example")), runs()
    p.provide("ghcr.io/org-a/app")
    p.provide("containers.ghes.example/x")
    check("cache Global: any image is served from the cache", runs() == before + 1)
    answer(cacheDuration="0s")
    p, before = provider(), runs()
    p.provide("ghcr.io/org-a/app")
    p.provide("ghcr.io/org-a/app")
    check("cacheDuration 0s: nothing cached", runs() == before + 2)
    answer()
    p, before = provider(default="0s"), runs()
    p.provide("ghcr.io/org-a/app")
    p.provide("ghcr.io/org-a/app")
    check("no cacheDuration and defaultCacheDuration 0: nothing cached", runs() == before + 2)

    for bad_type in ("image", "", "Repository"):
        answer(cacheKeyType=bad_type)
        p = provider()
        check("cacheKeyType %r: the answer is dropped" % bad_type,
              p.provide("ghcr.io/org-a/app") == {} and "dropped" in p.events[-1], p.events)
    answer(apiVersion="credentialprovider.kubelet.k8s.io/v1beta1")
    p = provider()
    check("response apiVersion unlike the config's: dropped",
          p.provide("ghcr.io/org-a/app") == {} and "did not match" in p.events[-1], p.events)
    answer()
    p = provider(env=[("FAIL", "1")])
    check("a plugin exiting non-zero: dropped, its stderr kept for the log",
          p.provide("ghcr.io/org-a/app") == {} and "plugin says no" in p.events[-1], p.events)
    p = provider(env=[("NOTE", "1")])
    check("stderr after exit 0: the answer is used, the note only dropped",
          p.provide("ghcr.io/org-a/app") != {} and
          "stderr dropped by the kubelet (exit 0): a note" in p.events[0], p.events)
    p = provider(env=[("SLEEP", "5")], timeout=0.5)
    start = time.monotonic()
    got = p.provide("ghcr.io/org-a/app")
    took = time.monotonic() - start
    check("timeout: a plugin past the deadline is killed and dropped (%.1f s)" % took,
          got == {} and "deadline" in p.events[-1] and took < 3, p.events)
