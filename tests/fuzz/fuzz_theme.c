/* Fuzzes theme files (backend/theme/theme.c): anything a user's
 * ~/.config/berth/themes/NAME.json holds. */
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "be_theme.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	if (path == NULL)
		path = xasprintf("%s/fuzz.json", fuzz_dir());
	fuzz_write(path, data, size);
	struct be_theme th;
	struct be_error *err = NULL;
	be_theme_load_file(path, &th, &err);
	be_error_clear(&err);
	return 0;
}
