/*
 * The Secret Service module's transfer session: negotiates the encrypted
 * session (dh-ietf1024-sha256-aes128-cbc-pkcs7) on the module's own
 * connection with libgcrypt, and encrypts and decrypts the secrets that
 * cross the bus inside it.
 */
#include "ss_private.h"
#include "errors.h"
#include "secmem.h"

#include <string.h>

/*
 * Secrets cross the bus inside an encrypted Secret Service session
 * (algorithm dh-ietf1024-sha256-aes128-cbc-pkcs7 of the specification),
 * so the token never lies in plain text in the bus daemon or in GLib's
 * message buffers, which nobody wipes.  The session is negotiated here,
 * on our own connection, with libgcrypt (libsecret's own crypto library,
 * already loaded with it) rather than through libsecret's service proxy:
 * that proxy would need GLib's shared bus connection, its own handshake
 * and a proxy set-up, five round trips more for every `get`.  The private
 * exponent is 256 bits, not libsecret's 1024: the group's ~80-bit
 * strength stays the limit (an exponent of twice the security strength
 * suffices, NIST SP 800-56A), and each modular exponentiation costs a
 * quarter.
 */
#define SESSION_ALGORITHM "dh-ietf1024-sha256-aes128-cbc-pkcs7"
#define DH_BYTES 128
#define DH_EXPONENT_BITS 256

/* RFC 2409, 6.2: the Second Oakley Group; generator 2. */
static const char ietf1024_prime[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF";

static int
crypto_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return GHCR_OK;
	if (gcry_check_version(NULL) == NULL)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "libgcrypt failed to "
		    "initialise; %s", FILE_HINT);
	/* No locked pool: it needs RLIMIT_MEMLOCK and prints warnings on
	 * stderr when short.  Our buffers are wiped by hand instead, and
	 * libgcrypt wipes MPIs when it frees them. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return GHCR_OK;
}

/* HKDF-SHA256 (RFC 5869) with no salt and no info, 16 bytes out. */
static int
hkdf_sha256_16(const unsigned char *ikm, size_t n, unsigned char out[16])
{
	static const unsigned char zeros[32], one = 1;
	unsigned char prk[32];
	gcry_md_hd_t md = NULL;
	int r = GHCR_ERR_UNAVAILABLE;

	if (gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC) != 0 ||
	    gcry_md_setkey(md, zeros, sizeof(zeros)) != 0)
		goto out;
	gcry_md_write(md, ikm, n);
	memcpy(prk, gcry_md_read(md, GCRY_MD_SHA256), sizeof(prk));
	gcry_md_reset(md);
	if (gcry_md_setkey(md, prk, sizeof(prk)) != 0)
		goto out;
	gcry_md_write(md, &one, 1);
	memcpy(out, gcry_md_read(md, GCRY_MD_SHA256), 16);
	r = GHCR_OK;
 out:
	secmem_wipe(prk, sizeof(prk));
	gcry_md_close(md);
	if (r != GHCR_OK)
		return ghcr_fail(r, "Secret Service session: key derivation "
		    "failed; %s", FILE_HINT);
	return r;
}

/* Sends OpenSession with a fresh key pair (no wait); no-op when the
 * handle already has a session. */
int
ss_session_start(struct ss_handle *h, GMainContext *ctx,
    struct session_setup *ss)
{
	gcry_mpi_t g = NULL, pub = NULL;
	unsigned char mine[DH_BYTES];
	size_t n_mine = 0;
	int r;

	memset(ss, 0, sizeof(*ss));
	if (h->session != NULL)
		return GHCR_OK;
	if ((r = crypto_init()) != 0)
		return r;
	if (gcry_mpi_scan(&ss->p, GCRYMPI_FMT_HEX, ietf1024_prime, 0, NULL) != 0)
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "key exchange failed; %s", FILE_HINT);
	g = gcry_mpi_set_ui(NULL, 2);
	ss->x = gcry_mpi_snew(DH_EXPONENT_BITS);
	gcry_mpi_randomize(ss->x, DH_EXPONENT_BITS, GCRY_STRONG_RANDOM);
	pub = gcry_mpi_new(DH_BYTES * 8);
	gcry_mpi_powm(pub, g, ss->x, ss->p);
	r = gcry_mpi_print(GCRYMPI_FMT_USG, mine, sizeof(mine), &n_mine, pub);
	gcry_mpi_release(g);
	gcry_mpi_release(pub);
	if (r != 0) {
		gcry_mpi_release(ss->p);
		gcry_mpi_release(ss->x);
		memset(ss, 0, sizeof(*ss));
		return ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "key exchange failed; %s", FILE_HINT);
	}
	ss_pending_call_send(h, ctx, &ss->call, SERVICE_PATH, SERVICE_IFACE,
	    "OpenSession", g_variant_new("(sv)", SESSION_ALGORITHM,
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, mine, n_mine, 1)),
	    "(vo)");
	ss->sent = 1;
	return GHCR_OK;
}

/* Waits for OpenSession and derives the session key; always releases
 * the setup, so it is called on every path after ss_session_start(). */
int
ss_session_finish(struct ss_handle *h, const struct watchdog *w,
    GMainContext *ctx, struct session_setup *ss)
{
	gcry_mpi_t peer = NULL, shared = NULL, top = NULL;
	unsigned char secret[DH_BYTES];
	size_t n_secret = 0;
	GVariant *out = NULL;
	const unsigned char *theirs;
	gsize n_theirs;
	char *path = NULL;
	int r = GHCR_OK;

	if (!ss->sent)
		goto out;
	ss_pending_call_wait(ctx, &ss->call);
	if (ss->call.reply == NULL) {
		r = ss_fail_gerror(ss->call.error, "opening a session", w);
		ss->call.error = NULL;
		goto out;
	}
	g_variant_get(ss->call.reply, "(vo)", &out, &path);
	if (!g_variant_is_of_type(out, G_VARIANT_TYPE_BYTESTRING))
		goto fail;
	theirs = g_variant_get_fixed_array(out, &n_theirs, 1);
	if (n_theirs == 0 || n_theirs > DH_BYTES ||
	    gcry_mpi_scan(&peer, GCRYMPI_FMT_USG, theirs, n_theirs, NULL) != 0)
		goto fail;
	/* A peer value of 0, 1 or p-1 would force a known shared secret. */
	top = gcry_mpi_new(DH_BYTES * 8);
	gcry_mpi_sub_ui(top, ss->p, 1);
	if (gcry_mpi_cmp_ui(peer, 1) <= 0 || gcry_mpi_cmp(peer, top) >= 0)
		goto fail;
	shared = gcry_mpi_snew(DH_BYTES * 8);
	gcry_mpi_powm(shared, peer, ss->x, ss->p);
	/* Left-padded to the size of the prime, as the specification's
	 * implementations (libsecret, gnome-keyring) feed it to HKDF. */
	if (gcry_mpi_print(GCRYMPI_FMT_USG, secret, sizeof(secret), &n_secret,
	    shared) != 0)
		goto fail;
	memmove(secret + DH_BYTES - n_secret, secret, n_secret);
	memset(secret, 0, DH_BYTES - n_secret);
	if ((r = hkdf_sha256_16(secret, DH_BYTES, h->key)) != 0)
		goto out;
	h->session = path;
	path = NULL;
	r = GHCR_OK;
	goto out;
 fail:
	r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: key "
	    "exchange failed; %s", FILE_HINT);
 out:
	secmem_wipe(secret, sizeof(secret));
	gcry_mpi_release(peer);
	gcry_mpi_release(shared);
	gcry_mpi_release(top);
	gcry_mpi_release(ss->p);
	gcry_mpi_release(ss->x);
	ss_pending_call_clear(&ss->call);
	memset(ss, 0, sizeof(*ss));
	if (out != NULL)
		g_variant_unref(out);
	g_free(path);
	return r;
}

/* Decrypts a Secret struct (oayays) into a NUL-terminated secmem string. */
int
ss_session_decrypt(struct ss_handle *h, GVariant *secret, const char *server,
    char **out)
{
	GVariant *params = NULL, *value = NULL;
	const unsigned char *iv, *ct;
	gsize n_iv, n_ct;
	gcry_cipher_hd_t cipher = NULL;
	unsigned char *pt = NULL;
	unsigned int pad;
	int r;

	*out = NULL;
	g_variant_get(secret, "(o@ay@ays)", NULL, &params, &value, NULL);
	iv = g_variant_get_fixed_array(params, &n_iv, 1);
	ct = g_variant_get_fixed_array(value, &n_ct, 1);
	if (n_iv != 16 || n_ct == 0 || n_ct % 16 != 0)
		goto fail;
	if ((pt = secmem_alloc(n_ct + 1)) == NULL) {
		r = GHCR_ERR_NO_MEMORY;
		goto out;
	}
	if (gcry_cipher_open(&cipher, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) != 0 ||
	    gcry_cipher_setkey(cipher, h->key, sizeof(h->key)) != 0 ||
	    gcry_cipher_setiv(cipher, iv, n_iv) != 0 ||
	    gcry_cipher_decrypt(cipher, pt, n_ct, ct, n_ct) != 0)
		goto fail;
	/* PKCS#7 padding. */
	pad = pt[n_ct - 1];
	if (pad == 0 || pad > 16)
		goto fail;
	for (gsize i = n_ct - pad; i < n_ct; i++)
		if (pt[i] != pad)
			goto fail;
	secmem_wipe(pt + n_ct - pad, pad);
	if (memchr(pt, '\0', n_ct - pad) != NULL) {
		r = ghcr_fail(GHCR_ERR_CORRUPT, "keyring item for %s does not "
		    "hold a text token; erase it and log in again", server);
		goto out;
	}
	*out = (char *)pt;
	pt = NULL;
	r = GHCR_OK;
	goto out;
 fail:
	r = ghcr_fail(GHCR_ERR_CORRUPT, "the Secret Service returned a secret "
	    "for %s that does not decrypt; erase it and log in again", server);
 out:
	gcry_cipher_close(cipher);
	secmem_free(pt);
	if (params != NULL)
		g_variant_unref(params);
	if (value != NULL)
		g_variant_unref(value);
	return r;
}

/* Encrypts `text` into a Secret struct (oayays) for CreateItem; the
 * plaintext copy made for padding is wiped. */
int
ss_session_encrypt(struct ss_handle *h, const char *text, GVariant **out)
{
	size_t n = strlen(text), n_ct = (n / 16 + 1) * 16;
	unsigned char iv[16], *buf;
	gcry_cipher_hd_t cipher = NULL;
	int r;

	*out = NULL;
	if ((buf = secmem_alloc(n_ct)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	memcpy(buf, text, n);
	memset(buf + n, (int)(n_ct - n), n_ct - n);
	gcry_randomize(iv, sizeof(iv), GCRY_STRONG_RANDOM);
	if (gcry_cipher_open(&cipher, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) != 0 ||
	    gcry_cipher_setkey(cipher, h->key, sizeof(h->key)) != 0 ||
	    gcry_cipher_setiv(cipher, iv, sizeof(iv)) != 0 ||
	    gcry_cipher_encrypt(cipher, buf, n_ct, NULL, 0) != 0) {
		r = ghcr_fail(GHCR_ERR_UNAVAILABLE, "Secret Service session: "
		    "encryption failed; %s", FILE_HINT);
		goto out;
	}
	/* From here `buf` is ciphertext, safe in GLib's memory. */
	*out = g_variant_new("(o@ay@ays)", h->session,
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, iv, sizeof(iv), 1),
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, buf, n_ct, 1),
	    "text/plain");
	r = GHCR_OK;
 out:
	gcry_cipher_close(cipher);
	secmem_free(buf);
	return r;
}

/*
 * ss_session_finish() at the end of an operation that came to `r`, which is
 * returned with its own detail, unless it is "not found" and the session
 * failed: then the caller hears the session's failure (the service went
 * away, say), not "not found".
 */
int
ss_session_finish_after(struct ss_handle *h, const struct watchdog *w,
    GMainContext *ctx, struct session_setup *ss, int r)
{
	char detail[512] = "";
	int r2;

	if (r != GHCR_OK && r != GHCR_ERR_NOT_FOUND && ghcr_error_detail() != NULL)
		g_strlcpy(detail, ghcr_error_detail(), sizeof(detail));
	r2 = ss_session_finish(h, w, ctx, ss);
	if (r == GHCR_ERR_NOT_FOUND && r2 != GHCR_OK)
		return r2;
	if (r != GHCR_OK && r2 != GHCR_OK && detail[0] != '\0')
		ghcr_fail(r, "%s", detail);
	return r;
}
