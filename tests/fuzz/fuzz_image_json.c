/* Fuzzes what an image archive says about itself: docker save's
 * manifest.json, an OCI index and manifest, an image config and its
 * rootfs.diff_ids (backend/image/image_archive.c). */
#include <stdlib.h>

#include "base/util.h"
#include "image/image_archive.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = fuzz_cstr(data, size);
	struct be_error *err = NULL;
	struct be_archive_plan p = {0};
	if (image_archive_docker_plan(t, &p, &err) == 0)
		image_archive_diff_ids(t, "c.json", &p, &err);
	be_error_clear(&err);
	image_archive_plan_free(&p);
	char *blob = NULL;
	bool nested;
	image_archive_oci_index(t, "index.json", &blob, &nested, &err);
	be_error_clear(&err);
	free(blob);
	image_archive_oci_manifest(t, "m", &p, &err);
	be_error_clear(&err);
	image_archive_plan_free(&p);
	struct be_image_rec *rec = xcalloc(1, sizeof(*rec));
	image_archive_config(t, "c", rec, &err);
	be_error_clear(&err);
	image_rec_free(rec);
	free(t);
	return 0;
}
