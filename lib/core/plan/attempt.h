/*
 * The attempt engine that connect, sendto, sendmsg and sendmmsg share: the
 * planned method first; on an unreachable error the other one; the method
 * that worked remembered for the destination. The caller makes the real
 * call with a->sin6 each time, blocking or not.
 */
#ifndef T64_ATTEMPT_H
#define T64_ATTEMPT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "plan/route.h"

/* One IPv4 destination being reached: its plan, the method being tried and that method's address. */
struct t64_attempt {
	struct sockaddr_in sin;
	struct t64_route r;
	enum t64_method m;         /* the method of sin6 */
	struct sockaddr_in6 sin6;
	int standin;               /* sin is a stand-in: sin6 is its IPv6 peer, nothing else is tried */
	int err;                   /* how the first method failed, once t64_attempt_next gave the other */
};

int t64_attempt_connect(int fd, const struct sockaddr *addr, socklen_t len, struct t64_attempt *a);
int t64_attempt_send(int fd, const struct sockaddr *addr, socklen_t len, struct t64_attempt *a);
int t64_attempt_v4(int fd, const struct sockaddr_in *sin, struct t64_attempt *a);
int t64_attempt_next(struct t64_attempt *a, int err);
void t64_attempt_worked(const struct t64_attempt *a);
int t64_fallback_errno(int err);
int t64_fallback_pick(int first, int second);
int t64_attempt_errno(const struct t64_attempt *a, int err);
int t64_no_prefix(const struct sockaddr_in *sin);

#endif
