/*
 * Status codes shared by every layer, in the OpenSSH style: 0 is success,
 * failures are negative constants with a fixed message, and the code that
 * fails may attach one line of detail for the person reading it.  Only
 * main() turns a status into protocol output; everything below returns it.
 */
#ifndef GHCR_ERRORS_H
#define GHCR_ERRORS_H

enum ghcr_status {
	GHCR_OK = 0,
	GHCR_ERR_NOT_FOUND = -1,   /* no credential for that server */
	GHCR_ERR_NO_MEMORY = -2,
	GHCR_ERR_SYSTEM = -3,      /* a system call failed; detail says which */
	GHCR_ERR_BAD_INPUT = -4,   /* malformed request on stdin or argv */
	GHCR_ERR_NO_SERVER = -5,   /* request without a server URL */
	GHCR_ERR_NO_USERNAME = -6, /* store request without a username */
	GHCR_ERR_TOO_LARGE = -7,   /* input over the hard limit */
	GHCR_ERR_CORRUPT = -8,     /* store failed authentication or parsing */
	GHCR_ERR_UNSAFE = -9,      /* store permissions too open, or a symlink */
	GHCR_ERR_UNAVAILABLE = -10,/* backend cannot serve here (no bus, ...) */
	GHCR_ERR_LOCKED = -11,     /* keyring locked and no way to prompt */
	GHCR_ERR_BAD_KEY = -12,    /* wrong key or passphrase for the store */
	GHCR_ERR_CONFIG = -13,     /* invalid setting */
	GHCR_ERR_BAD_SERVER = -14, /* server URL that is not a registry host */
	GHCR_ERR_CHANGED = -15,   /* a file changed while being edited */
};

/* Fixed message for a status; never NULL, static storage. */
const char *ghcr_strerror(int status);

/*
 * Records a printf-style detail line for the failure about to be returned
 * and returns `status`, so callers write `return ghcr_fail(...)`.  The
 * detail must never contain a secret.  It is sanitised (common/text.h):
 * one line, valid UTF-8, nothing a terminal or a CI runner acts on.
 */
int ghcr_fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The detail of the last ghcr_fail(), or NULL; static storage. */
const char *ghcr_error_detail(void);

/* Forgets the recorded detail. */
void ghcr_error_clear(void);

/* One line for a person: the detail when there is one, else the message. */
const char *ghcr_error_message(int status);

/*
 * The end of a process whose thread was interrupted at an unknown point,
 * where it may hold malloc's, stdio's or a library's lock (the Secret
 * Service watchdog's abandoned call): records `detail`, wipes the live
 * secrets and the stack below (secmem_wipe_live()), prints the failure's
 * one line as main() would, with write(2), and _exit(1)s.  Waits for no
 * lock this thread may hold (the secmem list's only for a bounded time,
 * see secmem.h), allocates and frees nothing; never returns.
 */
void ghcr_exit_abandoned(int status, const char *detail)
	__attribute__((noreturn));

/* How main() prints a failure, for ghcr_exit_abandoned(): NULL (the
 * default) for one line on stdout, else "PREFIX: line" on stderr. */
void ghcr_failure_output(const char *stderr_prefix);

#endif
