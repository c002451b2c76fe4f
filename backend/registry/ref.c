/* Image references as docker writes them ([HOST[:PORT]/]REPO[:TAG][@DIGEST])
 * and WWW-Authenticate challenges (Basic, Bearer with realm, service and
 * scope). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "layer/layer.h"
#include "registry/registry.h"

void reg_ref_free(struct reg_ref *r)
{
	free(r->registry);
	free(r->host);
	free(r->repo);
	free(r->tag);
	*r = (struct reg_ref){0};
}

static char *dupn(const char *s, size_t n)
{
	return xasprintf("%.*s", (int)n, s);
}

static bool is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by '.', '_', "__" or runs of '-'. */
static bool component_valid(const char *s, size_t n)
{
	if (n == 0 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (is_alnum_lower(c) || c == '-')
			continue;
		if (c == '.' && is_alnum_lower(s[i - 1]))
			continue;
		if (c == '_' && (is_alnum_lower(s[i - 1]) ||
		                 (s[i - 1] == '_' && i >= 2 && is_alnum_lower(s[i - 2]))))
			continue;
		return false;
	}
	return true;
}

static bool repo_valid(const char *repo)
{
	if (strlen(repo) > 255)
		return false;
	for (const char *p = repo;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!component_valid(p, n))
			return false;
		if (slash == NULL)
			return true;
		p = slash + 1;
	}
}

static bool tag_valid(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

static bool host_valid(const char *h)
{
	if (*h == '\0' || strlen(h) > 255)
		return false;
	for (const char *p = h; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr(".-:[]", *p)))
			return false;
	return true;
}

/* localhost, 127.0.0.0/8 and ::1 are reached without TLS by default. */
static bool host_loopback(const char *registry)
{
	if (strncmp(registry, "[::1]", 5) == 0)
		return true;
	size_t n = strcspn(registry, ":");
	if (n == 9 && strncmp(registry, "localhost", 9) == 0)
		return true;
	return strncmp(registry, "127.", 4) == 0;
}

/* Splits "HOST/REST" when the first part names a host (has '.' or ':', or
 * is localhost); else the default registry. */
static void split_registry(const char *s, char **registry, const char **rest)
{
	const char *slash = strchr(s, '/');
	if (slash) {
		size_t n = (size_t)(slash - s);
		bool host = memchr(s, '.', n) || memchr(s, ':', n) ||
		            (n == 9 && strncmp(s, "localhost", 9) == 0);
		if (host) {
			*registry = dupn(s, n);
			*rest = slash + 1;
			return;
		}
	}
	*registry = xstrdup(REG_DEFAULT_REGISTRY);
	*rest = s;
}

static int bad_ref(const char *s, const char *why, struct be_error **err)
{
	return BE_FAIL_CODE(err, EINVAL, "invalid reference \"%s\": %s", s, why);
}

int reg_ref_parse(const char *s, struct reg_ref *out, struct be_error **err)
{
	*out = (struct reg_ref){0};
	if (s == NULL || *s == '\0')
		return bad_ref("", "empty", err);
	cleanup_free char *copy = xstrdup(s);
	char *at = strchr(copy, '@');
	if (at) {
		*at = '\0';
		if (!digest_valid(at + 1))
			return bad_ref(s, "the digest must be sha256: and 64 lowercase hex digits",
			               err);
		snprintf(out->digest, sizeof(out->digest), "%s", at + 1);
	}
	const char *rest;
	split_registry(copy, &out->registry, &rest);
	cleanup_free char *name = xstrdup(rest);
	char *colon = strrchr(name, ':');
	if (colon && strchr(colon, '/') == NULL) {
		*colon = '\0';
		if (!tag_valid(colon + 1)) {
			reg_ref_free(out);
			return bad_ref(
			        s, "a tag is 1 to 128 of [A-Za-z0-9_.-], not starting with . or -",
			        err);
		}
		out->tag = xstrdup(colon + 1);
	} else if (!at) {
		out->tag = xstrdup("latest");
	}
	if (!host_valid(out->registry) || !repo_valid(name)) {
		reg_ref_free(out);
		return bad_ref(s, "a repository is lowercase letters, digits and . _ - between /",
		               err);
	}
	bool hub = strcmp(out->registry, REG_DEFAULT_REGISTRY) == 0;
	out->repo = hub && !strchr(name, '/') ? xasprintf("library/%s", name) : xstrdup(name);
	out->host = xstrdup(hub ? REG_DOCKER_HUB_HOST : out->registry);
	out->insecure = host_loopback(out->registry);
	return 0;
}

char *reg_ref_string(const struct reg_ref *r)
{
	if (r->digest[0])
		return xasprintf("%s/%s@%s", r->registry, r->repo, r->digest);
	return xasprintf("%s/%s:%s", r->registry, r->repo, r->tag ? r->tag : "latest");
}

void reg_ref_local_name(const struct reg_ref *r, char out[BE_NAME_MAX + 1])
{
	const char *base = strrchr(r->repo, '/');
	base = base ? base + 1 : r->repo;
	char buf[256];
	if (r->digest[0] && r->tag == NULL)
		snprintf(buf, sizeof(buf), "%s_%.12s", base, r->digest + 7);
	else if (r->tag && strcmp(r->tag, "latest") != 0)
		snprintf(buf, sizeof(buf), "%s_%s", base, r->tag);
	else
		snprintf(buf, sizeof(buf), "%s", base);
	size_t n = strnlen(buf, BE_NAME_MAX);
	memcpy(out, buf, n);
	out[n] = '\0';
	for (char *p = out; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-'))
			*p = '_';
	if (!isalnum((unsigned char)out[0]))
		out[0] = 'x';
}

/* ---- WWW-Authenticate ------------------------------------------------------------ */

void reg_challenge_free(struct reg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (struct reg_challenge){0};
}

/* Reads one value at *p: a quoted string (with \ escapes) or a token up to
 * ','; advances *p.  NULL on an unterminated quote. */
static char *read_value(const char **p)
{
	const char *s = *p;
	if (*s != '"') {
		size_t n = strcspn(s, ", \t");
		*p = s + n;
		return dupn(s, n);
	}
	char *out = xmalloc(strlen(s) + 1), *o = out;
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		*o++ = *s;
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

static void set_param(struct reg_challenge *c, const char *key, size_t klen, char *val)
{
	char **slot = klen == 5 && strncasecmp(key, "realm", 5) == 0     ? &c->realm
	              : klen == 7 && strncasecmp(key, "service", 7) == 0 ? &c->service
	              : klen == 5 && strncasecmp(key, "scope", 5) == 0   ? &c->scope
	                                                                 : NULL;
	if (slot) {
		free(*slot);
		*slot = val;
	} else {
		free(val);
	}
}

int reg_challenge_parse(const char *header, struct reg_challenge *out, struct be_error **err)
{
	*out = (struct reg_challenge){0};
	const char *p = header;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t");
	if (n == 5 && strncasecmp(p, "Basic", 5) == 0)
		out->scheme = REG_AUTH_BASIC;
	else if (n == 6 && strncasecmp(p, "Bearer", 6) == 0)
		out->scheme = REG_AUTH_BEARER;
	else
		return be_error_set(err, 0, "unknown authentication scheme in \"%s\"", header);
	for (p += n; *p;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		size_t k = strcspn(p, "= \t,");
		const char *key = p;
		p += k;
		if (*p != '=') {
			reg_challenge_free(out);
			return be_error_set(err, 0, "malformed authentication challenge \"%s\"",
			                    header);
		}
		p++;
		char *val = read_value(&p);
		if (val == NULL) {
			reg_challenge_free(out);
			return be_error_set(err, 0, "unterminated quote in \"%s\"", header);
		}
		set_param(out, key, k, val);
	}
	if (out->scheme == REG_AUTH_BEARER && (out->realm == NULL || *out->realm == '\0')) {
		reg_challenge_free(out);
		return be_error_set(err, 0, "bearer challenge without a realm: \"%s\"", header);
	}
	return 0;
}
