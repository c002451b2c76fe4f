/* Listen addresses of the /metrics server: parsing (loopback unless the
 * user asks for more) and printing. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"

static int parse_port(const char *text, const char *p, uint16_t *port, struct be_error **err)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(p, &end, 10);
	if (*p < '0' || *p > '9' || *end || errno || v > 65535)
		return be_error_set(err, 0,
		                    "invalid listen address \"%s\": want HOST:PORT with a port "
		                    "from 0 to 65535",
		                    text);
	*port = (uint16_t)v;
	return 0;
}

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	const struct sockaddr_in6 *a = (const void *)ss;
	return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

int metrics_parse_listen(const char *text, bool any, struct sockaddr_storage *ss, socklen_t *len,
                         struct be_error **err)
{
	memset(ss, 0, sizeof(*ss));
	char host[64] = "127.0.0.1";
	const char *port = text;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - text) >= sizeof(host))
			return be_error_set(
			        err, 0, "invalid listen address \"%s\": want [IPV6]:PORT", text);
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		port = close + 2;
	} else if (strchr(text, ':')) {
		const char *colon = strrchr(text, ':');
		if ((size_t)(colon - text) >= sizeof(host))
			return be_error_set(err, 0, "invalid listen address \"%s\"", text);
		if (colon != text) {
			memcpy(host, text, (size_t)(colon - text));
			host[colon - text] = '\0';
		}
		port = colon + 1;
	}
	uint16_t p;
	if (parse_port(text, port, &p, err) < 0)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	struct sockaddr_in *a4 = (void *)ss;
	struct sockaddr_in6 *a6 = (void *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		*len = sizeof(*a6);
	} else {
		return be_error_set(err, 0,
		                    "invalid listen address \"%s\": \"%s\" is not an IP address",
		                    text, host);
	}
	if (!any && !loopback(ss))
		return be_error_set(err, 0,
		                    "listening on %s: not a loopback address; give --any-address "
		                    "to serve metrics beyond this host",
		                    text);
	return 0;
}

void metrics_format_address(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
	}
}
