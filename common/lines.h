/*
 * The one line reader: every line-oriented file the helper reads (the
 * settings file, the passphrase file, gh's hosts.yml) is read whole under
 * a size limit (fs_open_read()) and then cut into lines here, so a line
 * is never split: a line longer than the reader's limit is an error that
 * names the file and the line, never the start of another line.  A line
 * ends at "\n" or "\r\n"; the last line needs no end.
 */
#ifndef GHCR_LINES_H
#define GHCR_LINES_H

#include <stddef.h>

/* What a line may not hold, beyond its length (lines_start's flags). */
#define LINES_NO_NUL      0x1u /* a NUL byte (C strings would cut the line) */
#define LINES_NO_CONTROLS 0x2u /* any control byte but tab (and NUL) */

struct lines {
	const char *p, *end; /* what is left to cut */
	const char *name;    /* the file, for the detail */
	size_t max;          /* the longest line allowed, without its end */
	unsigned flags;      /* LINES_* */
	unsigned lineno;     /* of the line last returned, from 1 */
};

/*
 * Starts cutting buf[0..len) into lines of at most `max` bytes; `name`
 * (borrowed, may be NULL) names the file in the detail of a failure.
 * Nothing is copied: the lines point into buf.
 */
void lines_start(struct lines *ls, const char *buf, size_t len, size_t max,
		 unsigned flags, const char *name);

/*
 * The next line in *line and *len (not NUL-terminated, without its end).
 * Returns 1 for a line, 0 when there are no more, or GHCR_ERR_BAD_INPUT
 * with a detail "NAME:N: ..." for a line longer than the limit or holding
 * a byte the flags refuse; after a failure it returns that failure again.
 */
int lines_next(struct lines *ls, const char **line, size_t *len);

#endif
