# berth: GNU make, no autotools.  `make V=1` shows the commands.
#   all     build build/berth (and libberth.a)
#   test    install missing Debian packages, build, run every test
#   check   the same tests built with ASan + UBSan in build-san/
#   test-v2 the integration tests on a pure cgroup v2 kernel booted in qemu
#   test-v2-smoke  a subset of them (cgroup limits, runtime), for CI
#   bench   run the benchmarks under bench/
#   demo    install, build, make the demo image, open the TUI
#   fuzz-smoke  libFuzzer targets (tests/fuzz/fuzz_*.c, clang) built in
#           build-fuzz/, each run FUZZ_SECONDS (30) from its seed corpus
#   lint    clang-format check and the layer rules of STYLE.md
#   format  apply clang-format
#   install PREFIX=/usr/local DESTDIR=

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BUILD     ?= build
SAN       ?=
CC        ?= cc
PKG       := libcgroup jansson libarchive libseccomp libcap nettle zlib libnl-route-3.0 libnftables
# libarchive is loaded on first use (backend/archive_dl.c), not linked:
# its dependencies cost every command 2.5 ms of start-up.  libnftables
# likewise (backend/net/net_nft.c), libcurl (backend/registry) and
# libmicrohttpd (backend/metrics/serve.c: GnuTLS and six more);
# libnl-route-3 is linked statically.  zlib (for `berth record FILE.gz`)
# is small and linked statically.
LINK_PKG  := libcgroup jansson libseccomp libcap nettle zlib libnl-route-3.0
TEST_PKG  := cmocka
TUI_PKG   := ncursesw

ifeq ($(V),1)
Q :=
else
Q := @
endif

# pkg-config is asked only once the deps script has run; before that the
# variables are empty and nothing is compiled.
pc = $(shell pkg-config $(1) $(2) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wpointer-arith -Wundef -Werror
CSTD := -std=c11 -D_GNU_SOURCE
OPT  ?= -O2 -g
ifneq ($(SAN),)
OPT  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
        -ftrivial-auto-var-init=pattern
endif
# Fuzzing builds (make fuzz-smoke): everything instrumented for libFuzzer.
ifneq ($(FUZZ),)
OPT  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
        -fno-sanitize-recover=all
endif

CFLAGS_ALL  = $(CSTD) -DBERTH_VERSION='"$(VERSION)"' $(OPT) $(WARN) -MMD -MP $(call pc,--cflags,$(PKG)) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)
# The small libraries are linked statically (their .a files come with the
# -dev packages): a command then starts ~0.9 ms sooner, which the start path
# feels.  glibc stays dynamic.
LIBS        = -Wl,-Bstatic $(call pc,--static --libs,$(LINK_PKG)) -Wl,-Bdynamic
ARCHIVE_LIBS = $(call pc,--libs,libarchive)
TUI_CFLAGS  = $(call pc,--cflags,$(TUI_PKG)) -D_GNU_SOURCE
TUI_LIBS    = -Wl,-Bstatic $(call pc,--libs,$(TUI_PKG)) -Wl,-Bdynamic
# Tables of test tarball entries leave trailing fields out (size, mode).
TEST_CFLAGS = $(call pc,--cflags,$(TEST_PKG)) -Wno-missing-field-initializers
TEST_LIBS   = $(call pc,--libs,$(TEST_PKG))

BACKEND_SRC := $(sort $(wildcard backend/*/*.c))
CLI_SRC     := $(sort $(wildcard cli/*.c))
TUI_SRC     := $(sort $(wildcard tui/*.c))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRC   := $(sort $(wildcard tests/integration/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
BENCH_SRC   := $(sort $(wildcard bench/*.c))
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))

BACKEND_OBJ := $(BACKEND_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ     := $(TUI_SRC:%.c=$(BUILD)/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN    := $(UNIT_SRC:%.c=$(BUILD)/%)
INTEG_BIN   := $(INTEG_SRC:%.c=$(BUILD)/%)
BENCH_BIN   := $(BENCH_SRC:%.c=$(BUILD)/%)
FUZZ_BIN    := $(FUZZ_SRC:%.c=$(BUILD)/%)
LIB         := $(BUILD)/libberth.a
BIN         := $(BUILD)/berth
MAN         := $(BUILD)/berth.1

.PHONY: kernel all deps test unit integration check bench demo lint format install clean pot \
        fuzz-smoke test-v2 test-v2-smoke
all: deps
	$(Q)$(MAKE) --no-print-directory build-all

# Translations: po/LANG.po -> build/locale/LANG/LC_MESSAGES/berth.mo (the
# program finds them next to itself; installed under share/locale).
PO          := $(wildcard po/*.po)
MO          := $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/berth.mo)
$(BUILD)/locale/%/LC_MESSAGES/berth.mo: po/%.po
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $<")
	$(Q)msgfmt --check -o $@ $<

# Refreshes po/berth.pot from the sources and merges it into each po file.
pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -c -o po/berth.pot --package-name=berth \
	  --package-version=$(VERSION) $(sort $(wildcard tui/*.c))
	for p in $(PO); do msgmerge -q -U --backup=none $$p po/berth.pot; done

build-all: $(BIN) $(MAN) $(MO)

# The man page is made from the program's own help texts.
$(MAN): $(BIN) scripts/man.sh
	@$(if $(Q),echo "  MAN     $@")
	$(Q)scripts/man.sh $(BIN) > $@.tmp && mv $@.tmp $@

deps:
	$(Q)scripts/deps.sh

# The backend sees its own module folders; the front ends see only the
# public headers (backend/include), so including an internal one fails.
BACKEND_INC := -Ibackend -Ibackend/include
PUBLIC_INC  := -Ibackend/include

$(BUILD)/backend/%.o: backend/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(BACKEND_INC) -c -o $@ $<

$(BUILD)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(PUBLIC_INC) -c -o $@ $<

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(BACKEND_INC) -c -o $@ $<

$(BUILD)/tui/%.o: tui/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(PUBLIC_INC) $(TUI_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(BACKEND_INC) $(TEST_CFLAGS) -Itests/lib -c -o $@ $<

# The container's seccomp program is compiled once, here, from
# backend/sandbox/seccomp_rules.c (scripts/gen_seccomp.c prints it as a
# header); a start loads it as it is.  The generator is a build tool:
# built plainly, whatever the variant (sanitizers, fuzzing).
SECCOMP_GEN := $(BUILD)/gen/gen_seccomp
SECCOMP_H   := $(BUILD)/gen/seccomp_filter.h
$(SECCOMP_GEN): scripts/gen_seccomp.c backend/sandbox/seccomp_rules.c backend/sandbox/seccomp_rules.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(CSTD) -O1 $(WARN) $(BACKEND_INC) $(call pc,--cflags,$(PKG)) -o $@ \
	  scripts/gen_seccomp.c backend/sandbox/seccomp_rules.c $(call pc,--libs,libseccomp)
$(SECCOMP_H): $(SECCOMP_GEN)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(SECCOMP_GEN) > $@.tmp && mv $@.tmp $@
$(BUILD)/backend/sandbox/secure.o: $(SECCOMP_H)
$(BUILD)/backend/sandbox/secure.o: CFLAGS_ALL += -I$(BUILD)/gen

$(LIB): $(BACKEND_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(TUI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(TUI_OBJ) $(LIB) $(LIBS) $(TUI_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TESTLIB_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(EXTRA_OBJ) $(TESTLIB_OBJ) $(LIB) $(LIBS) $(ARCHIVE_LIBS) $(TEST_LIBS)

# The TUI's pure logic (tui/model*.c: no curses, no cli) is unit-tested by
# tests/unit/test_tui_*.c, which link it.
TUI_PURE_OBJ := $(filter $(BUILD)/tui/model%.o,$(TUI_OBJ))
TUI_UNIT_BIN := $(filter $(BUILD)/tests/unit/test_tui_%,$(UNIT_BIN))
$(TUI_UNIT_BIN): EXTRA_OBJ = $(TUI_PURE_OBJ)
$(TUI_UNIT_BIN): $(TUI_PURE_OBJ)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(LIBS) $(ARCHIVE_LIBS)

build-tests: $(BIN) $(MO) $(UNIT_BIN) $(INTEG_BIN)

# A fuzz target: its file, the helpers of tests/fuzz/lib.c, the backend.
$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/lib.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(BUILD)/tests/fuzz/lib.o $(LIB) $(LIBS) $(ARCHIVE_LIBS)

build-fuzz: $(FUZZ_BIN)

# Every parser of untrusted input under libFuzzer, ASan and UBSan (clang),
# each for FUZZ_SECONDS from its seeds in tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 30
fuzz-smoke: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 build-fuzz
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz-smoke.sh build-fuzz $(FUZZ_SRC:tests/fuzz/%.c=%)

# Every test program runs even when one fails; the run fails at the end.
test: deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)BUILD=$(BUILD) scripts/run-tests.sh $(UNIT_BIN) $(INTEG_BIN)

unit: deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)BUILD=$(BUILD) scripts/run-tests.sh $(UNIT_BIN)

integration: deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)BUILD=$(BUILD) scripts/run-tests.sh $(INTEG_BIN)

check: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-san SAN=1 build-tests
	$(Q)BUILD=build-san ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/run-tests.sh $(UNIT_BIN:$(BUILD)/%=build-san/%) $(INTEG_BIN:$(BUILD)/%=build-san/%)

# Debian's cloud kernel (fetched once into $(BUILD)/kernel) booted in qemu
# with cgroup2 alone at /sys/fs/cgroup; the guest runs the test programs and
# the run ends with their summary line (scripts/v2/run.sh, docs/cgroup.md).
V2_SMOKE    := test_cgroup test_cgroup_v2_enforce test_runtime test_stats test_sandbox
V2_SMOKE_BIN = $(filter $(addprefix $(BUILD)/tests/integration/,$(V2_SMOKE)),$(INTEG_BIN))
test-v2: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(INTEG_BIN)
	$(Q)BUILD=$(BUILD) scripts/v2/run.sh $(INTEG_BIN)

test-v2-smoke: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(V2_SMOKE_BIN)
	$(Q)BUILD=$(BUILD) scripts/v2/run.sh $(V2_SMOKE_BIN)

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	$(Q)BUILD=$(BUILD) scripts/run-bench.sh

# Debian's cloud kernel for VM guests, unpacked into build/kernel (nothing
# installed); `berth vm image demo` finds it there, beside the binary.
kernel:
	$(Q)scripts/fetch-kernel.sh $(BUILD)/kernel >/dev/null

demo: deps
	$(Q)$(MAKE) --no-print-directory build-all
	$(Q)BERTH=$(BIN) scripts/demo.sh

FMT_SRC = $(wildcard backend/*/*.[ch] cli/*.[ch] tui/*.[ch] tests/*/*.[ch] bench/*.[ch])
lint:
	$(Q)clang-format --dry-run --Werror $(FMT_SRC)
	$(Q)scripts/lint-layers.sh

format:
	$(Q)clang-format -i $(FMT_SRC)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/berth
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/berth.1
	$(if $(wildcard themes/*.json),install -d $(DESTDIR)$(PREFIX)/share/berth/themes && install -m 0644 themes/*.json $(DESTDIR)$(PREFIX)/share/berth/themes/)
	for m in $(MO); do l=$${m#$(BUILD)/locale/}; install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/locale/$$l; done

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) build-san build-fuzz -name '*.d' 2>/dev/null)
