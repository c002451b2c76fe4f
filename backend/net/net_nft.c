/* nftables through libnftables, loaded on first use (it pulls in libjansson,
 * libgmp, libmnl, libnftnl and libxtables: the start path of a container
 * without published ports or a bridge never pays for it).  berth writes
 * only in its own table (net_table_name), never in another. */
#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

struct nft_api {
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_output)(struct nft_ctx *ctx);
	const char *(*get_error)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *ctx, const char *buf);
};

static int load_api(struct nft_api *api, struct be_error **err)
{
	static void *handle;
	static const char *const names[] = {"libnftables.so.1", "libnftables.so"};
	for (size_t i = 0; handle == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return be_error_set(err, 0,
		                    "nftables: cannot load libnftables.so.1 (install "
		                    "libnftables1)");
	struct {
		void **slot;
		const char *name;
	} syms[] = {
	        {(void **)&api->ctx_new, "nft_ctx_new"},
	        {(void **)&api->ctx_free, "nft_ctx_free"},
	        {(void **)&api->buffer_output, "nft_ctx_buffer_output"},
	        {(void **)&api->buffer_error, "nft_ctx_buffer_error"},
	        {(void **)&api->get_output, "nft_ctx_get_output_buffer"},
	        {(void **)&api->get_error, "nft_ctx_get_error_buffer"},
	        {(void **)&api->run, "nft_run_cmd_from_buffer"},
	};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(handle, syms[i].name);
		if (*syms[i].slot == NULL)
			return be_error_set(err, 0, "nftables: libnftables has no %s",
			                    syms[i].name);
	}
	return 0;
}

/* The first line of nft's error text, for a one-line message. */
static void first_line(const char *text, char *buf, size_t len)
{
	snprintf(buf, len, "%s", text ? text : "");
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

bool net_nft_available(void)
{
	struct nft_api api;
	return load_api(&api, NULL) == 0;
}

int net_nft_run(const char *cmds, char **out, struct be_error **err)
{
	struct nft_api api;
	if (out)
		*out = NULL;
	if (load_api(&api, err) < 0)
		return -1;
	struct nft_ctx *nft = api.ctx_new(NFT_CTX_DEFAULT);
	if (nft == NULL)
		return be_error_set(err, ENOMEM, "nftables: no context");
	api.buffer_output(nft);
	api.buffer_error(nft);
	int r = api.run(nft, cmds);
	if (r != 0) {
		char line[400];
		first_line(api.get_error(nft), line, sizeof(line));
		be_error_set(err, 0, "nftables: %s", line[0] ? line : "command failed");
	} else if (out) {
		*out = xstrdup(api.get_output(nft));
	}
	api.ctx_free(nft);
	return r == 0 ? 0 : -1;
}
