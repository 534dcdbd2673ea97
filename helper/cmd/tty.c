/*
 * Terminal and standard-input reading for login (see tty.h).  Like
 * readpassphrase(3): the prompt and the answer go through /dev/tty, so a
 * redirected stdout never sees them, echo is off only for as long as the
 * read lasts, and a signal arriving meanwhile first puts the terminal back.
 */
#include "tty.h"
#include "errors.h"
#include "protocol.h"
#include "secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define TTY_MAX_LINE PROTOCOL_MAX_INPUT

static volatile sig_atomic_t caught_signal;

static void
on_signal(int signo)
{
	caught_signal = signo;
}

static const int watched_signals[] = {
	SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};
#define N_WATCHED (sizeof(watched_signals) / sizeof(watched_signals[0]))

int
tty_interactive(void)
{
	return isatty(STDIN_FILENO);
}

int
tty_clean_line(char *buf, size_t *len, const char *what)
{
	size_t start = 0, end = *len;

	while (start < end && (buf[start] == ' ' || buf[start] == '\t' ||
	    buf[start] == '\n' || buf[start] == '\r'))
		start++;
	while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' ||
	    buf[end - 1] == '\n' || buf[end - 1] == '\r'))
		end--;
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\0')
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "the %s contains a NUL byte", what);
		if (c == '\n' || c == '\r')
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "the %s must be one line", what);
		if (c < 0x20 || c == 0x7f)
			return ghcr_fail(GHCR_ERR_BAD_INPUT,
			    "the %s contains a control character", what);
	}
	if (start == end)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "the %s is empty", what);
	memmove(buf, buf + start, end - start);
	secmem_wipe(buf + (end - start), *len - (end - start));
	*len = end - start;
	buf[*len] = '\0';
	return GHCR_OK;
}

int
tty_read_stdin(char **out)
{
	char *buf = NULL;
	size_t len;
	int r;

	*out = NULL;
	if ((r = protocol_read_all(STDIN_FILENO, TTY_MAX_LINE, &buf, &len)) != GHCR_OK)
		return r;
	if ((r = tty_clean_line(buf, &len, "token read from standard input")) != GHCR_OK) {
		secmem_free(buf);
		return r;
	}
	*out = buf;
	return GHCR_OK;
}

/* Reads up to a newline, byte by byte, so nothing after it is consumed. */
static int
read_line_fd(int fd, char **out, size_t *outlen)
{
	size_t cap = 256, len = 0;
	char *buf, *bigger, c;
	ssize_t n;

	if ((buf = secmem_alloc(cap)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	for (;;) {
		if ((n = read(fd, &c, 1)) == -1) {
			if (errno == EINTR && !caught_signal)
				continue;
			secmem_free(buf);
			return errno == EINTR ? GHCR_ERR_BAD_INPUT :
			    ghcr_fail(GHCR_ERR_SYSTEM, "cannot read the terminal: %s",
			    strerror(errno));
		}
		if (n == 0 || c == '\n' || c == '\r')
			break;
		if (len + 2 > cap) {
			if (cap >= TTY_MAX_LINE) {
				secmem_free(buf);
				return ghcr_fail(GHCR_ERR_TOO_LARGE, "the line typed "
				    "is over %d bytes", TTY_MAX_LINE);
			}
			if ((bigger = secmem_alloc(cap * 2)) == NULL) {
				secmem_free(buf);
				return GHCR_ERR_NO_MEMORY;
			}
			memcpy(bigger, buf, len);
			secmem_free(buf);
			buf = bigger;
			cap *= 2;
		}
		buf[len++] = c;
	}
	c = '\0';
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return GHCR_OK;
}

static void
write_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int
tty_read_line(const char *prompt, int secret, char **out)
{
	struct sigaction sa, saved[N_WATCHED];
	struct termios old, quiet;
	char *buf = NULL;
	size_t len = 0;
	int fd, own_fd = 1, restore = 0, r;

	*out = NULL;
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (!isatty(STDIN_FILENO))
			return ghcr_fail(GHCR_ERR_UNAVAILABLE, "no terminal to read "
			    "from; pipe the token in with --password-stdin");
		fd = STDIN_FILENO;
		own_fd = 0;
	}
	caught_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must interrupt the read. */
	for (size_t i = 0; i < N_WATCHED; i++)
		(void)sigaction(watched_signals[i], &sa, &saved[i]);
	if (secret && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restore = 1;
	}
	write_str(fd, prompt);
	r = read_line_fd(fd, &buf, &len);
	if (restore) {
		/* The typed newline was not echoed either. */
		write_str(fd, "\n");
		while (tcsetattr(fd, TCSAFLUSH, &old) == -1 && errno == EINTR)
			;
	}
	for (size_t i = 0; i < N_WATCHED; i++)
		(void)sigaction(watched_signals[i], &saved[i], NULL);
	if (own_fd)
		close(fd);
	if (caught_signal) {
		secmem_free(buf);
		/* Delivered now, with the terminal as it was and the
		 * program's own handler (or the default) in place. */
		(void)raise(caught_signal);
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "interrupted");
	}
	if (r != GHCR_OK)
		return r;
	if ((r = tty_clean_line(buf, &len, secret ? "token" : "answer")) != GHCR_OK) {
		secmem_free(buf);
		return r;
	}
	*out = buf;
	return GHCR_OK;
}
