/* Tests of backend/base/digest.c: sha256 against FIPS 180-2 vectors, in one
 * piece and streamed in uneven chunks, from an fd, and digest strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/digest.h"
#include "testutil.h"

static const struct {
	const char *text;
	const char *want;
} vectors[] = {
        {"", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

static void test_digest_sha256_buf_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char out[DIGEST_STR_MAX];
		digest_sha256_buf(vectors[i].text, strlen(vectors[i].text), out);
		assert_string_equal(out, vectors[i].want);
		assert_true(digest_valid(out));
	}
}

static void test_digest_sha256_update_chunks(void **state)
{
	(void)state;
	const char *t = vectors[2].text;
	size_t n = strlen(t);
	struct digest_sha256 d;
	digest_sha256_init(&d);
	for (size_t off = 0, step = 1; off < n; off += step, step += 2)
		digest_sha256_update(&d, t + off, off + step > n ? n - off : step);
	char out[DIGEST_STR_MAX];
	digest_sha256_final(&d, out);
	assert_string_equal(out, vectors[2].want);
}

static void test_digest_sha256_fd_million_a(void **state)
{
	(void)state;
	char path[] = "/tmp/berth-digest-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	assert_int_equal(write(fd, a, 1000000), 1000000);
	free(a);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	char out[DIGEST_STR_MAX];
	assert_int_equal(digest_sha256_fd(fd, path, out, NULL), 0);
	assert_string_equal(
	        out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	close(fd);
}

static void test_digest_valid_refuses(void **state)
{
	(void)state;
	const char *bad[] = {
	        NULL,
	        "",
	        "sha256:",
	        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
	        "sha256:../../../../etc/passwd000000000000000000000000000000000000000000",
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(digest_valid(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_digest_sha256_buf_vectors),
	        cmocka_unit_test(test_digest_sha256_update_chunks),
	        cmocka_unit_test(test_digest_sha256_fd_million_a),
	        cmocka_unit_test(test_digest_valid_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
