/*
 * Clock and UTC dates for token expiry, without importing a libc time
 * function into the helper: every symbol the helper imports is resolved
 * at start-up (it is linked with -z now), so `time`, `gmtime_r` and
 * `strftime` would cost every protocol command, although only a stored
 * credential with an expiry date, status and login ever need them.
 */
#ifndef GHCR_UTC_H
#define GHCR_UTC_H

#include <stddef.h>
#include <time.h>

/* Seconds since the epoch, now; 0 if the clock cannot be read. */
time_t utc_now(void);

/* Writes `when` as "2027-02-28 11:48 UTC" (people) or, with `iso`, as
 * "2027-02-28T11:48:08Z" into buf[size]; always NUL-terminated. */
void utc_format(time_t when, int iso, char *buf, size_t size);

#endif
