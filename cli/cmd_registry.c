/* Commands of the registry family: pull, push, login, logout; the
 * per-layer progress (redrawn lines on a terminal, one line per event
 * otherwise). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define MAX_ROWS 64
#define BAR 20

/* ---- progress ---------------------------------------------------------------- */

struct row {
	char id[13];
	char state[16];
	uint64_t bytes, total;
};

struct progress {
	bool tty;
	const char *verb; /* "pull" or "push" */
	struct row rows[MAX_ROWS];
	size_t n, drawn;
};

static struct row *row_for(struct progress *s, const char *digest)
{
	const char *hex = strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
	for (size_t i = 0; i < s->n; i++)
		if (strncmp(s->rows[i].id, hex, 12) == 0)
			return &s->rows[i];
	if (s->n == MAX_ROWS)
		return NULL;
	struct row *r = &s->rows[s->n++];
	snprintf(r->id, sizeof(r->id), "%.12s", hex);
	return r;
}

static void draw(struct progress *s)
{
	if (s->drawn)
		fprintf(stderr, "\033[%zuA", s->drawn);
	for (size_t i = 0; i < s->n; i++) {
		struct row *r = &s->rows[i];
		char done[32], total[32];
		be_format_size(r->bytes, done, sizeof(done));
		be_format_size(r->total, total, sizeof(total));
		fprintf(stderr, "\r%s: %-11s", r->id, r->state);
		if (r->total && strcmp(r->state, "downloading") == 0) {
			int fill = (int)(r->bytes * BAR / r->total);
			fprintf(stderr, " [%.*s%*s] %s / %s", fill, "####################",
			        BAR - fill, "", done, total);
		}
		fputs("\033[K\n", stderr);
	}
	s->drawn = s->n;
	fflush(stderr);
}

static const char *event_word(const struct progress *s, const struct be_reg_progress *p)
{
	bool pull = strcmp(s->verb, "pull") == 0;
	switch (p->event) {
	case BE_REG_EXISTS: return pull ? "already here" : "exists";
	case BE_REG_START:
	case BE_REG_BYTES: return pull ? "downloading" : "uploading";
	case BE_REG_DONE: return pull ? "downloaded" : "pushed";
	case BE_REG_EXTRACT: return "unpacking";
	case BE_REG_MANIFEST: return "manifest";
	}
	return "";
}

static void show(const struct be_reg_progress *p, void *data)
{
	struct progress *s = data;
	if (p->event == BE_REG_MANIFEST) {
		if (!s->tty)
			fprintf(stderr, "manifest %s\n", p->digest);
		return;
	}
	struct row *r = row_for(s, p->digest);
	if (r == NULL)
		return;
	snprintf(r->state, sizeof(r->state), "%s", event_word(s, p));
	r->bytes = p->bytes;
	r->total = p->total;
	if (s->tty) {
		draw(s);
		return;
	}
	if (p->event == BE_REG_BYTES)
		return;
	char size[32];
	be_format_size(p->total, size, sizeof(size));
	if (p->event == BE_REG_START && p->offset > 0) {
		char off[32];
		fprintf(stderr, "%s: resuming at %s of %s\n", r->id,
		        be_format_size(p->offset, off, sizeof(off)), size);
	} else if (p->event == BE_REG_START) {
		fprintf(stderr, "%s: %s %s\n", r->id, r->state, size);
	} else {
		fprintf(stderr, "%s: %s\n", r->id, r->state);
	}
}

/* ---- interruption ------------------------------------------------------------------ */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* SIGINT, SIGTERM and SIGHUP end a pull or push cleanly (the backend sees
 * the flag, undoes what it made, and returns). */
static void catch_signals(struct be_reg_opts *o)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	o->cancel = &interrupted;
}

/* ---- options ------------------------------------------------------------------- */

/* --tls-verify=true|false; platform, parallel, limit-rate. */
static int fill_opts(const struct cli_args *a, struct be_reg_opts *o, struct progress *s,
                     const char *verb)
{
	*o = (struct be_reg_opts){.tls_verify = -1};
	const char *tv = cli_opt(a, "tls-verify");
	if (tv) {
		if (strcmp(tv, "true") == 0 || strcmp(tv, "1") == 0)
			o->tls_verify = 1;
		else if (strcmp(tv, "false") == 0 || strcmp(tv, "0") == 0)
			o->tls_verify = 0;
		else
			return cli_failf("--tls-verify wants true or false, not \"%s\"", tv);
	}
	if (s != NULL && !cli_flag(a, "quiet")) {
		s->tty = cli_isatty(2);
		s->verb = verb;
		o->progress = show;
		o->progress_data = s;
	}
	return 0;
}

static int fill_pull_opts(const struct cli_args *a, struct be_reg_opts *o)
{
	o->platform = cli_opt(a, "platform");
	unsigned long long v;
	if (cli_opt(a, "parallel")) {
		if (cli_opt_uint(a, "parallel", 64, &v) < 0 || v == 0)
			return cli_failf("--parallel wants 1 to 64");
		o->parallel = (unsigned)v;
	}
	if (cli_opt(a, "limit-rate")) {
		if (cli_opt_uint(a, "limit-rate", 1ull << 40, &v) < 0)
			return CLI_EXIT_FAIL;
		o->max_speed = v;
	}
	return 0;
}

/* ---- commands --------------------------------------------------------------------- */

static int cmd_pull(struct cli *cli, const struct cli_args *a)
{
	struct progress s = {0};
	struct be_reg_opts o;
	if (fill_opts(a, &o, &s, "pull") != 0 || fill_pull_opts(a, &o) != 0)
		return CLI_EXIT_FAIL;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	catch_signals(&o);
	struct be_error *err = NULL;
	char *name = NULL;
	if (be_registry_pull(ctx, a->argv[0], cli_opt(a, "name"), &o, &name, &err) < 0)
		return cli_fail(err);
	if (!cli_flag(a, "quiet"))
		puts(name);
	free(name);
	return 0;
}

static int cmd_push(struct cli *cli, const struct cli_args *a)
{
	struct progress s = {0};
	struct be_reg_opts o;
	if (fill_opts(a, &o, &s, "push") != 0)
		return CLI_EXIT_FAIL;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	catch_signals(&o);
	struct be_error *err = NULL;
	char *digest = NULL;
	if (be_registry_push(ctx, a->argv[0], a->argv[1], &o, &digest, &err) < 0)
		return cli_fail(err);
	if (!cli_flag(a, "quiet"))
		puts(digest);
	free(digest);
	return 0;
}

/* Reads one line (without its newline) from fd into a new string. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Asks on the terminal with echo off. */
static char *ask_password(void)
{
	struct termios old, quiet;
	if (tcgetattr(0, &old) < 0)
		return NULL;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	fputs("Password: ", stderr);
	fflush(stderr);
	tcsetattr(0, TCSAFLUSH, &quiet);
	char *p = read_line(stdin);
	tcsetattr(0, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return p;
}

static int cmd_login(struct cli *cli, const struct cli_args *a)
{
	(void)cli;
	struct be_reg_opts o;
	if (fill_opts(a, &o, NULL, "login") != 0)
		return CLI_EXIT_FAIL;
	const char *user = cli_opt(a, "username");
	if (user == NULL)
		return cli_failf("login: -u USER is needed");
	char *pass = NULL;
	if (cli_flag(a, "password-stdin"))
		pass = read_line(stdin);
	else if (cli_isatty(0))
		pass = ask_password();
	else
		return cli_failf("login: give the password with --password-stdin");
	if (pass == NULL || *pass == '\0') {
		free(pass);
		return cli_failf("login: empty password");
	}
	struct be_error *err = NULL;
	int rc = be_registry_login(a->argv[0], user, pass, &o, &err);
	explicit_bzero(pass, strlen(pass));
	free(pass);
	if (rc < 0)
		return cli_fail(err);
	puts("Login Succeeded");
	return 0;
}

static int cmd_logout(struct cli *cli, const struct cli_args *a)
{
	(void)cli;
	struct be_error *err = NULL;
	if (be_registry_logout(a->argv[0], &err) < 0)
		return cli_fail(err);
	printf("Removed login credentials for %s\n", a->argv[0]);
	return 0;
}

static int cmd_tag(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_registry_tag(ctx, a->argv[0], a->argv[1], &err) < 0)
		return cli_fail(err);
	return 0;
}

static int cmd_history(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	struct be_reg_layer *v = NULL;
	size_t n = 0;
	if (be_registry_history(ctx, a->argv[0], &v, &n, &err) < 0)
		return cli_fail(err);
	printf("%-12s  %-20s  %-8s  %10s  %s\n", "LAYER", "CREATED", "ORIGIN", "SIZE", "BLOB");
	for (size_t i = 0; i < n; i++) {
		char size[32], when[32];
		time_t t = (time_t)v[i].created;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		be_format_size(v[i].size > 0 ? (uint64_t)v[i].size : 0, size, sizeof(size));
		printf("%-12s  %-20s  %-8s  %10s  %s\n", v[i].id, when, v[i].origin, size,
		       v[i].blob[0] ? v[i].blob : "-");
	}
	be_registry_history_free(v, n);
	return 0;
}

static int cmd_save(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_registry_save(ctx, a->argv[0], a->argv[1], cli_opt(a, "format"), &err) < 0)
		return cli_fail(err);
	return 0;
}

/* image load FILE [NAME]: the import of an image archive; NAME defaults to
 * FILE's base name without its extensions. */
static int cmd_load(struct cli *cli, const struct cli_args *a)
{
	char name[BE_NAME_MAX + 1];
	if (a->argc > 1) {
		snprintf(name, sizeof(name), "%s", a->argv[1]);
	} else {
		const char *base = strrchr(a->argv[0], '/');
		snprintf(name, sizeof(name), "%s", base ? base + 1 : a->argv[0]);
		name[strcspn(name, ".")] = '\0';
	}
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_import_opts opts = {.replace = cli_flag(a, "force")};
	struct be_error *err = NULL;
	if (be_image_import(ctx, name, a->argv[0], &opts, &err) < 0)
		return cli_fail(err);
	if (!cli_flag(a, "quiet"))
		puts(name);
	return 0;
}

#define TLS_OPT                                                                                    \
	{                                                                                          \
		"tls-verify", 0, BE_OPT_VALUE, "BOOL",                                             \
		        "false: do not verify TLS and allow plain http (default: verify, except "  \
		        "for "                                                                     \
		        "localhost and 127.0.0.0/8)"                                               \
	}

static const struct be_option pull_opts[] = {
        {"name", 0, BE_OPT_VALUE, "NAME", "the local image name (default: made from REF)"},
        {"platform", 0, BE_OPT_VALUE, "OS/ARCH[/VARIANT]",
         "which image of an index (default linux/amd64)"},
        {"parallel", 0, BE_OPT_VALUE, "N", "layers downloaded at once (default 4)"},
        {"limit-rate", 0, BE_OPT_VALUE, "BYTES", "at most BYTES per second per layer"},
        TLS_OPT,
        {"quiet", 'q', BE_OPT_FLAG, NULL, "no progress on stderr, no name on stdout"},
        {0},
};

static const struct be_option push_opts[] = {
        TLS_OPT,
        {"quiet", 'q', BE_OPT_FLAG, NULL, "no progress on stderr, no digest on stdout"},
        {0},
};

static const struct be_option save_opts[] = {
        {"format", 0, BE_OPT_VALUE, "FORMAT", "oci-archive (default) or docker-archive"},
        {0},
};

static const struct be_option load_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "replace an image of the same name"},
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print nothing on success"},
        {0},
};

static const struct be_option login_opts[] = {
        {"username", 'u', BE_OPT_VALUE, "USER", "the user name"},
        {"password-stdin", 0, BE_OPT_FLAG, NULL, "read the password from standard input"},
        TLS_OPT,
        {0},
};

const struct cli_command cli_cmds_registry[] = {
        {.name = "pull",
         .args = "REF",
         .summary = "pull an image from a registry",
         .details =
                 "REF is [HOST[:PORT]/]REPO[:TAG][@sha256:DIGEST] as docker writes it (no HOST:\n"
                 "docker.io).  Every blob is checked against its digest as it streams; a\n"
                 "mismatch names both digests and keeps nothing.  Layers already held\n"
                 "(same diff ids over the same chain) are not downloaded again.  An\n"
                 "interrupted download is resumed by the next pull.  The image is named\n"
                 "after the repository's last part (busybox; busybox_1.36 for a tag other\n"
                 "than latest) unless --name is given, and replaces an image of that name.\n"
                 "Credentials: berth login, or docker's config.json.",
         .min_args = 1,
         .max_args = 1,
         .options = pull_opts,
         .run = cmd_pull},
        {.name = "push",
         .args = "IMAGE REF",
         .summary = "push an image to a registry",
         .details = "Each layer becomes a gzip'd tar blob (the same bytes every time); blobs the\n"
                    "registry has are not sent again; the OCI manifest is written last.  Prints\n"
                    "the manifest digest.",
         .min_args = 2,
         .max_args = 2,
         .options = push_opts,
         .run = cmd_push},
        {.name = "login",
         .args = "REGISTRY",
         .summary = "store credentials for a registry",
         .details = "Checks them against REGISTRY, then writes them to\n"
                    "$XDG_CONFIG_HOME/berth/auth.json (mode 0600, docker's \"auths\" format).",
         .min_args = 1,
         .max_args = 1,
         .options = login_opts,
         .run = cmd_login},
        {.name = "logout",
         .args = "REGISTRY",
         .summary = "remove the stored credentials of a registry",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_logout},
        {.name = "image tag",
         .args = "IMAGE NAME",
         .summary = "give an image a second name (the layers are shared)",
         .min_args = 2,
         .max_args = 2,
         .run = cmd_tag},
        {.name = "image history",
         .args = "IMAGE",
         .summary = "an image's layers: created, origin, size, registry blob",
         .details = "Top layer first.  ORIGIN says what made the layer (import, pull,\n"
                    "snapshot, ...); BLOB is its registry blob when it was pulled or pushed.",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_history},
        {.name = "image save",
         .args = "IMAGE FILE",
         .summary = "write an image as an OCI or docker archive",
         .details = "The layers are the gzip'd tars a push makes.  `berth image load`,\n"
                    "`podman load` and `skopeo copy oci-archive:FILE ...` read the result.",
         .min_args = 2,
         .max_args = 2,
         .options = save_opts,
         .run = cmd_save},
        {.name = "image load",
         .args = "FILE [NAME]",
         .summary = "load an image archive (the same as image import)",
         .details = "NAME defaults to FILE's base name up to its first dot.",
         .min_args = 1,
         .max_args = 2,
         .options = load_opts,
         .run = cmd_load},
        {0},
};
