/*
 * Token kinds by prefix and the masked form status and login print: the
 * mask never shows more than the prefix and the last four characters, and
 * nothing at all of a token too short to hide.
 */
#include <check.h>
#include <string.h>

#include "token_kind.h"

static const struct {
	const char *token;
	enum token_kind kind;
	const char *id;
	int warns;
	const char *mask;
} cases[] = {
	{ "ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234", TOKEN_CLASSIC, "classic", 0, "ghp_\xe2\x80\xa6" "1234" },
	{ "github_pat_11ABCDEFG0abcdefghijklmn_opqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV", TOKEN_FINE_GRAINED, "fine-grained", 1, "github_pat_\xe2\x80\xa6" "STUV" },
	{ "gho_16C7e42F292c6912E7710c838347Ae178B4a", TOKEN_OAUTH, "oauth", 1, "gho_\xe2\x80\xa6" "8B4a" },
	{ "ghs_16C7e42F292c6912E7710c838347Ae178B4a", TOKEN_INSTALLATION, "installation", 0, "ghs_\xe2\x80\xa6" "8B4a" },
	{ "ghu_16C7e42F292c6912E7710c838347Ae178B4a", TOKEN_USER_TO_SERVER, "user-to-server", 0, "ghu_\xe2\x80\xa6" "8B4a" },
	{ "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498", TOKEN_REFRESH, "refresh", 1, "ghr_\xe2\x80\xa6" "1498" },
	{ "a-registry-password-of-some-length", TOKEN_UNKNOWN, "unknown", 0, "\xe2\x80\xa6" "ngth" },
	/* Too short to hide: nothing of it is shown. */
	{ "ghp_short", TOKEN_CLASSIC, "classic", 0, "<classic>" },
	{ "ghp_0123456789abcde", TOKEN_CLASSIC, "classic", 0, "<classic>" },
	{ "hunter2", TOKEN_UNKNOWN, "unknown", 0, "<unknown>" },
	{ "", TOKEN_UNKNOWN, "unknown", 0, "<unknown>" },
	/* The prefix is case-sensitive, as GitHub issues it. */
	{ "GHP_AAAAbbbbCCCCddddEEEEffffGGGGhhhh1234", TOKEN_UNKNOWN, "unknown", 0, "\xe2\x80\xa6" "1234" },
	/* A tail that could drive a terminal is not shown. */
	{ "a-long-enough-secret-with-escape\x1b[2J", TOKEN_UNKNOWN, "unknown", 0, "<unknown>" },
};

START_TEST(test_kind_by_prefix)
{
	ck_assert_msg(token_kind_of(cases[_i].token) == cases[_i].kind,
	    "'%.12s...': expected kind %s, got %s", cases[_i].token, cases[_i].id,
	    token_kind_id(token_kind_of(cases[_i].token)));
	ck_assert_str_eq(token_kind_id(cases[_i].kind), cases[_i].id);
	ck_assert_msg((token_kind_warning(cases[_i].kind) != NULL) == cases[_i].warns,
	    "%s: expected %s", cases[_i].id, cases[_i].warns ? "a warning" : "no warning");
}
END_TEST

START_TEST(test_mask_shows_prefix_and_last_four_only)
{
	char mask[TOKEN_MASK_MAX];
	size_t len = strlen(cases[_i].token);
	const char *ellipsis;
	size_t body;

	token_mask(cases[_i].token, mask);
	ck_assert_msg(strcmp(mask, cases[_i].mask) == 0, "token %d: expected mask "
	    "'%s', got '%s'", _i, cases[_i].mask, mask);
	/* Whatever the format: no 5 consecutive characters of the body
	 * (between the prefix and the last 4) appear in the mask. */
	ellipsis = strstr(mask, "\xe2\x80\xa6");
	body = ellipsis != NULL ? (size_t)(ellipsis - mask) : 0;
	for (size_t i = body; len >= 9 && i + 5 <= len - 4; i++)
		ck_assert_msg(strstr(mask, (char[6]){ cases[_i].token[i],
		    cases[_i].token[i + 1], cases[_i].token[i + 2],
		    cases[_i].token[i + 3], cases[_i].token[i + 4], 0 }) == NULL,
		    "the mask '%s' reveals part of the token body", mask);
}
END_TEST

START_TEST(test_mask_of_null_is_the_kind)
{
	char mask[TOKEN_MASK_MAX];

	token_mask(NULL, mask);
	ck_assert_str_eq(mask, "<unknown>");
	ck_assert_int_eq(token_kind_of(NULL), TOKEN_UNKNOWN);
}
END_TEST

START_TEST(test_fine_grained_warning_names_the_fix)
{
	const char *w = token_kind_warning(TOKEN_FINE_GRAINED);

	ck_assert_msg(strstr(w, "classic personal access token") != NULL &&
	    strstr(w, "read:packages") != NULL,
	    "the warning should say what to use instead, got '%s'", w);
}
END_TEST

Suite *suite_token_kind(void);

Suite *
suite_token_kind(void)
{
	Suite *s = suite_create("token_kind");
	TCase *tc = tcase_create("kinds");
	int n = (int)(sizeof(cases) / sizeof(cases[0]));

	tcase_add_loop_test(tc, test_kind_by_prefix, 0, n);
	tcase_add_loop_test(tc, test_mask_shows_prefix_and_last_four_only, 0, n);
	tcase_add_test(tc, test_mask_of_null_is_the_kind);
	tcase_add_test(tc, test_fine_grained_warning_names_the_fix);
	suite_add_tcase(s, tc);
	return s;
}
