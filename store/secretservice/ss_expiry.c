/*
 * The `expires` attribute of an item: "2027-02-28T11:48:08Z" (UTC), as
 * check or login learnt it.  The text is written by common/utc.c (a copy
 * of which is linked into the module, see the Makefile) and read back
 * here with Howard Hinnant's civil-date algorithm, rather than with
 * gmtime_r(), strftime(), sscanf() and timegm(): each would be one more
 * import that every Secret Service command resolves when the module loads.
 */
#include "ss_private.h"
#include "utc.h"

gchar *
ss_expires_format(time_t when)
{
	char text[UTC_TEXT_MAX];

	utc_format(when, 1, text, sizeof(text));
	return g_strdup(text);
}

/* `n` decimal digits at *p (advanced past them), or -1. */
static int
expires_digits(const char **p, int n)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* The attribute back as a time; 0 (unknown) when absent or not in the
 * form ss_expires_format() writes, so a foreign value is ignored. */
time_t
ss_expires_parse(const char *p)
{
	int y, m, d, hh, mm, ss;
	gint64 yy, era, yoe, doy, doe, days;

	if (p == NULL ||
	    (y = expires_digits(&p, 4)) < 1970 || *p++ != '-' ||
	    (m = expires_digits(&p, 2)) < 1 || m > 12 || *p++ != '-' ||
	    (d = expires_digits(&p, 2)) < 1 || d > 31 || *p++ != 'T' ||
	    (hh = expires_digits(&p, 2)) < 0 || hh > 23 || *p++ != ':' ||
	    (mm = expires_digits(&p, 2)) < 0 || mm > 59 || *p++ != ':' ||
	    (ss = expires_digits(&p, 2)) < 0 || ss > 60 || *p++ != 'Z' ||
	    *p != '\0')
		return 0;
	yy = y - (m <= 2);
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return (time_t)(days * 86400 + hh * 3600 + mm * 60 + ss);
}
