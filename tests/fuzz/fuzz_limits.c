/* Fuzzes names and limits as the command line gives them: container and
 * image names, --memory, --memory-swap, --cpus, --pids-limit, weights,
 * sizes. */
#include <stdlib.h>

#include "berth.h"
#include "be_cgroup.h"
#include "cgroup/cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = fuzz_cstr(data, size);
	struct be_error *err = NULL;
	be_name_valid(t);
	be_name_check("container", t, &err);
	be_error_clear(&err);
	uint64_t u, q, p;
	int64_t s;
	be_limits_parse_memory(t, &u, &err);
	be_error_clear(&err);
	be_limits_parse_memory_swap(t, &s, &err);
	be_error_clear(&err);
	be_limits_parse_cpus(t, &q, &p, &err);
	be_error_clear(&err);
	cg_limits_parse_cpus_n(t, 2, &q, &p, &err);
	be_error_clear(&err);
	be_limits_parse_pids(t, &s, &err);
	be_error_clear(&err);
	be_limits_parse_weight(t, &u, &err);
	be_error_clear(&err);
	be_parse_size(t, &u, &err);
	be_error_clear(&err);
	free(t);
	return 0;
}
