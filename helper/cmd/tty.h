/*
 * Reading what a person types or pipes in for login: a token read with the
 * terminal's echo turned off (and restored even on Ctrl-C), or a token
 * piped to standard input.  Every byte of a secret stays in secmem memory.
 */
#ifndef GHCR_TTY_H
#define GHCR_TTY_H

#include <stddef.h>

/* 1 when standard input is a terminal, so login may prompt. */
int tty_interactive(void);

/*
 * Writes `prompt` to the terminal (/dev/tty, else standard input when it
 * is one) and reads one line with echo off when `secret` is set.  *out is
 * a NUL-terminated secmem string, surrounding white space removed; free
 * with secmem_free.  Returns GHCR_OK; GHCR_ERR_UNAVAILABLE when there is no
 * terminal; GHCR_ERR_BAD_INPUT for an empty line or a NUL byte;
 * GHCR_ERR_TOO_LARGE past 1 MiB.  A signal that interrupts the read
 * restores the terminal and is then delivered as usual.
 */
int tty_read_line(const char *prompt, int secret, char **out);

/*
 * Reads a secret from standard input to EOF (login --password-stdin):
 * surrounding white space and the final newline removed; it must be one
 * non-empty line without NUL bytes.  *out as above.  Returns GHCR_OK,
 * GHCR_ERR_BAD_INPUT, GHCR_ERR_TOO_LARGE or GHCR_ERR_SYSTEM.
 */
int tty_read_stdin(char **out);

/*
 * Trims surrounding white space of buf[0..*len) in place and checks that
 * what is left is one non-empty line without NUL or control bytes;
 * updates *len and NUL-terminates.  GHCR_OK or GHCR_ERR_BAD_INPUT.
 */
int tty_clean_line(char *buf, size_t *len, const char *what);

#endif
