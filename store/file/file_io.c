/*
 * Filesystem operations of the file store (see file_io.h).  Files are
 * opened through fs_open_read(): O_NOFOLLOW for the store's own files,
 * then checked through fstat() on the open descriptor, so there is no
 * window between the check and the use.  Modes
 * are set with fchmod()/chmod() after creation so the result does not
 * depend on the caller's umask.
 */
#include "file_io.h"
#include "errors.h"
#include "fs.h"
#include "lines.h"
#include "secmem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long a writer waits for another helper's lock before giving up. */
#define LOCK_TIMEOUT_MS 10000

/* Opens a private file read-only (fs_open_read(), FS_PRIVATE); NOT_FOUND
 * (no detail) when absent.  *st describes the open file.  A file over
 * `max` bytes is not one this store wrote: damaged. */
static int
open_private(const char *path, const char *what, size_t max, int *fdp,
	     struct stat *st)
{
	int r = fs_open_read(path, what, FS_PRIVATE, max, fdp, st);

	return r == GHCR_ERR_TOO_LARGE ? GHCR_ERR_CORRUPT : r;
}

/* Reads fd, which st describes (fs_open_read() checked its size against
 * max), to EOF into a new buffer. */
static int
read_all(int fd, const struct stat *st, const char *path, const char *what,
	 size_t max, int secret, unsigned char **out, size_t *outlen)
{
	char *buf;
	size_t len;
	int r;

	r = fs_read_fd(fd, path, max, (size_t)st->st_size, secret, &buf, &len);
	if (r == GHCR_OK && len > (size_t)st->st_size) {
		if (secret)
			secmem_free(buf);
		else
			free(buf);
		r = GHCR_ERR_TOO_LARGE;
	}
	/* A file that grew meanwhile is not what the lock holder wrote. */
	if (r == GHCR_ERR_TOO_LARGE)
		return ghcr_fail(GHCR_ERR_CORRUPT,
		    "%s %s changed size while being read", what, path);
	if (r != GHCR_OK)
		return r;
	*out = (unsigned char *)buf;
	*outlen = len;
	return GHCR_OK;
}

int
file_io_read_private(const char *path, const char *what, size_t max,
		     int secret, unsigned char **out, size_t *outlen)
{
	struct stat st;
	int fd, r;

	*out = NULL;
	*outlen = 0;
	if ((r = open_private(path, what, max, &fd, &st)) != 0)
		return r;
	r = read_all(fd, &st, path, what, max, secret, out, outlen);
	close(fd);
	return r;
}

/* A passphrase file of at most this size: far more than any passphrase. */
#define PASSPHRASE_MAX_FILE 65536

int
file_io_read_passphrase(const char *path, char **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	const char *line, *more;
	struct lines ls;
	struct stat st;
	size_t len = 0, n = 0;
	int fd, r;

	*out = NULL;
	*outlen = 0;
	if ((r = fs_open_read(path, "passphrase file", FS_SECRET,
	    PASSPHRASE_MAX_FILE, &fd, &st)) != GHCR_OK) {
		if (r == GHCR_ERR_NOT_FOUND)
			return ghcr_fail(GHCR_ERR_CONFIG,
			    "cannot open passphrase file %s: %s", path,
			    strerror(ENOENT));
		return r == GHCR_ERR_TOO_LARGE ? GHCR_ERR_CONFIG : r;
	}
	r = read_all(fd, &st, path, "passphrase file", PASSPHRASE_MAX_FILE, 1,
	    &buf, &len);
	close(fd);
	if (r != GHCR_OK)
		return r;
	/*
	 * The passphrase is the file's one line: all of it but one trailing
	 * newline (an editor's or echo's; CRLF too).  A second line is
	 * refused rather than guessed at (is it part of the passphrase, or a
	 * note?), and so is a NUL byte: a passphrase is text, and random
	 * bytes belong in a key file.
	 */
	lines_start(&ls, (const char *)buf, len, PASSPHRASE_MAX_FILE,
	    LINES_NO_NUL, path);
	if ((r = lines_next(&ls, &line, &n)) == 1 &&
	    (r = lines_next(&ls, &more, &len)) == 1)
		r = ghcr_fail(GHCR_ERR_CONFIG,
		    "passphrase file %s:%u: a second line; the passphrase is "
		    "the file's one line (a trailing newline is allowed)",
		    path, ls.lineno);
	else if (r == 0 && n == 0)
		r = ghcr_fail(GHCR_ERR_CONFIG, "passphrase file %s is empty", path);
	if (r < 0) {
		r = r == GHCR_ERR_BAD_INPUT ? GHCR_ERR_CONFIG : r;
		goto out;
	}
	buf[n] = '\0';
	*out = (char *)buf;
	*outlen = n;
	buf = NULL;
	r = GHCR_OK;
out:
	secmem_free(buf);
	return r;
}

int
file_io_prepare_dir(const char *path)
{
	struct stat st;
	char dir[PATH_MAX];
	int r;

	if ((r = fs_dir_of(path, dir)) != GHCR_OK ||
	    (r = fs_mkdirs(dir, 0700)) != GHCR_OK)
		return r;
	if (stat(dir, &st) == -1)
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot stat %s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ghcr_fail(GHCR_ERR_SYSTEM, "%s is not a directory", dir);
	/* Others who can write here could swap our files (unless sticky). */
	if ((st.st_uid != geteuid() && st.st_uid != 0) ||
	    ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0))
		return ghcr_fail(GHCR_ERR_UNSAFE,
		    "directory %s can be written by other users (mode %04o, uid %u): fix with chmod 700 %s",
		    dir, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, dir);
	return GHCR_OK;
}

int
file_io_lock(const char *store_path, int *fdp)
{
	struct timespec pause = { 0, 1000000 };
	struct stat st;
	char *lockpath = NULL;
	long waited_ms = 0;
	int fd = -1, r;

	*fdp = -1;
	if (asprintf(&lockpath, "%s.lock", store_path) == -1)
		return GHCR_ERR_NO_MEMORY;
	fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK | O_NOCTTY, 0600);
	if (fd == -1) {
		r = ghcr_fail(errno == ELOOP ? GHCR_ERR_UNSAFE : GHCR_ERR_SYSTEM,
		    "cannot create lock file %s: %s", lockpath, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot stat %s: %s", lockpath,
		    strerror(errno));
		goto out;
	}
	/* A lock file made under a strict umask (0400) must still open O_RDWR. */
	if (st.st_uid == geteuid() && (st.st_mode & 0777) != 0600 &&
	    fchmod(fd, 0600) == 0)
		st.st_mode = (st.st_mode & ~07777u) | 0600;
	if ((r = fs_check_private(lockpath, "lock file", &st)) != 0)
		goto out;
	/* Poll rather than block, so a stuck helper cannot hang this one. */
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot lock %s: %s",
			    lockpath, strerror(errno));
			goto out;
		}
		if (waited_ms >= LOCK_TIMEOUT_MS) {
			r = ghcr_fail(GHCR_ERR_SYSTEM,
			    "another process has held %s for %ld s; try again",
			    lockpath, waited_ms / 1000);
			goto out;
		}
		nanosleep(&pause, NULL);
		waited_ms += pause.tv_nsec / 1000000;
		if (pause.tv_nsec < 32000000)
			pause.tv_nsec *= 2;
	}
	*fdp = fd;
	fd = -1;
	r = GHCR_OK;
out:
	if (fd != -1)
		close(fd);
	free(lockpath);
	return r;
}

void
file_io_unlock(int fd)
{
	if (fd != -1)
		close(fd); /* closing the last descriptor releases the flock */
}

int
file_io_replace(const char *path, const void *data, size_t len)
{
	return fs_replace(path, 0600, data, len);
}

int
file_io_create_secret(const char *path, const void *data, size_t len,
		      int *existed)
{
	struct fs_temp t;
	int fd, r;

	*existed = 0;
	/*
	 * Written in full under a temporary name, then link()ed into place:
	 * link never replaces, so this is O_EXCL for the final name, and a
	 * crash never leaves a half-written key behind.
	 */
	if ((r = fs_temp_create(path, 0600, &t)) != GHCR_OK)
		return r;
	if (fs_write_all(t.fd, data, len) != 0) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write %s: %s", t.path,
		    strerror(errno));
		goto out;
	}
	if ((r = fs_temp_close(&t)) != GHCR_OK)
		goto out;
	if (link(t.path, path) == 0) {
		r = fs_sync_dir(path);
	} else if (errno == EEXIST) {
		*existed = 1;
		r = GHCR_OK;
	} else if (errno == EPERM || errno == ENOTSUP || errno == ENOSYS) {
		/* A filesystem without hard links: create the name directly. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd == -1 && errno == EEXIST) {
			*existed = 1;
			r = GHCR_OK;
		} else if (fd == -1) {
			r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot create %s: %s",
			    path, strerror(errno));
		} else {
			if (fs_write_all(fd, data, len) != 0 ||
			    fchmod(fd, 0600) == -1 || fsync(fd) == -1)
				r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write %s: %s",
				    path, strerror(errno));
			close(fd);
			if (r != GHCR_OK)
				unlink(path);
			else
				r = fs_sync_dir(path);
		}
	} else {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot create %s: %s", path,
		    strerror(errno));
	}
out:
	fs_temp_discard(&t);
	return r;
}

void
file_io_remove_stale(const char *path)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX], prefix[256];
	struct dirent *de;
	size_t plen;
	DIR *d;
	int dfd;

	base = base != NULL ? base + 1 : path;
	if ((size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", base) >= sizeof(prefix))
		return;
	plen = strlen(prefix);
	if (fs_dir_of(path, dir) != GHCR_OK) {
		ghcr_error_clear();
		return;
	}
	if ((d = opendir(dir)) == NULL)
		return;
	dfd = dirfd(d);
	/* Exactly our pattern: the prefix and mkostemp's six characters. */
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, plen) == 0 &&
		    strlen(de->d_name) == plen + 6)
			(void)unlinkat(dfd, de->d_name, 0);
	closedir(d);
}
