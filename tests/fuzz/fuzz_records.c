/* Fuzzes the state records berth reads back from its root (a crash, a
 * full disk or a user's editor can leave anything there): store_load and
 * the typed readers of config.json, state.json, snapshots.json, op.json,
 * the run file, an image record and a layer record. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "record/record.h"
#include "image/image.h"
#include "layer/layer.h"
#include "journal/journal.h"
#include "fuzz.h"

static struct be_ctx *ctx;

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char *p = ctx_path(ctx, "%s", rel);
	fuzz_write(p, data, size);
	free(p);
}

static void open_ctx(void)
{
	char *root = xasprintf("%s/root", fuzz_dir());
	struct be_ctx_opts o = {.root = root};
	if (be_ctx_open(&o, &ctx, NULL) < 0)
		abort();
	free(root);
	static const char *const dirs[] = {"containers/x", "layers/0123456789ab"};
	for (size_t i = 0; i < 2; i++) {
		char *d = ctx_path(ctx, "%s", dirs[i]);
		if (util_mkdir_p(d, 0700, NULL) < 0)
			abort();
		free(d);
	}
	char *run = ctx_run_path(ctx, "containers");
	if (util_mkdir_p(run, 0700, NULL) < 0)
		abort();
	free(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ctx == NULL)
		open_ctx();
	struct be_error *err = NULL;
	put("containers/x/config.json", data, size);
	put("containers/x/state.json", data, size);
	put("containers/x/snapshots.json", data, size);
	put("containers/x/op.json", data, size);
	put("images/x.json", data, size);
	put("layers/0123456789ab/layer.json", data, size);
	char *runp = rec_run_path(ctx, "x", ".json");
	fuzz_write(runp, data, size);
	json_t *j = store_load(runp, &err);
	be_error_clear(&err);
	if (j)
		json_decref(j);
	free(runp);

	struct rec_config cfg;
	if (rec_config_load(ctx, "x", &cfg, &err) == 0)
		rec_config_clear(&cfg);
	be_error_clear(&err);
	struct rec_state st;
	rec_state_load(ctx, "x", &st, &err);
	be_error_clear(&err);
	struct rec_run run;
	rec_run_load(ctx, "x", &run, &err);
	be_error_clear(&err);
	struct snap_list l = {0};
	if (snap_list_load(ctx, "x", &l, &err) == 0)
		snap_list_clear(&l);
	be_error_clear(&err);
	struct snap_op op;
	snap_op_load(ctx, "x", &op, &err);
	be_error_clear(&err);
	struct be_image_rec *img = NULL;
	if (image_load(ctx, "x", &img, &err) == 0)
		image_rec_free(img);
	be_error_clear(&err);
	struct be_layer_info info;
	layer_load(ctx, "0123456789ab", &info, &err);
	be_error_clear(&err);
	return 0;
}
