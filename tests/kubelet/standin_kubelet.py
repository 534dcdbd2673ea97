#!/usr/bin/env python3
"""A stand-in kubelet: runs an image credential provider plugin, and pulls,
the way the kubelet does, so the suite can prove which credential a real
pull gets.  Written after the kubelet's own code (kubernetes/kubernetes),
rule by rule; each rule below names the file and function it follows.

Configuration (staging/src/k8s.io/kubelet/config/v1/types.go,
CredentialProviderConfig / CredentialProvider / ExecEnvVar; read as
pkg/credentialprovider/plugin/config.go readCredentialProviderConfig and
decode, checked as validateCredentialProviderConfig):
  - a YAML or JSON CredentialProviderConfig, kind CredentialProviderConfig in
    group kubelet.config.k8s.io (v1, v1beta1, v1alpha1), decoded strictly
    (an unknown or duplicate field is an error, field names match by case);
  - providers: name (no '/', no space, not '.' or '..', unique), matchImages
    (at least one, each a valid schemeless URL), defaultCacheDuration
    (required, a Go duration >= 0), apiVersion (one of the plugin API's
    three), args, env (name/value pairs).

Running a plugin (pkg/credentialprovider/plugin/plugin.go):
  - pluginProvider.provide / isImageAllowed: a plugin runs only for an image
    that one of its matchImages matches (URLsMatchStr); otherwise it adds
    nothing and is not run at all;
  - getCachedCredentials: before running, the cache is asked by the image,
    then by its registry (parseRegistry: the text before the first '/'),
    then by the global key;
  - execPlugin.ExecPlugin: runs BIN_DIR/NAME ARGS with the request
    (kind CredentialProviderRequest, the configured apiVersion, image) on
    stdin; the environment is the kubelet's own followed by the config's
    env (mergeEnvVars; os/exec keeps the last value of a duplicate name, so
    the config wins); a catch-all timeout of one minute; a non-zero exit or
    a timeout drops the answer; stderr is read only into that error (after
    exit 0 the kubelet logs none of it: the stand-in says it was dropped);
  - the response's apiVersion (json.DefaultMetaFactory.Interpret) must equal
    the configured one; decodeResponse decodes strictly (codecs built with
    serializer.EnableStrict: sigs.k8s.io/json UnmarshalStrict rejects an
    unknown field and a duplicate field or map key anywhere, and matches
    field names by case) and requires kind CredentialProviderResponse in
    group credentialprovider.kubelet.k8s.io;
  - provide: cacheKeyType Image caches under the image, Registry under its
    host, Global under one key; any other value drops the answer; a
    cacheDuration of 0 caches nothing, none means defaultCacheDuration (0:
    nothing), else the duration (metav1.Duration: a Go duration string).
    Response types follow staging/src/k8s.io/kubelet/pkg/apis/
    credentialprovider/v1/types.go (CredentialProviderResponse, AuthConfig).

Matching (pkg/credentialprovider/keyring.go):
  - BasicDockerKeyring.Add: each auth key gets https:// unless it has a
    scheme, is parsed as a URL, a leading /v1/ or /v2/ of its path is
    dropped, the key is host+path (host alone for an empty path or "/"); the
    index is de-duplicated and sorted in reverse, so longer keys of the same
    prefix come first; several credentials under one key keep their order;
  - BasicDockerKeyring.Lookup: every index key that URLsMatchStr matches
    contributes its credentials, in index order; else the default
    registry's (index.docker.io) for a Docker Hub image
    (isDefaultRegistryMatch);
  - URLsMatch / SplitURL / ParseSchemelessURL: the same number of host
    labels, each matched as a glob (path/filepath.Match: '*', '?', classes
    with '^', '\\' escapes; a malformed pattern matches nothing), equal
    ports (net.SplitHostPort), and the key's path a string prefix of the
    image's path: "ghcr.io/org" matches "ghcr.io/orgab/x";
  - providersDockerKeyring.Lookup: every configured provider, in order, is
    asked and added, then the image is looked up.

Pulling (pkg/kubelet/kuberuntime/kuberuntime_image.go PullImage): the image
is reduced to its repository (no tag or digest) for the lookup; with no
credential it pulls anonymously; otherwise it tries each credential in
order and stops at the first pull that works (no anonymous try after they
all fail).  The container runtime's pull is skopeo copy to a directory,
with one temporary auth file per attempt (mode 0600, removed after): no
token is ever on a command line.

Its own rules are tested by --self-test (standin_selftest.py), and its Go
rules (gorules.py) against Go itself by gorules_check.py.

Output: for each image, what each provider did, the ordered usernames
("order: a b" or "order: -"), and for `pull` each attempt and the result.
Passwords are never printed.

usage:
  standin_kubelet.py --self-test
  standin_kubelet.py --config FILE --bin-dir DIR [--plugin-timeout S]
                     [--kubelet-env NAME,...] lookup IMAGE...
  standin_kubelet.py --config FILE --bin-dir DIR --ca FILE --work DIR
                     [--kubelet-env NAME,...] pull IMAGE...
(--kubelet-env: the kubelet's own environment is only these variables of
the stand-in's, as under systemd; the default is all of them)
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gorules import (BOOL, DURATION, STRING, Rejected, pairs_no_dupes,  # noqa: E402
                     decode_strict, go_parse_duration, go_path_match,
                     go_url_parse, json_strict_load)

PLUGIN_GROUP = "credentialprovider.kubelet.k8s.io"
PLUGIN_VERSIONS = {PLUGIN_GROUP + "/" + v for v in ("v1alpha1", "v1beta1", "v1")}
CONFIG_GROUP = "kubelet.config.k8s.io"
CONFIG_VERSIONS = {CONFIG_GROUP + "/" + v for v in ("v1alpha1", "v1beta1", "v1")}
CACHE_KEY_TYPES = ("Image", "Registry", "Global")
GLOBAL_CACHE_KEY = "global"
PLUGIN_TIMEOUT_S = 60.0          # execPlugin.ExecPlugin: 1 minute
DEFAULT_REGISTRY_HOST = "index.docker.io"


# --- keyring.go: URL matching and the keyring --------------------------------------

def parse_schemeless_url(text):
    """keyring.go ParseSchemelessURL: (host, path)."""
    return go_url_parse("https://" + text)


def split_host_port(hostport):
    """net.SplitHostPort: (host, port), or None where Go errs (no colon,
    too many, a bracket out of place)."""
    i = hostport.rfind(":")
    if i < 0:
        return None
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or end + 1 != i:
            return None
        host, j, k = hostport[1:end], 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            return None
    if "[" in hostport[j:] or "]" in hostport[k:]:
        return None
    return host, hostport[i + 1:]


def split_url(host):
    """keyring.go SplitURL: host labels and port (on SplitHostPort's error
    the whole host and no port)."""
    name, port = split_host_port(host) or (host, "")
    return name.split("."), port


def urls_match_str(glob, target):
    """keyring.go URLsMatchStr / URLsMatch: (matched, error or None)."""
    try:
        ghost, gpath = parse_schemeless_url(glob)
        thost, tpath = parse_schemeless_url(target)
    except Rejected as e:
        return False, str(e)
    gparts, gport = split_url(ghost)
    tparts, tport = split_url(thost)
    if gport != tport or len(gparts) != len(tparts):
        return False, None
    if not tpath.startswith(gpath):
        return False, None
    for g, t in zip(gparts, tparts):
        ok, err = go_path_match(g, t)
        if err or not ok:
            return False, err
    return True, None


def keyring_key(loc):
    """BasicDockerKeyring.Add: the index key of an auth entry."""
    value = loc
    if not (value.startswith("https://") or value.startswith("http://")):
        value = "https://" + value
    host, path = go_url_parse(value)
    if path.startswith("/v2/") or path.startswith("/v1/"):
        path = path[3:]
    return host + path if path and path != "/" else host


class Keyring:
    """BasicDockerKeyring: a reverse-sorted index of keys to credentials."""

    def __init__(self):
        self.index, self.creds = [], {}

    def add(self, config):
        for loc, cred in config.items():
            try:
                key = keyring_key(loc)
            except Rejected:
                continue  # "Entry in dockercfg invalid, ignoring"
            self.creds.setdefault(key, []).append(cred)
            self.index.append(key)
        self.index = sorted(set(self.index), reverse=True)

    def lookup(self, image):
        found = []
        for key in self.index:
            if urls_match_str(key, image)[0]:
                found.extend(self.creds[key])
        if found:
            return found
        if is_default_registry_match(image) and DEFAULT_REGISTRY_HOST in self.creds:
            return list(self.creds[DEFAULT_REGISTRY_HOST])
        return []


def is_default_registry_match(image):
    parts = image.split("/", 1)
    if not parts[0]:
        return False
    if len(parts) == 1 or parts[0] in ("docker.io", "index.docker.io"):
        return True
    return not any(c in parts[0] for c in ".:")


def repository_of(image):
    """The repository the kubelet looks up and asks for (parsers.
    ParseImageName): no digest, no tag, Docker Hub names normalised."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    first, _, rest = name.partition("/")
    if not rest or not (any(c in first for c in ".:") or first == "localhost"):
        name = "docker.io/" + (name if rest else "library/" + name)
    return name


RESPONSE_SCHEMA = {
    "kind": STRING, "apiVersion": STRING, "cacheKeyType": STRING,
    "cacheDuration": DURATION, "serviceAccountTokenCacheType": STRING,
    "auth": ("map", {"username": STRING, "password": STRING}),
}
CONFIG_SCHEMA = {
    "kind": STRING, "apiVersion": STRING,
    "providers": ("list", {
        "name": STRING, "matchImages": ("list", STRING),
        "defaultCacheDuration": DURATION, "apiVersion": STRING,
        "args": ("list", STRING),
        "env": ("list", {"name": STRING, "value": STRING}),
        "tokenAttributes": {
            "serviceAccountTokenAudience": STRING, "cacheType": STRING,
            "requireServiceAccount": BOOL,
            "requiredServiceAccountAnnotationKeys": ("list", STRING),
            "optionalServiceAccountAnnotationKeys": ("list", STRING)},
    }),
}


def interpret_api_version(data):
    """json.DefaultMetaFactory.Interpret: apiVersion as plain encoding/json
    reads it (its names match in any case; a response with two spellings
    fails the strict decode anyway)."""
    try:
        obj = json.loads(data.decode("utf-8", errors="replace")
                         if isinstance(data, bytes) else data)
    except ValueError as e:
        raise Rejected("error reading GVK from response: %s" % e)
    if not isinstance(obj, dict):
        raise Rejected("error reading GVK from response: not an object")
    exact = obj.get("apiVersion")
    if exact is None:
        for k, v in obj.items():
            if k.lower() == "apiversion":
                exact = v
    return exact if isinstance(exact, str) else ""


def decode_response(data, want_api_version):
    """execPlugin.ExecPlugin's checks and decodeResponse: the response as a
    dict, or Rejected with the reason the kubelet would log."""
    got = interpret_api_version(data)
    if got != want_api_version:
        raise Rejected("apiVersion from credential plugin response did not "
                       "match expected apiVersion:%s, actual apiVersion:%s"
                       % (want_api_version, got))
    obj = json_strict_load(data)
    if not isinstance(obj, dict):
        raise Rejected("response is not an object")
    decode_strict(obj, RESPONSE_SCHEMA, "response")
    if obj.get("apiVersion") not in PLUGIN_VERSIONS:
        raise Rejected("no kind is registered for version %r" % obj.get("apiVersion"))
    if obj.get("kind") != "CredentialProviderResponse":
        raise Rejected("unexpected Kind: %r" % obj.get("kind"))
    return obj


# --- configuration -------------------------------------------------------------

def load_config(path):
    """readCredentialProviderConfig + decode + validateCredentialProviderConfig."""
    import yaml

    class NoDupes(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        pairs = loader.construct_pairs(node, deep=True)
        return pairs_no_dupes(pairs)
    NoDupes.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    with open(path, encoding="utf-8") as f:
        try:
            cfg = yaml.load(f, Loader=NoDupes)
        except yaml.YAMLError as e:
            raise Rejected("error decoding config: %s" % e)
    if not isinstance(cfg, dict):
        raise Rejected("error decoding config: not an object")
    decode_strict(cfg, CONFIG_SCHEMA, "config")
    if cfg.get("kind") != "CredentialProviderConfig":
        raise Rejected("failed to decode %r (wrong Kind)" % cfg.get("kind"))
    if cfg.get("apiVersion") not in CONFIG_VERSIONS:
        raise Rejected("unexpected Group/Version: %r" % cfg.get("apiVersion"))
    providers = cfg.get("providers") or []
    errs, seen = [], set()
    if not providers:
        errs.append("providers: at least 1 item in plugins is required")
    for p in providers:
        name = p.get("name") or ""
        if "/" in name or " " in name or name in (".", ".."):
            errs.append("providers.name: invalid %r" % name)
        if name in seen:
            errs.append("providers.name: duplicate %r" % name)
        seen.add(name)
        if p.get("apiVersion") not in PLUGIN_VERSIONS:
            errs.append("providers.apiVersion: unsupported %r" % p.get("apiVersion"))
        if not p.get("matchImages"):
            errs.append("providers.matchImages: at least 1 item is required")
        for m in p.get("matchImages") or []:
            try:
                parse_schemeless_url(m)
            except Rejected as e:
                errs.append("providers.matchImages: %r invalid: %s" % (m, e))
        if p.get("defaultCacheDuration") is None:
            errs.append("providers.defaultCacheDuration: required")
        elif go_parse_duration(p["defaultCacheDuration"]) < 0:
            errs.append("providers.defaultCacheDuration: must be >= 0")
        if p.get("tokenAttributes") is not None:
            errs.append("providers.tokenAttributes: not supported by this stand-in")
    if errs:
        raise Rejected("failed to validate credential provider config: " + "; ".join(errs))
    return providers


# --- the plugin provider ---------------------------------------------------------

class PluginProvider:
    """pluginProvider and execPlugin for one configured provider."""

    def __init__(self, conf, bin_dir, environ, timeout=PLUGIN_TIMEOUT_S,
                 clock=time.monotonic):
        self.name = conf["name"]
        self.match_images = conf["matchImages"]
        self.default_cache_ns = go_parse_duration(conf["defaultCacheDuration"])
        self.api_version = conf["apiVersion"]
        self.argv = [os.path.join(bin_dir, self.name)] + list(conf.get("args") or [])
        self.env_vars = [(e.get("name") or "", e.get("value") or "")
                         for e in conf.get("env") or []]
        self.environ = environ
        self.timeout = timeout
        self.clock = clock
        self.cache = {}
        self.events = []   # what happened, for the caller to print

    def allowed(self, image):
        return any(urls_match_str(m, image)[0] for m in self.match_images)

    def cached(self, image):
        now = self.clock()
        for key in (image, image.split("/")[0], GLOBAL_CACHE_KEY):
            entry = self.cache.get(key)
            if entry and now <= entry[1]:
                return key, entry[0]
        return None, None

    def exec_plugin(self, image):
        request = json.dumps({"kind": "CredentialProviderRequest",
                              "apiVersion": self.api_version, "image": image},
                             separators=(",", ":")).encode() + b"\n"
        env = dict(self.environ)
        for name, value in self.env_vars:
            env[name] = value
        try:
            run = subprocess.run(self.argv, input=request, capture_output=True,
                                 env=env, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise Rejected("error execing credential provider plugin %s for image %s: "
                           "context deadline exceeded" % (self.name, image))
        except OSError as e:
            raise Rejected("error execing credential provider plugin %s: %s" % (self.name, e))
        if run.returncode != 0:
            raise Rejected("error execing credential provider plugin %s for image %s: "
                           "exit status %d: %s" % (self.name, image, run.returncode,
                                                    run.stderr.decode(errors="replace").strip()))
        if run.stderr.strip():
            # ExecPlugin reads stderr only into the error of a failed run:
            # after a success the kubelet logs none of it.
            first = run.stderr.decode(errors="replace").strip().splitlines()[0]
            self.events.append("stderr dropped by the kubelet (exit 0): %s" % first[:300])
        return decode_response(run.stdout, self.api_version)

    def provide(self, image):
        """The DockerConfig (key -> (username, password)) for image."""
        if not self.allowed(image):
            self.events.append("not run: no matchImages entry matches %s" % image)
            return {}
        key, config = self.cached(image)
        if key is not None:
            self.events.append("from cache (key %s)" % key)
            return config
        try:
            resp = self.exec_plugin(image)
        except Rejected as e:
            self.events.append("answer dropped: %s" % e)
            return {}
        kind = resp.get("cacheKeyType")
        if kind not in CACHE_KEY_TYPES:
            self.events.append("answer dropped: credential provider plugin did not "
                               "return a valid cacheKeyType: %r" % kind)
            return {}
        cache_key = {"Image": image, "Registry": image.split("/")[0],
                     "Global": GLOBAL_CACHE_KEY}[kind]
        config = {k: (v.get("username") or "", v.get("password") or "")
                  for k, v in (resp.get("auth") or {}).items()}
        duration = resp.get("cacheDuration")
        # None: the provider's default; 0 (explicit or default): not cached.
        ns = self.default_cache_ns if duration is None else go_parse_duration(duration)
        self.events.append("ran: cacheKeyType=%s cacheDuration=%s keys=[%s]%s" % (
            kind, "-" if duration is None else duration,
            " ".join("%s=%s" % (k, config[k][0] or "(empty)") for k in sorted(config)),
            "" if ns > 0 else " (not cached)"))
        if ns > 0:
            self.cache[cache_key] = (config, self.clock() + ns / 1e9)
        return config


class StandinKubelet:
    def __init__(self, providers):
        self.providers = providers

    def lookup(self, image):
        """providersDockerKeyring.Lookup: [(username, password)] in order."""
        keyring = Keyring()
        for p in self.providers:
            keyring.add(p.provide(image))
        return keyring.lookup(image)


# --- the puller --------------------------------------------------------------------

def skopeo_pull(image, cred, ca_file, work):
    """One pull attempt as the container runtime makes it: (ok, detail)."""
    tmp = tempfile.mkdtemp(prefix="pull.", dir=work)
    try:
        host = repository_of(image).split("/")[0]
        auth = os.path.join(tmp, "auth.json")
        fd = os.open(auth, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        entries = {}
        if cred is not None:
            pair = ("%s:%s" % cred).encode()
            entries[host] = {"auth": base64.b64encode(pair).decode()}
        with os.fdopen(fd, "w") as f:
            json.dump({"auths": entries}, f)
        argv = ["skopeo", "copy", "--retry-times", "0", "--authfile", auth]
        if cred is None:
            argv.append("--src-no-creds")
        argv += ["docker://" + image, "dir:" + os.path.join(tmp, "image")]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
               "TMPDIR": tmp, "SSL_CERT_FILE": ca_file}
        try:
            run = subprocess.run(argv, capture_output=True, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            return False, "timed out"
        if run.returncode != 0:
            lines = run.stderr.decode(errors="replace").strip().splitlines() or ["exit %d" % run.returncode]
            detail = lines[-1]
            if cred is not None and cred[1]:
                detail = detail.replace(cred[1], "***")
            return False, detail[-300:]
        with open(os.path.join(tmp, "image", "manifest.json"), "rb") as f:
            return True, "sha256:" + hashlib.sha256(f.read()).hexdigest()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pull(kubelet, image, ca_file, work, out):
    """PullImage: True when the image was pulled."""
    creds = kubelet.lookup(repository_of(image))
    out.append("  order: %s" % (" ".join(u or "(empty)" for u, _ in creds) or "-"))
    if not creds:
        ok, detail = skopeo_pull(image, None, ca_file, work)
        out.append("  anonymous: %s" % ("pulled " + detail if ok else "failed: " + detail))
        out.append("  result: %s" % ("pulled anonymously " + detail if ok else "failed"))
        return ok
    for n, cred in enumerate(creds, 1):
        ok, detail = skopeo_pull(image, cred, ca_file, work)
        out.append("  attempt %d (user %s): %s" % (n, cred[0], "pulled " + detail if ok else "failed: " + detail))
        if ok:
            out.append("  result: pulled with %s %s" % (cred[0], detail))
            return True
    out.append("  result: failed")
    return False


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="stand-in kubelet (see the header)")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--config")
    ap.add_argument("--bin-dir")
    ap.add_argument("--plugin-timeout", type=float, default=PLUGIN_TIMEOUT_S)
    ap.add_argument("--ca")
    ap.add_argument("--work")
    ap.add_argument("--kubelet-env", metavar="NAME,...",
                    help="the kubelet's environment: only these of ours")
    ap.add_argument("mode", nargs="?", choices=("lookup", "pull"))
    ap.add_argument("images", nargs="*")
    a = ap.parse_args(argv)
    if a.self_test:
        import standin_selftest
        return standin_selftest.run(sys.modules[__name__])
    if not (a.config and a.bin_dir and a.mode and a.images):
        ap.error("--config, --bin-dir, a mode and an image are needed")
    try:
        confs = load_config(a.config)
    except Rejected as e:
        print("config: %s" % e)
        return 2
    environ = dict(os.environ)
    if a.kubelet_env is not None:
        keep = a.kubelet_env.split(",")
        environ = {k: v for k, v in environ.items() if k in keep}
    providers = [PluginProvider(c, a.bin_dir, environ, a.plugin_timeout) for c in confs]
    kubelet = StandinKubelet(providers)
    ok = True
    for image in a.images:
        body = []
        if a.mode == "lookup":
            creds = kubelet.lookup(repository_of(image))
            body.append("  order: %s" % (" ".join(u or "(empty)" for u, _ in creds) or "-"))
        else:
            ok = pull(kubelet, image, a.ca, a.work, body) and ok
        out = ["image %s (repository %s)" % (image, repository_of(image))]
        for p in providers:
            out += ["  provider %s: %s" % (p.name, ev) for ev in p.events]
            p.events.clear()
        print("\n".join(out + body), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
