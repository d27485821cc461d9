/* Sockets inherited across exec: an fd our hooks never saw is probed once, and taken as converted when it is one. */
#ifndef T64_INHERIT_H
#define T64_INHERIT_H

#include "sock/fdtab.h"

unsigned t64_fd_probe(int fd);
int t64_fd_recheck(int fd);

/*
 * t64_fd_flags returns fd's flags like t64_fd_get, but an fd our hooks
 * never saw (inherited across exec) is probed once first (calls/inherit.c).
 */
static inline unsigned t64_fd_flags(int fd)
{
	unsigned f = t64_fd_get(fd);

	return f != 0 || fd < 0 ? f : t64_fd_probe(fd);
}

#endif
