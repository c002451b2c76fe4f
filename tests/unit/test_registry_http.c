/* Tests of backend/registry/http.c against a small HTTP server in a thread
 * of the test (loopback): the bearer-token dance from a WWW-Authenticate
 * challenge, anonymous and with stored credentials, retries of 503 and
 * 429, and the one-line errors for 401 and 404. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "registry/registry.h"
#include "testutil.h"

struct server {
	int fd, port;
	pthread_t thread;
	int flaky;                 /* 503 answers left for /v2/r/manifests/flaky */
	char last_token_auth[256]; /* Authorization of the last token request */
	int requests;
};

static void reply(int c, const char *status, const char *headers, const char *body)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf),
	                 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
	                 status, strlen(body), headers, body);
	if (write(c, buf, (size_t)n) < 0)
		return;
}

static void header_value(const char *req, const char *name, char *out, size_t len)
{
	out[0] = '\0';
	const char *p = strcasestr(req, name);
	if (p == NULL)
		return;
	p += strlen(name);
	size_t n = strcspn(p, "\r\n");
	snprintf(out, len, "%.*s", (int)n, p);
}

static void handle(struct server *s, int c, const char *req)
{
	char path[512] = "", authz[256];
	sscanf(req, "%*s %511s", path);
	header_value(req, "\r\nAuthorization: ", authz, sizeof(authz));
	char chal[256];
	snprintf(chal, sizeof(chal),
	         "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"svc\"\r\n",
	         s->port);
	if (strncmp(path, "/token?", 7) == 0) {
		snprintf(s->last_token_auth, sizeof(s->last_token_auth), "%s", authz);
		if (strstr(path, "service=svc") && strstr(path, "scope=repository:r:pull"))
			reply(c, "200 OK", "Content-Type: application/json\r\n",
			      "{\"token\":\"T1\"}");
		else
			reply(c, "400 Bad Request", "", "");
		return;
	}
	if (strcmp(authz, "Bearer T1") != 0) {
		reply(c, "401 Unauthorized", chal, "{}");
		return;
	}
	if (strcmp(path, "/v2/") == 0 || strcmp(path, "/v2/r/manifests/ok") == 0)
		reply(c, "200 OK", "Docker-Content-Digest: sha256:x\r\n", "{\"ok\":1}");
	else if (strcmp(path, "/v2/r/manifests/flaky") == 0 && s->flaky-- > 0)
		reply(c, s->flaky % 2 ? "503 Service Unavailable" : "429 Too Many Requests", "",
		      "");
	else if (strcmp(path, "/v2/r/manifests/flaky") == 0)
		reply(c, "200 OK", "", "{\"flaky\":1}");
	else
		reply(c, "404 Not Found", "", "{}");
}

static void *serve(void *data)
{
	struct server *s = data;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char req[4096];
		size_t n = 0;
		while (n < sizeof(req) - 1) {
			ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
			req[n] = '\0';
			if (req[0] == 0x16 || strstr(req, "\r\n\r\n"))
				break; /* a TLS hello: closed at once, as a plain http server does
				        */
		}
		req[n] = '\0';
		s->requests++;
		if (req[0] != 0x16)
			handle(s, c, req);
		close(c);
	}
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
	free(s);
	return 0;
}

/* A session to 127.0.0.1:PORT/r, with XDG_CONFIG_HOME in dir (credentials
 * stored there when user is given). */
static void open_session(struct server *s, struct reg_session *ss, struct reg_ref *ref,
                         const char *dir, const char *user)
{
	char xdg[512], path[600], refs[64];
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("DOCKER_CONFIG", dir, 1);
	snprintf(refs, sizeof(refs), "127.0.0.1:%d/r:ok", s->port);
	assert_int_equal(reg_ref_parse(refs, ref, NULL), 0);
	if (user) {
		snprintf(path, sizeof(path), "%s/berth/auth.json", xdg);
		assert_int_equal(reg_auth_store(path, ref->registry, user, "pw", NULL), 0);
	}
	struct be_error *err = NULL;
	if (reg_session_open(ss, ref, NULL, "pull", NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_reg_session_bearer_anonymous(void **state)
{
	struct server *s = *state;
	char *dir = tu_root_new();
	struct reg_session ss;
	struct reg_ref ref;
	open_session(s, &ss, &ref, dir, NULL);
	assert_string_equal(s->last_token_auth, ""); /* no credentials sent */
	/* https was tried first; the server speaks plain http. */
	assert_int_equal(strncmp(ss.base, "http://127.0.0.1:", 17), 0);
	struct reg_resp r = {0};
	assert_int_equal(
	        reg_request(&ss, "GET", "/v2/r/manifests/ok", NULL, NULL, 0, -1, 0, &r, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"ok\":1}");
	assert_string_equal(r.digest, "sha256:x");
	reg_resp_free(&r);
	reg_session_close(&ss);
	reg_ref_free(&ref);
	tu_root_remove(dir);
	free(dir);
}

static void test_reg_session_bearer_with_credentials(void **state)
{
	struct server *s = *state;
	char *dir = tu_root_new();
	struct reg_session ss;
	struct reg_ref ref;
	open_session(s, &ss, &ref, dir, "alice");
	/* The token was asked for with basic auth: alice:pw. */
	assert_string_equal(s->last_token_auth, "Basic YWxpY2U6cHc=");
	reg_session_close(&ss);
	reg_ref_free(&ref);
	tu_root_remove(dir);
	free(dir);
}

static void test_reg_request_retries_and_errors(void **state)
{
	struct server *s = *state;
	char *dir = tu_root_new();
	struct reg_session ss;
	struct reg_ref ref;
	open_session(s, &ss, &ref, dir, NULL);
	struct reg_resp r = {0};
	s->flaky = 3; /* 503, 429, 503, then 200: three retries */
	assert_int_equal(
	        reg_request(&ss, "GET", "/v2/r/manifests/flaky", NULL, NULL, 0, -1, 0, &r, NULL),
	        0);
	assert_int_equal(r.status, 200);
	reg_resp_free(&r);
	s->flaky = 4; /* one more than the retries */
	assert_int_equal(
	        reg_request(&ss, "GET", "/v2/r/manifests/flaky", NULL, NULL, 0, -1, 0, &r, NULL),
	        0);
	assert_int_equal(r.status, 429);
	reg_resp_free(&r);
	assert_int_equal(
	        reg_request(&ss, "GET", "/v2/r/manifests/nope", NULL, NULL, 0, -1, 0, &r, NULL), 0);
	assert_int_equal(r.status, 404);
	struct be_error *err = NULL;
	assert_int_equal(reg_http_fail(&ss, "manifest nope", &r, &err), -1);
	char want[128];
	snprintf(want, sizeof(want),
	         "127.0.0.1:%d/r: manifest nope: HTTP 404: no such image or tag", s->port);
	assert_string_equal(err->msg, want);
	be_error_free(err);
	err = NULL;
	r.status = 401;
	assert_int_equal(reg_http_fail(&ss, "manifest x", &r, &err), -1);
	assert_non_null(strstr(err->msg, "HTTP 401: login needed (berth login 127.0.0.1:"));
	be_error_free(err);
	reg_resp_free(&r);
	reg_session_close(&ss);
	reg_ref_free(&ref);
	tu_root_remove(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_reg_session_bearer_anonymous, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reg_session_bearer_with_credentials, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_reg_request_retries_and_errors, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
