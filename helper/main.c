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
#include "cmd_common.h"
#include "commands.h"
#include "errors.h"
#include "kubelet.h"
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

/*
 * The kubelet's provider: one request on stdin, one response on stdout.
 * A failure prints nothing on stdout (the kubelet would try to decode
 * it) and one line on stderr, which the kubelet appends to its log.
 */
static int
op_kubelet(int argc, char **argv, struct resolver *res)
{
	struct kubelet_outcome outcome;
	char *input = NULL, *answer = NULL, date[40];
	size_t len;
	int r;

	if (cmd_wants_help(argc, argv)) {
		printf("Usage: " PROGRAM_NAME " kubelet <CredentialProviderRequest\n\n"
		    "The kubelet's image credential provider: reads a CredentialProviderRequest\n"
		    "(credentialprovider.kubelet.k8s.io/v1, v1beta1 or v1alpha1) on standard\n"
		    "input and writes the CredentialProviderResponse on standard output, from\n"
		    "the node's store (" PROGRAM_NAME " login --system): the login of the\n"
		    "image's owner (ghcr.io/OWNER) first, then the registry's; nothing for\n"
		    "other registries or expired logins.  Offline.  See " PROGRAM_NAME "(1),\n"
		    "KUBERNETES, for the kubelet's CredentialProviderConfig.\n");
		return GHCR_OK;
	}
	if (argc > 1)
		return ghcr_fail(GHCR_ERR_BAD_INPUT, "kubelet takes no arguments "
		    "(the request comes on standard input); see " PROGRAM_NAME "(1)");
	if ((r = protocol_read_all(STDIN_FILENO, PROTOCOL_MAX_INPUT, &input, &len)) != GHCR_OK ||
	    (r = kubelet_answer(res, input, len, &answer, &len, &outcome)) != GHCR_OK ||
	    (r = protocol_write_all(STDOUT_FILENO, answer, len)) != GHCR_OK)
		goto out;
	if (outcome.expired_on != 0) {
		utc_format(outcome.expired_on, 0, date, sizeof(date));
		fprintf(stderr, "%s: the stored token for %s expired on %s, so it "
		    "is not offered%s; log in again with a new token: %s login "
		    "--system %s\n", PROGRAM_NAME, outcome.expired_key, date,
		    outcome.offered == 0 ? " (no credential: only public images "
		    "pull)" : "", PROGRAM_NAME, outcome.expired_key);
	}
	r = GHCR_OK;
out:
	secmem_free(answer);
	secmem_free(input);
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

/* Whose settings an op runs with (settings_load_system()). */
#define OP_PERSON 0
#define OP_NODE   1 /* always the node's: the kubelet provider */
#define OP_EITHER 2 /* the node's with --system (anywhere in its argv) */

static const struct op {
	const char *name;
	int (*run)(int argc, char **argv, struct resolver *res);
	int protocol;      /* answers a client: errors go to stdout */
	const char *help;
	int node;          /* OP_PERSON, OP_NODE or OP_EITHER */
} ops[] = {
	{ "store", op_store, 1, "store a credential: JSON on stdin", OP_PERSON },
	{ "get", op_get, 1, "print the credential for the server on stdin", OP_PERSON },
	{ "erase", op_erase, 1, "erase the credential for the server on stdin", OP_PERSON },
	{ "list", op_list, 1, "print {\"server\":\"username\",...}", OP_PERSON },
	{ "version", op_version, 1, "print the version", OP_PERSON },
	/* For people: "ARGUMENTS\tdescription". */
	{ "configure", cmd_configure, 0, "[--registries H,...] [--podman] [--dry-run]\t"
	  "make Docker (and podman) use this helper; move plaintext logins into the store", OP_PERSON },
	{ "login", cmd_login, 0, "[SERVER|SERVER/OWNER] [-u USER] [--password-stdin] [--no-verify] [--system]\t"
	  "store a token without Docker, once the registry accepts it (read without echo, or from stdin); "
	  "SERVER/OWNER: only for the images of that user or organisation", OP_EITHER },
	{ "logout", cmd_logout, 0, "[SERVER|SERVER/OWNER] [--system]\terase a stored login", OP_EITHER },
	{ "status", cmd_status, 0, "[--json] [--system]\tshow which source answers, the backend, "
	  "and common mistakes", OP_EITHER },
	{ "check", cmd_check, 0, "[--json] [--system] [IMAGE...]\ttry each credential against "
	  "its registry (pull, push, scopes, expiry, SSO); exit 1 if one fails", OP_EITHER },
	{ "kubelet", op_kubelet, 0, "\tbe the kubelet's image credential provider: a "
	  "CredentialProviderRequest on stdin, the response on stdout (the node's store: "
	  "--system)", OP_NODE },
	{ "--version", op_version, 1, NULL, OP_PERSON },
	{ "-v", op_version, 1, NULL, OP_PERSON },
	{ "--help", op_help, 1, NULL, OP_PERSON },
	{ "-h", op_help, 1, NULL, OP_PERSON },
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
		printf("  %s%s%.*s\n      %s\n", ops[i].name, tab > ops[i].help ?
		    " " : "", (int)(tab - ops[i].help), ops[i].help, tab + 1);
	}
	printf("\nOptions:\n  -h, --help     show this help\n"
	    "  -v, --version  print the version\n"
	    "  --system       (login, logout, status, check) the node's store, as the\n"
	    "                 kubelet provider uses it: /var/lib/" PROGRAM_NAME "/credentials\n\n"
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

/* Whether `op` runs with the node's settings; takes --system out of an
 * OP_EITHER op's argv, so the command never sees it. */
static int
op_node(const struct op *op, int *argc, char **argv)
{
	int found = 0, k = 2;

	if (op->node != OP_EITHER)
		return op->node == OP_NODE;
	for (int i = 2; i < *argc; i++) {
		if (strcmp(argv[i], "--system") == 0)
			found = 1;
		else
			argv[k++] = argv[i];
	}
	argv[k] = NULL;
	*argc = k;
	return found;
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
	if ((r = op_node(op, &argc, argv) ? settings_load_system(&settings) :
	    settings_load(&settings)) != GHCR_OK) {
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
