/*
 * Clock and UTC dates for token expiry, without importing a libc time
 * function into the helper: every symbol the helper imports is resolved
 * at start-up (it is linked with -z now), so `time`, `gmtime_r` and
 * `strftime` would cost every protocol command, although only a stored
 * credential with an expiry date, status and login ever need them.
 * utc.c is also linked into both dlopen()ed modules, hidden there (see
 * the Makefile), so that an ISO-8601 date has one writer.
 */
#ifndef GHCR_UTC_H
#define GHCR_UTC_H

#include <stddef.h>
#include <time.h>

/* Seconds since the epoch, now; 0 if the clock cannot be read. */
time_t utc_now(void);

/* Room for either form of any time_t, the NUL included. */
#define UTC_TEXT_MAX 40

/* Writes `when` as "2027-02-28 11:48 UTC" (people) or, with `iso`, as
 * ISO 8601 "2027-02-28T11:48:08Z" into buf[size]; always NUL-terminated
 * (cut short when size < UTC_TEXT_MAX).  The one place a date is
 * formatted: the helper, the check module (check's JSON) and the Secret
 * Service module (the `expires` attribute) all call it. */
void utc_format(time_t when, int iso, char *buf, size_t size);

#endif
