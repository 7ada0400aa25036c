# phpgrc_bus — two commands matter: `make demo` and `make test` (see README).
# Both install what is missing (apt, as root), build the extension and install it into PHP.

SHELL := /bin/bash
CARGO ?= $(shell command -v cargo 2>/dev/null || echo $(HOME)/.cargo/bin/cargo)
PHP ?= php
PHP_CONFIG ?= php-config
EXT_DIR = $(shell $(PHP_CONFIG) --extension-dir 2>/dev/null)
SO := build/phpgrc_bus.so
RUN_TESTS = $(EXT_DIR)/build/run-tests.php

# Debian 12 packages the build and the tests need.
APT_PACKAGES := php8.2-cli php8.2-dev php8.2-redis php8.2-mbstring php8.2-xml php8.2-curl \
	php-laravel-framework phpunit php-parser php-json-schema redis-server redis-tools libclang-dev \
	build-essential pkg-config openssl

.PHONY: all deps build install uninstall demo test lint test-rust xlang test-phpt test-phpunit test-laravel \
	phpstan test-full test-fuzz test-valgrind test-soak test-cluster-soak test-php84 test-latest test-matrix test-pie bench bench-rust clean

all: build

## deps: install missing Debian packages (idempotent; quick when all are present)
deps:
	@scripts/ensure-packages $(APT_PACKAGES)

## build: the release extension at build/phpgrc_bus.so
build: deps
	$(CARGO) build --release --features extension
	@mkdir -p build
	@cp -f target/release/libphpgrc_bus.so $(SO)
	@echo "built $(SO)"

## install: copy into PHP's extension dir and enable it with an ini file
install: build
	@scripts/install-extension $(SO)

uninstall:
	@scripts/install-extension --remove

## demo: build, install, validate one valid and one invalid envelope per kind, then run the
## stock Laravel Worker on the integration-bus driver over one envelope of each kind
demo: install
	$(PHP) examples/demo.php
	$(PHP) examples/worker-demo.php

## test: every suite; fails when any fails or runs nothing
test: install
	@$(MAKE) --no-print-directory lint test-rust test-phpt test-phpunit test-laravel

## test-rust: every cargo test; the cross-language checksum test needs xlang (and the installed extension)
test-rust: xlang
	@PHPGRC_BUS_XLANG_REQUIRED=1 CARGO=$(CARGO) scripts/run-cargo-tests --all-targets

## xlang: the RFC 8785 libraries of the connectors' languages, for tests/checksum_languages.rs:
## npm canonicalize into build/xlang/node, PyPI rfc8785 into the venv build/xlang/venv
## (versions pinned in tests/xlang/; redone only when those files change)
XLANG := build/xlang
xlang: $(XLANG)/.installed
$(XLANG)/.installed: tests/xlang/package.json tests/xlang/requirements.txt
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then scripts/ensure-packages nodejs npm; fi
	@scripts/ensure-packages python3-venv
	@mkdir -p $(XLANG)/node
	cp -f tests/xlang/package.json $(XLANG)/node/package.json
	npm install --prefix $(XLANG)/node --no-audit --no-fund --no-package-lock --loglevel=error
	@test -x $(XLANG)/venv/bin/python || /usr/bin/python3 -m venv $(XLANG)/venv
	$(XLANG)/venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/xlang/requirements.txt
	@touch $@

test-phpt:
	@scripts/run-phpt php-tests/phpt

test-phpunit:
	@scripts/run-phpunit php-tests/phpunit.xml phpunit

test-laravel:
	@scripts/run-phpunit laravel/phpunit.xml laravel

## bench: phpgrc_bus beside its peers in one run (~3 min; BENCH_ARGS=--quick ~45 s): first end to end
## (stock Worker and connector loop vs phpGRC's own path, one process per contender), then per call;
## prints medians, p99 and ratios, and writes build/bench.json
bench: install
	$(PHP) benches/php/bench.php --json build/bench.json $(BENCH_ARGS)

## bench-rust: criterion benches of the Rust core (~4.5 min; BENCH_ARGS=--quick ~1 min)
bench-rust:
	$(CARGO) bench --bench core -- $(BENCH_ARGS)

## test-php84: phpt + PHPUnit/Laravel suites on PHP 8.4 and Laravel 10 in a Debian 13 (trixie)
## chroot (cached in /var/cache/phpgrc-bus)
test-php84:
	@scripts/debian-chroot trixie

## test-latest: the same on PHP 8.4, Laravel 13, PHPUnit 13 and Redis 8 in a Debian sid chroot,
## then the extension built for PHP 8.5 (Debian experimental) and the phpt suite on it
test-latest:
	@scripts/debian-chroot sid

## test-matrix: every row of the README's version matrix (Debian 12 here, then both chroots)
test-matrix: test
	@$(MAKE) --no-print-directory test-php84 test-latest

## test-pie: the PIE/phpize path in a temp copy: phpize, configure, make, make install, php -m, one validation
test-pie: deps
	@scripts/test-pie-build

## lint: php -l on every PHP file of the repository (part of make test)
lint:
	@scripts/lint-php

## phpstan: static analysis of laravel/src, php-tests/phpunit and examples against the stub. Not
## part of make test: no Debian suite packages phpstan and Packagist is unreachable here, so it
## runs only where PHPSTAN names a binary, and fails when it does not.
PHPSTAN ?= $(shell command -v phpstan 2>/dev/null)
phpstan:
	@[ -n "$(PHPSTAN)" ] || { echo "phpstan: no phpstan binary; set PHPSTAN=/path/to/phpstan" >&2; exit 1; }
	$(PHPSTAN) analyse -c phpstan.neon --no-progress

## test-full: the fast suites, then fuzzing, the phpt suite under valgrind and the fault soaks
test-full: test
	@$(MAKE) --no-print-directory test-fuzz test-valgrind test-soak test-cluster-soak

## test-soak: envelopes through 3 worker processes with SIGKILLs and a redis restart
## (PHPGRC_BUS_SOAK_ENVELOPES, default 2000); prints pushed/processed/dead-lettered/duplicated/lost
test-soak: install
	@scripts/run-phpunit php-tests/phpunit.xml soak -- --group slow

## test-cluster-soak: jobs flowing through a Redis Cluster while its master is failed over and
## killed, PHPGRC_BUS_CLUSTER_SOAK_ROUNDS times (default 10; make test runs 2); prints the tally
test-cluster-soak:
	PHPGRC_BUS_CLUSTER_SOAK_ROUNDS=$${PHPGRC_BUS_CLUSTER_SOAK_ROUNDS:-10} $(CARGO) test --release --test queue_cluster_soak -- --nocapture

## test-fuzz: each cargo-fuzz target for FUZZ_SECONDS (default 60)
test-fuzz:
	@scripts/fuzz

## test-valgrind: every .phpt under valgrind memcheck (USE_ZEND_ALLOC=0); leaks fail
test-valgrind: install
	@scripts/ensure-packages valgrind
	@VALGRIND=1 scripts/run-phpt php-tests/phpt

clean:
	$(CARGO) clean
	rm -rf build
