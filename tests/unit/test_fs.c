/*
 * The two primitives every file reader goes through: the line reader
 * (lines are never split: an overlong line is an error naming the file
 * and the line) and the safe open (never blocks on a FIFO, a regular file
 * only, a size limit, and for private files no symlink and an owner and
 * mode check).
 */
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "errors.h"
#include "fs.h"
#include "lines.h"
#include "testutil.h"

#define PATHSZ (sizeof(test_tmpdir) + 32)

static void
setup(void)
{
	test_tmpdir_setup();
	ghcr_error_clear();
}

static void
teardown(void)
{
	test_tmpdir_teardown();
}

/* test_tmpdir/name into out. */
static const char *
tmp_path(char out[PATHSZ], const char *name)
{
	snprintf(out, PATHSZ, "%s/%s", test_tmpdir, name);
	return out;
}

static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(fd != -1, "cannot create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* The detail of the last failure, never NULL. */
static const char *
detail(void)
{
	const char *d = ghcr_error_detail();

	return d != NULL ? d : "";
}

/* --- the line reader ------------------------------------------------------ */

/* Cuts text into lines joined by '|'; the last status in *last. */
static const char *
cut(const char *text, size_t len, size_t max, unsigned flags, int *last)
{
	static char out[256];
	struct lines ls;
	const char *line;
	size_t n, used = 0;
	int r;

	out[0] = '\0';
	lines_start(&ls, text, len, max, flags, "f.conf");
	while ((r = lines_next(&ls, &line, &n)) == 1)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%.*s",
		    used > 0 ? "|" : "", (int)n, line);
	*last = r;
	return out;
}

START_TEST(test_lines_end_at_lf_or_crlf_and_the_last_needs_no_end)
{
	int r;

	ck_assert_str_eq(cut("a\nb\r\nc", 6, 10, 0, &r), "a|b|c");
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(cut("a\n", 2, 10, 0, &r), "a");
	ck_assert_str_eq(cut("a\n\n", 3, 10, 0, &r), "a|");
	ck_assert_str_eq(cut("", 0, 10, 0, &r), "");
	ck_assert_int_eq(r, 0);
	/* A bare CR is no line end: it stays in the line. */
	ck_assert_str_eq(cut("a\rb\n", 4, 10, 0, &r), "a\rb");
}
END_TEST

START_TEST(test_an_overlong_line_is_an_error_naming_its_number)
{
	struct lines ls;
	const char *line;
	size_t n;
	char text[64];

	/* "ok", then 11 bytes under a limit of 10, then a line that fits:
	 * exactly the limit is accepted, one more is refused, and the rest
	 * never becomes a line of its own. */
	snprintf(text, sizeof(text), "ok\n0123456789hosts\nhosts = x\n");
	lines_start(&ls, text, strlen(text), 10, 0, "f.conf");
	ck_assert_int_eq(lines_next(&ls, &line, &n), 1);
	ck_assert_int_eq(lines_next(&ls, &line, &n), GHCR_ERR_BAD_INPUT);
	ck_assert_msg(strstr(detail(), "f.conf:2: line longer than 10 bytes") != NULL,
	    "expected the file and line 2 in the detail, got \"%s\"", detail());
	/* After a failure, the failure again: never the next line. */
	ck_assert_int_eq(lines_next(&ls, &line, &n), GHCR_ERR_BAD_INPUT);

	lines_start(&ls, "0123456789\r\n", 12, 10, 0, "f.conf");
	ck_assert_int_eq(lines_next(&ls, &line, &n), 1);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(lines_next(&ls, &line, &n), 0);
}
END_TEST

START_TEST(test_refused_bytes_name_the_line)
{
	int r;

	cut("a\nb\0c\n", 6, 10, LINES_NO_NUL, &r);
	ck_assert_int_eq(r, GHCR_ERR_BAD_INPUT);
	ck_assert_msg(strstr(detail(), "f.conf:2: control character 0x00") != NULL,
	    "got \"%s\"", detail());
	/* Without the flag a NUL is just a byte of the line. */
	cut("a\nb\0c\n", 6, 10, 0, &r);
	ck_assert_int_eq(r, 0);

	ck_assert_str_eq(cut("k =\tv\r\n", 7, 10, LINES_NO_CONTROLS, &r), "k =\tv");
	ck_assert_int_eq(r, 0);
	cut("x\nk = v\r# note\n", 15, 20, LINES_NO_CONTROLS, &r);
	ck_assert_int_eq(r, GHCR_ERR_BAD_INPUT);
	ck_assert_msg(strstr(detail(), "f.conf:2: control character 0x0d") != NULL,
	    "got \"%s\"", detail());
}
END_TEST

/* --- the safe open -------------------------------------------------------- */

/* fs_open_read(), which must come back within a second whatever the path
 * is: a FIFO with no writer would block a blocking open forever. */
static int
open_read(const char *path, enum fs_trust trust, size_t limit, int *fd)
{
	struct timespec t0, t1;
	struct stat st;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = fs_open_read(path, "test file", trust, limit, fd, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(t1.tv_sec - t0.tv_sec < 2, "fs_open_read took %lds",
	    (long)(t1.tv_sec - t0.tv_sec));
	if (r != GHCR_OK)
		ck_assert_int_eq(*fd, -1);
	return r;
}

START_TEST(test_a_regular_file_opens_blocking)
{
	char p[PATHSZ];
	int fd, flags;

	write_file(tmp_path(p, "f"), "abc", 3, 0644);
	ck_assert_int_eq(open_read(p, FS_PUBLIC, 3, &fd), GHCR_OK);
	flags = fcntl(fd, F_GETFL);
	ck_assert_msg((flags & O_NONBLOCK) == 0, "O_NONBLOCK was left set");
	ck_assert_msg((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "not close-on-exec");
	close(fd);
}
END_TEST

START_TEST(test_fifo_device_and_directory_are_refused_at_once)
{
	static const struct {
		const char *path;
		const char *says;
	} cases[] = {
		{ "fifo", "is a FIFO, not a regular file" },
		{ "/dev/null", "is a character device, not a regular file" },
		{ "/dev/zero", "is a character device, not a regular file" },
		{ ".", "is a directory, not a regular file" },
	};
	char p[PATHSZ], *text;
	size_t len;
	int fd;

	ck_assert_int_eq(mkfifo(tmp_path(p, "fifo"), 0600), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = cases[i].path[0] == '/' ? cases[i].path :
		    tmp_path(p, cases[i].path);

		for (int trust = FS_PUBLIC; trust <= FS_SECRET; trust++) {
			ghcr_error_clear();
			ck_assert_int_eq(open_read(path, (enum fs_trust)trust,
			    1024, &fd), GHCR_ERR_UNSAFE);
			ck_assert_msg(strstr(detail(), cases[i].says) != NULL &&
			    strstr(detail(), "test file") != NULL,
			    "%s: expected \"%s\", got \"%s\"", path, cases[i].says,
			    detail());
		}
	}
	/* Through fs_read_file() too: config.json's check before saving. */
	ck_assert_int_eq(fs_read_file(tmp_path(p, "fifo"), 1024, 0, &text, &len),
	    GHCR_ERR_UNSAFE);
	ck_assert_ptr_null(text);
}
END_TEST

START_TEST(test_missing_is_not_found_without_a_detail)
{
	char p[PATHSZ];
	int fd;

	ck_assert_int_eq(open_read(tmp_path(p, "none"), FS_PUBLIC, 10, &fd),
	    GHCR_ERR_NOT_FOUND);
	ck_assert_ptr_null(ghcr_error_detail());
}
END_TEST

START_TEST(test_a_file_over_the_limit_is_refused)
{
	char p[PATHSZ];
	int fd;

	write_file(tmp_path(p, "f"), "0123456789", 10, 0600);
	ck_assert_int_eq(open_read(p, FS_PRIVATE, 9, &fd), GHCR_ERR_TOO_LARGE);
	ck_assert_msg(strstr(detail(), "too large") != NULL, "got \"%s\"", detail());
	ck_assert_int_eq(open_read(p, FS_PRIVATE, 10, &fd), GHCR_OK);
	close(fd);
}
END_TEST

START_TEST(test_trust_levels)
{
	char p[PATHSZ], link[PATHSZ];
	int fd;

	write_file(tmp_path(p, "f"), "x", 1, 0640);
	tmp_path(link, "link");
	ck_assert_int_eq(symlink(p, link), 0);

	/* Anyone's file, through a symlink. */
	ck_assert_int_eq(open_read(link, FS_PUBLIC, 10, &fd), GHCR_OK);
	close(fd);
	/* A secret mount: group-readable and linked is fine... */
	ck_assert_int_eq(open_read(link, FS_SECRET, 10, &fd), GHCR_OK);
	close(fd);
	/* ...group-writable is not. */
	ck_assert_int_eq(chmod(p, 0660), 0);
	ck_assert_int_eq(open_read(link, FS_SECRET, 10, &fd), GHCR_ERR_UNSAFE);
	ck_assert_msg(strstr(detail(), "chmod 600") != NULL, "got \"%s\"", detail());
	/* A private file: no symlink, no access for the group. */
	ck_assert_int_eq(open_read(link, FS_PRIVATE, 10, &fd), GHCR_ERR_UNSAFE);
	ck_assert_msg(strstr(detail(), "symbolic link") != NULL, "got \"%s\"",
	    detail());
	ck_assert_int_eq(open_read(p, FS_PRIVATE, 10, &fd), GHCR_ERR_UNSAFE);
	ck_assert_msg(strstr(detail(), "chmod 600") != NULL, "got \"%s\"", detail());
	ck_assert_int_eq(chmod(p, 0600), 0);
	ck_assert_int_eq(open_read(p, FS_PRIVATE, 10, &fd), GHCR_OK);
	close(fd);
}
END_TEST

Suite *suite_fs(void);

Suite *
suite_fs(void)
{
	Suite *s = suite_create("fs");
	TCase *tc;

	tc = tcase_create("one line reader");
	tcase_add_test(tc, test_lines_end_at_lf_or_crlf_and_the_last_needs_no_end);
	tcase_add_test(tc, test_an_overlong_line_is_an_error_naming_its_number);
	tcase_add_test(tc, test_refused_bytes_name_the_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("one safe open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_a_regular_file_opens_blocking);
	tcase_add_test(tc, test_fifo_device_and_directory_are_refused_at_once);
	tcase_add_test(tc, test_missing_is_not_found_without_a_detail);
	tcase_add_test(tc, test_a_file_over_the_limit_is_refused);
	tcase_add_test(tc, test_trust_levels);
	suite_add_tcase(s, tc);
	return s;
}
