/*
 * The sanitiser for text from outside (see text.h).  It decodes UTF-8
 * strictly, as RFC 3629 defines it, one character at a time, and keeps a
 * character only when it is valid and not one that a terminal, a bidi
 * renderer or the Actions runner acts on.  A byte that does not start a
 * valid sequence becomes one placeholder and decoding goes on at the next
 * byte, so what comes out is made only of whole valid characters and
 * placeholders: valid UTF-8 by construction, whatever came in.
 */
#include "text.h"

/*
 * The length (1 to 4) of the valid UTF-8 sequence at s, with its code
 * point in *cp; 0 when the bytes there are not one: a continuation byte
 * on its own (which covers the raw C1 bytes 0x80..0x9F), 0xC0, 0xC1 and
 * 0xF5..0xFF, an overlong form, a surrogate, a code point over U+10FFFF,
 * or a sequence cut short.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	unsigned long c;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0fu;
		if (s[0] == 0xe0)
			lo = 0xa0;      /* below: overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;      /* above: UTF-16 surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07u;
		if (s[0] == 0xf0)
			lo = 0x90;      /* below: overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;      /* above: over U+10FFFF */
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3fu);
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	*cp = c;
	return n;
}

/*
 * Whether a valid character may be shown as it is.  Besides the C0 and
 * C1 controls and DEL, the invisible characters that reorder the text
 * around them (bidi marks, embeddings, overrides and isolates) and the
 * Unicode line and paragraph separators are held back: they cannot drive
 * a terminal, but they can make a line read as something else, or as two.
 */
static int
shown_as_is(unsigned long cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return 1;
}

/* The blanks the runner trims before it looks for "::" (.NET's
 * char.IsWhiteSpace, less the controls, which never get this far). */
static int
runner_blank(unsigned long cp)
{
	return cp == ' ' || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

/*
 * The GitHub Actions runner reads each line of a step's output as a
 * workflow command when, blanks trimmed, it starts with "::" (`::error::`,
 * `::add-mask::`, `::stop-commands::`), and also, in its legacy form,
 * when "##[" appears anywhere in it.  Text from outside never starts one:
 * the first ':' of a "::" that opens a line and the '[' of "##[" are
 * replaced.  `line_start` says no character but blanks came yet on this
 * line; `next` is what follows (one byte suffices: both are ASCII).
 */
static int
runner_command(unsigned long cp, int line_start, const char *out, size_t o,
	       int next)
{
	if (cp == ':' && line_start && next == ':')
		return 1;
	return cp == '[' && o >= 2 && out[o - 1] == '#' && out[o - 2] == '#';
}

size_t
text_sanitise(char *out, size_t size, const char *in, size_t len,
	      unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned long cp = 0;
	size_t i = 0, o = 0, n;
	int line_start = 1;

	if (size == 0)
		return 0;
	while (i < len) {
		int next = i + 1 < len ? s[i + 1] : -1;
		char ch = 0;

		/* Each character is read whole before anything is written, and
		 * never grows, so out may be in. */
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			n = 1;
			ch = TEXT_PLACEHOLDER;
		} else if (cp == '\n' && (flags & TEXT_LINES)) {
			ch = '\n';
		} else if (!shown_as_is(cp)) {
			ch = (flags & TEXT_SPACES) && (cp == '\t' || cp == '\n' ||
			    cp == '\v' || cp == '\f' || cp == '\r') ? ' ' : TEXT_PLACEHOLDER;
		} else if (runner_command(cp, line_start, out, o, next)) {
			ch = TEXT_PLACEHOLDER;
		}
		if (ch != 0) {
			if (o + 1 >= size)
				break;
			out[o++] = ch;
		} else {
			if (o + n >= size)
				break;
			for (size_t k = 0; k < n; k++)
				out[o++] = (char)s[i + k];
		}
		line_start = ch == '\n' || (line_start && (ch == ' ' ||
		    (ch == 0 && runner_blank(cp))));
		i += n;
	}
	out[o] = '\0';
	return o;
}

void
text_sanitise_inplace(char *s, unsigned int flags)
{
	size_t len = 0;

	while (s[len] != '\0')
		len++;
	(void)text_sanitise(s, len + 1, s, len, flags);
}
