/* Values a container's record shares with the modules that act on them,
 * kept below all of them: a published port as text (`-p
 * [IP:]HOSTPORT:PORT[/PROTO]` and back) and a mount's type name. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "be_net.h"
#include "be_volume.h"

const char *be_net_proto_name(enum be_proto p)
{
	return p == BE_PROTO_UDP ? "udp" : "tcp";
}

static int parse_port_num(const char *s, size_t len, uint16_t *out, bool zero_ok)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535 || (v == 0 && !zero_ok))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int be_net_parse_port(const char *text, struct be_port *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	char buf[80];
	if (strlen(text) >= sizeof(buf))
		return be_error_set(err, 0, "-p \"%.40s...\": too long", text);
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (strcmp(slash + 1, "udp") == 0)
			out->proto = BE_PROTO_UDP;
		else if (strcmp(slash + 1, "tcp") != 0)
			return be_error_set(err, 0, "-p \"%s\": protocol must be tcp or udp", text);
	}
	char *parts[3] = {buf, NULL, NULL};
	int n = 1;
	for (char *c = buf; *c && n <= 3; c++)
		if (*c == ':') {
			*c = '\0';
			if (n == 3)
				return be_error_set(err, 0, "-p \"%s\": use [IP:]HOSTPORT:PORT",
				                    text);
			parts[n++] = c + 1;
		}
	const char *ip = n == 3 ? parts[0] : NULL;
	const char *host = n >= 2 ? parts[n - 2] : NULL;
	const char *ctr = parts[n - 1];
	if (parse_port_num(ctr, strlen(ctr), &out->ctr_port, false) < 0)
		return be_error_set(err, 0, "-p \"%s\": container port \"%s\" is not 1-65535", text,
		                    ctr);
	if (host && *host && parse_port_num(host, strlen(host), &out->host_port, false) < 0)
		return be_error_set(err, 0, "-p \"%s\": host port \"%s\" is not 1-65535", text,
		                    host);
	struct in_addr a;
	if (ip && *ip && strcmp(ip, "0.0.0.0") != 0) {
		if (inet_pton(AF_INET, ip, &a) != 1)
			return be_error_set(err, 0, "-p \"%s\": \"%s\" is not an IPv4 address",
			                    text, ip);
		inet_ntop(AF_INET, &a, out->host_ip, sizeof(out->host_ip));
	}
	return 0;
}

const char *be_net_port_format(const struct be_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u->%u/%s", p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port,
	         p->ctr_port, be_net_proto_name(p->proto));
	return buf;
}

void be_volume_mount_clear(struct be_mount *m)
{
	if (m == NULL)
		return;
	free(m->source);
	free(m->target);
	memset(m, 0, sizeof(*m));
}

const char *be_volume_mount_type_name(enum be_mount_type t)
{
	switch (t) {
	case BE_MOUNT_BIND: return "bind";
	case BE_MOUNT_VOLUME: return "volume";
	case BE_MOUNT_TMPFS: return "tmpfs";
	}
	return "?";
}
