# hardshim: `make` builds build/hardshim; `make check` runs every test;
# `make demo` shows a hardened container. Both install their own
# dependencies first (hack/install-deps.sh installs only what is missing).

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
POLICYDIR ?= /etc/hardshim

CC ?= cc
PKGS := libseccomp libcap-ng libmnl libnftnl jansson

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Wno-unused-parameter
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now,-z,noexecstack
ifeq ($(CI),true)
WARN += -Werror
endif

# A build that lacks a library says so, and which command installs it,
# before the compiler does (deps-check runs ahead of every compile and link;
# `make check` and `make demo` run `make deps` first, so they never see it).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# The wrapper and two hooks are exec'd on every container start, so the
# libraries that ship an archive are linked in statically: that spares the
# dynamic loader about 0.2 ms an exec (hack/bench-start.sh). libmnl ships
# no archive; STATIC_DEPS=0 links everything dynamically.
STATIC_DEPS ?= 1
LIBDIR = $(shell pkg-config --variable=libdir libseccomp 2>/dev/null)
STATIC_ARCHIVES = $(wildcard $(foreach l,seccomp cap-ng nftnl jansson,$(LIBDIR)/lib$(l).a))
ifeq ($(STATIC_DEPS)$(words $(STATIC_ARCHIVES)),14)
PKG_LIBS = -Wl,-Bstatic -lseccomp -lcap-ng -lnftnl -ljansson -Wl,-Bdynamic -lmnl
else
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(HARDEN) -Iinclude $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(HARDEN_LD)

SRCS := $(wildcard shim/*.c shim/*/*.c netpol/*.c)
OBJS := $(SRCS:%.c=build/%.o)
LIB_OBJS := $(filter-out build/shim/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

.PHONY: all deps deps-check check unit demo install clean bench format format-check dist dist-path

all: build/hardshim

deps-check:
	@if ! command -v pkg-config >/dev/null; then \
		echo "missing pkg-config; run \`make deps\` (hack/install-deps.sh) as root" >&2; \
		exit 1; \
	fi; \
	missing=; debs=; \
	for p in $(PKGS); do \
		pkg-config --exists $$p && continue; \
		missing="$$missing $$p"; \
		case $$p in lib*) debs="$$debs $$p-dev" ;; *) debs="$$debs lib$$p-dev" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "missing libraries:$$missing (Debian:$$debs); run \`make deps\` (hack/install-deps.sh) as root" >&2; \
		exit 1; \
	fi

$(OBJS) $(UNIT_BINS) build/hardshim build/dist/hardshim: | deps-check

build/%.o: %.c $(wildcard include/*.h netpol/*.h shim/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/hardshim: $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/hs_test.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

unit: $(UNIT_BINS)

deps:
	hack/install-deps.sh

check: deps
	$(MAKE) all unit dist
	tests/run.sh

demo: deps
	$(MAKE) all
	hack/demo.sh

bench: deps
	$(MAKE) all
	hack/bench-start.sh

FORMAT_FILES = $(SRCS) $(wildcard include/*.h netpol/*.h shim/*/*.h tests/unit/*.[ch] tests/probe/*.c)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

format:
	clang-format -i $(FORMAT_FILES)

# The policies never overwrite a file an operator edited: a differing file
# is kept and the shipped one goes beside it as FILE.new
# (hack/install-policies.sh says which).
install: build/hardshim
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(POLICYDIR)
	install -m 0755 build/hardshim $(DESTDIR)$(BINDIR)/hardshim
	ln -sf hardshim $(DESTDIR)$(BINDIR)/hardshim-runc
	hack/install-policies.sh policies $(DESTDIR)$(POLICYDIR)
	chmod -R go-w $(DESTDIR)$(POLICYDIR)

# make dist: build/dist/hardshim-VERSION-linux-ARCH.tar.gz, the binary with
# the exact libraries it was linked against (glibc's loader and libc,
# libmnl: Debian ships no libmnl.a, and a static binary cannot load a .so),
# so it runs on a node whatever that node's glibc (hack/make-dist.sh).
# The loader's path is absolute in the ELF header, so the artifact runs from
# PREFIX: bin/ at $(PREFIX)/bin, lib/hardshim/ at $(PREFIX)/lib/hardshim.
# The libraries are found through the rpath: $$ORIGIN/../lib/hardshim (which
# the loader works out from /proc/self/exe), then $(PREFIX)/lib/hardshim for
# a root without /proc. DT_RPATH, not DT_RUNPATH: it also covers the
# libraries' own dependencies, and LD_LIBRARY_PATH cannot override it.
VERSION := $(shell sed -n 's/^\#define HS_VERSION "\(.*\)"$$/\1/p' shim/main.c)
DIST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
DIST_NAME := hardshim-$(VERSION)-linux-$(DIST_ARCH)
DIST_TARBALL := build/dist/$(DIST_NAME).tar.gz
LDSO_x86_64 := ld-linux-x86-64.so.2
LDSO_aarch64 := ld-linux-aarch64.so.1
LDSO := $(LDSO_$(firstword $(subst -, ,$(shell $(CC) -dumpmachine))))
DIST_INTERP := $(PREFIX)/lib/hardshim/$(LDSO)
DIST_LDFLAGS := -Wl,--dynamic-linker=$(DIST_INTERP) \
	-Wl,-rpath,'$$ORIGIN/../lib/hardshim:$(PREFIX)/lib/hardshim' \
	-Wl,--disable-new-dtags
DIST_FILES := $(shell find policies hack/dist deploy/daemonset deploy/runtimeclass -type f 2>/dev/null) \
	hack/kind/containerd-hardshim.toml hack/make-dist.sh

build/dist/hardshim: $(OBJS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(DIST_LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(DIST_TARBALL): build/dist/hardshim $(DIST_FILES)
	CC="$(CC)" LDSO="$(LDSO)" DIST_INTERP="$(DIST_INTERP)" \
		LINKED_ARCHIVES="$(if $(findstring -Bstatic,$(PKG_LIBS)),$(STATIC_ARCHIVES))" \
		hack/make-dist.sh build/dist/hardshim $(DIST_NAME) $@

dist: $(DIST_TARBALL)

dist-path:
	@echo $(DIST_TARBALL)

clean:
	rm -rf build
