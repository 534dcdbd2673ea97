#!/usr/bin/python3
"""Writes, removes or lists GitHub CLI logins in the Secret Service exactly
as gh does through go-keyring (keyring.Set("gh:"+HOST, LOGIN, token)), so
the helper's tests read items that its own code did not write.

  gh_keyring_item.py set HOST LOGIN < token   # LOGIN may be "" (gh's active-account item)
  gh_keyring_item.py delete HOST LOGIN
  gh_keyring_item.py attributes HOST LOGIN    # prints the items' attributes as JSON

go-keyring: a plain (unencrypted) transfer session; the collection
/org/freedesktop/secrets/collection/login when it exists, else the alias
/org/freedesktop/secrets/aliases/default; CreateItem with replace=true,
label "Password for 'LOGIN' on 'gh:HOST'", attributes exactly
{"username": LOGIN, "service": "gh:HOST"}, content type
"text/plain; charset=utf8".  The token comes on stdin, never on argv.
"""
import json
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

NAME = "org.freedesktop.secrets"
SERVICE = "/org/freedesktop/secrets"
LOGIN_COLLECTION = "/org/freedesktop/secrets/collection/login"
DEFAULT_ALIAS = "/org/freedesktop/secrets/aliases/default"


def call(bus, path, iface, method, args, reply):
    return bus.call_sync(NAME, path, iface, method, args, GLib.VariantType(reply),
                         Gio.DBusCallFlags.NONE, 5000, None).unpack()


def collection(bus):
    (props,) = call(bus, SERVICE, "org.freedesktop.DBus.Properties", "Get",
                    GLib.Variant("(ss)", ("org.freedesktop.Secret.Service", "Collections")), "(v)")
    return LOGIN_COLLECTION if LOGIN_COLLECTION in props else DEFAULT_ALIAS


def search(bus, host, login):
    attrs = {"service": "gh:" + host, "username": login}
    (paths,) = call(bus, collection(bus), "org.freedesktop.Secret.Collection", "SearchItems",
                    GLib.Variant("(a{ss})", (attrs,)), "(ao)")
    return paths


def main():
    op, host, login = sys.argv[1], sys.argv[2], sys.argv[3]
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    if op == "set":
        token = sys.stdin.buffer.read()
        _, session = call(bus, SERVICE, "org.freedesktop.Secret.Service", "OpenSession",
                          GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))), "(vo)")
        props = {
            "org.freedesktop.Secret.Item.Label":
                GLib.Variant("s", "Password for '%s' on 'gh:%s'" % (login, host)),
            "org.freedesktop.Secret.Item.Attributes":
                GLib.Variant("a{ss}", {"username": login, "service": "gh:" + host}),
        }
        secret = (session, b"", token, "text/plain; charset=utf8")
        item, prompt = call(bus, collection(bus), "org.freedesktop.Secret.Collection", "CreateItem",
                            GLib.Variant("(a{sv}(oayays)b)", (props, secret, True)), "(oo)")
        if item == "/":
            sys.exit("gh_keyring_item: the collection wants a prompt (locked?)")
    elif op == "delete":
        for path in search(bus, host, login):
            call(bus, path, "org.freedesktop.Secret.Item", "Delete", None, "(o)")
    elif op == "attributes":
        out = []
        for path in search(bus, host, login):
            (attrs,) = call(bus, path, "org.freedesktop.DBus.Properties", "Get",
                            GLib.Variant("(ss)", ("org.freedesktop.Secret.Item", "Attributes")), "(v)")
            out.append(attrs)
        print(json.dumps(out, sort_keys=True))
    else:
        sys.exit("usage: gh_keyring_item.py set|delete|attributes HOST LOGIN")


main()
