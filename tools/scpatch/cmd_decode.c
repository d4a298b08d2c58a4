// SPDX-License-Identifier: MIT
// PLACEHOLDER: replaced by the real implementation.
#include "commands.h"
#include "diag.h"

int cmd_decode(int argc, char **argv)
{
	(void)argc; (void)argv;
	return usage_error("'decode' is not implemented yet");
}
