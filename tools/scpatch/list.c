// SPDX-License-Identifier: MIT
// PLACEHOLDER: replaced by the real implementation.
#include "commands.h"
#include "diag.h"

int cmd_list(int argc, char **argv)
{
	(void)argc; (void)argv;
	return usage_error("'list' is not implemented yet");
}
