/* libcurl, loaded on first use: only pull, push and login talk HTTP, and
 * linking libcurl (with its TLS, HTTP/2, IDN and LDAP libraries) would slow
 * the start of every command.  The functions berth calls are looked up
 * once into a table (registry.h: struct reg_curl). */
#include <dlfcn.h>
#include <stddef.h>

#include "registry/registry.h"

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
