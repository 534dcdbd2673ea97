/*
 * status: what the helper would do here and now, and the mistakes it can
 * see, each with its fix.  The facts are gathered into one JSON document
 * first (status_facts.c); `--json` prints it and the plain form is
 * rendered from it here, so the two can never disagree.
 */
#include "cmd_common.h"
#include "commands.h"
#include "errors.h"
#include "report.h"
#include "status.h"

#include <stdio.h>
#include <string.h>

static void
status_usage(FILE *f)
{
	fprintf(f, "Usage: " PROGRAM_NAME " status [--json] [--system]\n\n"
	    "Shows, for each GitHub registry, which source answers (stored login,\n"
	    "ambient GITHUB_TOKEN/GH_TOKEN, GitHub CLI with its token in hosts.yml\n"
	    "or the system keyring), the backend in use and why,\n"
	    "the token's kind and a masked form, and the mistakes it can see with\n"
	    "their fixes.  Logins for one owner's images (login ghcr.io/OWNER) are\n"
	    "listed after the registries.  It never prints a token.\n\n"
	    "Options:\n"
	    "  --json      print one JSON object instead\n"
	    "  --system    the node's store, which the kubelet provider reads\n"
	    "  -h, --help  show this help\n");
}

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/* What the SOURCE column says for a host: the source's sub-kind when it
 * has one ("GITHUB_TOKEN", "GitHub CLI (keyring)"), else its id. */
static void
source_label(json_t *h, char *buf, size_t size)
{
	const char *src = report_get(h, "source"), *detail = NULL;
	const struct source *known = sources_find(src);

	if (known != NULL && known->detail_key[0] != '\0')
		detail = report_get(h, known->detail_key);
	if (detail != NULL && known->detail_label[0] != '\0')
		snprintf(buf, size, known->detail_label, detail);
	else
		snprintf(buf, size, "%s", detail != NULL ? detail : src);
}

/* Characters, not bytes, so columns after a mask line up. */
static int
utf8_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The EXPIRES column: "in 40 days (DATE)", or "-" when unknown.  The
 * number is read back as text (json_dumps), not with
 * json_integer_value(): see json_number_text() in status_facts.c. */
static const char *
expiry_text(json_t *h, char *buf, size_t size)
{
	json_t *days = json_object_get(h, "days_left");
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *n;

	if (!json_is_integer(days) ||
	    (n = json_dumps(days, JSON_ENCODE_ANY)) == NULL)
		return "-";
	if (n[0] == '-' || strcmp(n, "0") == 0)
		snprintf(buf, size, "within a day (%s)", report_get(h, "expires"));
	else
		snprintf(buf, size, "in %s day%s (%s)", n,
		    strcmp(n, "1") == 0 ? "" : "s", report_get(h, "expires"));
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(n);
	return buf;
}

static void
render_text(json_t *doc)
{
	json_t *prog = json_object_get(doc, "program"), *b = json_object_get(doc, "backend");
	json_t *g = json_object_get(doc, "github"), *d = json_object_get(doc, "docker");
	json_t *hosts = json_object_get(doc, "hosts"), *problems = json_object_get(doc, "problems");
	json_t *rows = json_array(), *h, *p;
	size_t i, width = 8, swidth = 14;
	const char *v;
	char source[40], when[64];

	printf(PROGRAM_NAME " %s\n", report_get(prog, "version"));
	printf("  program:  %s", (v = report_get(prog, "path")) != NULL ? v : "?");
	if ((v = report_get(prog, "on_path")) != NULL)
		printf(json_is_true(json_object_get(prog, "on_path_is_this")) ?
		    " (the one on PATH)\n" : " (PATH finds %s)\n", v);
	else
		printf(" (not on PATH)\n");
	printf("  backend:  %s (%s: %s)\n", or_dash(report_get(b, "name")),
	    report_get(b, "setting"), or_dash(report_get(b, "reason")));
	if ((v = report_get(b, "store")) != NULL)
		printf("  store:    %s\n", v);
	if ((v = report_get(b, "key_file")) != NULL)
		printf("  key file: %s\n", v);
	if ((v = report_get(b, "passphrase_file")) != NULL)
		printf("  passphrase file: %s\n", v);
	printf("  GitHub:   %s, %s, GitHub CLI source %s\n", report_get(g, "server"),
	    json_is_true(json_object_get(g, "actions")) ? "in GitHub Actions" :
	    "not in GitHub Actions",
	    json_is_true(json_object_get(g, "gh_cli")) ? "on" : "off");
	if ((v = report_get(d, "path")) != NULL)
		printf("  Docker:   %s%s\n", v, json_is_false(json_object_get(d, "exists")) ?
		    " (missing)" : "");
	printf("\n");

	/* A login for one owner's images is a row of its own, after the
	 * registries ("ghcr.io/octo-org"). */
	json_array_extend(rows, hosts);
	json_array_extend(rows, json_object_get(doc, "scoped"));
	hosts = rows;
	json_array_foreach(hosts, i, h) {
		if (strlen(report_get(h, "host")) > width)
			width = strlen(report_get(h, "host"));
		source_label(h, source, sizeof(source));
		if (strlen(source) > swidth)
			swidth = strlen(source);
	}
	printf("%-*s  %-*s %-16s %-14s %-14s %s\n", (int)width, "REGISTRY",
	    (int)swidth, "SOURCE", "USER", "KIND", "TOKEN", "EXPIRES");
	json_array_foreach(hosts, i, h) {
		source_label(h, source, sizeof(source));
		printf("%-*s  %-*s ", (int)width, report_get(h, "host"), (int)swidth,
		    source);
		report_put_clean(or_dash(report_get(h, "username")), 16);
		printf(" %-14s ", or_dash(report_get(h, "token_kind")));
		if (report_get(h, "token") != NULL) {
			/* The mask has a multibyte ellipsis: pad by hand. */
			printf("%s", report_get(h, "token"));
			for (int n = utf8_width(report_get(h, "token")); n < 14; n++)
				putchar(' ');
			printf(" %s\n", expiry_text(h, when, sizeof(when)));
		} else if (report_get(h, "stored_expired") != NULL)
			printf("%-14s expired %s\n", "-", report_get(h, "stored_expired"));
		else
			printf("%s\n", or_dash(report_get(h, "error")));
	}
	printf("\n");
	json_decref(rows);

	if (json_array_size(problems) == 0) {
		printf("No problems found.\n");
		return;
	}
	printf("%zu problem%s found:\n", json_array_size(problems),
	    json_array_size(problems) == 1 ? "" : "s");
	json_array_foreach(problems, i, p) {
		const char *fix = report_get(p, "fix");

		printf("  %s: ", report_get(p, "level"));
		report_put_clean(report_get(p, "problem"), 0);
		printf("\n    fix: ");
		/* A multi-line fix (a YAML snippet) stays indented. */
		for (; fix != NULL && *fix != '\0'; fix++) {
			putchar(*fix);
			if (*fix == '\n')
				printf("         ");
		}
		printf("\n");
	}
}

int
cmd_status(int argc, char **argv, struct resolver *res)
{
	json_t *doc = NULL;
	int as_json = 0, r;

	if (cmd_wants_help(argc, argv)) {
		status_usage(stdout);
		return GHCR_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else
			return ghcr_fail(GHCR_ERR_BAD_INPUT, "status: unknown argument "
			    "'%.32s'; see " PROGRAM_NAME " status --help", argv[i]);
	}
	if ((r = status_collect(res, &doc)) != GHCR_OK)
		goto out;
	if (as_json)
		r = report_print_json(doc);
	else
		render_text(doc);
out:
	json_decref(doc);
	return r;
}
