/*
 * docker-credential-ghcr: argv dispatch through an ops table, and the one
 * place that prints protocol answers and exits.  Every op returns a
 * ghcr_status; on failure main prints exactly one line on stdout (clients
 * show it to the user) and exits 1.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_module.h"
#include "commands.h"
#include "errors.h"
#include "program.h"
#include "protocol.h"
#include "secmem.h"
#include "settings.h"
#include "sources.h"
#include "utc.h"

static int
op_store(int argc, char **argv, struct resolver *res)
{
	struct credential cred = { 0 };
	char *input = NULL;
	size_t len;
	int r;

	(void)argc, (void)argv;
	if ((r = protocol_read_all(STDIN_FILENO, PROTOCOL_MAX_INPUT, &input, &len)) != GHCR_OK ||
	    (r = protocol_parse_store(input, len, &cred)) != GHCR_OK ||
	    (r = resolver_put(res, &cred)) != GHCR_OK)
		goto out;
	r = GHCR_OK;
out:
	credential_clear(&cred);
	secmem_free(input);
	return r;
}

/*
 * get's one stderr line when the stored login was passed over for having
 * expired (stdout keeps the exact "not found" clients match).  Docker
 * discards a helper's stderr; a person running get, podman and skopeo's
 * debug output show it.
 */
static void
say_stored_expired(const char *server, time_t when)
{
	char date[40];

	utc_format(when, 0, date, sizeof(date));
	fprintf(stderr, "%s: the stored token for %s expired on %s; log in "
	    "again with a new token: %s login %s (or docker login %s)\n",
	    PROGRAM_NAME, server, date, PROGRAM_NAME, server, server);
}

static int
op_get(int argc, char **argv, struct resolver *res)
{
	struct credential cred = { 0 };
	struct source_hit hit = { 0 };
	char server[SERVER_MAX], *input = NULL, *answer = NULL;
	size_t len;
	int r;

	(void)argc, (void)argv;
	if ((r = protocol_read_all(STDIN_FILENO, PROTOCOL_MAX_INPUT, &input, &len)) != GHCR_OK ||
	    (r = protocol_parse_server(input, len, server)) != GHCR_OK)
		goto out;
	if ((r = sources_get(res, server, 0, &cred, &hit)) == GHCR_ERR_NOT_FOUND &&
	    hit.stored_expired != 0)
		say_stored_expired(server, hit.stored_expired);
	/* A source passed over (gh's keyring is locked) says why, once;
	 * stdout keeps the one answer. */
	if (hit.skipped[0] != '\0')
		fprintf(stderr, PROGRAM_NAME ": %s\n", hit.skipped);
	if (r != GHCR_OK ||
	    (r = protocol_format_credential(&cred, &answer, &len)) != GHCR_OK ||
	    (r = protocol_write_all(STDOUT_FILENO, answer, len)) != GHCR_OK)
		goto out;
	r = GHCR_OK;
out:
	secmem_free(answer);
	credential_clear(&cred);
	secmem_free(input);
	return r;
}

static int
op_erase(int argc, char **argv, struct resolver *res)
{
	char server[SERVER_MAX], *input = NULL;
	size_t len;
	int r;

	(void)argc, (void)argv;
	if ((r = protocol_read_all(STDIN_FILENO, PROTOCOL_MAX_INPUT, &input, &len)) != GHCR_OK ||
	    (r = protocol_parse_server(input, len, server)) != GHCR_OK ||
	    (r = resolver_erase(res, server)) != GHCR_OK)
		goto out;
	r = GHCR_OK;
out:
	secmem_free(input);
	return r;
}

static int
op_list(int argc, char **argv, struct resolver *res)
{
	json_t *listing;
	char *answer = NULL;
	size_t len;
	int r;

	(void)argc, (void)argv;
	/* list ignores its input; it is not even read. */
	if ((listing = json_object()) == NULL)
		return GHCR_ERR_NO_MEMORY;
	if ((r = sources_list(res, listing)) != GHCR_OK ||
	    (r = protocol_format_list(listing, &answer, &len)) != GHCR_OK ||
	    (r = protocol_write_all(STDOUT_FILENO, answer, len)) != GHCR_OK)
		goto out;
	r = GHCR_OK;
out:
	secmem_free(answer);
	json_decref(listing);
	return r;
}

static int
op_version(int argc, char **argv, struct resolver *res)
{
	(void)argc, (void)argv, (void)res;
	printf("%s (%s) %s\n", PROGRAM_NAME, GHCR_PACKAGE, GHCR_VERSION);
	return GHCR_OK;
}

static int op_help(int argc, char **argv, struct resolver *res);

static const struct op {
	const char *name;
	int (*run)(int argc, char **argv, struct resolver *res);
	int protocol;      /* answers a client: errors go to stdout */
	const char *help;
} ops[] = {
	{ "store", op_store, 1, "store a credential: JSON on stdin" },
	{ "get", op_get, 1, "print the credential for the server on stdin" },
	{ "erase", op_erase, 1, "erase the credential for the server on stdin" },
	{ "list", op_list, 1, "print {\"server\":\"username\",...}" },
	{ "version", op_version, 1, "print the version" },
	/* For people: "ARGUMENTS\tdescription". */
	{ "configure", cmd_configure, 0, "[--registries H,...] [--podman] [--dry-run]\t"
	  "make Docker (and podman) use this helper; move plaintext logins into the store" },
	{ "login", cmd_login, 0, "[SERVER] [-u USER] [--password-stdin] [--no-verify]\t"
	  "store a token without Docker, once the registry accepts it (read without echo, or from stdin)" },
	{ "logout", cmd_logout, 0, "[SERVER]\terase a stored login" },
	{ "status", cmd_status, 0, "[--json]\tshow which source answers, the backend, "
	  "and common mistakes" },
	{ "check", cmd_check, 0, "[--json] [IMAGE...]\ttry each credential against "
	  "its registry (pull, push, scopes, expiry, SSO); exit 1 if one fails" },
	{ "--version", op_version, 1, NULL },
	{ "-v", op_version, 1, NULL },
	{ "--help", op_help, 1, NULL },
	{ "-h", op_help, 1, NULL },
};

static int
op_help(int argc, char **argv, struct resolver *res)
{
	(void)argc, (void)argv, (void)res;
	printf("Usage: %s <command> [arguments]\n\n"
	    "A Docker credential helper for GitHub's container registries.\n"
	    "Docker, podman and skopeo run it with one of the protocol commands;\n"
	    "people use the others.\n\nProtocol commands:\n", PROGRAM_NAME);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].help != NULL && ops[i].protocol)
			printf("  %-10s %s\n", ops[i].name, ops[i].help);
	printf("\nCommands for people (%s COMMAND --help for details):\n", PROGRAM_NAME);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *tab;

		if (ops[i].help == NULL || ops[i].protocol)
			continue;
		tab = strchr(ops[i].help, '\t');
		printf("  %s %.*s\n      %s\n", ops[i].name, (int)(tab - ops[i].help),
		    ops[i].help, tab + 1);
	}
	printf("\nOptions:\n  -h, --help     show this help\n"
	    "  -v, --version  print the version\n\n"
	    "Settings come from DOCKER_CREDENTIAL_GHCR_* variables and\n"
	    "$XDG_CONFIG_HOME/" PROGRAM_NAME "/config; see %s(1).\n", PROGRAM_NAME);
	return GHCR_OK;
}

/* Keep secrets out of core dumps and away from ptrace by other processes
 * of the same user, and make every file we create private. */
static void
harden_process(void)
{
	struct rlimit no_core = { 0, 0 };

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &no_core);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	json_set_alloc_funcs(secmem_alloc, secmem_free);
}

int
main(int argc, char **argv)
{
	const struct op *op = NULL;
	struct settings settings;
	struct resolver res;
	int r;

	harden_process();
	if (argc < 2) {
		op_help(0, NULL, NULL);
		return 1;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[1], ops[i].name) == 0)
			op = &ops[i];
	if (op == NULL) {
		fprintf(stderr, "%s: unknown command '%.64s'; see %s --help\n",
		    PROGRAM_NAME, argv[1], PROGRAM_NAME);
		return 1;
	}
	/* The same line, should a thread have to end the process early
	 * (ghcr_exit_abandoned()). */
	ghcr_failure_output(op->protocol ? NULL : PROGRAM_NAME);
	if ((r = settings_load(&settings)) != GHCR_OK) {
		resolver_init(&res, NULL);
		goto out;
	}
	resolver_init(&res, &settings);
	r = op->run(argc - 1, argv + 1, &res);
	resolver_close(&res);
	secmem_wipe_stack();
out:
	if (fflush(stdout) != 0 && r == GHCR_OK)
		r = ghcr_fail(GHCR_ERR_SYSTEM, "cannot write standard output");
	if (r == GHCR_OK)
		return 0;
	if (op->protocol)
		printf("%s\n", ghcr_error_message(r));
	else
		fprintf(stderr, "%s: %s\n", PROGRAM_NAME, ghcr_error_message(r));
	return 1;
}
