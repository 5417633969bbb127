/*
 * log: the server log in Redis's line format:
 *   <pid>:<role char> <dd Mon yyyy HH:MM:SS.mmm> <level char> <message>
 * role char: M primary, S replica, C child, X sentinel; level char:
 * '.' debug, '-' verbose, '*' notice, '#' warning.
 * Callable from any thread; each line is written with a single write(2) so
 * lines from different threads never interleave.
 */
#ifndef TANDEM_ENGINE_LOG_H
#define TANDEM_ENGINE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3 };

/* Sets the destination: NULL or "" = stdout; otherwise a file opened in
 * append mode. Returns 0, or -1 with errno when the file can't be opened. */
int log_open(const char *path);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* The role character shown on each line ('M' or 'S'). */
void log_set_role(char role);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Raw line without the prefix (used for the start-up banner). */
void log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_verbose(...) log_write(LOG_VERBOSE, __VA_ARGS__)
#define log_notice(...) log_write(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_write(LOG_WARNING, __VA_ARGS__)

#endif
