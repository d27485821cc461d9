/* The threads that receive notifications: one always free while others wait on the network. */
#ifndef T64_SC_POOL_H
#define T64_SC_POOL_H

int sc_pool_start(int listener);
int sc_pool_wait_begin(void);

#endif
