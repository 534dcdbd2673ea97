/*
 * The program's name: what Docker runs for the credHelpers suffix "ghcr",
 * what `status` looks for on PATH, and how every message to a person
 * starts.
 */
#ifndef GHCR_PROGRAM_H
#define GHCR_PROGRAM_H

#define PROGRAM_NAME "docker-credential-ghcr"

#endif
