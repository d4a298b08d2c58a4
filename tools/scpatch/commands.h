/* SPDX-License-Identifier: MIT */
/* The subcommands; main.c parses nothing but the command name. */
#ifndef SCPATCH_COMMANDS_H
#define SCPATCH_COMMANDS_H

/* Each returns the process exit status: 0 fine, 1 check found problems,
 * 2 bad usage or bad input.  argv[0] is the subcommand name (or "scpatch"
 * for annotate). */
int cmd_annotate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_decode(int argc, char **argv);

#endif
