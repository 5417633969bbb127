/*
 * test_no_io_uring: tandem-server on a kernel where io_uring is refused
 * must stop at start-up with a clear fatal log line, not crash or hang.
 *
 * The refusal is real: the server runs under a seccomp filter that makes
 * io_uring_setup(2) fail with ENOSYS, exactly what a kernel built without
 * io_uring (or with kernel.io_uring_disabled=2) answers. The test program
 * re-executes itself with "--seccomp-exec" to install the filter in the
 * child before exec'ing the server. redis-server does not use io_uring, so
 * the check only applies to tandem-server.
 */
#include "tests/harness.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

/* Makes io_uring_setup fail with ENOSYS; every other call is allowed. */
static int deny_io_uring(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--seccomp-exec") == 0) {
        if (deny_io_uring() != 0) {
            perror("seccomp");
            return 99;
        }
        execv(argv[2], argv + 2);
        perror("execv");
        return 98;
    }
    const char *binary = harness_binary_from_args(argc, argv);
    if (!harness_is_tandem(binary)) {
        printf("test_no_io_uring: %s does not use io_uring; nothing to check\n", binary);
        return 0;
    }
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CHECK(n > 0);
    self[n] = '\0';
    char port[16];
    snprintf(port, sizeof(port), "%d", port_free_loopback());
    const char *run[] = {self,     "--seccomp-exec", binary,   "--port", port,
                         "--bind", "127.0.0.1",      "--save", "",       NULL};
    char out[8192];
    int status = harness_run(run, out, sizeof(out), 10000);
    if (status == 99) {
        printf("test_no_io_uring: seccomp is not available here; nothing to check\n");
        return 0;
    }
    if (status == 0 || status == -1 || status >= 128 || !strstr(out, "io_uring is not available") ||
        strstr(out, "Ready to accept connections"))
        harness_fail(__FILE__, __LINE__, "expected a clean fatal exit, got status %d:\n%s", status,
                     out);
    printf("test_no_io_uring: refused io_uring gives a clean fatal exit (status %d)\n", status);
    return 0;
}
