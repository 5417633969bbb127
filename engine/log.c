/*
 * log: the server log, one line per event, in exactly the format Redis 7.0
 * writes (serverLogRaw):
 *
 *   12345:M 24 Nov 2026 23:55:21.097 * Ready to accept connections
 *
 * Any thread may log. The destination file descriptor is opened once (with
 * O_APPEND) and each line is assembled in a stack buffer and handed to a
 * single write(2) under a mutex, so lines from different threads never
 * interleave and log_open can swap the destination safely (call it again to
 * reopen after a log rotation). The level and role are atomics, so the
 * common "below the level" case takes no lock at all.
 */
#include "engine/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Redis truncates formatted messages to LOG_MAX_LEN (1024) bytes. */
#define LOG_MESSAGE_MAX 1024
/* pid, role, date, level and separators fit easily in this. */
#define LOG_PREFIX_MAX 96

/* The logger's whole state: the only mutable state of this module. */
static struct {
    pthread_mutex_t lock; /* guards fd and the write itself */
    int fd;               /* STDOUT_FILENO or an O_APPEND file */
    int level;            /* enum log_level, atomic */
    char role;            /* 'M' or 'S', atomic */
} logger = {PTHREAD_MUTEX_INITIALIZER, STDOUT_FILENO, LOG_NOTICE, 'M'};

/* Opens the new destination first, so a failure leaves the old one in use;
 * the old descriptor is closed only after the swap, under the lock, so no
 * writer can be using it. */
int log_open(const char *path)
{
    int fd = STDOUT_FILENO;
    if (path != NULL && path[0] != '\0') {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd == -1) return -1;
    }
    pthread_mutex_lock(&logger.lock);
    int old = logger.fd;
    logger.fd = fd;
    pthread_mutex_unlock(&logger.lock);
    if (old != STDOUT_FILENO && old != fd) close(old);
    return 0;
}

void log_set_level(enum log_level level)
{
    __atomic_store_n(&logger.level, (int)level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
    return (enum log_level)__atomic_load_n(&logger.level, __ATOMIC_RELAXED);
}

void log_set_role(char role)
{
    __atomic_store_n(&logger.role, role, __ATOMIC_RELAXED);
}

/* Writes the whole buffer with one write(2) in the normal case; a short
 * write (disk full, pipe) is continued so a line is never cut in the middle
 * by another thread's line. Errors are dropped: there is nowhere to report
 * a failure to log. */
static void log_write_buffer(const char *buf, size_t len)
{
    pthread_mutex_lock(&logger.lock);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(logger.fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == -1 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    pthread_mutex_unlock(&logger.lock);
}

/* Formats "<pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level char> " into buf,
 * as Redis does (local time, milliseconds). Returns its length. */
static size_t log_format_prefix(char *buf, size_t size, enum log_level level)
{
    static const char level_chars[] = ".-*#";
    struct timeval now;
    struct tm tm;
    char date[64];

    gettimeofday(&now, NULL);
    localtime_r(&now.tv_sec, &tm);
    size_t off = strftime(date, sizeof(date), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(date + off, sizeof(date) - off, "%03d", (int)(now.tv_usec / 1000));

    char role = __atomic_load_n(&logger.role, __ATOMIC_RELAXED);
    int n = snprintf(buf, size, "%d:%c %s %c ", (int)getpid(), role, date, level_chars[level]);
    if (n < 0) return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

/* Level check first, so a filtered-out debug line costs one atomic load. */
void log_write(enum log_level level, const char *fmt, ...)
{
    if ((int)level < __atomic_load_n(&logger.level, __ATOMIC_RELAXED)) return;
    if (level < LOG_DEBUG || level > LOG_WARNING) level = LOG_WARNING;

    char line[LOG_PREFIX_MAX + LOG_MESSAGE_MAX + 1];
    size_t len = log_format_prefix(line, LOG_PREFIX_MAX, level);

    char message[LOG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    size_t message_len = strlen(message);
    memcpy(line + len, message, message_len);
    len += message_len;
    line[len++] = '\n';
    log_write_buffer(line, len);
}

/* The banner and similar pre-formatted text: written as is (no prefix, no
 * newline added), at notice level like Redis's LL_NOTICE|LL_RAW. */
void log_raw(const char *fmt, ...)
{
    if (LOG_NOTICE < __atomic_load_n(&logger.level, __ATOMIC_RELAXED)) return;

    char message[LOG_MESSAGE_MAX * 4];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    size_t len = (size_t)n < sizeof(message) ? (size_t)n : sizeof(message) - 1;
    log_write_buffer(message, len);
}
