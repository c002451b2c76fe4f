/* Where the v1 controllers are mounted: /proc/self/mountinfo read once per
 * process (libcgroup's start-up re-read /proc/cgroups and /proc/mounts and
 * failed outright on a cgroup2 mount it could not read, such as a tmpfs
 * over /sys/fs/cgroup/unified; berth needs neither). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup_v1.h"
#include "base/util.h"

#define MOUNTS_MAX 32

struct v1_mount {
	char *point;  /* unescaped mount point */
	char *opts;   /* super options, e.g. "rw,cpu,cpuacct" */
	bool unified; /* cgroup2 */
};

static struct {
	struct v1_mount m[MOUNTS_MAX];
	size_t n;
} table;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...] - TYPE
 * SOURCE SUPEROPTS".  Keeps cgroup and cgroup2 mounts. */
static void parse_line(char *line)
{
	char *save = NULL, *field[5];
	char *tok = strtok_r(line, " ", &save);
	for (int i = 0; i < 5 && tok; i++, tok = strtok_r(NULL, " ", &save))
		field[i] = tok;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	char *type = tok ? strtok_r(NULL, " ", &save) : NULL;
	char *source = type ? strtok_r(NULL, " ", &save) : NULL;
	char *opts = source ? strtok_r(NULL, " \n", &save) : NULL;
	if (opts == NULL || table.n >= MOUNTS_MAX)
		return;
	bool v2 = strcmp(type, "cgroup2") == 0;
	if (!v2 && strcmp(type, "cgroup") != 0)
		return;
	unescape(field[4]);
	table.m[table.n++] = (struct v1_mount){
	        .point = xstrdup(field[4]),
	        .opts = xstrdup(opts),
	        .unified = v2,
	};
}

static void load_table(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0)
		parse_line(line);
	free(line);
	fclose(f);
}

/* True when the comma-separated list opts holds word. */
static bool has_option(const char *opts, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

const char *cg_v1_mount_point(const char *controller)
{
	pthread_once(&table_once, load_table);
	for (size_t i = 0; i < table.n; i++)
		if (!table.m[i].unified && has_option(table.m[i].opts, controller))
			return table.m[i].point;
	return NULL;
}
