/*
 * bench/spawn: the benchmark's measuring harness.  It runs a set of commands
 * many times, interleaved (every round runs each command once, the starting
 * command rotating from round to round), so drift in the machine (frequency,
 * cache, a neighbour's load) hits every command alike and the ratios between
 * them stay honest.  Each run is one posix_spawn() + wait4() with stdin fed
 * from a file, stdout and stderr to /dev/null, timed on CLOCK_MONOTONIC; no
 * shell is started, so what is measured is exec + the program.
 *
 * Before timing, every command is run once with its output captured and
 * checked (exit status, and stdout when an expected file is given): a
 * benchmark of a command that fails fast measures nothing.
 *
 * Peak RSS is taken in a separate pass with fork() + execve(): a
 * posix_spawn()ed child shares the harness's address space until exec, and
 * the kernel folds that space's high-water mark into the child's ru_maxrss.
 * After fork() only the harness's few private pages are counted before the
 * exec, which the floor's row shows as the lower bound.
 *
 * The spec file has one directive per line ('#' starts a comment):
 *   cmd NAME              starts a command; the first one is the floor
 *   arg WORD              appends an argv word (the first is the program)
 *   env NAME=VALUE        sets a variable for this command only
 *   stdin PATH            file fed on standard input (default /dev/null)
 *   expect-exit N         exit status the check run must give (default 0)
 *   expect-stdout PATH    exact bytes the check run must print
 *   expect-contains TEXT  text the check run's stdout must contain
 *   max-runs N            time only N runs (a slow reference), taken in
 *                         the first N rounds, still interleaved
 *
 * With -k a command that fails its check is reported as FAILED and the
 * others are still measured (exit status 1); without it nothing is timed.
 *
 * Output: a Markdown table on stdout (median wall time, ratio to the floor,
 * median CPU time, peak RSS) and, with -o FILE, the same figures as
 * tab-separated lines for scripts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 32
#define MAX_ARGS 32
#define MAX_ENVS 32

struct command {
	char *name;
	char *argv[MAX_ARGS + 1];
	int argc;
	char *envs[MAX_ENVS];
	int nenvs;
	char **envp;          /* environ with envs applied */
	char *stdin_path;
	char *expect_stdout;
	char *expect_contains;
	int expect_exit;
	int max_runs;         /* 0: every round */
	int nruns;            /* timed runs taken */
	int nfailed;          /* timed runs with another exit status */
	int stdin_fd;
	double *wall_us;      /* one per timed run */
	double *cpu_us;
	long peak_rss_kb;
	int broken;           /* failed its check run: not timed (-k) */
};

static struct command cmds[MAX_CMDS];
static int ncmds;
static int devnull = -1;

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "spawn: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory%s", "");
	return p;
}

static void
parse_spec(const char *path)
{
	char line[8192];
	struct command *c = NULL;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		die("cannot open spec %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *word = line, *value;

		line[strcspn(line, "\n")] = '\0';
		while (*word == ' ' || *word == '\t')
			word++;
		if (*word == '\0' || *word == '#')
			continue;
		value = word + strcspn(word, " \t");
		if (*value != '\0')
			*value++ = '\0';
		if (strcmp(word, "cmd") == 0) {
			if (ncmds == MAX_CMDS)
				die("too many commands (at %s)", value);
			c = &cmds[ncmds++];
			c->name = xstrdup(value);
			continue;
		}
		if (c == NULL)
			die("directive '%s' before the first cmd", word);
		if (strcmp(word, "arg") == 0) {
			if (c->argc == MAX_ARGS)
				die("too many args for %s", c->name);
			c->argv[c->argc++] = xstrdup(value);
		} else if (strcmp(word, "env") == 0) {
			if (c->nenvs == MAX_ENVS || strchr(value, '=') == NULL)
				die("bad env line for %s", c->name);
			c->envs[c->nenvs++] = xstrdup(value);
		} else if (strcmp(word, "stdin") == 0) {
			c->stdin_path = xstrdup(value);
		} else if (strcmp(word, "expect-exit") == 0) {
			c->expect_exit = atoi(value);
		} else if (strcmp(word, "expect-stdout") == 0) {
			c->expect_stdout = xstrdup(value);
		} else if (strcmp(word, "expect-contains") == 0) {
			c->expect_contains = xstrdup(value);
		} else if (strcmp(word, "max-runs") == 0) {
			if ((c->max_runs = atoi(value)) < 1)
				die("bad max-runs for %s", c->name);
		} else {
			die("unknown directive '%s'", word);
		}
	}
	fclose(f);
	if (ncmds == 0)
		die("no commands in %s", path);
}

/* environ, minus any variable the command sets, plus the command's own. */
static char **
build_env(const struct command *c)
{
	size_t n = 0, k = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	if ((envp = calloc(n + (size_t)c->nenvs + 1, sizeof(*envp))) == NULL)
		die("out of memory%s", "");
	for (size_t i = 0; i < n; i++) {
		int overridden = 0;

		for (int j = 0; j < c->nenvs; j++) {
			size_t len = strcspn(c->envs[j], "=") + 1;

			if (strncmp(environ[i], c->envs[j], len) == 0)
				overridden = 1;
		}
		if (!overridden)
			envp[k++] = environ[i];
	}
	for (int j = 0; j < c->nenvs; j++)
		envp[k++] = c->envs[j];
	envp[k] = NULL;
	return envp;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double
tv_us(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

/* One timed run: posix_spawn, wait4.  Returns the wait status. */
static int
run_spawn(struct command *c, int out_fd, int err_fd, double *wall,
	  double *cpu)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0;
	pid_t pid;
	int status, e;

	if (lseek(c->stdin_fd, 0, SEEK_SET) == -1 && errno != ESPIPE)
		die("cannot rewind stdin of %s", c->name);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, c->stdin_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	t0 = now_us();
	e = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, c->envp);
	if (e != 0) {
		errno = e;
		die("cannot start %s", c->argv[0]);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			die("wait4 failed for %s", c->name);
	*wall = now_us() - t0;
	*cpu = tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime);
	posix_spawn_file_actions_destroy(&fa);
	return status;
}

/* One RSS run: fork + execve (see the top of the file for why). */
static long
run_fork_rss(struct command *c)
{
	struct rusage ru;
	pid_t pid;
	int status;

	if (lseek(c->stdin_fd, 0, SEEK_SET) == -1 && errno != ESPIPE)
		die("cannot rewind stdin of %s", c->name);
	if ((pid = fork()) == -1)
		die("fork failed%s", "");
	if (pid == 0) {
		if (dup2(c->stdin_fd, 0) == -1 || dup2(devnull, 1) == -1 ||
		    dup2(devnull, 2) == -1)
			_exit(127);
		execve(c->argv[0], c->argv, c->envp);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			die("wait4 failed for %s", c->name);
	return ru.ru_maxrss;
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1)
		die("cannot read %s", path);
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		die("out of memory%s", "");
	*len = (size_t)pread(fd, buf, (size_t)st.st_size, 0);
	buf[*len] = '\0';
	close(fd);
	return buf;
}

static int
temp_file(void)
{
	char tmpl[] = "/tmp/bench-spawn-XXXXXX";
	int fd = mkostemp(tmpl, O_CLOEXEC);

	if (fd == -1)
		die("cannot create a temporary file%s", "");
	unlink(tmpl);
	return fd;
}

static void
dump_fd(const char *what, int fd)
{
	char buf[4096];
	ssize_t n;

	fprintf(stderr, "--- %s:\n", what);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
}

/* Runs every command once and checks it did what it is there to do. */
static int
check_commands(void)
{
	int failed = 0;

	for (int i = 0; i < ncmds; i++) {
		struct command *c = &cmds[i];
		int out = temp_file(), err = temp_file(), status, ok;
		double wall, cpu;
		char *got, *want;
		size_t glen, wlen;

		status = run_spawn(c, out, err, &wall, &cpu);
		ok = WIFEXITED(status) && WEXITSTATUS(status) == c->expect_exit;
		if (!ok)
			fprintf(stderr, "spawn: %s: expected exit %d, got %s %d\n",
			    c->name, c->expect_exit,
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		if (ok && (c->expect_stdout != NULL || c->expect_contains != NULL)) {
			struct stat st;

			fstat(out, &st);
			if ((got = malloc((size_t)st.st_size + 1)) == NULL)
				die("out of memory%s", "");
			glen = (size_t)pread(out, got, (size_t)st.st_size, 0);
			got[glen] = '\0';
			if (c->expect_stdout != NULL) {
				want = read_file(c->expect_stdout, &wlen);
				if (glen != wlen || memcmp(got, want, wlen) != 0) {
					fprintf(stderr, "spawn: %s: expected stdout as "
					    "in %s (%zu bytes), got %zu other bytes\n",
					    c->name, c->expect_stdout, wlen, glen);
					ok = 0;
				}
				free(want);
			}
			if (c->expect_contains != NULL &&
			    strstr(got, c->expect_contains) == NULL) {
				fprintf(stderr, "spawn: %s: expected stdout containing "
				    "'%s', got %zu bytes without it\n", c->name,
				    c->expect_contains, glen);
				ok = 0;
			}
			free(got);
		}
		if (!ok) {
			/* Protocol errors are one line on stdout. */
			dump_fd("its stdout", out);
			dump_fd("its stderr", err);
			c->broken = 1;
			failed++;
		}
		close(out);
		close(err);
	}
	return failed;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(int)(q * (n - 1) + 0.5)];
}

static void
usage(void)
{
	fprintf(stderr, "usage: spawn [-k] [-n RUNS] [-w WARMUP] [-r RSS_RUNS] "
	    "[-o TSV] SPEC\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int runs = 200, warmup = 5, rss_runs = 5, keep_going = 0, broken, opt;
	const char *tsv_path = NULL;
	FILE *tsv = NULL;
	double floor_med = 0, floor_cpu = 0;

	while ((opt = getopt(argc, argv, "kn:w:r:o:")) != -1) {
		switch (opt) {
		case 'k': keep_going = 1; break;
		case 'n': runs = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'r': rss_runs = atoi(optarg); break;
		case 'o': tsv_path = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || runs < 1 || warmup < 0 || rss_runs < 1)
		usage();
	parse_spec(argv[optind]);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die("cannot open /dev/null%s", "");
	for (int i = 0; i < ncmds; i++) {
		struct command *c = &cmds[i];
		const char *in = c->stdin_path != NULL ? c->stdin_path : "/dev/null";

		if (c->argc == 0)
			die("command %s has no arg", c->name);
		if ((c->stdin_fd = open(in, O_RDONLY | O_CLOEXEC)) == -1)
			die("cannot open stdin file %s", in);
		c->envp = build_env(c);
		c->wall_us = calloc((size_t)runs, sizeof(double));
		c->cpu_us = calloc((size_t)runs, sizeof(double));
		if (c->wall_us == NULL || c->cpu_us == NULL)
			die("out of memory%s", "");
	}
	if ((broken = check_commands()) != 0 && !keep_going)
		die("%s", "a command did not do what the spec expects; nothing measured");
	if (cmds[0].broken)
		die("%s", "the floor command failed; nothing measured");

	for (int round = -warmup; round < runs; round++) {
		for (int k = 0; k < ncmds; k++) {
			int i = (k + (round < 0 ? 0 : round)) % ncmds;
			struct command *c = &cmds[i];
			double wall, cpu;
			int status;

			if (c->broken || (round >= 0 && c->max_runs != 0 &&
			    c->nruns >= c->max_runs))
				continue;
			status = run_spawn(c, devnull, devnull, &wall, &cpu);
			if (round >= 0 && !(WIFEXITED(status) &&
			    WEXITSTATUS(status) == c->expect_exit))
				c->nfailed++;
			if (round >= 0) {
				c->wall_us[c->nruns] = wall;
				c->cpu_us[c->nruns] = cpu;
				c->nruns++;
			}
		}
	}
	for (int round = 0; round < rss_runs; round++)
		for (int i = 0; i < ncmds; i++) {
			long kb;

			if (cmds[i].broken)
				continue;
			kb = run_fork_rss(&cmds[i]);

			if (kb > cmds[i].peak_rss_kb)
				cmds[i].peak_rss_kb = kb;
		}

	if (tsv_path != NULL && (tsv = fopen(tsv_path, "we")) == NULL)
		die("cannot write %s", tsv_path);
	printf("| command | runs | median ms | p10–p90 ms | × floor | CPU ms | CPU × floor | peak RSS KiB |\n"
	    "|---|--:|--:|--:|--:|--:|--:|--:|\n");
	for (int i = 0; i < ncmds; i++) {
		struct command *c = &cmds[i];
		double med, p10, p90, cpu;

		if (c->broken) {
			printf("| %s | 0 | FAILED (see stderr) | | | | | |\n", c->name);
			if (tsv != NULL)
				fprintf(tsv, "%s\tFAILED\n", c->name);
			continue;
		}
		med = quantile(c->wall_us, c->nruns, 0.5);
		p10 = quantile(c->wall_us, c->nruns, 0.1);
		p90 = quantile(c->wall_us, c->nruns, 0.9);
		cpu = quantile(c->cpu_us, c->nruns, 0.5);

		if (i == 0) {
			floor_med = med;
			floor_cpu = cpu;
		}
		printf("| %s | %d | %.3f | %.3f–%.3f | %.2f | %.3f | %.2f | %ld |\n",
		    c->name, c->nruns, med / 1e3, p10 / 1e3, p90 / 1e3,
		    med / floor_med, cpu / 1e3, cpu / floor_cpu, c->peak_rss_kb);
		if (tsv != NULL)
			fprintf(tsv, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\n", c->name,
			    c->nruns, med, p10, p90, cpu, c->peak_rss_kb);
	}
	printf("\nUp to %d interleaved rounds (after %d warm-up rounds); CPU is "
	    "user+system time of the child; peak RSS is the highest of %d "
	    "fork+exec runs.\n", runs, warmup, rss_runs);
	for (int i = 0; i < ncmds; i++)
		if (cmds[i].nfailed > 0)
			printf("WARNING: %d of %d timed runs of '%s' exited with "
			    "another status than the check run; its figures mix "
			    "in failures.\n", cmds[i].nfailed, cmds[i].nruns,
			    cmds[i].name);
	if (tsv != NULL && fclose(tsv) != 0)
		die("cannot write %s", tsv_path);
	return broken != 0;
}
