/* The /metrics listener: berth binds and listens itself (so a bad or busy
 * address is a clear error, and port 0 can be resolved), then hands the
 * socket to libmicrohttpd, which runs one internal thread: every request
 * is served on it, so the monitor the server keeps is used by one thread
 * only.  libmicrohttpd is loaded with dlopen on the first `--listen`: it
 * links GnuTLS, p11-kit, libidn2, libunistring, nettle, hogweed and gmp,
 * whose loading and relocation would add about 2 ms to every berth command
 * (the start path stays lean, as for libarchive in image/archive_dl.c). */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "berth.h"
#include "metrics/metrics.h"
#include "base/util.h"

/* The few libmicrohttpd functions berth calls, found with dlsym. */
struct mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
	                                   MHD_AcceptPolicyCallback apc, void *apc_cls,
	                                   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*response_with_free)(size_t size, void *buffer,
	                                           MHD_ContentReaderFreeCallback crfc);
	enum MHD_Result (*add_header)(struct MHD_Response *r, const char *h, const char *v);
	enum MHD_Result (*queue)(struct MHD_Connection *c, unsigned int status,
	                         struct MHD_Response *r);
	void (*destroy)(struct MHD_Response *r);
};

static int mhd_load(struct mhd_api *api, struct be_error **err)
{
	static const char *const names[] = {"libmicrohttpd.so.12", "libmicrohttpd.so"};
	void *h = NULL;
	for (size_t i = 0; h == NULL && i < 2; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return be_error_set(err, ENOENT,
		                    "loading libmicrohttpd (Debian package libmicrohttpd12): %s",
		                    dlerror());
	static const char *const syms[] = {"MHD_start_daemon",
	                                   "MHD_stop_daemon",
	                                   "MHD_create_response_from_buffer_with_free_callback",
	                                   "MHD_add_response_header",
	                                   "MHD_queue_response",
	                                   "MHD_destroy_response"};
	void **slots[] = {(void **)&api->start_daemon,
	                  (void **)&api->stop_daemon,
	                  (void **)&api->response_with_free,
	                  (void **)&api->add_header,
	                  (void **)&api->queue,
	                  (void **)&api->destroy};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*slots[i] = dlsym(h, syms[i]);
		if (*slots[i] == NULL)
			return be_error_set(err, ENOSYS, "libmicrohttpd has no %s (too old)",
			                    syms[i]);
	}
	/* The handle stays open: the daemon's thread runs its code. */
	return 0;
}

struct be_metrics_server {
	struct mhd_api api;
	struct MHD_Daemon *daemon;
	struct be_monitor *mon;
	struct be_ctx *ctx;
	struct metrics_images images; /* berth containers' images, by name */
	int fd;
	char host[256];
	char address[80];
	uint64_t scrapes;
};

static enum MHD_Result reply(struct be_metrics_server *s, struct MHD_Connection *c, unsigned status,
                             const char *type, char *body, size_t len)
{
	struct MHD_Response *r = s->api.response_with_free(len, body, free);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	s->api.add_header(r, "Content-Type", type);
	enum MHD_Result rc = s->api.queue(c, status, r);
	s->api.destroy(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
	(void)version;
	(void)data;
	(void)data_size;
	(void)con_cls;
	struct be_metrics_server *s = cls;
	const char *text = "text/plain; charset=utf-8";
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(s, c, 405, text, xstrdup("only GET\n"), 9);
	if (strcmp(url, "/") == 0) {
		char *body = xstrdup("berth metrics: see /metrics\n");
		return reply(s, c, 200, text, body, strlen(body));
	}
	if (strcmp(url, "/metrics") != 0)
		return reply(s, c, 404, text, xstrdup("not found: see /metrics\n"), 24);
	/* One scrape, one refresh of the monitor. */
	struct be_error *err = NULL;
	if (be_monitor_refresh(s->mon, &err) < 0) {
		char *body = xasprintf("berth: %s\n", err->msg);
		be_error_free(err);
		return reply(s, c, 500, text, body, strlen(body));
	}
	struct be_metrics_text out = {0};
	metrics_format_cached(s->mon, s->ctx, &s->images, s->host, &out);
	s->scrapes++;
	return reply(s, c, 200, "text/plain; version=0.0.4; charset=utf-8",
	             steal_pointer(&out.data), out.len);
}

static int bind_listen(const char *addr, bool any, char *bound, size_t blen, struct be_error **err)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	if (metrics_parse_listen(addr, any, &ss, &slen, err) < 0)
		return -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return be_error_set(err, errno, "listening on %s: socket", addr);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, slen) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		return be_error_set(err, e, "listening on %s", addr);
	}
	slen = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &slen);
	metrics_format_address(&ss, bound, blen);
	return fd;
}

int be_metrics_server_start(struct be_ctx *ctx, const char *addr, bool any_address,
                            struct be_metrics_server **out, struct be_error **err)
{
	struct be_metrics_server *s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	be_metrics_hostname(s->host, sizeof(s->host));
	if (mhd_load(&s->api, err) < 0)
		goto fail;
	s->fd = bind_listen(addr, any_address, s->address, sizeof(s->address), err);
	if (s->fd < 0)
		goto fail;
	s->ctx = ctx;
	s->mon = be_monitor_new(ctx, NULL, err);
	if (s->mon == NULL)
		goto fail;
	s->daemon = s->api.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
	                                NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
	                                MHD_OPTION_CONNECTION_LIMIT, 32u,
	                                MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (s->daemon == NULL) {
		be_error_set(err, EIO, "listening on %s: libmicrohttpd would not start", addr);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	be_metrics_server_stop(s);
	return -1;
}

const char *be_metrics_server_address(const struct be_metrics_server *s)
{
	return s->address;
}

uint64_t be_metrics_server_scrapes(const struct be_metrics_server *s)
{
	return s->scrapes;
}

void be_metrics_server_stop(struct be_metrics_server *s)
{
	if (s == NULL)
		return;
	/* The daemon closes the listening socket it was given. */
	if (s->daemon)
		s->api.stop_daemon(s->daemon);
	else if (s->fd >= 0)
		close(s->fd);
	be_monitor_free(s->mon);
	metrics_images_free(&s->images);
	free(s);
}
