/*
 * The wire format: store requests, get/erase requests, answers, and the
 * stdin reader's limit.
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "protocol.h"
#include "secmem.h"

static int
parse_store(const char *text, struct credential *c)
{
	return protocol_parse_store(text, strlen(text), c);
}

START_TEST(test_store_request_is_parsed_and_normalised)
{
	struct credential c;

	ck_assert_int_eq(parse_store("{\"ServerURL\":\"https://GHCR.io/v2/\","
	    "\"Username\":\"octocat\",\"Secret\":\"ghp_abc\"}\n", &c), GHCR_OK);
	ck_assert_str_eq(c.server, "ghcr.io");
	ck_assert_str_eq(c.username, "octocat");
	ck_assert_str_eq(c.secret, "ghp_abc");
	credential_clear(&c);
	ck_assert_ptr_null(c.secret);
}
END_TEST

START_TEST(test_identity_token_username_is_kept)
{
	struct credential c;

	ck_assert_int_eq(parse_store("{\"ServerURL\":\"ghcr.io\",\"Username\":"
	    "\"<token>\",\"Secret\":\"refresh\"}", &c), GHCR_OK);
	ck_assert_str_eq(c.username, "<token>");
	credential_clear(&c);
}
END_TEST

START_TEST(test_unknown_members_are_ignored)
{
	struct credential c;

	ck_assert_int_eq(parse_store("{\"ServerURL\":\"ghcr.io\",\"Username\":"
	    "\"u\",\"Secret\":\"s\",\"Extra\":[1,2,{}]}", &c), GHCR_OK);
	credential_clear(&c);
}
END_TEST

static const struct {
	const char *input;
	int status;
} bad_store[] = {
	{ "", GHCR_ERR_BAD_INPUT },
	{ "   \n", GHCR_ERR_BAD_INPUT },
	{ "null", GHCR_ERR_BAD_INPUT },
	{ "[]", GHCR_ERR_BAD_INPUT },
	{ "\"ghcr.io\"", GHCR_ERR_BAD_INPUT },
	{ "42", GHCR_ERR_BAD_INPUT },
	{ "true", GHCR_ERR_BAD_INPUT },
	{ "{", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\"", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\"} x", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\"}{}", GHCR_ERR_BAD_INPUT },
	{ "{}", GHCR_ERR_NO_SERVER },
	{ "{\"ServerURL\":null,\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_NO_SERVER },
	{ "{\"ServerURL\":\"\",\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_NO_SERVER },
	{ "{\"ServerURL\":\"ghcr.io\",\"Secret\":\"s\"}", GHCR_ERR_NO_USERNAME },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"\",\"Secret\":\"s\"}", GHCR_ERR_NO_USERNAME },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":1,\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":[],\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":{}}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\\u0000x\",\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\\u0000\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\\n\",\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\\t\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"Username\":\"\xff\",\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io\",\"ServerURL\":\"evil.com\",\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_BAD_INPUT },
	{ "{\"ServerURL\":\"ghcr.io@evil.com\",\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_BAD_SERVER },
	{ "{\"ServerURL\":\"https://\",\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_BAD_SERVER },
	{ "{\"ServerURL\":\"gh cr.io\",\"Username\":\"u\",\"Secret\":\"s\"}", GHCR_ERR_BAD_SERVER },
};

START_TEST(test_malformed_store_requests_are_refused)
{
	struct credential c;
	int r = parse_store(bad_store[_i].input, &c);

	ck_assert_msg(r == bad_store[_i].status,
	    "input %d: expected status %d, got %d", _i, bad_store[_i].status, r);
	ck_assert_msg(c.server == NULL && c.username == NULL && c.secret == NULL,
	    "input %d: nothing may be returned on failure", _i);
}
END_TEST

START_TEST(test_raw_nul_byte_is_refused)
{
	static const char input[] = "{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"s\0x\"}";
	struct credential c;
	char server[SERVER_MAX];

	ck_assert_int_eq(protocol_parse_store(input, sizeof(input) - 1, &c),
	    GHCR_ERR_BAD_INPUT);
	ck_assert_int_eq(protocol_parse_server("ghcr.io\0evil", 12, server),
	    GHCR_ERR_BAD_INPUT);
}
END_TEST

START_TEST(test_deep_nesting_is_refused)
{
	size_t depth = 100000, n = 2 * depth + 1;
	char *input = malloc(n);
	struct credential c;

	memset(input, '[', depth);
	memset(input + depth, ']', depth);
	input[n - 1] = '\0';
	ck_assert_int_eq(protocol_parse_store(input, n - 1, &c), GHCR_ERR_BAD_INPUT);
	free(input);
}
END_TEST

START_TEST(test_get_request_accepts_surrounding_white_space)
{
	char server[SERVER_MAX];

	ck_assert_int_eq(protocol_parse_server("ghcr.io", 7, server), GHCR_OK);
	ck_assert_str_eq(server, "ghcr.io");
	ck_assert_int_eq(protocol_parse_server(" https://ghcr.io/ \n", 19, server), GHCR_OK);
	ck_assert_str_eq(server, "ghcr.io");
	ck_assert_int_eq(protocol_parse_server("", 0, server), GHCR_ERR_NO_SERVER);
	ck_assert_int_eq(protocol_parse_server("\n", 1, server), GHCR_ERR_NO_SERVER);
}
END_TEST

START_TEST(test_answer_is_json_with_the_three_members)
{
	char server[] = "ghcr.io", user[] = "octocat", secret[] = "tok\"en\\";
	struct credential c = { server, user, secret, 0 };
	char *out;
	size_t len;
	json_t *back;

	ck_assert_int_eq(protocol_format_credential(&c, &out, &len), GHCR_OK);
	ck_assert_int_eq(out[len - 1], '\n');
	back = json_loadb(out, len, 0, NULL);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_string_value(json_object_get(back, "ServerURL")), "ghcr.io");
	ck_assert_str_eq(json_string_value(json_object_get(back, "Username")), "octocat");
	ck_assert_str_eq(json_string_value(json_object_get(back, "Secret")), "tok\"en\\");
	json_decref(back);
	secmem_free(out);
}
END_TEST

START_TEST(test_list_answer_is_one_sorted_line)
{
	json_t *listing = json_object();
	char *out;
	size_t len;

	json_object_set_new(listing, "ghcr.io", json_string("octocat"));
	json_object_set_new(listing, "127.0.0.1:5000", json_string("local"));
	ck_assert_int_eq(protocol_format_list(listing, &out, &len), GHCR_OK);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_str_eq(out, "{\"127.0.0.1:5000\":\"local\",\"ghcr.io\":\"octocat\"}\n");
	secmem_free(out);
	json_object_clear(listing);
	ck_assert_int_eq(protocol_format_list(listing, &out, &len), GHCR_OK);
	ck_assert_str_eq(out, "{}\n");
	secmem_free(out);
	json_decref(listing);
}
END_TEST

/* Feeds `len` bytes through a pipe from a child and reads them back. */
static int
read_through_pipe(size_t len, size_t limit, size_t *got)
{
	int fds[2];
	char *buf = NULL;
	int r;

	ck_assert_int_eq(pipe(fds), 0);
	if (fork() == 0) {
		static char block[65536];
		size_t left = len;

		close(fds[0]);
		memset(block, 'a', sizeof(block));
		while (left > 0) {
			size_t n = left < sizeof(block) ? left : sizeof(block);
			ssize_t w = write(fds[1], block, n);

			if (w <= 0)
				_exit(0);
			left -= (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	r = protocol_read_all(fds[0], limit, &buf, got);
	close(fds[0]);
	secmem_free(buf);
	return r;
}

START_TEST(test_input_up_to_the_limit_is_read_without_line_cap)
{
	size_t got;

	ck_assert_int_eq(read_through_pipe(PROTOCOL_MAX_INPUT, PROTOCOL_MAX_INPUT, &got), GHCR_OK);
	ck_assert_uint_eq(got, PROTOCOL_MAX_INPUT);
	ck_assert_int_eq(read_through_pipe(200000, PROTOCOL_MAX_INPUT, &got), GHCR_OK);
	ck_assert_uint_eq(got, 200000);
}
END_TEST

START_TEST(test_input_over_the_limit_is_refused)
{
	size_t got;

	ck_assert_int_eq(read_through_pipe(PROTOCOL_MAX_INPUT + 1, PROTOCOL_MAX_INPUT, &got),
	    GHCR_ERR_TOO_LARGE);
	ck_assert_int_eq(read_through_pipe(40u << 20, PROTOCOL_MAX_INPUT, &got),
	    GHCR_ERR_TOO_LARGE);
}
END_TEST

Suite *suite_protocol(void);

Suite *
suite_protocol(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc;

	tc = tcase_create("store request");
	tcase_add_test(tc, test_store_request_is_parsed_and_normalised);
	tcase_add_test(tc, test_identity_token_username_is_kept);
	tcase_add_test(tc, test_unknown_members_are_ignored);
	tcase_add_loop_test(tc, test_malformed_store_requests_are_refused, 0,
	    sizeof(bad_store) / sizeof(bad_store[0]));
	tcase_add_test(tc, test_raw_nul_byte_is_refused);
	tcase_add_test(tc, test_deep_nesting_is_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("get request and answer");
	tcase_add_test(tc, test_get_request_accepts_surrounding_white_space);
	tcase_add_test(tc, test_answer_is_json_with_the_three_members);
	tcase_add_test(tc, test_list_answer_is_one_sorted_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("stdin");
	tcase_add_test(tc, test_input_up_to_the_limit_is_read_without_line_cap);
	tcase_add_test(tc, test_input_over_the_limit_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
