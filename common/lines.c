/*
 * The line reader (see lines.h).  It cuts a buffer already read under its
 * file's size limit; the per-line limit is what each format can mean
 * (a setting's path, a hosts.yml token), so a line over it is refused with
 * its number, whole, rather than silently becoming two.
 */
#include "lines.h"
#include "errors.h"

#include <string.h>

void
lines_start(struct lines *ls, const char *buf, size_t len, size_t max,
	    unsigned flags, const char *name)
{
	ls->p = buf;
	ls->end = buf + len;
	ls->name = name != NULL ? name : "input";
	ls->max = max;
	ls->flags = flags;
	ls->lineno = 0;
}

/* The first byte of line[0..n) the flags refuse, or -1. */
static int
refused_byte(const struct lines *ls, const char *line, size_t n)
{
	if (ls->flags & LINES_NO_CONTROLS) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return c;
		}
	} else if ((ls->flags & LINES_NO_NUL) && memchr(line, '\0', n) != NULL) {
		return 0;
	}
	return -1;
}

int
lines_next(struct lines *ls, const char **line, size_t *len)
{
	const char *nl;
	size_t n, next;
	int c;

	if (ls->p == NULL)
		return GHCR_ERR_BAD_INPUT; /* a failure, returned again */
	if (ls->p >= ls->end)
		return 0;
	nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
	n = nl != NULL ? (size_t)(nl - ls->p) : (size_t)(ls->end - ls->p);
	next = n + (nl != NULL);
	if (n > 0 && nl != NULL && ls->p[n - 1] == '\r')
		n--;
	ls->lineno++;
	if (n > ls->max) {
		ls->p = NULL;
		return ghcr_fail(GHCR_ERR_BAD_INPUT,
		    "%s:%u: line longer than %zu bytes; the file is not used",
		    ls->name, ls->lineno, ls->max);
	}
	if ((c = refused_byte(ls, ls->p, n)) != -1) {
		ls->p = NULL;
		return ghcr_fail(GHCR_ERR_BAD_INPUT,
		    "%s:%u: control character 0x%02x in the line; the file is not used",
		    ls->name, ls->lineno, (unsigned)c);
	}
	*line = ls->p;
	*len = n;
	ls->p += next;
	return 1;
}
