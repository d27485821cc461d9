/* The stand-in table's layout, shared by pool.c (its use) and pooltab.c (where it lives). */
#ifndef T64_POOLTAB_H
#define T64_POOLTAB_H

#include <stdatomic.h>
#include <stdint.h>

#include "pool/pool.h"

/*
 * One slot: the address's first 32 bits stored inverted in `head` (0:
 * free, 1: being written; an inverted 0 or 1 would be ffff:ffff:: or
 * ffff:fffe::, multicast, never a peer or a looked-up address) and the
 * other 12 bytes. 16 bytes, 1 MiB for the slots.
 */
struct t64_slot {
	_Atomic uint32_t head;
	uint8_t rest[12];
};

/* A slot's name: `state` guards `text` (it can be set after the slot). */
struct t64_name {
	_Atomic uint8_t state;
	char text[255];
};

/*
 * The whole table. `range` is the range its slots stand for, set by the
 * first process that uses it: a process configured for another range
 * must not read slot i as its own net + i. Pages are touched only as
 * slots and names fill.
 */
struct t64_table {
	_Atomic uint64_t range;
	uint8_t pad[4096 - sizeof(uint64_t)];
	struct t64_slot slot[T64_POOL_SLOTS];
	struct t64_name name[T64_POOL_SLOTS];
};

/* Other processes use the same words: only lock-free atomics work across them. */
_Static_assert(ATOMIC_CHAR_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2 &&
		       ATOMIC_LLONG_LOCK_FREE == 2,
	       "the shared table needs lock-free atomics");
_Static_assert(sizeof(struct t64_name) == 256, "one name entry is 256 bytes");

/* The table in use; NULL until t64_pool_init mapped one. */
extern _Atomic(struct t64_table *) t64_pool_table;

struct t64_table *t64_pool_fresh(void);

#endif
