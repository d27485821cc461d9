/*
 * Socket options of converted sockets: IPv4 options that also set their
 * IPv6 twins (so NAT64 traffic is treated as the program asked), SO_DOMAIN
 * answered AF_INET, SO_ERROR that may fall back to IPv4.
 */
#ifndef T64_CALLS_OPTIONS_H
#define T64_CALLS_OPTIONS_H

#include <sys/socket.h>

#include "base/real.h"

int t64_setsockopt_logic(t64_fn_setsockopt *real, int fd, int level, int opt, const void *val, socklen_t len);
int t64_getsockopt_logic(t64_fn_getsockopt *real, unsigned f, int fd, int level, int opt, void *val,
			 socklen_t *len);
int t64_twins_on(t64_fn_getsockopt *real, int fd);

#endif
