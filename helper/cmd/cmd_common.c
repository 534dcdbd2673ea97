/*
 * Shared pieces of the commands for people (see cmd_common.h).
 */
#include "cmd_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cmd_helper_on_path(char found[PATH_MAX], int *same)
{
	const char *path = getenv("PATH");
	struct stat st, self;
	const char *p, *end;
	int n;

	*same = 0;
	found[0] = '\0';
	if (path == NULL)
		return 0;
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		/* An empty PATH entry means the current directory. */
		n = end == p ? snprintf(found, PATH_MAX, "./%s", PROGRAM_NAME) :
		    snprintf(found, PATH_MAX, "%.*s/%s", (int)(end - p), p, PROGRAM_NAME);
		if (n > 0 && n < PATH_MAX && stat(found, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(found, X_OK) == 0) {
			if (stat("/proc/self/exe", &self) == 0)
				*same = self.st_dev == st.st_dev && self.st_ino == st.st_ino;
			return 1;
		}
		if (*end == '\0')
			break;
	}
	found[0] = '\0';
	return 0;
}

int
cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}
