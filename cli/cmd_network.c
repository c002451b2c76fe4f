/* Commands of the network family: network create, ls, rm, inspect; port;
 * and the parser of create/run's -p option. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_ports(const struct cli_args *a, struct be_port **out, size_t *n)
{
	const char *const *vals;
	*n = cli_list(a, "publish", &vals);
	*out = calloc(*n + 1, sizeof(**out));
	if (*out == NULL)
		abort();
	for (size_t i = 0; i < *n; i++) {
		struct be_error *err = NULL;
		if (be_net_parse_port(vals[i], &(*out)[i], &err) < 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return cli_fail(err);
		}
	}
	return 0;
}

static int cmd_network_create(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	unsigned long long mtu = 0;
	if (cli_opt_uint(a, "mtu", 65535, &mtu) < 0)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_net_network_create(ctx, a->argv[0], cli_opt(a, "subnet"), (unsigned)mtu, &err) < 0)
		return cli_fail(err);
	puts(a->argv[0]);
	return 0;
}

static int cmd_network_ls(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_network_info *list = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_net_network_list(ctx, &list, &n, &err) < 0)
		return cli_fail(err);
	bool quiet = cli_flag(a, "quiet");
	if (!quiet)
		printf("%-20s %-14s %-18s %-6s %-8s %s\n", "NAME", "BRIDGE", "SUBNET", "MTU",
		       "MEMBERS", "STATE");
	for (size_t i = 0; i < n; i++)
		if (quiet)
			puts(list[i].name);
		else
			printf("%-20s %-14s %-18s %-6u %-8zu %s\n", list[i].name, list[i].bridge,
			       list[i].subnet, list[i].mtu, list[i].n_members,
			       list[i].active ? "up" : "down");
	free(list);
	return 0;
}

static int cmd_network_rm(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		if (be_net_network_remove(ctx, a->argv[i], &err) < 0)
			rc = cli_fail(err);
		else
			puts(a->argv[i]);
	}
	return rc;
}

static int cmd_network_inspect(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0, printed = 0;
	if (a->argc > 1)
		fputs("[\n", stdout);
	for (int i = 0; i < a->argc; i++) {
		char *json = NULL;
		struct be_error *err = NULL;
		if (be_net_network_inspect_json(ctx, a->argv[i], &json, &err) < 0) {
			rc = cli_fail(err);
			continue;
		}
		printf("%s%s", printed++ ? ",\n" : "", json);
		free(json);
	}
	if (a->argc > 1)
		fputs(printed ? "\n]\n" : "]\n", stdout);
	else if (printed)
		fputc('\n', stdout);
	return rc;
}

static int cmd_port(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	char ip[16];
	struct be_port *ports = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_net_container_ports(ctx, a->argv[0], ip, &ports, &n, &err) < 0)
		return cli_fail(err);
	for (size_t i = 0; i < n; i++)
		printf("%u/%s -> %s:%u\n", ports[i].ctr_port, be_net_proto_name(ports[i].proto),
		       ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0", ports[i].host_port);
	free(ports);
	return 0;
}

static const struct be_option create_opts[] = {
        {"subnet", 0, BE_OPT_VALUE, "CIDR",
         "IPv4 subnet, /8 to /30 (default: a free /24 of "
         "10.210.0.0/16)"},
        {"mtu", 0, BE_OPT_VALUE, "BYTES",
         "MTU of the bridge and the veths, 1280-65535 (default 65535: the host "
         "talks to its containers as on loopback; routes out use the uplink's MTU)"},
        {0},
};
static const struct be_option ls_opts[] = {
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print names only"},
        {0},
};

const struct cli_command cli_cmds_network[] = {
        {.name = "network create",
         .args = "NAME",
         .summary = "create a bridge network (containers join with --net NAME)",
         .details = "Members reach each other by name (their /etc/hosts is kept current)\n"
                    "and are isolated from other networks.  The bridge and the NAT rules\n"
                    "exist only while a member runs.  The default network, \"bridge\",\n"
                    "is made on first use; create it first to choose its subnet.",
         .min_args = 1,
         .max_args = 1,
         .options = create_opts,
         .run = cmd_network_create},
        {.name = "network ls",
         .summary = "list networks: bridge, subnet, running members",
         .max_args = 0,
         .options = ls_opts,
         .run = cmd_network_ls},
        {.name = "network rm",
         .args = "NAME...",
         .summary = "remove networks no container names",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_network_rm},
        {.name = "network inspect",
         .args = "NAME...",
         .summary = "print networks as JSON with their running members' addresses",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_network_inspect},
        {.name = "port",
         .args = "NAME",
         .summary = "print a running container's published ports (PORT/PROTO -> IP:HOSTPORT)",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_port},
        {0},
};
