/*
 * The one way text from outside the program reaches a terminal or a CI
 * log: a registry's or GitHub's reply, a response header, the detail of an
 * error that quotes one, a name read from a store or a file.  Such text may
 * carry what a terminal acts on (C0 and C1 controls, in raw bytes or
 * UTF-8-encoded: ESC [ ... CSI, OSC 8 links, OSC 52 clipboard writes, a
 * bare CR that lets the GitHub Actions runner read what follows as a new
 * line, `::add-mask::...`), bytes that are not UTF-8 at all, and the
 * runner's legacy `##[command]`, which it obeys anywhere in a line.
 */
#ifndef GHCR_TEXT_H
#define GHCR_TEXT_H

#include <stddef.h>

/* What replaces each character that is not let through: plain ASCII, so
 * the result is never longer than what came and reads the same in any
 * locale. */
#define TEXT_PLACEHOLDER '?'

enum text_flags {
	/* TAB, LF, VT, FF and CR become a space, for prose made one line
	 * (a registry's multi-line message); otherwise they are '?'. */
	TEXT_SPACES = 1,
	/* LF passes, for text of several lines whose every line the caller
	 * indents (a fix that is a YAML snippet); CR never does. */
	TEXT_LINES = 2,
};

/*
 * Copies `len` bytes of `in` into `out` (`size` bytes, NUL-terminated
 * whenever size > 0), replacing by TEXT_PLACEHOLDER (see `flags`) every
 * C0 control, DEL, C1 control (raw byte or UTF-8-encoded), byte that is
 * not part of valid UTF-8 (overlong forms, surrogates, code points over
 * U+10FFFF, truncated sequences), bidi and line-separator character, the
 * '[' of "##[" and the first ':' of a "::" that opens a line (blanks
 * aside).  Everything else, ASCII and valid non-ASCII alike, passes
 * unchanged.  The output is valid UTF-8, never longer than the input, and
 * cut only between characters; NUL bytes inside `len` are controls too.
 * `out` may be `in` (in place).  Takes no lock and calls nothing, so the
 * abandon path (ghcr_exit_abandoned()) may use it.  Returns the length
 * written, without the NUL.
 */
size_t text_sanitise(char *out, size_t size, const char *in, size_t len,
		     unsigned int flags);

/* text_sanitise() of a NUL-terminated string onto itself. */
void text_sanitise_inplace(char *s, unsigned int flags);

#endif
