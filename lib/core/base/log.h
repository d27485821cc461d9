/* Logging: to the debug file or stderr, never stdout, errno preserved. */
#ifndef T64_LOG_H
#define T64_LOG_H

#include <stdatomic.h>

extern atomic_int t64_log_level;
extern atomic_int t64_log_fd;

void t64_log_use(int fd);

void t64_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define T64_DEBUG(level, ...)                                          \
	do {                                                           \
		if (atomic_load_explicit(&t64_log_level,               \
					 memory_order_relaxed) >= (level)) \
			t64_log((level), __VA_ARGS__);                 \
	} while (0)

#endif
