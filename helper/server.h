/*
 * Server addresses as clients send them, reduced to the one key a registry
 * is stored and compared under: the lower-case host, plus the port when one
 * is given ("ghcr.io", "127.0.0.1:5000", "[::1]:5000").
 */
#ifndef GHCR_SERVER_H
#define GHCR_SERVER_H

#include <stddef.h>

/* Room for a normalised key: a 253-byte host name plus ":65535", or an
 * IPv6 literal in brackets, plus the terminator. */
#define SERVER_MAX 272

/*
 * Normalises `url` (NUL-terminated; surrounding white space is ignored)
 * into `out`, which holds SERVER_MAX bytes.  Accepts an optional http:// or
 * https:// scheme and any path ("/", "/v2/", "/v1/"), which is dropped.
 * Returns GHCR_OK; GHCR_ERR_NO_SERVER when `url` is NULL or blank;
 * GHCR_ERR_BAD_SERVER, with a detail, for anything that is not a plain
 * host[:port]: user info, queries, fragments, percent-encoding,
 * backslashes, white space or control characters, non-ASCII bytes, another
 * scheme, an empty host, a bad port.
 */
int server_normalise(const char *url, char out[SERVER_MAX]);

#endif
