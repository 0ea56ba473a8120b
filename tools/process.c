/*
 * tools/process.c: fork and exec a child with piped output, read it line by
 * line with poll() against a deadline, and kill its process group when time
 * runs out. Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/process.h"

#include "tools/input_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught_signal;
/* Whether the pump also watches our stdout for its reader going away. */
static int watch_stdout;

static void on_signal(int sig)
{
	caught_signal = sig;
}

void tv_process_watch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() must wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * A reader that went away must not kill us before QEMU is gone: SIGPIPE
	 * is ignored, and the pump notices instead (tv_process_output_lost).
	 */
	signal(SIGPIPE, SIG_IGN);
	watch_stdout = 1;
}

void tv_process_output_lost(void)
{
	if (!caught_signal)
		caught_signal = SIGPIPE;
}

int tv_process_interrupted(void)
{
	return caught_signal;
}

void tv_process_reraise(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
}

double tv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tv_process_spawn(struct tv_process *p, char *const argv[], double deadline)
{
	return tv_process_spawn_forwarding(p, argv, deadline, -1);
}

int tv_process_spawn_forwarding(struct tv_process *p, char *const argv[], double deadline,
				int forward_fd)
{
	return tv_process_spawn_opts(p, argv, deadline, forward_fd, 0);
}

int tv_process_spawn_opts(struct tv_process *p, char *const argv[], double deadline,
			  int forward_fd, int out_on_fd3)
{
	int outp[2], errp[2], execp[2], inp[2] = { -1, -1 };
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->out.fd = p->err.fd = p->in_fd = p->forward_fd = -1;
	p->deadline = deadline;

	if (forward_fd >= 0 && pipe2(inp, O_CLOEXEC) < 0)
		return errno;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		err = errno;
		goto close_in;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err = errno;
		goto close_out;
	}
	/* The child reports a failed exec through this pipe; success closes it. */
	if (pipe2(execp, O_CLOEXEC) < 0) {
		err = errno;
		goto close_err;
	}

	p->pid = fork();
	if (p->pid < 0) {
		err = errno;
		close(execp[0]);
		close(execp[1]);
		goto close_err;
	}
	if (p->pid == 0) {
		int in = inp[0] >= 0 ? inp[0] : open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		/* stderr's pipe first: descriptor 3 may be one of them. */
		if (out_on_fd3 && (in < 0 || dup2(in, 0) < 0 || dup2(errp[1], 1) < 0 ||
				   dup2(errp[1], 2) < 0 || dup2(outp[1], 3) < 0 ||
				   fcntl(3, F_SETFD, 0) < 0))
			err = errno;
		else if (!out_on_fd3 && (in < 0 || dup2(in, 0) < 0 || dup2(outp[1], 1) < 0 ||
					 dup2(errp[1], 2) < 0))
			err = errno;
		else {
			signal(SIGPIPE, SIG_DFL);
			execvp(argv[0], argv);
			err = errno;
		}
		if (write(execp[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}

	/* Set the group from this side too, so a kill cannot race the child. */
	setpgid(p->pid, p->pid);
	close(execp[1]);
	close(outp[1]);
	close(errp[1]);
	ssize_t n;
	do
		n = read(execp[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(execp[0]);
	if (inp[0] >= 0)
		close(inp[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(p->pid, NULL, 0);
		close(outp[0]);
		close(errp[0]);
		if (inp[1] >= 0)
			close(inp[1]);
		return err ? err : ENOEXEC;
	}
	p->out.fd = outp[0];
	p->err.fd = errp[0];
	p->in_fd = inp[1];
	p->forward_fd = inp[1] >= 0 ? forward_fd : -1;
	/* A child slow to read its input must never block the pump. */
	if (p->in_fd >= 0)
		fcntl(p->in_fd, F_SETFL, fcntl(p->in_fd, F_GETFL) | O_NONBLOCK);
	return 0;

close_err:
	close(errp[0]);
	close(errp[1]);
close_out:
	close(outp[0]);
	close(outp[1]);
close_in:
	if (inp[0] >= 0) {
		close(inp[0]);
		close(inp[1]);
	}
	return err;
}

/* Stop feeding the child: it sees end of file on its stdin. */
static void stop_forwarding(struct tv_process *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = p->forward_fd = -1;
	p->in_pending_len = 0;
}

/* Write what is pending to the child; if it stopped reading, stop. */
static void flush_input(struct tv_process *p)
{
	if (p->in_fd < 0 || p->in_pending_len == 0)
		return;
	ssize_t n = write(p->in_fd, p->in_pending, p->in_pending_len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		stop_forwarding(p);
		return;
	}
	memmove(p->in_pending, p->in_pending + n, p->in_pending_len - (size_t)n);
	p->in_pending_len -= (size_t)n;
}

/*
 * Take what arrived on forward_fd (read only when nothing is pending, so a
 * child that does not read leaves the rest where it was). At its end stop
 * reading it, but keep the child's stdin open.
 */
static void forward_input(struct tv_process *p)
{
	char buf[sizeof(p->in_pending) / 2];
	ssize_t n = read(p->forward_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		p->forward_fd = -1;
		return;
	}
	if (p->keys) {
		size_t out;
		if (tv_keys_filter(p->keys, buf, (size_t)n, p->in_pending, &out)) {
			p->quit_typed = 1;
			p->stop_requested = 1;
		}
		p->in_pending_len = out;
	} else {
		memcpy(p->in_pending, buf, (size_t)n);
		p->in_pending_len = (size_t)n;
	}
	flush_input(p);
}

/* Hand complete lines to fn; at end of file, whatever is left too. */
static void deliver_lines(struct tv_process_buf *b, enum tv_stream s, int at_eof,
			  tv_line_fn fn, void *ctx)
{
	size_t start = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\n') {
			size_t end = i;
			if (end > start && b->data[end - 1] == '\r')
				end--;
			fn(ctx, s, b->data + start, end - start);
			start = i + 1;
		}
	}
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
	if (b->len == sizeof(b->data) || (at_eof && b->len > 0)) {
		fn(ctx, s, b->data, b->len);
		b->len = 0;
	}
}

static void read_stream(struct tv_process_buf *b, enum tv_stream s, tv_line_fn fn, void *ctx)
{
	ssize_t n = read(b->fd, b->data + b->len, sizeof(b->data) - b->len);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(b->fd);
		b->fd = -1;
		deliver_lines(b, s, 1, fn, ctx);
		return;
	}
	b->len += (size_t)n;
	deliver_lines(b, s, 0, fn, ctx);
}

static void reap(struct tv_process *p, int options)
{
	if (p->reaped)
		return;
	pid_t r;
	do
		r = waitpid(p->pid, &p->wait_status, options);
	while (r < 0 && errno == EINTR);
	if (r == p->pid || (r < 0 && errno == ECHILD))
		p->reaped = 1;
}

/*
 * After a kill: read what the child wrote before it died (its last, maybe
 * partial, line tells why it hung), then close. A short poll bounds this in
 * case something else still holds the pipes open.
 */
static void drain_streams(struct tv_process *p, tv_line_fn fn, void *ctx)
{
	struct tv_process_buf *bufs[2] = { &p->out, &p->err };
	enum tv_stream streams[2] = { TV_STREAM_STDOUT, TV_STREAM_STDERR };

	for (int i = 0; i < 2; i++) {
		while (bufs[i]->fd >= 0) {
			struct pollfd pfd = { .fd = bufs[i]->fd, .events = POLLIN };
			if (poll(&pfd, 1, 100) <= 0) {
				deliver_lines(bufs[i], streams[i], 1, fn, ctx);
				close(bufs[i]->fd);
				bufs[i]->fd = -1;
				break;
			}
			read_stream(bufs[i], streams[i], fn, ctx);
		}
	}
}

void tv_process_kill(struct tv_process *p)
{
	p->killed = 1;
	if (!p->reaped) {
		kill(-p->pid, SIGTERM);
		for (int i = 0; i < 100 && !p->reaped; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			reap(p, WNOHANG);
			if (!p->reaped)
				nanosleep(&ts, NULL);
		}
		if (!p->reaped) {
			kill(-p->pid, SIGKILL);
			reap(p, 0);
		}
	}
}

/* End the child ourselves: let the hook look at it first, then kill and drain. */
static void end_child(struct tv_process *p, tv_line_fn fn, void *ctx)
{
	if (p->before_kill && !p->reaped)
		p->before_kill(p->hook_ctx);
	stop_forwarding(p);
	tv_process_kill(p);
	drain_streams(p, fn, ctx);
}

enum tv_pump_result tv_process_pump(struct tv_process *p, tv_line_fn fn, void *ctx)
{
	double next_tick = p->on_tick ? tv_now() + p->tick_s : 0;

	while (p->out.fd >= 0 || p->err.fd >= 0) {
		struct pollfd pfd[4];
		struct tv_process_buf *bufs[2];
		enum tv_stream streams[2];
		nfds_t n = 0;

		if (tv_process_interrupted()) {
			end_child(p, fn, ctx);
			return TV_PUMP_INTERRUPTED;
		}
		if (p->stop_requested) {
			end_child(p, fn, ctx);
			return TV_PUMP_STOPPED;
		}
		double now = tv_now();
		double left = p->deadline - now;
		if (left <= 0) {
			end_child(p, fn, ctx);
			return TV_PUMP_DEADLINE;
		}
		if (p->on_tick && now >= next_tick) {
			p->on_tick(p->hook_ctx);
			next_tick = tv_now() + p->tick_s;
			continue;	/* the tick may have asked for a stop */
		}
		if (p->out.fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = p->out.fd, .events = POLLIN };
			bufs[n] = &p->out;
			streams[n++] = TV_STREAM_STDOUT;
		}
		if (p->err.fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = p->err.fd, .events = POLLIN };
			bufs[n] = &p->err;
			streams[n++] = TV_STREAM_STDERR;
		}
		/*
		 * The input goes last, bufs[] covers only the outputs: while
		 * bytes wait for the child, wait for room in its pipe; else for
		 * more input. Our stdout comes after it.
		 */
		nfds_t outputs = n;
		long input = -1, out = -1;
		if (p->in_fd >= 0 && p->in_pending_len > 0)
			pfd[input = (long)n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
		else if (p->forward_fd >= 0 && !p->input_held)
			pfd[input = (long)n++] = (struct pollfd){ .fd = p->forward_fd, .events = POLLIN };
		/*
		 * Asking for no event still reports POLLERR, which a pipe's writer
		 * gets once its reader is gone (`trapvisor run ... | head`), and
		 * POLLHUP (a socket's peer gone, a terminal hung up): then QEMU
		 * must not run on, unseen, until the deadline.
		 */
		if (watch_stdout)
			pfd[out = (long)n++] = (struct pollfd){ .fd = STDOUT_FILENO, .events = 0 };
		double wait = left > 1.0 ? 1.0 : left;
		if (p->on_tick && next_tick - now < wait)
			wait = next_tick - now > 0 ? next_tick - now : 0;
		int ms = (int)(wait * 1000) + 1;
		int r = poll(pfd, n, ms);
		if (r < 0 && errno != EINTR) {
			end_child(p, fn, ctx);
			return TV_PUMP_INTERRUPTED;
		}
		for (nfds_t i = 0; r > 0 && i < outputs; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				read_stream(bufs[i], streams[i], fn, ctx);
		if (r > 0 && input >= 0 && pfd[input].revents) {
			if (pfd[input].events == POLLOUT)
				flush_input(p);
			else
				forward_input(p);
		}
		if (r > 0 && out >= 0 && (pfd[out].revents & (POLLERR | POLLHUP)))
			tv_process_output_lost();
		if (r > 0 && out >= 0 && (pfd[out].revents & POLLNVAL))
			watch_stdout = 0;	/* no stdout at all: nothing to watch */
	}
	stop_forwarding(p);

	/* Both pipes closed: the child is ending; wait for it within the deadline. */
	while (!p->reaped) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		reap(p, WNOHANG);
		if (p->reaped)
			break;
		if (tv_process_interrupted()) {
			tv_process_kill(p);
			return TV_PUMP_INTERRUPTED;
		}
		if (tv_now() >= p->deadline) {
			tv_process_kill(p);
			return TV_PUMP_DEADLINE;
		}
		nanosleep(&ts, NULL);
	}
	return TV_PUMP_EXITED;
}
