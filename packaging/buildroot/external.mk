include $(sort $(wildcard $(BR2_EXTERNAL_DOCKER_CREDENTIAL_GHCR_PATH)/package/*/*.mk))
