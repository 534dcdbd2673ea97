/*
 * The filesystem primitives every layer shares, each written once: open a
 * file to read it the one safe way (never blocking, a regular file, a size
 * limit, and for private files no symlink and an owner and mode check),
 * read a descriptor or a file to EOF under a size limit (into wiped memory
 * when it may hold a secret), write a whole buffer, the directory of a path,
 * mkdir -p with an exact mode, and atomic replacement (a temporary file in
 * the same directory, written, fsync()ed, renamed over, the directory
 * fsync()ed).  They know nothing of what the bytes mean; failures carry a
 * detail naming the path through ghcr_fail().
 */
#ifndef GHCR_FS_H
#define GHCR_FS_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Reads fd to EOF into a new NUL-terminated buffer: secmem memory when
 * `secret`, else malloc() (free with free()).  `expect` is the size the
 * caller knows (a regular file's st_size) or 0: a buffer of that size is
 * read in one go instead of grown by doubling, each step a copy.  `what`
 * names the input in the detail ("cannot read WHAT: ...").  Returns GHCR_OK;
 * GHCR_ERR_TOO_LARGE, with a detail, as soon as more than `limit` bytes
 * came; GHCR_ERR_SYSTEM on a read error; GHCR_ERR_NO_MEMORY.  On failure
 * *out is NULL and nothing read is left in memory.
 */
int fs_read_fd(int fd, const char *what, size_t limit, size_t expect,
	       int secret, char **out, size_t *outlen);

/* How far fs_open_read() trusts a file, beyond its being a regular file. */
enum fs_trust {
	/* Anyone's file, symlinks followed: the settings file, config.json,
	 * gh's hosts.yml. */
	FS_PUBLIC,
	/* The helper's own private file (store, key file): not a symlink,
	 * owned by the user, nothing for the group or others. */
	FS_PRIVATE,
	/* A secret the user points at (the passphrase file): symlinks
	 * followed (secret mounts are links), owned by the user or root,
	 * not writable by the group, nothing for others. */
	FS_SECRET,
};

/*
 * Opens `path` for reading the one way every file the helper reads is
 * opened: non-blocking, so that a FIFO cannot hang the open (the flag is
 * cleared again once the file is known to be regular), never becoming the
 * controlling terminal, then checked through fstat() of the open
 * descriptor, so nothing can be swapped in between: a regular file (not a
 * FIFO, device, socket or directory) of at most `limit` bytes, and what
 * `trust` demands.  `what` names the file in the detail ("WHAT PATH is a
 * FIFO, not a regular file"); NULL for the path alone.  On GHCR_OK *fd is
 * open and *st describes it.  GHCR_ERR_NOT_FOUND, with no detail, when
 * the path does not exist; GHCR_ERR_UNSAFE when it is not a regular file
 * or fails `trust`; GHCR_ERR_TOO_LARGE; GHCR_ERR_SYSTEM; each failure
 * with a detail and *fd -1.
 */
int fs_open_read(const char *path, const char *what, enum fs_trust trust,
		 size_t limit, int *fd, struct stat *st);

/*
 * FS_PRIVATE's owner and mode check on an open file that st describes
 * (for files opened otherwise, such as a lock file created on open).
 * GHCR_OK, or GHCR_ERR_UNSAFE with a detail saying how to fix it.
 */
int fs_check_private(const char *path, const char *what,
		     const struct stat *st);

/*
 * fs_open_read() (FS_PUBLIC) and fs_read_fd() on the file `path`.
 * GHCR_ERR_NOT_FOUND, with no detail, when it does not exist.
 */
int fs_read_file(const char *path, size_t limit, int secret, char **out,
		 size_t *outlen);

/* Writes all of buf to fd, retrying short and interrupted writes.  Returns
 * 0, or -1 with errno set; the caller says what could not be written. */
int fs_write_all(int fd, const void *buf, size_t len);

/* The directory part of path into out: "." when it has none, "/" for a
 * file in the root.  GHCR_OK, or GHCR_ERR_SYSTEM when path is too long. */
int fs_dir_of(const char *path, char out[PATH_MAX]);

/* mkdir -p: creates dir and its missing parents, each exactly `mode`
 * whatever the umask.  Existing directories are left as they are. */
int fs_mkdirs(const char *dir, mode_t mode);

/* A temporary file beside `path`, on its way to replacing it. */
struct fs_temp {
	char path[PATH_MAX + 16]; /* PATH.tmp.XXXXXX; empty once gone */
	int fd;                   /* -1 once closed */
};

/*
 * Creates PATH.tmp.XXXXXX (O_EXCL) with exactly `mode`.  Returns GHCR_OK or
 * GHCR_ERR_SYSTEM; on failure nothing is left behind.
 */
int fs_temp_create(const char *path, mode_t mode, struct fs_temp *t);

/* fsync()s and closes the temporary file.  GHCR_OK or GHCR_ERR_SYSTEM. */
int fs_temp_close(struct fs_temp *t);

/*
 * Renames the (closed) temporary file over `path`.  GHCR_OK, after which
 * the temporary name is gone, or GHCR_ERR_SYSTEM, after which `path` is as
 * it was.  The directory is not synced: see fs_sync_dir().
 */
int fs_temp_rename(struct fs_temp *t, const char *path);

/* Closes and removes the temporary file if it is still there; accepts one
 * already renamed or discarded. */
void fs_temp_discard(struct fs_temp *t);

/* Makes a rename or link in the directory of `path` durable (fsync of the
 * directory).  GHCR_OK or GHCR_ERR_SYSTEM. */
int fs_sync_dir(const char *path);

/*
 * Replaces `path` atomically with data[len]: a temporary file of exactly
 * `mode` in the same directory, written, fsync()ed, renamed over `path`,
 * the directory fsync()ed.  On failure before the rename, `path` is as it
 * was and no temporary file is left.
 */
int fs_replace(const char *path, mode_t mode, const void *data, size_t len);

#endif
