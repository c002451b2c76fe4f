/* The HTTP side of the distribution protocol: libcurl loaded on first use
 * (only pull, push and login talk HTTP; linking libcurl, with its TLS,
 * HTTP/2, IDN and LDAP libraries, would slow the start of every command),
 * one session per repository (scheme from a ping, basic or bearer auth from
 * the WWW-Authenticate challenge), requests with retries and backoff, and
 * the one-line errors. */
#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

#define RETRIES 3

/* ---- libcurl ---------------------------------------------------------------------- */

#define SYM(field, name)                                                                           \
	{                                                                                          \
		offsetof(struct reg_curl, field), name                                             \
	}

static const struct {
	size_t off;
	const char *name;
} syms[] = {
        SYM(easy_init, "curl_easy_init"),
        SYM(easy_setopt, "curl_easy_setopt"),
        SYM(easy_perform, "curl_easy_perform"),
        SYM(easy_getinfo, "curl_easy_getinfo"),
        SYM(easy_cleanup, "curl_easy_cleanup"),
        SYM(easy_reset, "curl_easy_reset"),
        SYM(easy_strerror, "curl_easy_strerror"),
        SYM(slist_append, "curl_slist_append"),
        SYM(slist_free_all, "curl_slist_free_all"),
        SYM(multi_init, "curl_multi_init"),
        SYM(multi_add_handle, "curl_multi_add_handle"),
        SYM(multi_remove_handle, "curl_multi_remove_handle"),
        SYM(multi_perform, "curl_multi_perform"),
        SYM(multi_poll, "curl_multi_poll"),
        SYM(multi_info_read, "curl_multi_info_read"),
        SYM(multi_cleanup, "curl_multi_cleanup"),
};

const struct reg_curl *reg_curl_load(struct be_error **err)
{
	static struct reg_curl table;
	static bool loaded;
	if (loaded)
		return &table;
	static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
	void *h = NULL;
	for (size_t i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		be_error_set(err, 0, "cannot load libcurl (install libcurl4): %s", dlerror());
		return NULL;
	}
	CURLcode (*global_init)(long) = NULL;
	*(void **)&global_init = dlsym(h, "curl_global_init");
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(h, syms[i].name);
		if (f == NULL || global_init == NULL) {
			be_error_set(err, 0, "libcurl lacks %s: too old for berth", syms[i].name);
			return NULL;
		}
		*(void **)((char *)&table + syms[i].off) = f;
	}
	global_init(CURL_GLOBAL_DEFAULT);
	loaded = true;
	return &table;
}

void reg_resp_free(struct reg_resp *r)
{
	free(r->body);
	free(r->content_type);
	free(r->digest);
	free(r->location);
	free(r->www_auth);
	*r = (struct reg_resp){0};
}

unsigned reg_backoff_ms(int attempt)
{
	return 250u << (attempt > 0 ? attempt - 1 : 0);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct reg_resp *r = data;
	size_t k = size * n;
	if (r->len + k > REG_MAX_JSON)
		return 0; /* a manifest or error body this large is refused */
	r->body = xrealloc(r->body, r->len + k + 1);
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return k;
}

/* Keeps the value of header name when line is "Name: value". */
static void grab(const char *line, size_t n, const char *name, char **slot)
{
	size_t k = strlen(name);
	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	size_t len = n - k - 1;
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	free(*slot);
	*slot = xasprintf("%.*s", (int)len, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	struct reg_resp *r = data;
	size_t k = size * n;
	grab(p, k, "Content-Type", &r->content_type);
	grab(p, k, "Docker-Content-Digest", &r->digest);
	grab(p, k, "Location", &r->location);
	grab(p, k, "WWW-Authenticate", &r->www_auth);
	return k;
}

void reg_session_setup(struct reg_session *s, CURL *e, const char *url, struct curl_slist **hdrs,
                       const char *const *headers)
{
	const struct reg_curl *c = s->c;
	c->easy_setopt(e, CURLOPT_URL, url);
	c->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(e, CURLOPT_USERAGENT, "berth/" BERTH_VERSION);
	c->easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A stalled transfer (under 1 KiB/s for 30 s) is a broken one. */
	c->easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	c->easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
	c->easy_setopt(e, CURLOPT_SSL_VERIFYPEER, s->verify ? 1L : 0L);
	c->easy_setopt(e, CURLOPT_SSL_VERIFYHOST, s->verify ? 2L : 0L);
	c->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	c->easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (s->opts && s->opts->max_speed)
		c->easy_setopt(e, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)s->opts->max_speed);
	for (size_t i = 0; headers && headers[i]; i++)
		*hdrs = c->slist_append(*hdrs, headers[i]);
	if (s->authz)
		*hdrs = c->slist_append(*hdrs, s->authz);
	c->easy_setopt(e, CURLOPT_HTTPHEADER, *hdrs);
}

/* One attempt; CURLcode of the transfer. */
static CURLcode attempt(struct reg_session *s, const char *method, const char *url,
                        const char *const *headers, const void *body, size_t len, int upload_fd,
                        int64_t upload_len, struct reg_resp *out, char *ebuf)
{
	const struct reg_curl *c = s->c;
	c->easy_reset(s->easy);
	struct curl_slist *hdrs = NULL;
	reg_session_setup(s, s->easy, url, &hdrs, headers);
	c->easy_setopt(s->easy, CURLOPT_ERRORBUFFER, ebuf);
	c->easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	c->easy_setopt(s->easy, CURLOPT_WRITEDATA, out);
	c->easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	c->easy_setopt(s->easy, CURLOPT_HEADERDATA, out);
	c->easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, strcmp(method, "GET") == 0 ? 1L : 0L);
	FILE *up = NULL;
	if (strcmp(method, "HEAD") == 0) {
		c->easy_setopt(s->easy, CURLOPT_NOBODY, 1L);
	} else if (upload_fd >= 0) {
		up = fdopen(dup(upload_fd), "rb");
		if (up == NULL)
			return CURLE_READ_ERROR;
		rewind(up);
		c->easy_setopt(s->easy, CURLOPT_UPLOAD, 1L);
		c->easy_setopt(s->easy, CURLOPT_READDATA, up);
		c->easy_setopt(s->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload_len);
		c->easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		c->easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		c->easy_setopt(s->easy, CURLOPT_COPYPOSTFIELDS, body ? body : "");
		c->easy_setopt(s->easy, CURLOPT_CUSTOMREQUEST, method);
	}
	CURLcode rc = c->easy_perform(s->easy);
	if (up)
		fclose(up);
	c->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &out->status);
	c->slist_free_all(hdrs);
	return rc;
}

static char *full_url(const struct reg_session *s, const char *path)
{
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
		return xstrdup(path);
	return xasprintf("%s%s", s->base, path);
}

static bool transient(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_PARTIAL_FILE || rc == CURLE_OPERATION_TIMEDOUT ||
	       rc == CURLE_GOT_NOTHING;
}

static int authenticate(struct reg_session *s, const char *header, struct be_error **err);

/* Sends and retries; a 401 with a new challenge is answered once. */
static int send_retry(struct reg_session *s, const char *method, const char *url,
                      const char *const *headers, const void *body, size_t len, int upload_fd,
                      int64_t upload_len, struct reg_resp *out, struct be_error **err)
{
	bool reauthed = false;
	for (int i = 0;; i++) {
		char ebuf[CURL_ERROR_SIZE] = "";
		reg_resp_free(out);
		CURLcode rc = attempt(s, method, url, headers, body, len, upload_fd, upload_len,
		                      out, ebuf);
		bool retry =
		        rc != CURLE_OK ? transient(rc) : out->status == 429 || out->status >= 500;
		if (rc == CURLE_OK && out->status == 401 && !reauthed && out->www_auth) {
			reauthed = true;
			if (authenticate(s, out->www_auth, err) < 0)
				return -1;
			i--;
			continue;
		}
		if (retry && i < RETRIES) {
			sleep_ms(reg_backoff_ms(i + 1));
			continue;
		}
		if (rc != CURLE_OK)
			return be_error_set(err, 0, "%s/%s: %s %s: %s", s->ref->registry,
			                    s->ref->repo, method, url,
			                    ebuf[0] ? ebuf : s->c->easy_strerror(rc));
		return 0;
	}
}

int reg_request(struct reg_session *s, const char *method, const char *path,
                const char *const *headers, const void *body, size_t len, int upload_fd,
                int64_t upload_len, struct reg_resp *out, struct be_error **err)
{
	cleanup_free char *url = full_url(s, path);
	return send_retry(s, method, url, headers, body, len, upload_fd, upload_len, out, err);
}

/* ---- auth -------------------------------------------------------------------------------- */

static void set_basic(struct reg_session *s)
{
	cleanup_free char *up = xasprintf("%s:%s", s->user, s->pass);
	cleanup_free char *b = reg_base64_encode(up, strlen(up));
	free(s->authz);
	s->authz = xasprintf("Authorization: Basic %s", b);
}

/* Fetches a bearer token from the challenge's realm for this repository. */
static int fetch_token(struct reg_session *s, struct be_error **err)
{
	cleanup_free char *scope = xasprintf("repository:%s:%s", s->ref->repo, s->actions);
	cleanup_free char *url = xasprintf("%s%sservice=%s&scope=%s", s->chal.realm,
	                                   strchr(s->chal.realm, '?') ? "&" : "?",
	                                   s->chal.service ? s->chal.service : "", scope);
	free(s->authz);
	s->authz = NULL;
	if (s->user)
		set_basic(s);
	struct reg_resp r = {0};
	int rc = send_retry(s, "GET", url, NULL, NULL, 0, -1, 0, &r, err);
	free(s->authz);
	s->authz = NULL;
	if (rc < 0 || r.status != 200) {
		if (rc == 0)
			reg_http_fail(s, "token", &r, err);
		reg_resp_free(&r);
		return -1;
	}
	json_error_t je;
	cleanup_json json_t *j = json_loadb(r.body ? r.body : "", r.len, 0, &je);
	reg_resp_free(&r);
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (tok == NULL)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL)
		return be_error_set(err, 0, "%s: the token service answered no token",
		                    s->ref->registry);
	s->authz = xasprintf("Authorization: Bearer %s", tok);
	return 0;
}

static int authenticate(struct reg_session *s, const char *header, struct be_error **err)
{
	reg_challenge_free(&s->chal);
	if (reg_challenge_parse(header, &s->chal, err) < 0)
		return be_error_wrap(err, "%s", s->ref->registry);
	if (s->chal.scheme == REG_AUTH_BEARER)
		return fetch_token(s, err);
	if (s->user == NULL)
		return 0; /* the 401 goes back to the caller: login needed */
	set_basic(s);
	return 0;
}

/* ---- session ------------------------------------------------------------------------- */

static int ping(struct reg_session *s, struct be_error **err)
{
	struct reg_resp r = {0};
	cleanup_free char *url = full_url(s, "/v2/");
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode rc = attempt(s, "GET", url, NULL, NULL, 0, -1, 0, &r, ebuf);
	if (rc != CURLE_OK) {
		reg_resp_free(&r);
		return be_error_set(err, 0, "%s/%s: %s", s->ref->registry, s->ref->repo,
		                    ebuf[0] ? ebuf : s->c->easy_strerror(rc));
	}
	int ret = 0;
	if (r.status == 401 && r.www_auth)
		ret = authenticate(s, r.www_auth, err);
	reg_resp_free(&r);
	return ret;
}

int reg_session_open(struct reg_session *s, const struct reg_ref *ref,
                     const struct be_reg_opts *opts, const char *actions, const char *user,
                     const char *pass, struct be_error **err)
{
	*s = (struct reg_session){.ref = ref, .opts = opts, .actions = actions};
	s->c = reg_curl_load(err);
	if (s->c == NULL)
		return -1;
	s->easy = s->c->easy_init();
	if (s->easy == NULL)
		return be_error_set(err, ENOMEM, "starting libcurl");
	if (user && pass) {
		s->user = xstrdup(user);
		s->pass = xstrdup(pass);
	} else if (reg_auth_find(ref->registry, &s->user, &s->pass, err) < 0) {
		return -1;
	}
	int tv = opts ? opts->tls_verify : -1;
	s->verify = tv == 1 || (tv == -1 && !ref->insecure);
	s->base = xasprintf("https://%s", ref->host);
	cleanup_error struct be_error *tls = NULL;
	if (ping(s, &tls) == 0)
		return 0;
	if (s->verify)
		return be_error_set(err, tls->errnum, "%s", tls->msg);
	/* Not verified: the registry may speak plain http. */
	free(s->base);
	s->base = xasprintf("http://%s", ref->host);
	return ping(s, err);
}

void reg_session_close(struct reg_session *s)
{
	if (s->easy)
		s->c->easy_cleanup(s->easy);
	free(s->base);
	free(s->user);
	free(s->pass);
	free(s->authz);
	reg_challenge_free(&s->chal);
	*s = (struct reg_session){0};
}

int reg_http_fail(struct reg_session *s, const char *what, const struct reg_resp *r,
                  struct be_error **err)
{
	const char *meaning = r->status == 401   ? "login needed"
	                      : r->status == 403 ? "access denied"
	                      : r->status == 404 ? "no such image or tag"
	                      : r->status == 429 ? "too many requests"
	                      : r->status >= 500 ? "registry error"
	                                         : "unexpected answer";
	int code = r->status == 401 || r->status == 403 ? EACCES : r->status == 404 ? ENOENT : EIO;
	if (r->status == 401)
		return BE_FAIL_CODE(err, code,
		                    "%s/%s: %s: HTTP 401: login needed (berth login %s%s)",
		                    s->ref->registry, s->ref->repo, what, s->ref->registry,
		                    s->user ? ": the stored credentials were refused" : "");
	return BE_FAIL_CODE(err, code, "%s/%s: %s: HTTP %ld: %s", s->ref->registry, s->ref->repo,
	                    what, r->status, meaning);
}
