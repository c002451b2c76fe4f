/* The log pager: the last 1000 lines of a berth container's log, read
 * through be_container_logs into a memory file; scrolling, search, and
 * follow (read again each refresh, staying at the end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "tui.h"

#define LOG_LINES 1000

static int rows(void)
{
	return LINES - 3 > 1 ? LINES - 3 : 1;
}

static void clamp_top(struct tui_logs *l)
{
	long max = (long)l->lines.n - rows();
	if (l->at_end || l->top > max)
		l->top = max;
	if (l->top < 0)
		l->top = 0;
}

/* The whole of fd from its start; NULL on failure. */
static char *read_all(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return NULL;
	char *buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		abort();
	size_t n = 0;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

void tui_logs_load(struct tui *t)
{
	struct tui_logs *l = &t->logs;
	struct be_error *err = NULL;
	l->err[0] = '\0';
	int fd = memfd_create("berth-logs", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(l->err, sizeof(l->err), "reading the logs of %s: no memory file", l->name);
		return;
	}
	if (be_container_logs(t->ctx, l->name, LOG_LINES, false, fd, NULL, &err) < 0) {
		snprintf(l->err, sizeof(l->err), "%s", err->msg);
		be_error_free(err);
		close(fd);
		return;
	}
	size_t len = 0;
	char *text = read_all(fd, &len);
	close(fd);
	if (text == NULL) {
		snprintf(l->err, sizeof(l->err), "reading the logs of %s: cannot read back",
		         l->name);
		return;
	}
	tui_lines_set(&l->lines, text, len, LOG_LINES);
	clamp_top(l);
}

void tui_logs_open(struct tui *t, const char *name)
{
	tui_logs_close(t);
	snprintf(t->logs.name, sizeof(t->logs.name), "%s", name);
	t->logs.at_end = true;
	t->logs.match = -1;
	t->view = TUI_VIEW_LOGS;
	tui_logs_load(t);
}

void tui_logs_close(struct tui *t)
{
	tui_lines_free(&t->logs.lines);
	memset(&t->logs, 0, sizeof(t->logs));
	t->logs.match = -1;
}

void tui_logs_search(struct tui *t, int dir)
{
	struct tui_logs *l = &t->logs;
	if (l->search[0] == '\0') {
		tui_msg(t, BE_ROLE_ERROR, _("no search yet: / searches"));
		return;
	}
	long from = l->match >= 0 ? l->match + dir : l->top;
	long found = tui_lines_find(&l->lines, from, dir, l->search);
	if (found < 0) {
		tui_msg(t, BE_ROLE_ERROR, _("\"%s\" is not in the last %zu lines"), l->search,
		        l->lines.n);
		return;
	}
	l->match = found;
	if (found < l->top || found >= l->top + rows()) {
		l->top = found - rows() / 2;
		l->at_end = false;
		clamp_top(l);
	}
}

void tui_logs_draw(struct tui *t)
{
	struct tui_logs *l = &t->logs;
	clamp_top(l);
	long last = l->top + rows();
	if (last > (long)l->lines.n)
		last = (long)l->lines.n;
	tui_fill(t, 1, 0, COLS, BE_ROLE_TABLE_HEADER);
	tui_putf(t, 1, 0, COLS, BE_ROLE_TABLE_HEADER,
	         _(" Logs of %s  lines %ld-%ld of %zu (the last %d at most)%s%s%s"), l->name,
	         l->lines.n ? l->top + 1 : 0, last, l->lines.n, LOG_LINES,
	         l->follow ? "  following" : "", l->search[0] ? "  search: " : "", l->search);
	if (l->err[0]) {
		tui_put(t, 2, 1, COLS - 1, BE_ROLE_ERROR, l->err);
		return;
	}
	if (l->lines.n == 0) {
		tui_put(t, 2, 1, COLS - 1, BE_ROLE_DIM, _("(the log is empty)"));
		return;
	}
	for (long i = l->top; i < last; i++) {
		int y = 2 + (int)(i - l->top);
		bool hit = i == l->match;
		if (hit)
			tui_fill(t, y, 0, COLS, BE_ROLE_SELECTED);
		tui_put(t, y, 0, COLS, hit ? BE_ROLE_SELECTED : BE_ROLE_NORMAL, l->lines.line[i]);
	}
}
