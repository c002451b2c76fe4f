/* The UI over several hosts: `berth -H ssh://[USER@]HOST[:PORT] [-H ...]`
 * (and `-H local` for this host, which is shown only when no -H is given
 * or when -H local is, as docker's -H replaces its default).  Each remote
 * host is a child `ssh ... berth stats --stream --json -i DELAY` (through
 * the user's ssh, as `berth --host` runs it: BERTH_SSH, BERTH_REMOTE_BIN,
 * and BERTH_REMOTE_ROOT for a --root there) whose output is read without
 * blocking as poll() wakes the loop; each line goes to a be_feed.  A host
 * whose stream ends (ssh failed, the network went) is marked lost with the
 * last words ssh said, and started again after TUI_HOST_RETRY_NS, while the
 * others go on.  Actions on a remote row run `berth --host URL ...`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "tui.h"

#define TUI_HOST_RETRY_NS 3000000000ull
#define TUI_HOST_QUIET_NS 15000000000ull /* plus 4 intervals: then it is lost */

int tui_hosts_init(struct tui *t, struct be_error **err)
{
	for (size_t i = 0; i < t->opts.nhosts; i++) {
		const char *url = t->opts.hosts[i];
		if (strcmp(url, "local") == 0) {
			t->host_local = true;
			continue;
		}
		if (t->nhosts == TUI_MAX_HOSTS)
			return be_error_set(err, 0, "at most %d hosts (-H)", TUI_MAX_HOSTS);
		struct tui_host *h = &t->hosts[t->nhosts];
		memset(h, 0, sizeof(*h));
		if (be_remote_parse(url, &h->rem, err) < 0)
			return -1;
		snprintf(h->url, sizeof(h->url), "%s", url);
		char host[sizeof(h->rem.host)];
		memcpy(host, h->rem.host, sizeof(host));
		if (h->rem.port)
			snprintf(h->label, sizeof(h->label), "%s:%u", host, h->rem.port);
		else
			snprintf(h->label, sizeof(h->label), "%s", host);
		h->fd = -1;
		h->feed = be_feed_new();
		t->nhosts++;
	}
	if (t->opts.nhosts == 0)
		t->host_local = true;
	tui_model_show_host(t->opts.nhosts > 0);
	return 0;
}

static void child(const struct tui_host *h, int out, double delay)
{
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	setsid(); /* a Ctrl-C meant for the UI is not ssh's */
	char interval[32];
	snprintf(interval, sizeof(interval), "%.1f", delay);
	const char *root = getenv("BERTH_REMOTE_ROOT");
	const char *words[8];
	int n = 0;
	if (root && *root) {
		words[n++] = "--root";
		words[n++] = root;
	}
	words[n++] = "stats";
	words[n++] = "--stream";
	words[n++] = "--json";
	words[n++] = "-i";
	words[n++] = interval;
	const char *ssh = getenv("BERTH_SSH"), *bin = getenv("BERTH_REMOTE_BIN");
	char **argv = be_remote_ssh_argv(&h->rem, ssh && *ssh ? ssh : "ssh",
	                                 bin && *bin ? bin : "berth", n, words, false);
	execvp(argv[0], argv);
	dprintf(2, "running %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void start(struct tui *t, struct tui_host *h)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(h->why, sizeof(h->why), "pipe: %s", strerror(errno));
		h->retry_ns = tui_now_ns() + TUI_HOST_RETRY_NS;
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(h, p[1], t->opts.delay);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		snprintf(h->why, sizeof(h->why), "fork: %s", strerror(errno));
		h->retry_ns = tui_now_ns() + TUI_HOST_RETRY_NS;
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	h->pid = pid;
	h->fd = p[0];
	h->nbuf = 0;
	h->last_ns = tui_now_ns();
}

/* The stream ended: reaps ssh (ended by its pid when it lingers), marks
 * the host lost, drops its items (the rows must be merged again) and sets
 * when to try again. */
static void lost(struct tui_host *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->pid > 0) {
		if (waitpid(h->pid, NULL, WNOHANG) != h->pid) {
			kill(h->pid, SIGTERM);
			waitpid(h->pid, NULL, 0);
		}
		h->pid = 0;
	}
	h->lost = true;
	h->retry_ns = tui_now_ns() + TUI_HOST_RETRY_NS;
	be_feed_free(h->feed);
	h->feed = be_feed_new();
}

/* One line of ssh's output: a stream line, or what ssh or berth said. */
static bool take_line(struct tui_host *h, char *line)
{
	if (line[0] == '{' && be_feed_line(h->feed, line, NULL) == 0) {
		h->lost = false;
		h->last_ns = tui_now_ns();
		h->why[0] = '\0';
		return true;
	}
	if (line[0])
		snprintf(h->why, sizeof(h->why), "%s", line);
	return false;
}

/* Reads what a host's ssh wrote; true when its items changed (a stream
 * line came, or the stream ended). */
static bool read_host(struct tui_host *h)
{
	bool took = false;
	for (;;) {
		if (h->cap - h->nbuf < 4096) {
			h->cap = h->cap * 2 + 65536;
			h->buf = realloc(h->buf, h->cap);
			if (h->buf == NULL)
				abort();
		}
		ssize_t n = read(h->fd, h->buf + h->nbuf, h->cap - h->nbuf - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			lost(h);
			return true;
		}
		h->nbuf += (size_t)n;
		h->buf[h->nbuf] = '\0';
		char *nl, *p = h->buf;
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			took |= take_line(h, p);
			p = nl + 1;
		}
		h->nbuf -= (size_t)(p - h->buf);
		memmove(h->buf, p, h->nbuf);
	}
	return took;
}

bool tui_hosts_poll(struct tui *t)
{
	bool took = false;
	uint64_t now = tui_now_ns();
	for (size_t i = 0; i < t->nhosts; i++) {
		struct tui_host *h = &t->hosts[i];
		if (h->fd < 0 && now >= h->retry_ns)
			start(t, h);
		if (h->fd >= 0)
			took |= read_host(h);
		/* A host that says nothing for long (a cable pulled: ssh waits)
		 * is lost too, and tried again. */
		uint64_t quiet = TUI_HOST_QUIET_NS + (uint64_t)(4e9 * t->opts.delay);
		if (h->fd >= 0 && now > h->last_ns + quiet) {
			snprintf(h->why, sizeof(h->why), _("no line for %.0f s"),
			         (double)(now - h->last_ns) / 1e9);
			lost(h);
			took = true;
		}
	}
	return took;
}

int tui_hosts_fds(const struct tui *t, struct pollfd *pfd, int max)
{
	int n = 0;
	for (size_t i = 0; i < t->nhosts && n < max; i++)
		if (t->hosts[i].fd >= 0)
			pfd[n++] = (struct pollfd){.fd = t->hosts[i].fd, .events = POLLIN};
	return n;
}

void tui_hosts_free(struct tui *t)
{
	for (size_t i = 0; i < t->nhosts; i++) {
		struct tui_host *h = &t->hosts[i];
		if (h->pid > 0) {
			kill(h->pid, SIGTERM);
			waitpid(h->pid, NULL, 0);
		}
		if (h->fd >= 0)
			close(h->fd);
		free(h->buf);
		be_feed_free(h->feed);
	}
	t->nhosts = 0;
}

/* A berth container of a remote host: its row with a record made from
 * what the stream says (its cgroup is there: running), the action run on
 * its host (`berth --host URL ...`). */
const struct tui_row *tui_host_target(struct tui *t, const struct tui_row *r)
{
	const struct tui_host *h = tui_host_of(t, r->host);
	if (h == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("%s: its host is gone"), r->item->name);
		return NULL;
	}
	memset(&t->remote_ct, 0, sizeof(t->remote_ct));
	snprintf(t->remote_ct.name, sizeof(t->remote_ct.name), "%.*s", BE_NAME_MAX, r->item->name);
	snprintf(t->remote_ct.image, sizeof(t->remote_ct.image), "%.*s", BE_NAME_MAX,
	         r->item->image);
	t->remote_ct.status = BE_STATUS_RUNNING;
	t->remote_ct.exit_code = -1;
	t->remote_row = *r;
	t->remote_row.ct = &t->remote_ct;
	t->target_host = h->url;
	return &t->remote_row;
}

/* Actions that read this root's files (logs, snapshots, a shell's
 * terminal) are not routed: the CLI does them on the remote host. */
bool tui_host_local_only(struct tui *t, const struct tui_row *r, const char *cmd)
{
	if (t->target_host == NULL)
		return false;
	tui_msg(t, BE_ROLE_ERROR, _("%s is on %s: use berth --host %s %s %s"), r->ct->name, r->host,
	        t->target_host, cmd, r->ct->name);
	return true;
}

const struct tui_host *tui_host_of(const struct tui *t, const char *label)
{
	for (size_t i = 0; label && i < t->nhosts; i++)
		if (strcmp(t->hosts[i].label, label) == 0)
			return &t->hosts[i];
	return NULL;
}

/* Appends the remote hosts' items after the n local ones (t->items), with
 * each item's host label and remote flag; returns the count. */
size_t tui_hosts_collect(struct tui *t, size_t n)
{
	size_t total = n;
	for (size_t i = 0; i < t->nhosts; i++) {
		const struct be_item *const *items;
		total += be_feed_items(t->hosts[i].feed, &items);
	}
	if (total > t->items_cap || t->item_hosts == NULL) {
		t->items_cap = total + total / 2 + 16;
		t->items = realloc(t->items, t->items_cap * sizeof(*t->items));
		t->item_hosts = realloc(t->item_hosts, t->items_cap * sizeof(*t->item_hosts));
		t->item_remote = realloc(t->item_remote, t->items_cap * sizeof(*t->item_remote));
		if (!t->items || !t->item_hosts || !t->item_remote)
			abort();
	}
	for (size_t i = 0; i < n; i++) {
		t->item_hosts[i] = t->hostname;
		t->item_remote[i] = false;
	}
	size_t k = n;
	for (size_t i = 0; i < t->nhosts; i++) {
		const struct be_item *const *items;
		size_t m = be_feed_items(t->hosts[i].feed, &items);
		for (size_t j = 0; j < m; j++, k++) {
			t->items[k] = items[j];
			t->item_hosts[k] = t->hosts[i].label;
			t->item_remote[k] = true;
		}
	}
	return total;
}

static void meters_line(struct tui *t, int y, int x, const struct be_host *m, const char *name)
{
	char used[32], total[32];
	be_format_size(m->mem_used_bytes, used, sizeof(used));
	be_format_size(m->mem_total_bytes, total, sizeof(total));
	tui_putf(t, y, x, COLS - x, BE_ROLE_NORMAL,
	         _("CPU %5.1f%% of %u  Mem %s/%s  Load %.2f %.2f %.2f  (%s)"),
	         m->cpu_percent / (m->ncpus ? m->ncpus : 1), m->ncpus, used, total, m->load1,
	         m->load5, m->load15, name);
}

/* One header line a host: this one's (with -H local), then each remote
 * one's meters, or why it has none. */
int tui_hosts_draw(struct tui *t, int y)
{
	if (t->mon) {
		int x = tui_putf(t, y, 0, COLS, BE_ROLE_LABEL, "%-16s ", t->hostname);
		meters_line(t, y++, x, be_monitor_host(t->mon), _("this host"));
	}
	for (size_t i = 0; i < t->nhosts && y < LINES - 2; i++, y++) {
		const struct tui_host *h = &t->hosts[i];
		int x = tui_putf(t, y, 0, COLS, BE_ROLE_LABEL, "%-16s ", h->label);
		if (h->lost || be_feed_lines(h->feed) == 0) {
			const char *state = h->lost ? _("lost, retrying") : _("connecting");
			tui_putf(t, y, x, COLS - x, h->lost ? BE_ROLE_ERROR : BE_ROLE_DIM, "%s%s%s",
			         state, h->why[0] ? ": " : "", h->why);
			continue;
		}
		meters_line(t, y, x, be_feed_host(h->feed), be_feed_host_name(h->feed));
	}
	return y;
}
