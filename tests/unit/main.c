/*
 * The unit-test runner: one Check suite per module, listed in the generated
 * suites.h (one SUITE(name) line per tests/unit/test_NAME.c).  Check prints
 * its summary line; the exit status is non-zero when any test failed.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>

#include "secmem.h"

#define SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
	SRunner *runner;
	int failed;

	/* As in the helper: jansson's copies of secrets are wiped on free. */
	json_set_alloc_funcs(secmem_alloc, secmem_free);

	runner = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(runner, suite_##name());
#include "suites.h"
#undef SUITE
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
