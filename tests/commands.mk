# The commands for people, the man page and --help: tests/commands/commands.sh.
CHECK_TARGETS += check-commands

.PHONY: check-commands
check-commands: $(TARGETS)
	GHCR_HELPER=$(abspath $(PROGRAM)) DOCKER_CREDENTIAL_GHCR_MODULE_DIR=$(abspath $(O)) \
		bash tests/commands/commands.sh
