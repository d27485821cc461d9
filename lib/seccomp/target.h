/* One notified system call: its arguments, the caller's memory and fds, the answer. */
#ifndef T64_SC_TARGET_H
#define T64_SC_TARGET_H

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct sc_call {
	int listener;
	struct seccomp_notif *req;
	int pidfd;   /* the caller's, opened on first need; -1 before */
	int copy;    /* our copy of the caller's socket (sc_fd), closed before the answer; -1: none */
	int answered;
};

/* The calling thread's current call, for waits that must notice the caller giving up. */
extern __thread struct sc_call *sc_current;

uint64_t sc_arg(const struct sc_call *c, int i);
int sc_valid(const struct sc_call *c);
int sc_fd(struct sc_call *c, int fd);
void sc_release(struct sc_call *c);
int sc_read(const struct sc_call *c, uint64_t addr, void *buf, size_t n);
int sc_read2(const struct sc_call *c, uint64_t a1, void *b1, size_t n1, uint64_t a2, void *b2, size_t n2);
int sc_readv(const struct sc_call *c, const struct iovec *theirs, size_t cnt, void *buf, size_t n);
int sc_write(const struct sc_call *c, uint64_t addr, const void *buf, size_t n);
int sc_writev(const struct sc_call *c, const struct iovec *mine, size_t nmine, const struct iovec *theirs,
	      size_t ntheirs, size_t n);
void sc_continue(struct sc_call *c);
void sc_answer(struct sc_call *c, int64_t val, int err);
int sc_answer_fd(struct sc_call *c, int fd, int cloexec);
void sc_call_end(struct sc_call *c);

#endif
