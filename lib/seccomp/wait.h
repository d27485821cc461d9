/*
 * Waiting as the program's blocking call would, in the supervisor: so
 * that a caller giving up (a signal, its death) is noticed, and other
 * calls go on meanwhile.
 */
#ifndef T64_SC_WAIT_H
#define T64_SC_WAIT_H

#include <stdint.h>

int64_t sc_deadline_of(int fd, int opt);
int sc_wait_for(int fd, short events, int64_t deadline, int may_pass);
int sc_connect_wait(int fd);
int sc_blocking(int fd, int flags);
int sc_recv_retry(int fd, int blocks, int64_t *deadline);

#endif
