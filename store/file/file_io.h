/*
 * Filesystem side of the file store: private files opened through
 * fs_open_read() (no symlink followed, owner and mode checked), the
 * passphrase file, directories created 0700, the write lock, atomic
 * replacement, and creation of the key file.  Nothing
 * here knows about encryption.  Every failure carries a detail naming the
 * path and, where there is one, the command that fixes it.
 */
#ifndef GHCR_FILE_IO_H
#define GHCR_FILE_IO_H

#include <stddef.h>

/*
 * Reads the private file `path` (what = "store", "key file", for messages)
 * into a new buffer: secmem memory when `secret`, else malloc().  Refuses
 * (GHCR_ERR_UNSAFE) a symlink, a non-regular file, a file not owned by the
 * user or one that group/others can access; GHCR_ERR_CORRUPT when larger
 * than `max`.  GHCR_ERR_NOT_FOUND, with no detail, when it does not exist.
 */
int file_io_read_private(const char *path, const char *what, size_t max,
			 int secret, unsigned char **out, size_t *outlen);

/*
 * Reads a passphrase file (symlinks followed: secret mounts use them) into
 * secmem memory: its one line, without the trailing newline it may have.
 * GHCR_ERR_CONFIG, naming the line, for a second line or a NUL byte, and
 * for an empty or missing file; GHCR_ERR_UNSAFE for a file others can read
 * or write, that the group can write, or that is not a regular file.
 */
int file_io_read_passphrase(const char *path, char **out, size_t *outlen);

/* Creates the directory holding `path` (and missing parents) mode 0700,
 * then refuses it when others could replace files in it. */
int file_io_prepare_dir(const char *path);

/*
 * Takes the exclusive write lock for `store_path` (flock on
 * STORE.lock), waiting at most a few seconds; *fd gets the lock's fd.
 */
int file_io_lock(const char *store_path, int *fd);

/* Releases the lock taken by file_io_lock(); -1 is accepted. */
void file_io_unlock(int fd);

/*
 * Replaces `path` atomically with data[len]: a 0600 temporary file in the
 * same directory, written, fsync()ed, renamed over, directory fsync()ed.
 */
int file_io_replace(const char *path, const void *data, size_t len);

/*
 * Removes temporary files a crashed writer left next to `path` (they hold
 * only ciphertext).  Call with the lock held: then no live writer owns one.
 * Best effort, silent.
 */
void file_io_remove_stale(const char *path);

/*
 * Creates the secret file `path` (0600) holding data[len], atomically and
 * only if it does not exist; *existed is set (and nothing written) when
 * another process created it first.
 */
int file_io_create_secret(const char *path, const void *data, size_t len,
			  int *existed);

#endif
