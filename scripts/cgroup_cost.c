/* What a cgroup v1 sandbox costs the kernel per tool, without quickup (issue 20.2).
 *
 *   cc -O2 -o .build-bench/cgroup_cost scripts/cgroup_cost.c
 *   .build-bench/cgroup_cost N LAUNCHER PROGRAM [ARG...]
 *
 * Starts PROGRAM N times in a row in each of four ways, in alternating blocks of 20, from this
 * small C process (posix_spawn + waitpid, nothing else): bare; through quickup-launch without
 * groups; through quickup-launch joining three groups made for it (mkdir, limits, join, rmdir
 * per start: what quickup did before issue 20.2's recycling); and joining three groups that an
 * earlier start used (recycled, their CPU quota written again first). Prints wall and CPU (this process and its children, user +
 * system) per start and the ratio to bare. Needs write access to /sys/fs/cgroup/{memory,cpu,pids}/quickup
 * (made if missing).
 *
 * COST_STDIN=FILE gives every start FILE on its stdin (a tool's context) and /dev/null as stdout; COST_REFERENCE=PYTHON adds a
 * fifth way, `PYTHON -c pass` started bare, and every ratio is then to it. Together they measure a
 * quickup tool's own command in recycled groups — the kernel's part times the helper's — without quickup:
 *   COST_STDIN=context.json COST_REFERENCE=/usr/bin/python3 .build-bench/cgroup_cost 200 LAUNCHER \
 *     /usr/bin/python3 -c "import sys; import quickup_tool; sys.exit(quickup_tool.main(sys.argv[1:]))" run tool:main */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *hierarchies[3] = {"/sys/fs/cgroup/memory/quickup", "/sys/fs/cgroup/cpu/quickup", "/sys/fs/cgroup/pids/quickup"};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    struct timeval all[4] = {self.ru_utime, self.ru_stime, children.ru_utime, children.ru_stime};
    double seconds = 0;
    for (int i = 0; i < 4; i++) seconds += all[i].tv_sec + all[i].tv_usec / 1e6;
    return seconds;
}

static int put(const char *group, const char *file, const char *value) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", group, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written = write(fd, value, strlen(value));
    close(fd);
    return written == (ssize_t)strlen(value) ? 0 : -1;
}

/* Three groups with the business class's limits (256 MiB, 30 % of 2 cores, 128 processes). */
static int make(char groups[3][256], const char *name) {
    for (int k = 0; k < 3; k++) {
        snprintf(groups[k], 256, "%s/%s", hierarchies[k], name);
        if (mkdir(groups[k], 0755) != 0 && errno != EEXIST) return -1;
    }
    return put(groups[0], "memory.limit_in_bytes", "268435456") | put(groups[1], "cpu.cfs_period_us", "100000")
         | put(groups[1], "cpu.cfs_quota_us", "60000") | put(groups[2], "pids.max", "128");
}

static void removeGroups(char groups[3][256]) {
    for (int k = 2; k >= 0; k--) rmdir(groups[k]);
}

static int start(char *const argv[], const char *input) {
    pid_t pid;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input) {
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    }
    int failed = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed) return -1;
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s N LAUNCHER PROGRAM [ARG...]\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[1]);
    char *launcher = argv[2];
    for (int k = 0; k < 3; k++) mkdir(hierarchies[k], 0755);
    char recycled[3][256], procs[3][800], fresh[3][256], freshProcs[3][800], name[64];
    snprintf(name, sizeof name, "cost-recycled-%d", getpid());
    if (make(recycled, name) != 0) {
        fprintf(stderr, "cannot make cgroups under %s: %s\n", hierarchies[0], strerror(errno));
        return 1;
    }
    for (int k = 0; k < 3; k++) snprintf(procs[k], sizeof procs[k], "%s/cgroup.procs", recycled[k]);
    const char *names[5] = {"bare", "through quickup-launch, no groups", "joining 3 new groups (mkdir, limits, rmdir)", "joining 3 recycled groups",
                            "reference: PYTHON -c pass, bare"};
    const char *input = getenv("COST_STDIN"), *reference = getenv("COST_REFERENCE");
    int ways = reference ? 5 : 4, base = reference ? 4 : 0;
    double wall[5] = {0}, used[5] = {0};
    int failures = 0;
    for (int block = 0; block < count / 20; block++) {
        for (int way = 0; way < ways; way++) {
            double startWall = now(), startCPU = cpu();
            for (int i = 0; i < 20; i++) {
                char *args[32];
                int n = 0;
                if (way == 4) {
                    char *pass[] = {(char *)reference, "-c", "pass", NULL};
                    if (start(pass, NULL) != 0) failures++;
                    continue;
                }
                if (way > 0) args[n++] = launcher;
                if (way == 2) {
                    snprintf(name, sizeof name, "cost-%d-%d-%d", getpid(), block, i);
                    if (make(fresh, name) != 0) { failures++; continue; }
                    for (int k = 0; k < 3; k++) {
                        snprintf(freshProcs[k], sizeof freshProcs[k], "%s/cgroup.procs", fresh[k]);
                        args[n++] = "--join";
                        args[n++] = freshProcs[k];
                    }
                }
                if (way == 3) {
                    /* As quickup does when a tool takes recycled groups: rewriting the quota refills
                     * the CFS period's runtime, which the previous start may have used up. */
                    if (put(recycled[1], "cpu.cfs_quota_us", "60000") != 0) failures++;
                    for (int k = 0; k < 3; k++) { args[n++] = "--join"; args[n++] = procs[k]; }
                }
                if (way > 0) args[n++] = "--";
                for (int a = 3; a < argc && n < 31; a++) args[n++] = argv[a];
                args[n] = NULL;
                if (start(args, input) != 0) failures++;
                if (way == 2) removeGroups(fresh);
            }
            wall[way] += now() - startWall;
            used[way] += cpu() - startCPU;
        }
    }
    removeGroups(recycled);
    int done = count / 20 * 20;
    for (int way = 0; way < ways; way++)
        printf("%-45s wall %6.2f ms  CPU %6.2f ms  ratio %.2fx\n", names[way], wall[way] / done * 1000, used[way] / done * 1000, wall[way] / wall[base]);
    if (failures) fprintf(stderr, "%d starts failed\n", failures);
    return failures ? 1 : 0;
}
