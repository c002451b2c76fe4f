/* Blob downloads: several at once over one curl multi handle, each hashed
 * while it streams into ROOT/registry/blobs/HEX.partial (flocked), resumed
 * with a Range request after a broken connection (in this pull, or the
 * next one), renamed to HEX only once its size and digest are right. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

#define RETRIES 3
#define PROGRESS_NS 100000000ull

struct xfer {
	struct reg_fetch *f;
	CURL *e;
	struct curl_slist *hdrs;
	int fd;
	char *part;
	struct digest_sha256 d;
	uint64_t bytes, last_ns;
	int attempts;
	uint64_t retry_at; /* 0: not waiting */
	bool running, done, too_big;
	long status;
	char ebuf[CURL_ERROR_SIZE];
};

struct fetch_run {
	struct reg_session *s;
	const struct be_ctx *ctx;
	size_t count;
	struct reg_fetch *base;
	reg_fetch_done_fn done;
	void *data;
	CURLM *multi;
};

static void report(struct fetch_run *r, struct xfer *x, enum be_reg_event ev, uint64_t offset)
{
	const struct be_reg_opts *o = r->s->opts;
	if (o == NULL || o->progress == NULL)
		return;
	struct be_reg_progress p = {
	        .event = ev,
	        .digest = x->f->blob.digest,
	        .bytes = x->bytes,
	        .total = (uint64_t)x->f->blob.size,
	        .offset = offset,
	        .index = x->f->index,
	        .count = r->count,
	};
	o->progress(&p, o->progress_data);
}

static size_t on_data(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t k = size * n;
	if (x->status >= 300 || x->status == 0)
		return k; /* an error body: the status says it all */
	if (x->bytes + k > (uint64_t)x->f->blob.size) {
		x->too_big = true;
		return 0;
	}
	for (size_t off = 0; off < k;) {
		ssize_t w = write(x->fd, p + off, k - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		off += (size_t)w;
	}
	digest_sha256_update(&x->d, p, k);
	x->bytes += k;
	return k;
}

/* The status line of every response (redirects too): a 200 to a Range
 * request means the server sends the whole blob again. */
static size_t on_head(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t k = size * n;
	long st;
	if (k > 9 && strncmp(p, "HTTP/", 5) == 0 && sscanf(p, "HTTP/%*s %ld", &st) == 1) {
		x->status = st;
		if (st == 200 && x->bytes > 0) {
			if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0)
				return 0;
			digest_sha256_init(&x->d);
			x->bytes = 0;
		}
	}
	return k;
}

/* Opens and locks HEX.partial, hashing what an earlier attempt left. */
static int open_partial(struct fetch_run *r, struct xfer *x, struct be_error **err)
{
	x->part = xasprintf("%s.partial", x->f->path);
	x->fd = open(x->part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (x->fd < 0)
		return be_error_set(err, errno, "opening %s", x->part);
	if (flock(x->fd, LOCK_EX | LOCK_NB) < 0)
		return BE_FAIL_CODE(err, EBUSY, "blob %s is being downloaded by another pull",
		                    x->f->blob.digest);
	digest_sha256_init(&x->d);
	char buf[65536];
	ssize_t got;
	while ((got = read(x->fd, buf, sizeof(buf))) > 0) {
		digest_sha256_update(&x->d, buf, (size_t)got);
		x->bytes += (uint64_t)got;
	}
	if (got < 0)
		return be_error_set(err, errno, "reading %s", x->part);
	if (x->bytes > (uint64_t)x->f->blob.size) {
		if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0)
			return be_error_set(err, errno, "truncating %s", x->part);
		digest_sha256_init(&x->d);
		x->bytes = 0;
	}
	(void)r;
	return 0;
}

static void start(struct fetch_run *r, struct xfer *x)
{
	struct reg_session *s = r->s;
	const struct reg_curl *c = s->c;
	if (x->e == NULL)
		x->e = c->easy_init();
	else
		c->easy_reset(x->e);
	c->slist_free_all(x->hdrs);
	x->hdrs = NULL;
	cleanup_free char *url =
	        xasprintf("%s/v2/%s/blobs/%s", s->base, s->ref->repo, x->f->blob.digest);
	reg_session_setup(s, x->e, url, &x->hdrs, NULL);
	c->easy_setopt(x->e, CURLOPT_FOLLOWLOCATION, 1L);
	c->easy_setopt(x->e, CURLOPT_ERRORBUFFER, x->ebuf);
	c->easy_setopt(x->e, CURLOPT_WRITEFUNCTION, on_data);
	c->easy_setopt(x->e, CURLOPT_WRITEDATA, x);
	c->easy_setopt(x->e, CURLOPT_HEADERFUNCTION, on_head);
	c->easy_setopt(x->e, CURLOPT_HEADERDATA, x);
	c->easy_setopt(x->e, CURLOPT_PRIVATE, x);
	char range[64];
	if (x->bytes > 0) {
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->bytes);
		c->easy_setopt(x->e, CURLOPT_RANGE, range);
	}
	x->ebuf[0] = '\0';
	x->status = 0;
	x->too_big = false;
	x->running = true;
	x->retry_at = 0;
	report(r, x, BE_REG_START, x->bytes);
	c->multi_add_handle(r->multi, x->e);
}

/* Checks a complete blob and renames it into place; a mismatch removes it
 * and names both digests. */
static int check(struct fetch_run *r, struct xfer *x, struct be_error **err)
{
	char got[DIGEST_STR_MAX];
	digest_sha256_final(&x->d, got);
	if (x->bytes != (uint64_t)x->f->blob.size || strcmp(got, x->f->blob.digest) != 0) {
		unlink(x->part);
		return be_error_set(err, 0,
		                    "%s/%s: blob %s: digest mismatch: got %s (%llu bytes, %lld "
		                    "expected); nothing kept",
		                    r->s->ref->registry, r->s->ref->repo, x->f->blob.digest, got,
		                    (unsigned long long)x->bytes, (long long)x->f->blob.size);
	}
	if (fsync(x->fd) < 0 || rename(x->part, x->f->path) < 0)
		return be_error_set(err, errno, "storing blob %s", x->f->blob.digest);
	x->done = true;
	x->f->ready = true;
	report(r, x, BE_REG_DONE, 0);
	return r->done ? r->done(r->base, (size_t)(x->f - r->base), r->data, err) : 0;
}

/* A transfer ended: done, scheduled again, or an error. */
static int finished(struct fetch_run *r, struct xfer *x, CURLcode rc, struct be_error **err)
{
	x->running = false;
	r->s->c->multi_remove_handle(r->multi, x->e);
	if (x->too_big || (rc == CURLE_OK && x->status / 100 == 2))
		return check(r, x, err);
	bool transient = rc != CURLE_OK ? rc != CURLE_WRITE_ERROR && rc != CURLE_SSL_CACERT &&
	                                          rc != CURLE_PEER_FAILED_VERIFICATION
	                                : x->status == 429 || x->status >= 500;
	if (transient && x->attempts < RETRIES) {
		x->attempts++;
		x->retry_at = util_now_ns() + (uint64_t)reg_backoff_ms(x->attempts) * 1000000ull;
		return 0;
	}
	if (rc != CURLE_OK)
		return be_error_set(
		        err, 0, "%s/%s: blob %s: %s (%llu of %lld bytes kept for the next pull)",
		        r->s->ref->registry, r->s->ref->repo, x->f->blob.digest,
		        x->ebuf[0] ? x->ebuf : r->s->c->easy_strerror(rc),
		        (unsigned long long)x->bytes, (long long)x->f->blob.size);
	struct reg_resp resp = {.status = x->status};
	cleanup_free char *what = xasprintf("blob %s", x->f->blob.digest);
	return reg_http_fail(r->s, what, &resp, err);
}

/* Starts what may start: waiting retries whose time came, new blobs up to
 * the limit.  *active gets the number running or waiting. */
static void schedule(struct fetch_run *r, struct xfer *xs, size_t n, unsigned limit, size_t *active)
{
	uint64_t now = util_now_ns();
	size_t running = 0;
	for (size_t i = 0; i < n; i++)
		running += xs[i].running || xs[i].retry_at;
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];
		if (x->retry_at && x->retry_at <= now)
			start(r, x);
		else if (!x->done && !x->running && !x->retry_at && x->e == NULL &&
		         running < limit) {
			start(r, x);
			running++;
		}
	}
	*active = 0;
	for (size_t i = 0; i < n; i++)
		*active += xs[i].running || xs[i].retry_at || (!xs[i].done && xs[i].e == NULL);
}

static void progress_tick(struct fetch_run *r, struct xfer *xs, size_t n)
{
	uint64_t now = util_now_ns();
	for (size_t i = 0; i < n; i++)
		if (xs[i].running && now - xs[i].last_ns >= PROGRESS_NS) {
			xs[i].last_ns = now;
			report(r, &xs[i], BE_REG_BYTES, 0);
		}
}

static int run_multi(struct fetch_run *r, struct xfer *xs, size_t n, struct be_error **err)
{
	const struct reg_curl *c = r->s->c;
	unsigned limit = r->s->opts && r->s->opts->parallel ? r->s->opts->parallel : 4;
	for (;;) {
		size_t active;
		schedule(r, xs, n, limit, &active);
		if (active == 0)
			return 0;
		int still = 0;
		c->multi_perform(r->multi, &still);
		CURLMsg *m;
		int left;
		while ((m = c->multi_info_read(r->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			c->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if (x && finished(r, x, m->data.result, err) < 0)
				return -1;
		}
		progress_tick(r, xs, n);
		if (r->s->opts && r->s->opts->cancel && *r->s->opts->cancel)
			return BE_FAIL_CODE(err, EINTR,
			                    "interrupted (partial blobs kept for the next pull)");
		c->multi_poll(r->multi, NULL, 0, 100, NULL);
	}
}

/* Sets up each transfer: blobs complete from an earlier attempt are
 * checked without a request. */
static int prepare(struct fetch_run *r, struct xfer *x, struct reg_fetch *f, struct be_error **err)
{
	*x = (struct xfer){.f = f, .fd = -1};
	if (open_partial(r, x, err) < 0)
		return -1;
	if (x->bytes == (uint64_t)f->blob.size) {
		report(r, x, BE_REG_START, x->bytes);
		return check(r, x, err);
	}
	return 0;
}

static void xfer_free(struct fetch_run *r, struct xfer *x)
{
	if (x->e) {
		if (x->running)
			r->s->c->multi_remove_handle(r->multi, x->e);
		r->s->c->easy_cleanup(x->e);
	}
	r->s->c->slist_free_all(x->hdrs);
	if (x->fd >= 0)
		close(x->fd);
	free(x->part);
}

int reg_fetch_blobs(struct reg_session *s, const struct be_ctx *ctx, struct reg_fetch *f, size_t n,
                    size_t count, reg_fetch_done_fn done, void *data, struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "registry/blobs");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	struct fetch_run r = {.s = s,
	                      .ctx = ctx,
	                      .count = count,
	                      .base = f,
	                      .done = done,
	                      .data = data,
	                      .multi = s->c->multi_init()};
	if (r.multi == NULL)
		return be_error_set(err, ENOMEM, "starting libcurl");
	struct xfer *xs = xcalloc(n ? n : 1, sizeof(*xs));
	for (size_t i = 0; i < n; i++)
		xs[i].fd = -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		f[i].path = xasprintf("%s/%s", dir, f[i].blob.digest + 7);
		rc = prepare(&r, &xs[i], &f[i], err);
	}
	if (rc == 0)
		rc = run_multi(&r, xs, n, err);
	for (size_t i = 0; i < n; i++) {
		if (rc < 0 && xs[i].done)
			unlink(f[i].path);
		xfer_free(&r, &xs[i]);
	}
	s->c->multi_cleanup(r.multi);
	free(xs);
	return rc;
}
