/*
 * The benchmark's floor: the cheapest thing a credential helper could be, a
 * C program that starts, does nothing and exits 0.  It is built with the
 * helper's own compiler, flags and hardening (PIE, RELRO, BIND_NOW), so the
 * ratio to it is what our own work costs on top of exec + ld.so + libc.
 */
int
main(void)
{
	return 0;
}
