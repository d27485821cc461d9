/* The seccomp filter: which system calls the program hands to the supervisor. */
#ifndef T64_SC_FILTER_H
#define T64_SC_FILTER_H

int sc_install(void);

#endif
