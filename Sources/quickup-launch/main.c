// quickup-launch: the first process of every tool (SPEC T1, T3; issue 20.2).
//
// It joins the tool's cgroups, sets the tool's rlimits and a parent-death signal, then execs the
// tool — the same pid, so no process of the tool ever runs outside its cgroups. It replaces
// `setpriv --pdeathsig KILL /bin/sh -c '…'`: two execs and a shell script per tool (measured here:
// 1.8 ms of CPU above a bare start; this program: 0.5 ms). With `--wait` it is a pre-joined
// launcher: it joins at once (paying cgroup v1's grace period before any tool waits for it), then
// reads its tool's job from stdin; whatever stdin holds after the job is the tool's.
//
//   quickup-launch [--parent PID] [--join FILE]... [--limit SPEC]... -- ARGV...
//   quickup-launch [--parent PID] [--join FILE]... --wait
//
// SPEC is NAME=SOFT:HARD, NAME one of core, cpu (seconds), as (bytes), nproc; a leading `?` means a
// failure to set it is ignored. The job is "<length>\n" and then <length> bytes of NUL-terminated
// fields, each a tag and a value: D<directory> (first), E<NAME=VALUE>, L<SPEC>, A<argument>.
// It runs ARGV with the job's environment only (PATH from it, as `exec` after `export` does).
//
// Exit status 125: the launcher itself failed (a message on stderr says why); 126/127: the tool
// could not be run, as a shell reports it. Only system calls and libc; nothing is freed, since
// the process either execs or exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

__attribute__((noreturn)) static void fail(const char *what, const char *detail) {
    dprintf(2, "quickup-launch: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    _exit(125);
}

static void join(const char *procs) {
    char pid[24];
    int length = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(procs, strerror(errno));
    ssize_t written = write(fd, pid, (size_t)length);
    if (written != length) fail(procs, written < 0 ? strerror(errno) : "short write");
    close(fd);
}

static int parse_number(const char *text, const char *end, rlim_t *value) {
    if (text == end) return 0;
    rlim_t result = 0;
    for (const char *c = text; c < end; c++) {
        if (*c < '0' || *c > '9') return 0;
        result = result * 10 + (rlim_t)(*c - '0');
    }
    *value = result;
    return 1;
}

static void limit(const char *spec) {
    int optional = spec[0] == '?';
    const char *name = spec + optional;
    const char *equals = strchr(name, '=');
    const char *colon = equals ? strchr(equals, ':') : NULL;
    struct rlimit value;
    if (!equals || !colon || !parse_number(equals + 1, colon, &value.rlim_cur) ||
        !parse_number(colon + 1, colon + strlen(colon), &value.rlim_max)) {
        fail("a limit is not NAME=SOFT:HARD", spec);
    }
    size_t length = (size_t)(equals - name);
    int resource;
    if (length == 4 && strncmp(name, "core", 4) == 0) resource = RLIMIT_CORE;
    else if (length == 3 && strncmp(name, "cpu", 3) == 0) resource = RLIMIT_CPU;
    else if (length == 2 && strncmp(name, "as", 2) == 0) resource = RLIMIT_AS;
    else if (length == 5 && strncmp(name, "nproc", 5) == 0) resource = RLIMIT_NPROC;
    else fail("unknown limit", spec);
    if (setrlimit(resource, &value) != 0 && !optional) fail(spec, strerror(errno));
}

// read(2) until `count` bytes came; 0 when stdin ended first.
static int read_exactly(char *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t n = read(0, buffer + done, count - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        done += (size_t)n;
    }
    return 1;
}

// The job's fields become the directory, environment, limits and arguments. The header is read a
// byte at a time so nothing after the job is taken from the tool's stdin.
static char **read_job(void) {
    char header[24];
    size_t used = 0;
    for (;;) {
        if (used == sizeof header || !read_exactly(header + used, 1)) _exit(125);  // no job: quickup closed stdin
        if (header[used] == '\n') break;
        used++;
    }
    header[used] = 0;
    rlim_t length;
    if (!parse_number(header, header + used, &length) || length == 0 || length > (64u << 20)) fail("a job header is not a length", header);
    char *job = malloc((size_t)length);
    if (!job) fail("cannot hold the job", strerror(errno));
    if (!read_exactly(job, (size_t)length)) fail("the job ended early", NULL);
    if (job[length - 1] != 0) fail("the job's last field is not terminated", NULL);
    size_t fields = 0;
    for (rlim_t i = 0; i < length; i++) fields += job[i] == 0;
    char **env = calloc(fields + 1, sizeof *env), **argv = calloc(fields + 1, sizeof *argv);
    if (!env || !argv) fail("cannot hold the job", strerror(errno));
    size_t envs = 0, args = 0;
    for (char *field = job; field < job + length; field += strlen(field) + 1) {
        switch (field[0]) {
        case 'D': if (chdir(field + 1) != 0) fail(field + 1, strerror(errno)); break;
        case 'E': env[envs++] = field + 1; break;
        case 'L': limit(field + 1); break;
        case 'A': argv[args++] = field + 1; break;
        default: fail("unknown job field", field);
        }
    }
    if (args == 0) fail("the job names no program", NULL);
    environ = env;
    return argv;
}

int main(int argc, char **argv) {
    pid_t parent = 0;
    int wait = 0, i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) { i++; break; }
        if (strcmp(argv[i], "--wait") == 0) { wait = 1; continue; }
        if (i + 1 >= argc) fail("option without a value", argv[i]);
        if (strcmp(argv[i], "--parent") == 0) parent = (pid_t)atoi(argv[++i]);
        else if (strcmp(argv[i], "--join") == 0) i++;  // joined below, after the parent-death signal
        else if (strcmp(argv[i], "--limit") == 0) i++;
        else fail("unknown option", argv[i]);
    }
    if (!wait && i >= argc) fail("no program after --", NULL);
    // Dies with quickup; if quickup died before the signal was set, nothing may run.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("cannot set the parent-death signal", strerror(errno));
    if (parent > 0 && getppid() != parent) _exit(125);
    for (int j = 1; j < i; j++) {
        if (strcmp(argv[j], "--join") == 0) join(argv[++j]);
        else if (strcmp(argv[j], "--limit") == 0) limit(argv[++j]);
        else if (strcmp(argv[j], "--parent") == 0) j++;
    }
    char **program = wait ? read_job() : argv + i;
    execvp(program[0], program);
    int error = errno;
    dprintf(2, "quickup-launch: cannot run %s: %s\n", program[0], strerror(error));
    _exit(error == ENOENT ? 127 : 126);
}
