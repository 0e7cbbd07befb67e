/* The monotonic clock, for durations, deadlines and timeouts (never for timestamps that are
 * stored or shown: those are wall-clock time). One definition for every module. */
#ifndef VMAFX_BASE_MONO_H
#define VMAFX_BASE_MONO_H

#include <time.h>

double mono_now(void);       /* seconds */
long long mono_now_ms(void); /* milliseconds */
/* The moment secs from now, for pthread_cond_timedwait on a condition variable whose clock
 * is CLOCK_MONOTONIC (pthread_condattr_setclock). */
struct timespec mono_deadline(double secs);

#endif
