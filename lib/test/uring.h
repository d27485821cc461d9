/*
 * One io_uring connect with raw system calls (no liburing), shared by
 * lib/test/robust.c and the seccomp engine's lab program
 * (test/lab/programs/limits.c): what io_uring programs do, past every hook.
 */
#ifndef T64_TEST_URING_H
#define T64_TEST_URING_H

#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * uring_connect connects fd to a (l bytes) with one IORING_OP_CONNECT through
 * a ring of its own (raw system calls, no liburing), as io_uring programs
 * do: the kernel connects, no libc function is called. Returns the
 * completion's result (0 or -errno), or 1 when io_uring is unavailable here
 * (errno says why).
 */
static inline int uring_connect(int fd, const void *a, socklen_t l)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_mask, idx;
	size_t sq_len, cq_len;
	uint8_t *sq, *cq;
	int ring, res = 1;

	memset(&p, 0, sizeof p);
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return 1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if ((p.features & IORING_FEAT_SINGLE_MMAP) && cq_len > sq_len)
		sq_len = cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq :
		mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		goto out;
	sq_tail = (unsigned *)(sq + p.sq_off.tail);
	sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)(sq + p.sq_off.array);
	cq_head = (unsigned *)(cq + p.cq_off.head);
	cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	idx = *sq_tail & *sq_mask;
	memset(&sqes[idx], 0, sizeof sqes[idx]);
	sqes[idx].opcode = IORING_OP_CONNECT;
	sqes[idx].fd = fd;
	sqes[idx].addr = (uintptr_t)a;
	sqes[idx].off = l; /* addr2: the address length */
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) == 1) {
		res = cqes[__atomic_load_n(cq_head, __ATOMIC_ACQUIRE) & *cq_mask].res;
		__atomic_store_n(cq_head, *cq_head + 1, __ATOMIC_RELEASE);
	}
out:
	close(ring);
	return res;
}

#endif
