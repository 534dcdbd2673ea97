/*
 * The clock and UTC dates (see utc.h).  time() is looked up when first
 * needed rather than imported; dates are computed with Howard Hinnant's
 * days-to-civil algorithm, exact for the proleptic Gregorian calendar.
 */
#include "utc.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

time_t
utc_now(void)
{
	static time_t (*clock_fn)(time_t *);

	if (clock_fn == NULL)
		*(void **)&clock_fn = dlsym(RTLD_DEFAULT, "time");
	return clock_fn != NULL ? clock_fn(NULL) : 0;
}

void
utc_format(time_t when, int iso, char *buf, size_t size)
{
	int64_t t = (int64_t)when, days = t / 86400, secs = t % 86400;
	int64_t era, doe, yoe, doy, mp, y, m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* from 1970-01-01 to 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (iso)
		snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
		    (long long)y, (long long)m, (long long)d,
		    (long long)(secs / 3600), (long long)(secs / 60 % 60),
		    (long long)(secs % 60));
	else
		snprintf(buf, size, "%04lld-%02lld-%02lld %02lld:%02lld UTC",
		    (long long)y, (long long)m, (long long)d,
		    (long long)(secs / 3600), (long long)(secs / 60 % 60));
}
