# The commands for people, the man page and --help: tests/commands/commands.sh.
FAST_TARGETS += check-commands

.PHONY: check-commands
check-commands: $(TARGETS)
	$(HELPER_ENV) bash tests/commands/commands.sh
