/* Child processes that are always accounted for: each runs in its own process group, is
 * stopped with SIGTERM then SIGKILL after a grace period, and is always reaped.
 *
 * Rules for callers: do not set SIGCHLD to SIG_IGN and do not reap with waitpid(-1, ...),
 * or this module loses track of its children (it then treats them as gone). */
#ifndef VMAFX_BASE_PROC_H
#define VMAFX_BASE_PROC_H

#include <stddef.h>
#include <sys/types.h>

typedef struct Proc {
    pid_t pid;  /* also the process group id; 0 when none */
    int reaped; /* the zombie was collected */
    int status; /* wait status, valid once exited */
} Proc;

typedef struct ProcSpec {
    char *const *argv; /* argv[0] is searched in PATH */
    char *const *envp; /* NULL: the caller's environment */
    int stdout_fd;     /* -1: /dev/null */
    int stderr_fd;     /* -1: /dev/null; stdin is always /dev/null */
    /* Signal the child gets when the thread that spawned it ends (PR_SET_PDEATHSIG), so that
     * a parent killed with SIGKILL still takes its children along. Only set it when spawning
     * from a thread that lives as long as the child should. 0: none. */
    int death_signal;
} ProcSpec;

/* Starts the child; 0, or a negative errno with a message (e.g. the program is missing). */
int proc_spawn(Proc *p, const ProcSpec *s, char *err, size_t n);
/* 1 if the child has exited (it stays a zombie until proc_stop, so its group id cannot be
 * reused meanwhile), 0 if it runs. */
int proc_exited(Proc *p);
/* SIGTERM to the group, up to grace_ms for the leader to exit, then SIGKILL to the group,
 * then reap. Safe to call more than once. Returns the wait status. */
int proc_stop(Proc *p, int grace_ms);
/* Runs a short helper to completion within timeout_ms (killed after), output discarded.
 * Returns its exit code, or a negative errno (-ETIMEDOUT when killed). */
int proc_run(char *const argv[], int timeout_ms, char *err, size_t n);
/* Full path of prog found in PATH (or prog itself when it has a '/'); 0 or -ENOENT. */
int proc_find(const char *prog, char *out, size_t n);
/* Short text for a wait status: "exit status 1", "killed by signal 9". */
void proc_describe(int status, char *out, size_t n);

#endif
