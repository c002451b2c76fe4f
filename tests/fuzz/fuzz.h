/* Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): the
 * input as a C string, and a scratch directory of the run. */
#ifndef BERTH_FUZZ_H
#define BERTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input with a NUL appended (the parsers read C strings); caller frees. */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* A directory made once per run under /dev/shm or /tmp (removed at exit). */
const char *fuzz_dir(void);
/* Writes data to path (creating or truncating it). */
void fuzz_write(const char *path, const uint8_t *data, size_t size);
/* rm -rf path (never through links). */
void fuzz_rm(const char *path);

#endif
