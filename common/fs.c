/*
 * The shared filesystem primitives (see fs.h).  Buffers that may hold a
 * secret grow by copying into a fresh secmem block and wiping the old one,
 * never by realloc(), which could leave a copy behind.  Modes are set with
 * fchmod()/chmod() after creation, so the result does not depend on the
 * caller's umask.
 */
#include "fs.h"
#include "errors.h"
#include "secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void *
buf_alloc(size_t n, int secret)
{
	return secret ? secmem_alloc(n) : malloc(n);
}

static void
buf_free(void *p, int secret)
{
	if (secret)
		secmem_free(p);
	else
		free(p);
}

int
fs_read_fd(int fd, const char *what, size_t limit, size_t expect, int secret,
	   char **out, size_t *outlen)
{
	/* One byte past what is expected, so the read that finds EOF needs
	 * no bigger buffer. */
	size_t cap = expect > 0 && expect < limit ? expect + 1 : 4096, used = 0;
	char *data, *bigger;
	ssize_t n;
	int saved;

	*out = NULL;
	*outlen = 0;
	if ((data = buf_alloc(cap + 1, secret)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	for (;;) {
		if (used == cap) {
			/* Never read far past the limit: refuse early. */
			if (cap > limit)
				goto too_large;
			cap *= 2;
			if ((bigger = buf_alloc(cap + 1, secret)) == NULL) {
				buf_free(data, secret);
				return GHCR_ERR_NO_MEMORY;
			}
			memcpy(bigger, data, used);
			buf_free(data, secret);
			data = bigger;
		}
		n = read(fd, data + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			buf_free(data, secret);
			return ghcr_fail(GHCR_ERR_SYSTEM, "cannot read %s: %s", what,
			    strerror(saved));
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > limit)
			goto too_large;
	}
	data[used] = '\0';
	*out = data;
	*outlen = used;
	return GHCR_OK;
too_large:
	buf_free(data, secret);
	return ghcr_fail(GHCR_ERR_TOO_LARGE, "%s is larger than %zu bytes; "
	    "refused", what, limit);
}

/* What a file that is not regular is, for a person. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	return "something else";
}

int
fs_check_private(const char *path, const char *what, const struct stat *st)
{
	const char *sp = what != NULL ? " " : "";

	what = what != NULL ? what : "";
	if (st->st_uid != geteuid())
		return ghcr_fail(GHCR_ERR_UNSAFE,
		    "%s%s%s is owned by uid %u, not by you (uid %u): fix with chown %u %s",
		    what, sp, path, (unsigned)st->st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), path);
	if ((st->st_mode & 077) != 0)
		return ghcr_fail(GHCR_ERR_UNSAFE,
		    "%s%s%s is accessible by group or others (mode %04o): fix with chmod 600 %s",
		    what, sp, path, (unsigned)(st->st_mode & 07777), path);
	return GHCR_OK;
}

/* What `trust` demands of the open file that st describes. */
static int
check_trust(const char *path, const char *what, enum fs_trust trust,
	    const struct stat *st)
{
	const char *sp = what != NULL ? " " : "";

	switch (trust) {
	case FS_PUBLIC:
		return GHCR_OK;
	case FS_PRIVATE:
		return fs_check_private(path, what, st);
	case FS_SECRET:
		/* Secret mounts are often root-owned and group-readable. */
		if ((st->st_uid != geteuid() && st->st_uid != 0) ||
		    (st->st_mode & 027) != 0)
			return ghcr_fail(GHCR_ERR_UNSAFE,
			    "%s%s%s is owned by another user, writable by the group or accessible by others (mode %04o): fix with chmod 600 %s",
			    what != NULL ? what : "", sp, path,
			    (unsigned)(st->st_mode & 07777), path);
		return GHCR_OK;
	}
	return GHCR_ERR_UNSAFE;
}

int
fs_open_read(const char *path, const char *what, enum fs_trust trust,
	     size_t limit, int *fdp, struct stat *st)
{
	const char *sp = what != NULL ? " " : "", *w = what != NULL ? what : "";
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, r;

	*fdp = -1;
	if (trust == FS_PRIVATE)
		flags |= O_NOFOLLOW;
	if ((fd = open(path, flags)) == -1) {
		if (errno == ENOENT)
			return GHCR_ERR_NOT_FOUND;
		if (errno == ELOOP && trust == FS_PRIVATE)
			return ghcr_fail(GHCR_ERR_UNSAFE,
			    "%s%s%s is a symbolic link; refusing to follow it: replace it with the file itself (mv)",
			    w, sp, path);
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot open %s%s%s: %s", w,
		    sp, path, strerror(errno));
	}
	if (fstat(fd, st) == -1) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot stat %s%s%s: %s", w, sp,
		    path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		r = ghcr_fail(GHCR_ERR_UNSAFE, "%s%s%s is %s, not a regular file",
		    w, sp, path, file_kind(st->st_mode));
		goto fail;
	}
	if ((r = check_trust(path, what, trust, st)) != GHCR_OK)
		goto fail;
	if ((uintmax_t)st->st_size > limit) {
		r = ghcr_fail(GHCR_ERR_TOO_LARGE,
		    "%s%s%s is too large (%jd bytes, at most %zu)", w, sp, path,
		    (intmax_t)st->st_size, limit);
		goto fail;
	}
	/*
	 * Blocking again (F_SETFL takes only the status flags of `flags`): a
	 * regular file ignores O_NONBLOCK on local filesystems, but a network
	 * or FUSE one may answer a read with EAGAIN.
	 */
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot read %s%s%s: %s", w, sp,
		    path, strerror(errno));
		goto fail;
	}
	*fdp = fd;
	return GHCR_OK;
fail:
	close(fd);
	return r;
}

int
fs_read_file(const char *path, size_t limit, int secret, char **out,
	     size_t *outlen)
{
	struct stat st;
	int fd, r;

	*out = NULL;
	*outlen = 0;
	if ((r = fs_open_read(path, NULL, FS_PUBLIC, limit, &fd, &st)) != GHCR_OK)
		return r;
	r = fs_read_fd(fd, path, limit, (size_t)st.st_size, secret, out, outlen);
	close(fd);
	return r;
}

int
fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fs_dir_of(const char *path, char out[PATH_MAX])
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, PATH_MAX, ".");
	else if (slash == path)
		n = snprintf(out, PATH_MAX, "/");
	else
		n = snprintf(out, PATH_MAX, "%.*s", (int)(slash - path), path);
	if (n < 0 || n >= PATH_MAX)
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", path);
	return GHCR_OK;
}

int
fs_mkdirs(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(buf))
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", dir);
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) == 0) {
			/* Exactly `mode`, whatever the umask was. */
			if (chmod(buf, mode) == -1)
				return ghcr_fail(GHCR_ERR_SYSTEM, "cannot chmod %s: %s",
				    buf, strerror(errno));
		} else if (errno != EEXIST)
			return ghcr_fail(GHCR_ERR_SYSTEM, "cannot create %s: %s",
			    buf, strerror(errno));
		buf[i] = dir[i];
	}
	return GHCR_OK;
}

int
fs_temp_create(const char *path, mode_t mode, struct fs_temp *t)
{
	int n, r;

	t->path[0] = '\0';
	t->fd = -1;
	n = snprintf(t->path, sizeof(t->path), "%s.tmp.XXXXXX", path);
	if (n < 0 || n >= (int)sizeof(t->path)) {
		t->path[0] = '\0';
		return ghcr_fail(GHCR_ERR_SYSTEM, "path too long: %.64s", path);
	}
	/* mkostemp opens O_CREAT|O_EXCL with mode 0600. */
	if ((t->fd = mkostemp(t->path, O_CLOEXEC)) == -1) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot create %s: %s", t->path,
		    strerror(errno));
		t->path[0] = '\0';
		return r;
	}
	if (fchmod(t->fd, mode) == -1) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot chmod %s: %s", t->path,
		    strerror(errno));
		fs_temp_discard(t);
		return r;
	}
	return GHCR_OK;
}

int
fs_temp_close(struct fs_temp *t)
{
	int r = GHCR_OK;

	if (fsync(t->fd) == -1)
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot sync %s: %s", t->path,
		    strerror(errno));
	if (close(t->fd) == -1 && r == GHCR_OK)
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write %s: %s", t->path,
		    strerror(errno));
	t->fd = -1;
	return r;
}

int
fs_temp_rename(struct fs_temp *t, const char *path)
{
	if (rename(t->path, path) == -1)
		return ghcr_fail(GHCR_ERR_SYSTEM, "cannot replace %s: %s", path,
		    strerror(errno));
	t->path[0] = '\0';
	return GHCR_OK;
}

void
fs_temp_discard(struct fs_temp *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	if (t->path[0] != '\0')
		(void)unlink(t->path);
	t->path[0] = '\0';
}

int
fs_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd, r;

	if ((r = fs_dir_of(path, dir)) != GHCR_OK)
		return r;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot sync directory %s: %s",
		    dir, strerror(errno));
	if (fd != -1)
		close(fd);
	return r;
}

int
fs_replace(const char *path, mode_t mode, const void *data, size_t len)
{
	struct fs_temp t;
	int r;

	if ((r = fs_temp_create(path, mode, &t)) != GHCR_OK)
		return r;
	if (fs_write_all(t.fd, data, len) != 0) {
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write %s: %s", t.path,
		    strerror(errno));
		goto out;
	}
	if ((r = fs_temp_close(&t)) != GHCR_OK ||
	    (r = fs_temp_rename(&t, path)) != GHCR_OK)
		goto out;
	r = fs_sync_dir(path);
out:
	fs_temp_discard(&t);
	return r;
}
