// SPDX-License-Identifier: GPL-2.0
/*
 * What both storage engines keep alike: the resourceVersion of their last commit, which
 * readers read and watchers wait for (the engine's ops->committed and ops->wait).
 */
#include <errno.h>

#include "controller/engine.h"

/**
 * ctl_engine_committed_read() - an engine's last committed resourceVersion
 * @lock: the engine's lock, which serializes @committed
 * @committed: the engine's last committed resourceVersion
 *
 * Return: *@committed, read under @lock.
 */
uint64_t ctl_engine_committed_read(pthread_mutex_t *lock, const uint64_t *committed)
{
	uint64_t rv;

	pthread_mutex_lock(lock);
	rv = *committed;
	pthread_mutex_unlock(lock);
	return rv;
}

/**
 * ctl_engine_committed_wait() - waits until an engine commits past a resourceVersion
 * @lock: the engine's lock, which serializes @committed and @stopping
 * @changed: broadcast under @lock when @committed advances and when the engine stops
 * @committed: the engine's last committed resourceVersion
 * @stopping: set once the engine stops
 * @after: the resourceVersion to pass
 * @deadline: when to give up (the clock @changed was made with: CLOCK_MONOTONIC)
 * @running: set false when the engine stopped
 *
 * Return: the last committed resourceVersion: past @after, unless the engine stopped or
 * @deadline came first.
 */
uint64_t ctl_engine_committed_wait(pthread_mutex_t *lock, pthread_cond_t *changed,
				   const uint64_t *committed, const bool *stopping,
				   uint64_t after, const struct timespec *deadline, bool *running)
{
	uint64_t rv;

	pthread_mutex_lock(lock);
	while (!*stopping && *committed <= after)
		if (pthread_cond_timedwait(changed, lock, deadline) == ETIMEDOUT)
			break;
	rv = *committed;
	*running = !*stopping;
	pthread_mutex_unlock(lock);
	return rv;
}
