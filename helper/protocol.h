/*
 * The credential-helper wire format: what Docker and friends send on stdin
 * and expect on stdout.  Reading and parsing are separate from the
 * descriptors so the parsers can be unit-tested and fuzzed on buffers.
 */
#ifndef GHCR_PROTOCOL_H
#define GHCR_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>

#include "server.h"
#include "store.h"

/* Hard limit on a request: identity tokens can be long, 1 MiB is plenty. */
#define PROTOCOL_MAX_INPUT (1024 * 1024)

/*
 * Reads `fd` to EOF into a NUL-terminated secmem buffer (*buf, length
 * *len; free with secmem_free).  Stops reading as soon as the input passes
 * `limit` bytes and returns GHCR_ERR_TOO_LARGE; GHCR_ERR_SYSTEM on a read
 * error.  On failure *buf is NULL.
 */
int protocol_read_all(int fd, size_t limit, char **buf, size_t *len);

/*
 * Parses a get/erase request: a server address, surrounding white space
 * allowed.  Writes the normalised key to out.  Returns GHCR_OK,
 * GHCR_ERR_NO_SERVER, GHCR_ERR_BAD_INPUT (NUL bytes) or GHCR_ERR_BAD_SERVER.
 */
int protocol_parse_server(const char *buf, size_t len, char out[SERVER_MAX]);

/*
 * Parses a store request {"ServerURL":…,"Username":…,"Secret":…} into *cred
 * (strings in secmem memory; free with credential_clear).  The server is
 * normalised.  Returns GHCR_OK; GHCR_ERR_NO_SERVER / GHCR_ERR_NO_USERNAME
 * when those are missing or empty; GHCR_ERR_BAD_INPUT with a detail for
 * anything else malformed; GHCR_ERR_BAD_SERVER for an unusable server.
 * On failure *cred is left cleared.
 */
int protocol_parse_store(const char *buf, size_t len, struct credential *cred);

/*
 * Serialises a get answer into a secmem buffer (*out, length *outlen, with
 * a trailing newline).  Returns GHCR_OK or GHCR_ERR_NO_MEMORY.
 */
int protocol_format_credential(const struct credential *cred, char **out,
			       size_t *outlen);

/*
 * Serialises a list answer: the JSON object `listing` (server -> username)
 * on one line, keys sorted, with a trailing newline, into a secmem buffer
 * (*out, length *outlen).  Returns GHCR_OK or GHCR_ERR_NO_MEMORY.
 */
int protocol_format_list(const json_t *listing, char **out, size_t *outlen);

/* Writes all of buf to fd, retrying short writes; GHCR_ERR_SYSTEM on error. */
int protocol_write_all(int fd, const char *buf, size_t len);

#endif
