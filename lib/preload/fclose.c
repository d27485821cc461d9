/* fclose(): a stream's fd closes inside libc, past close(); its state is forgotten. */
#include <errno.h>
#include <stdio.h>

#include "sock/fdtab.h"
#include "base/real.h"

/*
 * fclose forgets the state of stream's fd (an fdopen'ed socket, say), then
 * closes like the real fclose(). Forgetting first, as close does. Returns
 * 0, or EOF with the real call's errno.
 */
T64_EXPORT T64_RET_fclose fclose(T64_SIG_fclose)
{
	t64_fn_fclose *real = T64_REAL(fclose);
	int saved = errno, fd;

	if (real == NULL)
		return EOF;
	fd = stream != NULL ? fileno(stream) : -1; /* -1: a stream with no fd */
	if (fd >= 0)
		t64_fd_forget(fd);
	errno = saved;
	return real(stream);
}
