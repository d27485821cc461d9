/*
 * Preloaded before libtnat64.so: its constructor uses the socket API before
 * the interposer was ever called. hooks `ctor` reads the results.
 * [0] kernel domain of socket(AF_INET) [1] errno of bind/listen/connect
 * [2] getsockname family [3] its length [4] SO_DOMAIN
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int t64t_ctor_results[5] = { -1, -1, -1, -1, -1 };

__attribute__((constructor)) static void early(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), c, v = -1;

	syscall(SYS_getsockopt, s, SOL_SOCKET, SO_DOMAIN, &v, &l);
	t64t_ctor_results[0] = v;
	l = sizeof a;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &l) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		t64t_ctor_results[1] = errno;
	else
		t64t_ctor_results[1] = 0;
	l = sizeof a;
	if (getsockname(c, (struct sockaddr *)&a, &l) == 0) {
		t64t_ctor_results[2] = a.sin_family;
		t64t_ctor_results[3] = (int)l;
	}
	l = sizeof v;
	getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &l);
	t64t_ctor_results[4] = v;
	close(c);
	close(s);
}
