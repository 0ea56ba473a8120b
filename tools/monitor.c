/*
 * tools/monitor.c: a minimal QMP client for pmemsave (monitor.h).
 * Runs on: host.
 *
 * QMP speaks one JSON object per line. Only three answers matter here: the
 * greeting, and `{"return": ...}` or `{"error": ...}` to each command;
 * events (lines with "event") may come between and are skipped.
 */
#define _GNU_SOURCE
#include "tools/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/process.h"

int tv_monitor_init(struct tv_monitor *m)
{
	const char *tmp = getenv("TMPDIR");

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	/* A socket's path must fit in sun_path: a long TMPDIR is passed over. */
	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(m->dir, sizeof(m->dir), "%s/trapvisor-XXXXXX", tmp);
	if (!mkdtemp(m->dir)) {
		m->dir[0] = '\0';
		return -1;
	}
	snprintf(m->socket, sizeof(m->socket), "%.90s/qmp", m->dir);
	snprintf(m->dump, sizeof(m->dump), "%.90s/mem", m->dir);
	return 0;
}

void tv_monitor_qemu_arg(const struct tv_monitor *m, char *buf, size_t len)
{
	snprintf(buf, len, "unix:%s,server=on,wait=off", m->socket);
}

/*
 * Read one line into buf (NUL-terminated, truncated to len - 1) before the
 * deadline. Returns 0, or -1 on end of file, error or time out.
 */
static int read_line(int fd, char *buf, size_t len, double deadline)
{
	size_t n = 0;

	for (;;) {
		double left = deadline - tv_now();
		if (left <= 0)
			return -1;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		char c;
		ssize_t got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (c == '\n') {
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
}

/* Send a command and wait for its answer. Returns 0 on "return", -1 otherwise. */
static int command(int fd, const char *json, double deadline)
{
	char line[1024];
	size_t len = strlen(json);

	if (write(fd, json, len) != (ssize_t)len)
		return -1;
	while (read_line(fd, line, sizeof(line), deadline) == 0) {
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\""))
			return -1;
		/* an event: skip it */
	}
	return -1;
}

static int connect_qmp(struct tv_monitor *m, double deadline)
{
	char line[1024];

	while (m->fd < 0) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (fd < 0)
			return -1;
		memcpy(sa.sun_path, m->socket, sizeof(m->socket) < sizeof(sa.sun_path)
						? sizeof(m->socket) : sizeof(sa.sun_path) - 1);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			m->fd = fd;
			break;
		}
		close(fd);
		/* QEMU makes the socket as it starts; wait for it a little. */
		if (tv_now() >= deadline)
			return -1;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (read_line(m->fd, line, sizeof(line), deadline) < 0 || !strstr(line, "QMP") ||
	    command(m->fd, "{\"execute\": \"qmp_capabilities\"}\n", deadline) < 0) {
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	return 0;
}

int tv_monitor_read(struct tv_monitor *m, uint32_t addr, uint8_t *buf, size_t len,
		    double timeout_s)
{
	double deadline = tv_now() + timeout_s;
	char cmd[sizeof(m->dump) + 160];

	if (m->broken || !m->dir[0])
		return -1;
	if (m->fd < 0 && connect_qmp(m, deadline) < 0)
		return -1;
	/* The path is ours (mkdtemp), so it needs no JSON escaping beyond quotes. */
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"pmemsave\", \"arguments\": {\"val\": %u, \"size\": %zu, "
		 "\"filename\": \"%s\"}}\n", addr, len, m->dump);
	if (command(m->fd, cmd, deadline) < 0) {
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	int fd = open(m->dump, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, len);
	close(fd);
	return got == (ssize_t)len ? 0 : -1;
}

void tv_monitor_close(struct tv_monitor *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	if (m->dir[0]) {
		unlink(m->dump);
		unlink(m->socket);
		rmdir(m->dir);
		m->dir[0] = '\0';
	}
}
