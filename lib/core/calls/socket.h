/*
 * socket(AF_INET): which sockets become dual-stack AF_INET6 ones, and
 * making one.
 */
#ifndef T64_CALLS_SOCKET_H
#define T64_CALLS_SOCKET_H

#include "base/real.h"

unsigned t64_socket_kind(int type, int protocol);
int t64_socket_dual(t64_fn_socket *real, int type, int protocol);
int t64_socket_logic(t64_fn_socket *real, int domain, int type, int protocol);

#endif
