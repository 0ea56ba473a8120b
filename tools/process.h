/*
 * tools/process.h: run a child process (QEMU) under a deadline and read its
 * output line by line. Runs on: host.
 *
 * The child gets /dev/null as stdin (QEMU's -serial stdio would otherwise
 * read the terminal), pipes for stdout and stderr, and its own process group
 * so that a timeout or Ctrl-C can end it and anything it started. On
 * request its stdin is instead a pipe that the pump fills with what arrives
 * on one of our descriptors (the user's keys, for an interactive guest): the
 * child, in its own process group, must never read the terminal itself.
 */
#ifndef TV_TOOLS_PROCESS_H
#define TV_TOOLS_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#define TV_PROCESS_LINE_MAX	16384	/* longer lines are delivered in pieces */

enum tv_stream { TV_STREAM_STDOUT, TV_STREAM_STDERR };

struct tv_process_buf {
	char data[TV_PROCESS_LINE_MAX];
	size_t len;
	int fd;			/* -1 once at end of file */
};

struct tv_keys;

struct tv_process {
	pid_t pid;
	struct tv_process_buf out, err;
	double deadline;	/* CLOCK_MONOTONIC seconds; may be lowered while pumping */
	int in_fd;		/* write end of the child's stdin pipe, or -1 */
	int forward_fd;		/* our descriptor whose bytes go to in_fd, or -1 */
	/* Bytes read from forward_fd that the child has not taken yet. */
	char in_pending[4096];
	size_t in_pending_len;
	/* Set before pumping, all optional: */
	struct tv_keys *keys;	/* filter forward_fd's bytes for the quit key */
	int input_held;		/* leave forward_fd unread until this is cleared */
	void (*on_tick)(void *ctx);	/* called every tick_s while pumping */
	double tick_s;
	void (*before_kill)(void *ctx);	/* the child is about to be ended by us */
	void *hook_ctx;
	/* Set by a callback (e.g. a line that ends the run) to end the child. */
	int stop_requested;
	int quit_typed;		/* the user typed the quit key */
	int killed;		/* tv_process_kill() was called */
	int reaped;
	int wait_status;	/* from waitpid, once reaped */
};

/* Called for each complete line (without '\n'), and for a last partial one. */
typedef void (*tv_line_fn)(void *ctx, enum tv_stream stream, const char *line, size_t len);

enum tv_pump_result {
	TV_PUMP_EXITED,		/* the child ended and its output was read to the end */
	TV_PUMP_DEADLINE,	/* the deadline passed: the child was killed */
	TV_PUMP_INTERRUPTED,	/* a watched signal arrived: the child was killed */
	TV_PUMP_STOPPED,	/* stop_requested, or the quit key: the child was killed */
};

/* Seconds on the monotonic clock. */
double tv_now(void);

/*
 * Start argv[0] (searched in PATH). Returns 0, or an errno value (ENOENT when
 * the program does not exist) with nothing left running.
 */
int tv_process_spawn(struct tv_process *p, char *const argv[], double deadline);

/*
 * The same, but the child's stdin is a pipe, and while pumping every byte
 * read from forward_fd (e.g. 0, our own stdin) is written into it, as fast
 * as the child takes it. At the end of forward_fd the pipe stays open: a
 * guest whose input ran out keeps running (QEMU would otherwise see end of
 * file on its serial port).
 */
int tv_process_spawn_forwarding(struct tv_process *p, char *const argv[], double deadline,
				int forward_fd);

/*
 * The same, and with out_on_fd3 the pipe read as TV_STREAM_STDOUT is the
 * child's descriptor 3, while its stdout and stderr both go to the pipe
 * read as TV_STREAM_STDERR: for a child that writes the guest's serial line
 * to a file it opens (/dev/fd/3) and its own chatter to stdout (Bochs).
 */
int tv_process_spawn_opts(struct tv_process *p, char *const argv[], double deadline,
			  int forward_fd, int out_on_fd3);

/*
 * Read lines until the child ends, the deadline passes or a signal arrives.
 * On return the child has been reaped (killed first, if need be), every line
 * it wrote has been delivered and the pipes are closed.
 */
enum tv_pump_result tv_process_pump(struct tv_process *p, tv_line_fn fn, void *ctx);

/*
 * End the child's process group: SIGTERM, a moment's grace, then SIGKILL,
 * and reap the child. Its pipes stay open for what it wrote before dying.
 */
void tv_process_kill(struct tv_process *p);

/*
 * Catch SIGINT, SIGTERM and SIGHUP so a run can kill QEMU before the host
 * program goes, and watch stdout: when its reader goes away (`| head`),
 * the run ends as if SIGPIPE had arrived. tv_process_interrupted() returns
 * the signal caught, or 0.
 */
void tv_process_watch_signals(void);
int tv_process_interrupted(void);

/*
 * Our output's reader went away (EPIPE, or the pump saw it): end the run
 * as SIGPIPE would, once QEMU is gone.
 */
void tv_process_output_lost(void);

/*
 * Once QEMU is gone, leave the way the caught signal sig meant the program
 * to: its default action again, and raise it. Returns only if that action
 * does not end the program.
 */
void tv_process_reraise(int sig);

#endif
