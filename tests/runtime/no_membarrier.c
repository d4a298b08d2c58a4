// SPDX-License-Identifier: MIT
/*
 * no_membarrier [-b] ERRNO PROG ARGS...: runs PROG with membarrier()
 * failing with ERRNO (seccomp), as in a sandbox that does not allow it.
 * -b: only the barrier itself (MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)
 * fails, registering for it works: the barrier fails after an update's
 * stores, as it would if a filter were installed after the registration.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/membarrier.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int barrier_only = argc > 1 && !strcmp(argv[1], "-b");
	int err = argc > 2 + barrier_only ? atoi(argv[1 + barrier_only]) : EPERM;
	/* args[0] is membarrier's cmd (its low 32 bits: little-endian). */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_membarrier, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JA, barrier_only, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	argv += barrier_only;
	argc -= barrier_only;
	if (argc < 3 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("no_membarrier");
		return 125;
	}
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 126;
}
