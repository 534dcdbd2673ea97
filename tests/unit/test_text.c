/*
 * The one sanitiser for text from outside (common/text.c) and the three
 * places that print such text through it: the error detail (errors.c),
 * a registry's error words (helper/check/registry_probe.c) and the
 * documents and tables of status and check (helper/cmd/report.c).  Each
 * is fed the ECMA-48 set (every C0 and C1 control, raw and UTF-8-encoded,
 * CSI, OSC 8 and OSC 52 with BEL and ST, DCS, APC), the GitHub Actions
 * runner's workflow commands, bidi overrides and every class of invalid
 * UTF-8; what comes out must be valid UTF-8 with none of them, checked by
 * a decoder written here independently of text.c.  Ordinary text and
 * valid non-ASCII pass unchanged.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "registry_probe.h"
#include "report.h"
#include "text.h"

/* --- the checker ----------------------------------------------------------- */

/* The input or output, readable in a failure message (\xNN escapes). */
static const char *
shown(const char *s, size_t len)
{
	static char bufs[2][4096];
	static int turn;
	char *buf = bufs[turn ^= 1];
	size_t o = 0, size = sizeof(bufs[0]);

	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/*
 * One code point of RFC 3629 UTF-8 at s: its length in *n, or 0 when the
 * bytes are not valid.  Written apart from text.c (a minimum per length
 * rather than ranges of the second byte), so the two can disagree.
 */
static size_t
decode_one(const unsigned char *s, size_t len, long *cp)
{
	static const long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t want;
	long c;

	if (s[0] < 0x80)
		want = 1;
	else if ((s[0] & 0xe0) == 0xc0)
		want = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		want = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		want = 4;
	else
		return 0;
	if (want > len)
		return 0;
	c = want == 1 ? s[0] : s[0] & (0x7f >> want);
	for (size_t k = 1; k < want; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < least[want] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return want;
}

static int
is_blank(long cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

/*
 * Fails the test unless `out` is valid UTF-8 holding no C0 control (LF
 * only when `lines`), no DEL, no C1 control, no bidi or line-separator
 * character, no "##[" and no line that starts, blanks aside, with "::".
 */
static void
assert_safe(const char *what, const char *out, int lines)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t len = strlen(out), i = 0, n;
	int line_start = 1;
	long cp = 0;

	while (i < len) {
		ck_assert_msg((n = decode_one(s + i, len - i, &cp)) != 0,
		    "%s: not UTF-8 at byte %zu of \"%s\"", what, i, shown(out, len));
		ck_assert_msg(!(cp < 0x20 && !(cp == '\n' && lines)) &&
		    !(cp >= 0x7f && cp <= 0x9f),
		    "%s: control U+%04lX left in \"%s\"", what, cp, shown(out, len));
		ck_assert_msg(!(cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)),
		    "%s: format character U+%04lX left in \"%s\"", what, cp, shown(out, len));
		ck_assert_msg(!(line_start && cp == ':' && s[i + 1] == ':'),
		    "%s: a line starts with \"::\" in \"%s\"", what, shown(out, len));
		line_start = cp == '\n' || (line_start && is_blank(cp));
		i += n;
	}
	ck_assert_msg(strstr(out, "##[") == NULL, "%s: \"##[\" left in \"%s\"",
	    what, shown(out, len));
}

/* --- the ECMA-48 set, the runner's commands, bad UTF-8 ---------------------- */

#define S(lit) { #lit, lit, sizeof(lit) - 1 }

static const struct hostile {
	const char *name;
	const char *bytes;
	size_t len;
} sequences[] = {
	S("\x1b[31mred\x1b[0m"),                              /* CSI SGR */
	S("\x1b[2J\x1b[H"),                                   /* erase, home */
	S("\x1b[?1049h\x1b[6n"),                              /* private, DSR */
	S("\xc2\x9b" "31mred" "\xc2\x9b" "0m"),               /* CSI as U+009B */
	S("\x9b" "2J" "\x9b" "0m"),                           /* CSI as a raw byte */
	S("\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"),      /* OSC 8, BEL */
	S("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"), /* OSC 8, ST */
	S("\x1b]52;c;ZXZpbA==\x07"),                          /* OSC 52, BEL */
	S("\x1b]52;c;ZXZpbA==\x1b\\"),                        /* OSC 52, ST */
	S("\xc2\x9d" "52;c;ZXZpbA==" "\xc2\x9c"),             /* OSC, ST as U+009D/9C */
	S("\x9d" "8;;https://evil.example/" "\x9c" "x"),      /* OSC, ST raw */
	S("\x1b]0;title\x07"),                                /* window title */
	S("\x1bP+q544e\x1b\\"),                               /* DCS */
	S("\xc2\x90" "1$r" "\xc2\x9c"),                       /* DCS as U+0090 */
	S("\x1b_apc\x1b\\" "\xc2\x9f" "apc" "\xc2\x9c"),      /* APC */
	S("\xc2\x9e" "pm" "\xc2\x98" "sos"),                  /* PM, SOS */
	S("\x1bN" "\x1bO" "\xc2\x8e" "\xc2\x8f"),             /* SS2, SS3 */
	S("\xc2\x85" "\x1b" "D" "\x1b" "M" "\x1b" "c"),       /* NEL, IND, RI, RIS */
	S("\x1b G"),                                          /* S8C1T */
	S("abc\b\b\bxyz"),                                    /* overstrike */
	S("safe\rEVIL"),                                      /* bare CR */
	S("\r::add-mask::x"),                                 /* runner, after CR */
	S("\n::error::boom"),                                 /* runner, after LF */
	S("::stop-commands::tok"),                            /* runner, at start */
	S("\t::warning::w"),                                  /* runner, blank first */
	S("\xc2\xa0::notice::n"),                             /* NBSP first */
	S("\xe3\x80\x80::group::g"),                          /* U+3000 first */
	S("text ##[stop-commands]tok"),                       /* legacy, mid-line */
	S("#" "\x1b" "#[error]x"),                            /* ESC between */
	S("\xe2\x80\xae" "evil" "\xe2\x80\xac"),              /* RLO ... PDF */
	S("\xe2\x81\xa6" "\xe2\x81\xa7" "\xe2\x81\xa8" "\xe2\x81\xa9"), /* isolates */
	S("\xe2\x80\x8e" "\xe2\x80\x8f" "\xd8\x9c"),          /* LRM, RLM, ALM */
	S("one" "\xe2\x80\xa8" "two" "\xe2\x80\xa9"),         /* line, paragraph sep */
	S("a\0b"),                                            /* NUL inside */
	/* invalid UTF-8, class by class */
	S("\x80" "\xbf"),                                     /* lone continuations */
	S("\xc0\x80" "\xc1\xbf" "\xc0\x9b"),                  /* overlong 2 (NUL, ESC) */
	S("\xe0\x80\x80" "\xe0\x82\x9b" "\xe0\x9f\xbf"),      /* overlong 3 (U+009B) */
	S("\xf0\x80\x80\x80" "\xf0\x8f\xbf\xbf"),             /* overlong 4 */
	S("\xed\xa0\x80" "\xed\xbf\xbf"),                     /* surrogates */
	S("\xed\xa0\xbd\xed\xb8\x80"),                        /* a surrogate pair */
	S("\xf4\x90\x80\x80" "\xf7\xbf\xbf\xbf"),             /* over U+10FFFF */
	S("\xf8\x88\x80\x80\x80" "\xfc\x84\x80\x80\x80\x80"), /* 5 and 6 bytes */
	S("\xfe" "\xff"),
	S("\xc3"),                                            /* truncated at the end */
	S("\xe6\x97"),
	S("\xf0\x9f\x98"),
	S("\xe6\x97" "x" "\xf0\x9f" "\x1b[1m"),               /* truncated, then more */
	S("\xc2" "\x9b"),                                     /* (valid: U+009B again) */
};

/* Every single C0 and C1 control, raw and encoded, and DEL, between "a"
 * and "b": into `in`; returns its length. */
static size_t
control_case(int k, char in[8])
{
	size_t n = 0;

	in[n++] = 'a';
	if (k < 0x20)
		in[n++] = (char)k;                  /* C0 */
	else if (k == 0x20)
		in[n++] = 0x7f;                     /* DEL */
	else if (k < 0x41)
		in[n++] = (char)(0x80 + k - 0x21);  /* C1, raw */
	else {
		in[n++] = (char)0xc2;               /* C1, UTF-8 */
		in[n++] = (char)(0x80 + k - 0x41);
	}
	in[n++] = 'b';
	in[n] = '\0';
	return n;
}
#define CONTROL_CASES 0x61

START_TEST(test_every_c0_and_c1_control_becomes_one_placeholder)
{
	char in[8], out[8], what[64];
	size_t n = control_case(_i, in);
	int ws = _i == '\t' || _i == '\n' || _i == '\v' || _i == '\f' || _i == '\r';

	snprintf(what, sizeof(what), "control \"%s\"", shown(in, n));
	ck_assert_uint_eq(text_sanitise(out, sizeof(out), in, n, 0), 3);
	ck_assert_msg(strcmp(out, "a?b") == 0, "%s: got \"%s\"", what, shown(out, strlen(out)));
	(void)text_sanitise(out, sizeof(out), in, n, TEXT_SPACES);
	ck_assert_msg(strcmp(out, ws ? "a b" : "a?b") == 0, "%s with TEXT_SPACES: got \"%s\"",
	    what, shown(out, strlen(out)));
	(void)text_sanitise(out, sizeof(out), in, n, TEXT_LINES);
	ck_assert_msg(strcmp(out, _i == '\n' ? "a\nb" : "a?b") == 0,
	    "%s with TEXT_LINES: got \"%s\"", what, shown(out, strlen(out)));
}
END_TEST

START_TEST(test_the_hostile_set_comes_out_safe_in_every_mode)
{
	static const unsigned int modes[] = { 0, TEXT_SPACES, TEXT_LINES, TEXT_SPACES | TEXT_LINES };
	const struct hostile *h = &sequences[_i];
	char out[256], again[256], what[300];

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		size_t n = text_sanitise(out, sizeof(out), h->bytes, h->len, modes[m]);

		snprintf(what, sizeof(what), "%s (mode %u)", h->name, modes[m]);
		ck_assert_uint_eq(n, strlen(out));
		ck_assert_msg(n <= h->len, "%s: grew from %zu to %zu bytes", what, h->len, n);
		assert_safe(what, out, (modes[m] & TEXT_LINES) != 0);
		/* A second pass changes nothing: the sinks may meet text
		 * that was cleaned already. */
		(void)text_sanitise(again, sizeof(again), out, n, modes[m]);
		ck_assert_msg(strcmp(again, out) == 0, "%s: not idempotent", what);
		/* In place gives the same. */
		memcpy(again, h->bytes, h->len);
		(void)text_sanitise(again, h->len + 1, again, h->len, modes[m]);
		ck_assert_msg(strcmp(again, out) == 0, "%s: in place differs", what);
	}
}
END_TEST

static const struct {
	const char *in;
	const char *out;
	unsigned int flags;
} exact[] = {
	{ "a\x1b[31mred\x1b[0m", "a?[31mred?[0m", 0 },
	{ "\xc2\x9b" "31m", "?31m", 0 },
	{ "\x9b" "2J", "?2J", 0 },
	{ "\x1b]8;;https://e.example/\x07go\x1b]8;;\x07", "?]8;;https://e.example/?go?]8;;?", 0 },
	{ "\xc2\x9d" "52;c;eA==" "\xc2\x9c", "?52;c;eA==?", 0 },
	{ "safe\rEVIL", "safe?EVIL", 0 },
	{ "safe\rEVIL", "safe EVIL", TEXT_SPACES },
	{ "read:packages\r::add-mask::x", "read:packages?::add-mask::x", 0 },
	{ "::error::boom", "?:error::boom", 0 },
	{ "  ::error::boom", "  ?:error::boom", 0 },
	{ "\r::error::boom", " ?:error::boom", TEXT_SPACES },
	{ "fix:\n::error::boom", "fix:\n?:error::boom", TEXT_LINES },
	{ "##[stop-commands]tok", "##?stop-commands]tok", 0 },
	{ "a ##[error]b ##[warning]c", "a ##?error]b ##?warning]c", 0 },
	{ "\xe6\x97" "x", "??x", 0 },
	{ "\xc0\x9b", "??", 0 },
	{ "\xe0\x82\x9b", "???", 0 },
	{ "\xed\xa0\x80", "???", 0 },
	{ "\xf4\x90\x80\x80", "????", 0 },
	{ "\xe2\x80\xae" "gnp.exe", "?gnp.exe", 0 },
};

START_TEST(test_the_placeholder_form_is_exact)
{
	char out[128];

	(void)text_sanitise(out, sizeof(out), exact[_i].in, strlen(exact[_i].in),
	    exact[_i].flags);
	ck_assert_msg(strcmp(out, exact[_i].out) == 0, "\"%s\": expected \"%s\", got \"%s\"",
	    exact[_i].in, exact[_i].out, shown(out, strlen(out)));
}
END_TEST

START_TEST(test_ordinary_text_and_valid_non_ascii_pass_unchanged)
{
	static const char *const fine[] = {
		"DENIED: requested access to the resource is denied",
		"read:packages, repo, write:packages",
		"2026-12-31 23:59:59 UTC",
		"https://ghcr.io/token?service=ghcr.io&scope=repository:o/n:pull",
		"caf\xc3\xa9 \xc3\xa9t\xc3\xa9",               /* é */
		"\xe6\x97\xa5\xe6\x9c\xac",                    /* 日本 */
		"ghp_\xe2\x80\xa6" "abcd",                     /* the token mask */
		"\xf0\x9f\x98\x80",                            /* U+1F600 */
		"\xf4\x8f\xbf\xbf",                            /* U+10FFFF */
		"\xc2\xa0\xc2\xa1",                            /* U+00A0, just past C1 */
		"\xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80",      /* U+0800, U+D7FF, U+E000 */
		"\xef\xbf\xbd",                                /* U+FFFD */
		"a:b::c # [x] #[y] ## [z]",                    /* near-misses */
		"\xe2\x80\x8b\xe2\x80\x8d",                    /* ZWSP, ZWJ */
	};
	char out[256];

	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		ck_assert_uint_eq(text_sanitise(out, sizeof(out), fine[i], strlen(fine[i]), 0),
		    strlen(fine[i]));
		ck_assert_msg(strcmp(out, fine[i]) == 0, "\"%s\" changed to \"%s\"",
		    shown(fine[i], strlen(fine[i])), shown(out, strlen(out)));
	}
}
END_TEST

START_TEST(test_output_is_cut_between_characters)
{
	char out[8];

	/* 日本 is 6 bytes: 5 bytes of room hold one character. */
	ck_assert_uint_eq(text_sanitise(out, 5, "\xe6\x97\xa5\xe6\x9c\xac", 6, 0), 3);
	ck_assert_str_eq(out, "\xe6\x97\xa5");
	ck_assert_uint_eq(text_sanitise(out, 3, "\xe6\x97\xa5", 3, 0), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(text_sanitise(out, 1, "abc", 3, 0), 0);
	ck_assert_str_eq(out, "");
	out[0] = 'x';
	ck_assert_uint_eq(text_sanitise(out, 0, "abc", 3, 0), 0);
	ck_assert_int_eq(out[0], 'x');
	ck_assert_uint_eq(text_sanitise(out, 4, "ab\x1b" "cd", 5, 0), 3);
	ck_assert_str_eq(out, "ab?");
}
END_TEST

/* --- the three places that print outside text ------------------------------- */

/* What `fn(arg)` writes to stdout, in a malloc()ed string. */
static char *
stdout_of(void (*fn)(const char *), const char *arg)
{
	char path[] = "/tmp/ghcr-text-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	char *text = calloc(1, 65536);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(text);
	fflush(stdout);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	fn(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, text, 65535, 0);
	ck_assert_int_ge(n, 0);
	close(fd);
	unlink(path);
	return text;
}

static void
put_clean(const char *s)
{
	report_put_clean(s, 0);
}

/* Frees what jansson allocated (the runner points it at secmem). */
static void
json_release(char *text)
{
	json_malloc_t jmalloc;
	json_free_t jfree;

	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
}

/* A hostile case as a C string (a NUL inside ends it, as it would). */
static char *
case_string(const struct hostile *h)
{
	char *s = calloc(1, h->len + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, h->bytes, h->len);
	return s;
}

START_TEST(test_the_error_detail_is_clean)
{
	char *s = case_string(&sequences[_i]), what[300];

	snprintf(what, sizeof(what), "ghcr_fail() of %s", sequences[_i].name);
	(void)ghcr_fail(GHCR_ERR_UNAVAILABLE, "ghcr.io refused the token: %s", s);
	assert_safe(what, ghcr_error_detail(), 0);
	ck_assert_ptr_nonnull(strstr(ghcr_error_detail(), "ghcr.io refused the token: "));
	ghcr_error_clear();
	free(s);
}
END_TEST

START_TEST(test_the_registry_error_words_are_clean)
{
	const struct hostile *h = &sequences[_i];
	char body[1024], out[512], what[300];
	char *s = case_string(h);
	json_t *doc = json_pack("{s:[{s:s,s:s}]}", "errors", "code", "DENIED",
	    "message", s);
	char *text;

	/* As a registry sends it: JSON (valid UTF-8 only, \u escapes)... */
	if (doc != NULL && (text = json_dumps(doc, JSON_COMPACT)) != NULL) {
		registry_error_words(text, strlen(text), out, sizeof(out));
		snprintf(what, sizeof(what), "registry JSON error with %s", h->name);
		assert_safe(what, out, 0);
		ck_assert_msg(strncmp(out, "DENIED: ", 8) == 0, "%s: got %s", what, out);
		json_release(text);
	}
	json_decref(doc);
	/* ... and as a body that is not JSON, raw bytes and all. */
	memcpy(body, "<html>", 6);
	memcpy(body + 6, h->bytes, h->len);
	memcpy(body + 6 + h->len, "</html>", 7);
	registry_error_words(body, 6 + h->len + 7, out, sizeof(out));
	snprintf(what, sizeof(what), "registry text error with %s", h->name);
	assert_safe(what, out, 0);
	free(s);
}
END_TEST

START_TEST(test_the_report_tables_and_documents_are_clean)
{
	char *s = case_string(&sequences[_i]), *printed, *dumped, what[300];
	json_t *v;

	snprintf(what, sizeof(what), "report_put_clean() of %s", sequences[_i].name);
	printed = stdout_of(put_clean, s);
	assert_safe(what, printed, 0);
	/* --json carries the same safe form: jq -r would turn an escaped
	 * control back into the byte itself. */
	snprintf(what, sizeof(what), "report_str() of %s", sequences[_i].name);
	v = report_str(s);
	ck_assert_ptr_nonnull(v);
	assert_safe(what, json_string_value(v), 0);
	ck_assert_ptr_nonnull(dumped = json_dumps(v, JSON_ENCODE_ANY));
	assert_safe(what, dumped, 0);
	json_release(dumped);
	json_decref(v);
	free(printed);
	free(s);
}
END_TEST

Suite *suite_text(void);

Suite *
suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("sanitiser");
	int n = (int)(sizeof(sequences) / sizeof(sequences[0]));

	tcase_add_loop_test(tc, test_every_c0_and_c1_control_becomes_one_placeholder,
	    0, CONTROL_CASES);
	tcase_add_loop_test(tc, test_the_hostile_set_comes_out_safe_in_every_mode, 0, n);
	tcase_add_loop_test(tc, test_the_placeholder_form_is_exact, 0,
	    (int)(sizeof(exact) / sizeof(exact[0])));
	tcase_add_test(tc, test_ordinary_text_and_valid_non_ascii_pass_unchanged);
	tcase_add_test(tc, test_output_is_cut_between_characters);
	suite_add_tcase(s, tc);
	tc = tcase_create("users");
	tcase_add_loop_test(tc, test_the_error_detail_is_clean, 0, n);
	tcase_add_loop_test(tc, test_the_registry_error_words_are_clean, 0, n);
	tcase_add_loop_test(tc, test_the_report_tables_and_documents_are_clean, 0, n);
	suite_add_tcase(s, tc);
	return s;
}
