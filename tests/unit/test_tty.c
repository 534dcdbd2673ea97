/*
 * What login accepts as a token read from standard input or a terminal
 * line: surrounding white space and the newline go, anything else that
 * cannot be a token (empty, several lines, NUL or control bytes) is
 * refused with a line that says why.
 */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "secmem.h"
#include "tty.h"

static const struct {
	const char *in;
	size_t len;
	const char *out; /* NULL: refused */
	const char *why;
} lines[] = {
	{ "ghp_abc\n", 8, "ghp_abc", NULL },
	{ "ghp_abc\r\n", 9, "ghp_abc", NULL },
	{ "  ghp_abc \t\n\n", 13, "ghp_abc", NULL },
	{ "ghp_abc", 7, "ghp_abc", NULL },
	{ "pass word", 9, "pass word", NULL },
	{ "", 0, NULL, "empty" },
	{ " \n\t\r\n", 5, NULL, "empty" },
	{ "ghp_a\nghp_b\n", 12, NULL, "one line" },
	{ "ghp_a\0b", 7, NULL, "NUL" },
	{ "ghp_a\x1b" "b", 7, NULL, "control" },
};

START_TEST(test_clean_line)
{
	char buf[64];
	size_t len = lines[_i].len;
	int r;

	memcpy(buf, lines[_i].in, len);
	buf[len] = '\0';
	r = tty_clean_line(buf, &len, "token");
	if (lines[_i].out != NULL) {
		ck_assert_msg(r == GHCR_OK, "case %d: expected success, got '%s'",
		    _i, ghcr_error_message(r));
		ck_assert_str_eq(buf, lines[_i].out);
		ck_assert_int_eq(len, strlen(lines[_i].out));
	} else {
		ck_assert_msg(r == GHCR_ERR_BAD_INPUT, "case %d: expected refusal", _i);
		ck_assert_msg(strstr(ghcr_error_detail(), lines[_i].why) != NULL,
		    "case %d: expected '%s' in '%s'", _i, lines[_i].why,
		    ghcr_error_detail());
	}
}
END_TEST

/* tty_read_stdin on a real pipe standing in for standard input. */
static int
read_stdin_from(const char *data, size_t len, char **out)
{
	int p[2], saved, r;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	r = tty_read_stdin(out);
	dup2(saved, STDIN_FILENO);
	close(saved);
	return r;
}

START_TEST(test_password_stdin_reads_to_eof)
{
	char *tok = NULL;

	ck_assert_int_eq(read_stdin_from("ghp_fromstdin\n", 14, &tok), GHCR_OK);
	ck_assert_str_eq(tok, "ghp_fromstdin");
	secmem_free(tok);
}
END_TEST

START_TEST(test_password_stdin_refuses_empty_input)
{
	char *tok = NULL;

	ck_assert_int_eq(read_stdin_from("", 0, &tok), GHCR_ERR_BAD_INPUT);
	ck_assert(tok == NULL);
}
END_TEST

Suite *suite_tty(void);

Suite *
suite_tty(void)
{
	Suite *s = suite_create("tty");
	TCase *tc = tcase_create("lines");

	tcase_add_loop_test(tc, test_clean_line, 0, (int)(sizeof(lines) / sizeof(lines[0])));
	tcase_add_test(tc, test_password_stdin_reads_to_eof);
	tcase_add_test(tc, test_password_stdin_refuses_empty_input);
	suite_add_tcase(s, tc);
	return s;
}
