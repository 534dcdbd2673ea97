/*
 * Another program's login in the Secret Service: the module's lookup slot
 * (secretservice_lookup_fn), which the helper's GitHub CLI source uses to
 * read the token gh keeps in the keyring, whichever backend the helper's
 * own store is.  gh writes through go-keyring: an item whose attributes
 * are service=gh:HOST and username=LOGIN (no xdg:schema), the token as
 * its secret.  One guarded operation: connect, search for every name at
 * once while the transfer session is negotiated, read the one secret.
 * It never prompts: an item that is only in a locked keyring is reported
 * locked, because an unlock dialog popping up for another program's login
 * on a `docker pull` would surprise, and gh itself unlocks it on its next
 * use.
 */
#include "ss_private.h"
#include "errors.h"
#include "secmem.h"
#include "secretservice.h"

#include <string.h>

/* Names tried at most (gh: the active account, then ""). */
#define LOOKUP_MAX 4

struct lookup_args {
	const char *service;
	const char *const *usernames;
	char **secret;
	int *which;
};

static void
search_send(struct ss_handle *h, GMainContext *ctx, struct pending_call *pc,
    const char *service, const char *username)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	g_variant_builder_add(&b, "{ss}", "service", service);
	g_variant_builder_add(&b, "{ss}", "username", username);
	ss_pending_call_send(h, ctx, pc, SERVICE_PATH, SERVICE_IFACE, "SearchItems",
	    g_variant_new("(a{ss})", &b), "(aoao)");
}

/* A token is printable ASCII without spaces: anything else is not one. */
static int
is_token_text(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int
do_lookup(struct ss_handle *h, struct watchdog *w, void *arg)
{
	struct lookup_args *a = arg;
	struct pending_call search[LOOKUP_MAX], secret_call;
	struct session_setup ss;
	GMainContext *ctx = NULL;
	GVariant *secret = NULL, *unlocked, *locked;
	const char *path = NULL;
	char *text = NULL;
	int n = 0, which = -1, any_locked = 0, r;

	memset(search, 0, sizeof(search));
	memset(&secret_call, 0, sizeof(secret_call));
	memset(&ss, 0, sizeof(ss));
	if ((r = ss_connect(h, w, NULL)) != 0)
		return r;
	ctx = g_main_context_new();
	/* One round trip for the searches and the session together. */
	if ((r = ss_session_start(h, ctx, &ss)) != 0)
		goto out;
	while (n < LOOKUP_MAX && a->usernames[n] != NULL) {
		search_send(h, ctx, &search[n], a->service, a->usernames[n]);
		n++;
	}
	for (int i = 0; i < n; i++)
		ss_pending_call_wait(ctx, &search[i]);
	for (int i = 0; i < n; i++) {
		if (search[i].reply == NULL) {
			r = ss_fail_gerror(search[i].error, "searching the keyring", w);
			search[i].error = NULL;
			goto out;
		}
		g_variant_get(search[i].reply, "(@ao@ao)", &unlocked, &locked);
		if (which == -1 && g_variant_n_children(unlocked) > 0) {
			g_variant_get_child(unlocked, 0, "&o", &path);
			which = i;
		}
		if (g_variant_n_children(locked) > 0)
			any_locked = 1;
		g_variant_unref(unlocked);
		g_variant_unref(locked);
	}
	if (which == -1) {
		r = any_locked ? ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding "
		    "%s is locked, and this helper does not ask to unlock it for "
		    "another program's login; unlock it (log in to the desktop, "
		    "or run any gh command)", a->service) : GHCR_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = ss_session_finish(h, w, ctx, &ss)) != 0)
		goto out;
	ss_pending_call_send(h, ctx, &secret_call, path, ITEM_IFACE, "GetSecret",
	    g_variant_new("(o)", h->session), "((oayays))");
	ss_pending_call_wait(ctx, &secret_call);
	if (secret_call.reply == NULL) {
		if (ss_is_locked_error(secret_call.error)) {
			r = ghcr_fail(GHCR_ERR_LOCKED, "the keyring holding %s "
			    "was locked while it was read", a->service);
		} else {
			r = ss_fail_gerror(secret_call.error, "reading the secret", w);
			secret_call.error = NULL;
		}
		goto out;
	}
	g_variant_get(secret_call.reply, "(@(oayays))", &secret);
	if ((r = ss_session_decrypt(h, secret, a->service, &text)) != 0)
		goto out;
	if (!is_token_text(text)) {
		r = ghcr_fail(GHCR_ERR_NOT_FOUND, "the keyring item for %s "
		    "holds no token", a->service);
		goto out;
	}
	*a->secret = text;
	*a->which = which;
	text = NULL;
	r = GHCR_OK;
 out:
	/* Collect whatever is in flight. */
	r = ss_session_finish_after(h, w, ctx, &ss, r);
	for (int i = 0; i < n; i++) {
		ss_pending_call_wait(ctx, &search[i]);
		ss_pending_call_clear(&search[i]);
	}
	ss_pending_call_wait(ctx, &secret_call);
	ss_pending_call_clear(&secret_call);
	secmem_free(text);
	if (secret != NULL)
		g_variant_unref(secret);
	g_main_context_unref(ctx);
	return r;
}

/*
 * The detail of a failure, without the store's advice to switch to the
 * file backend: that would not help read another program's login.
 */
static int
without_store_hint(int r)
{
	const char *d = ghcr_error_detail();
	char detail[512];
	size_t n, hint = strlen(FILE_HINT);

	if (d == NULL)
		return r;
	g_strlcpy(detail, d, sizeof(detail));
	n = strlen(detail);
	if (n >= hint && strcmp(detail + n - hint, FILE_HINT) == 0) {
		n -= hint;
		while (n > 0 && (detail[n - 1] == ' ' || detail[n - 1] == ';' ||
		    detail[n - 1] == ','))
			n--;
		detail[n] = '\0';
	}
	return ghcr_fail(r, "%s", detail);
}

int
ss_lookup(const char *service, const char *const *usernames, char **secret,
    int *which)
{
	struct lookup_args a = { service, usernames, secret, which };
	const char *why;
	struct ss_handle *h;
	int r;

	*secret = NULL;
	*which = -1;
	if ((why = secretservice_no_bus_reason()) != NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "%s", why);
	h = g_new0(struct ss_handle, 1);
	r = ss_run_guarded(h, do_lookup, &a);
	ss_close(h);
	if (r != GHCR_OK && r != GHCR_ERR_NOT_FOUND)
		r = without_store_hint(r);
	return r;
}
