// SPDX-License-Identifier: MIT
/*
 * Once per process: register for core-serializing membarrier (it can take
 * milliseconds with many threads, so never on the update path) and make
 * fork() wait for a running update, so that a child never inherits the lock
 * held or a page left writable and executable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int membarrier_status = -ENOSYS;
static bool forked;

static int register_membarrier(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (cmds < 0)
		return -errno;
	if (!(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE))
		return -ENOSYS;
	if (syscall(SYS_membarrier,
		    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) < 0)
		return -errno;
	return 0;
}

static void fork_prepare(void)
{
	sc_lock();
}

static void fork_parent(void)
{
	sc_unlock();
}

/* The child has one thread and a new mm: register it too. */
static void fork_child(void)
{
	forked = true;
	membarrier_status = register_membarrier();
	sc_unlock();
}

static void init(void)
{
	membarrier_status = register_membarrier();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void sc_init(void)
{
	pthread_once(&init_once, init);
}

/* At load, even in images without a table of their own. */
__attribute__((constructor)) static void init_at_load(void)
{
	sc_init();
}

/* The loader's locks may have been held by another thread of the parent
 * when it forked: such a child must not call dl_iterate_phdr(). */
bool sc_forked_child(void)
{
	return forked;
}

int sc_membarrier_status(void)
{
	return membarrier_status;
}

int sc_sync_cores(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
		    0, 0) < 0)
		return -errno;
	return 0;
}
