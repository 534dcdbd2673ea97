/*
 * Status messages and the one-line failure detail (see errors.h).  The
 * detail lives in a static buffer: the helper is single-threaded and each
 * process answers one request.
 */
#include "errors.h"
#include "secmem.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char error_detail[512];
static int error_has_detail;

static const struct {
	int status;
	const char *message;
} error_messages[] = {
	{ GHCR_OK, "success" },
	/* The next three strings are matched by clients: keep them exact. */
	{ GHCR_ERR_NOT_FOUND, "credentials not found in native keychain" },
	{ GHCR_ERR_NO_SERVER, "no credentials server URL" },
	{ GHCR_ERR_NO_USERNAME, "no credentials username" },
	{ GHCR_ERR_NO_MEMORY, "out of memory" },
	{ GHCR_ERR_SYSTEM, "system error" },
	{ GHCR_ERR_BAD_INPUT, "invalid input" },
	{ GHCR_ERR_TOO_LARGE, "input too large" },
	{ GHCR_ERR_CORRUPT, "credential store is damaged or was tampered with" },
	{ GHCR_ERR_UNSAFE, "credential store is not private" },
	{ GHCR_ERR_UNAVAILABLE, "credential backend unavailable" },
	{ GHCR_ERR_LOCKED, "keyring is locked" },
	{ GHCR_ERR_BAD_KEY, "wrong key or passphrase for the credential store" },
	{ GHCR_ERR_CONFIG, "invalid configuration" },
	{ GHCR_ERR_BAD_SERVER, "invalid server URL" },
	{ GHCR_ERR_CHANGED, "the file changed while being edited" },
};

const char *
ghcr_strerror(int status)
{
	for (size_t i = 0; i < sizeof(error_messages) / sizeof(error_messages[0]); i++)
		if (error_messages[i].status == status)
			return error_messages[i].message;
	return "unknown error";
}

int
ghcr_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_detail, sizeof(error_detail), fmt, ap);
	va_end(ap);
	/* A detail may quote a path, a value or a registry's words: keep it
	 * one line that drives no terminal (text.h). */
	text_sanitise_inplace(error_detail, 0);
	error_has_detail = 1;
	return status;
}

const char *
ghcr_error_detail(void)
{
	return error_has_detail ? error_detail : NULL;
}

void
ghcr_error_clear(void)
{
	error_has_detail = 0;
	error_detail[0] = '\0';
}

const char *
ghcr_error_message(int status)
{
	/* Clients match these exactly, so a detail never replaces them. */
	if (status == GHCR_ERR_NOT_FOUND || status == GHCR_ERR_NO_SERVER ||
	    status == GHCR_ERR_NO_USERNAME || !error_has_detail)
		return ghcr_strerror(status);
	return error_detail;
}

/* Where main() prints a failure: NULL for stdout, else stderr after it. */
static const char *failure_prefix;

void
ghcr_failure_output(const char *stderr_prefix)
{
	failure_prefix = stderr_prefix;
}

static void
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void
ghcr_exit_abandoned(int status, const char *detail)
{
	const char *line;

	/* Only strlen, text_sanitise() (which calls nothing), the wipe
	 * (explicit_bzero, and clock_gettime and sched_yield while it waits
	 * a bounded time for the secmem list's lock), write and _exit from
	 * here: no lock that this thread may hold is waited for. */
	(void)text_sanitise(error_detail, sizeof(error_detail), detail,
	    strlen(detail), 0);
	error_has_detail = 1;
	line = ghcr_error_message(status);
	secmem_wipe_live();
	if (failure_prefix != NULL) {
		write_all(STDERR_FILENO, failure_prefix, strlen(failure_prefix));
		write_all(STDERR_FILENO, ": ", 2);
		write_all(STDERR_FILENO, line, strlen(line));
		write_all(STDERR_FILENO, "\n", 1);
	} else {
		write_all(STDOUT_FILENO, line, strlen(line));
		write_all(STDOUT_FILENO, "\n", 1);
	}
	_exit(1);
}
