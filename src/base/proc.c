/* Process groups that are spawned, stopped and reaped deterministically (see proc.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "str.h"

extern char **environ;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) && errno == EINTR) {}
}

int proc_find(const char *prog, char *out, size_t n)
{
    if (strchr(prog, '/')) {
        if (str_copy(out, n, prog)) return -ENAMETOOLONG;
        return access(prog, X_OK) ? -ENOENT : 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        if (len && (size_t)snprintf(out, n, "%.*s/%s", (int)len, p, prog) < n && !access(out, X_OK)) return 0;
        p += len + (p[len] == ':');
    }
    return -ENOENT;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void child_exec(const char *path, const ProcSpec *s, pid_t parent, int errfd)
{
    setpgid(0, 0);
    if (s->death_signal) {
        prctl(PR_SET_PDEATHSIG, s->death_signal);
        if (getppid() != parent) _exit(127); /* the parent died before prctl took effect */
    }
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(s->stdout_fd >= 0 ? s->stdout_fd : devnull, 1);
    dup2(s->stderr_fd >= 0 ? s->stderr_fd : devnull, 2);
    /* Leak no descriptor of the parent (sockets, other children's pipes) into the child. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)) {
        for (int fd = 3; fd < 1024; fd++)
            if (fd != errfd) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    /* The parent may ignore or block signals (a CLI blocks SIGTERM for sigwait); a child
     * must start with default dispositions so that our SIGTERM stops it. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, s->argv, s->envp ? s->envp : environ);
    int e = errno;
    if (write(errfd, &e, sizeof(e)) < 0) {}
    _exit(127);
}

/* Waits for the child's exec: returns 0, or the errno the child reported. */
static int exec_result(int rfd)
{
    int e = 0;
    ssize_t r;
    do r = read(rfd, &e, sizeof(e));
    while (r < 0 && errno == EINTR);
    return r == (ssize_t)sizeof(e) ? e : 0;
}

int proc_spawn(Proc *p, const ProcSpec *s, char *err, size_t n)
{
    char path[PATH_MAX];
    memset(p, 0, sizeof(*p));
    if (proc_find(s->argv[0], path, sizeof(path))) {
        snprintf(err, n, "cannot run %s: not found in PATH", s->argv[0]);
        return -ENOENT;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        return -errno;
    }
    /* Signals stay blocked across fork so no handler of ours runs in the child. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) child_exec(path, s, parent, fds[1]);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(err, n, "fork: %s", strerror(fork_errno));
        return -fork_errno;
    }
    setpgid(pid, pid); /* also here: no window in which a group kill would miss it */
    p->pid = pid;
    int e = exec_result(fds[0]);
    close(fds[0]);
    if (e) {
        proc_stop(p, 0);
        snprintf(err, n, "cannot run %s: %s", s->argv[0], strerror(e));
        return -e;
    }
    return 0;
}

int proc_exited(Proc *p)
{
    if (!p->pid || p->reaped) return 1;
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno == EINTR) return 0;
        p->reaped = 1; /* someone else reaped it (see proc.h): it is gone */
        return 1;
    }
    return si.si_pid != 0;
}

static int wait_exit(Proc *p, int ms)
{
    for (int waited = 0; !proc_exited(p); waited += 2) {
        if (waited >= ms) return 0;
        sleep_ms(2);
    }
    return 1;
}

int proc_stop(Proc *p, int grace_ms)
{
    if (!p->pid || p->reaped) return p->status;
    if (!proc_exited(p)) {
        kill(-p->pid, SIGTERM);
        wait_exit(p, grace_ms);
    }
    /* The leader is at most a zombie here, so the group id is still ours: stragglers in
     * the group (helpers the child started) go too. */
    kill(-p->pid, SIGKILL);
    int st = 0;
    while (!p->reaped && waitpid(p->pid, &st, 0) < 0) {
        if (errno != EINTR) {
            st = 0;
            break;
        }
    }
    p->status = st;
    p->reaped = 1;
    return st;
}

int proc_run(char *const argv[], int timeout_ms, char *err, size_t n)
{
    Proc p;
    ProcSpec s = { argv, NULL, -1, -1, 0 };
    int r = proc_spawn(&p, &s, err, n);
    if (r) return r;
    int done = wait_exit(&p, timeout_ms);
    int st = proc_stop(&p, 0);
    if (!done) {
        snprintf(err, n, "%s did not finish within %d ms", argv[0], timeout_ms);
        return -ETIMEDOUT;
    }
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    proc_describe(st, err, n);
    return -ECHILD;
}

void proc_describe(int status, char *out, size_t n)
{
    if (WIFEXITED(status)) snprintf(out, n, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) snprintf(out, n, "killed by signal %d", WTERMSIG(status));
    else snprintf(out, n, "wait status %d", status);
}
