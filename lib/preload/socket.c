/* socket(): IPv4 TCP and UDP sockets become AF_INET6 sockets with IPV6_V6ONLY off (calls/socket.c). */
#include <sys/socket.h>

#include "base/real.h"
#include "calls/socket.h"
#include "sock/fdtab.h"

/*
 * socket returns a new socket like the real socket(); see
 * t64_socket_logic for AF_INET. Returns -1 with errno set by the real call
 * (ENOSYS when it cannot be found).
 */
T64_EXPORT T64_RET_socket socket(T64_SIG_socket)
{
	t64_fn_socket *real = T64_REAL(socket);
	int fd;

	if (real == NULL)
		return -1;
	if (domain == AF_INET)
		return t64_socket_logic(real, domain, type, protocol);
	fd = real(domain, type, protocol);
	if (fd >= 0)
		t64_fd_set(fd, T64_FD_KNOWN);
	return fd;
}
