/*
 * The Secret Service's note_expiry(): records a token's expiry (the item's
 * `expires` attribute) only while the item still holds the token that was
 * checked.  The Secret Service API has no transaction and no
 * compare-and-set, and gnome-keyring runs one call at a time, so "atomic"
 * here means this, and no more:
 *  - only the item's attributes are ever written, never its secret, so no
 *    token can be lost or replaced by an older one, whatever lands when;
 *  - a login that lands between the read and the write makes a new item
 *    (other attributes: it is pruned by that login, our date with it) or
 *    replaces the secret in place (the same attributes); the secret is
 *    read again after the write and, if it is no longer the one checked,
 *    the date is taken off again (the login's own date, if it brought
 *    one, is lost: a token without a date is offered until the registry
 *    refuses it, as before dates were kept).
 * What remains: for one round trip after the write, a `get` of that new
 * token sees the old token's date (and keeps seeing it if this process
 * dies inside that round trip).  The file store has no such window: it
 * compares and writes under its lock.
 */
#include "ss_private.h"
#include "errors.h"
#include "secmem.h"

#include <string.h>

struct note_args {
	const struct credential *checked;
	time_t expires;
};

/* Whether `secret` (may be NULL) is exactly c->secret, compared in
 * constant time. */
static int
secret_is(const char *secret, const struct credential *c)
{
	size_t n = strlen(c->secret);

	return secret != NULL && strlen(secret) == n &&
	    secmem_compare(secret, c->secret, n) == 0;
}

/* An item deleted meanwhile (a login pruned it, or an erase). */
static int
is_gone_error(const GError *err)
{
	gchar *name;
	int gone;

	if (err == NULL)
		return 0;
	if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	    g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
		return 1;
	name = g_dbus_error_get_remote_error(err);
	gone = name != NULL &&
	    strcmp(name, "org.freedesktop.Secret.Error.NoSuchObject") == 0;
	g_free(name);
	return gone;
}

/* A failed call on item `path`: GHCR_ERR_NOT_FOUND when the item is gone;
 * else the failure with its detail.  Frees err. */
static int
fail_item(GError *err, const struct watchdog *w, const char *server,
    const char *what)
{
	if (is_gone_error(err)) {
		g_error_free(err);
		return GHCR_ERR_NOT_FOUND;
	}
	if (ss_is_locked_error(err)) {
		g_error_free(err);
		return ss_fail_locked(server);
	}
	return ss_fail_gerror(err, what, w);
}

/* Sets item `path`'s attributes to `attrs` with `expires` in place of any
 * date (none when 0). */
static int
set_attributes(struct ss_handle *h, const struct watchdog *w,
    const char *path, const char *server, GVariant *attrs, time_t expires)
{
	GVariantBuilder b;
	GVariantIter it;
	GVariant *reply;
	GError *err = NULL;
	gchar *when = NULL;
	const char *k, *v;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_iter_init(&it, attrs);
	while (g_variant_iter_next(&it, "{&s&s}", &k, &v))
		if (strcmp(k, "expires") != 0)
			g_variant_builder_add(&b, "{ss}", k, v);
	if (expires > 0) {
		when = ss_expires_format(expires);
		g_variant_builder_add(&b, "{ss}", "expires", when);
	}
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, path,
	    PROPS_IFACE, "Set", g_variant_new("(ssv)", ITEM_IFACE, "Attributes",
	    g_variant_builder_end(&b)), NULL, G_DBUS_CALL_FLAGS_NONE,
	    CALL_TIMEOUT, h->cancel, &err);
	g_free(when);
	if (reply == NULL)
		return fail_item(err, w, server, "recording the token's expiry");
	g_variant_unref(reply);
	return GHCR_OK;
}

/* Reads item `path`'s secret again (the session is open: the read
 * before opened it) into *out, a secmem string. */
static int
read_secret(struct ss_handle *h, const struct watchdog *w, const char *path,
    const char *server, char **out)
{
	GVariant *reply, *secret;
	GError *err = NULL;
	int r;

	*out = NULL;
	reply = g_dbus_connection_call_sync(h->bus, SECRETS_NAME, path,
	    ITEM_IFACE, "GetSecret", g_variant_new("(o)", h->session),
	    G_VARIANT_TYPE("((oayays))"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT,
	    h->cancel, &err);
	if (reply == NULL)
		return fail_item(err, w, server, "reading the secret again");
	g_variant_get(reply, "(@(oayays))", &secret);
	r = ss_session_decrypt(h, secret, server, out);
	g_variant_unref(secret);
	g_variant_unref(reply);
	return r;
}

static int
do_note_expiry(struct ss_handle *h, struct watchdog *w, void *arg)
{
	const struct note_args *a = arg;
	const struct credential *checked = a->checked;
	struct credential stored = { NULL, NULL, NULL, 0 };
	struct ss_get_args get = { checked->server, &stored, NULL, NULL };
	gchar *path = NULL;
	GVariant *attrs = NULL;
	char *now = NULL;
	int r;

	get.path = &path;
	get.attrs = &attrs;
	if ((r = ss_read_login(h, w, &get)) != 0)
		goto out;
	if (strcmp(stored.username, checked->username) != 0 ||
	    !secret_is(stored.secret, checked)) {
		r = GHCR_ERR_NOT_FOUND; /* another login now */
		goto out;
	}
	if (stored.expires == (a->expires > 0 ? a->expires : 0)) {
		r = GHCR_OK;
		goto out;
	}
	if ((r = set_attributes(h, w, path, checked->server, attrs,
	    a->expires)) != 0 ||
	    (r = read_secret(h, w, path, checked->server, &now)) != 0)
		goto out;
	if (!secret_is(now, checked)) {
		/* A login replaced the secret in place between the read and
		 * the write, and our write took the place of the attributes it
		 * came with.  Those were the same but for a date, which is
		 * lost: the new token is left with none (the old token's date
		 * could make a fresh token look expired). */
		if ((r = set_attributes(h, w, path, checked->server, attrs,
		    0)) == 0)
			r = GHCR_ERR_NOT_FOUND;
		goto out;
	}
	r = GHCR_OK;
 out:
	if (now != NULL)
		secmem_free(now);
	credential_clear(&stored);
	if (attrs != NULL)
		g_variant_unref(attrs);
	g_free(path);
	return r;
}

int
ss_note_expiry(void *handle, const struct credential *checked,
    time_t expires)
{
	struct note_args a = { checked, expires };

	if (checked == NULL || checked->server == NULL ||
	    checked->username == NULL || checked->secret == NULL)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "no login to record a date for");
	return ss_run_guarded(handle, do_note_expiry, &a);
}
