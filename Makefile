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

.PHONY: all deps build install uninstall demo test test-rust test-phpt test-phpunit test-laravel \
	phpstan test-full test-fuzz test-valgrind test-soak test-cluster-soak test-php84 test-pie bench bench-rust clean

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
	@$(MAKE) --no-print-directory phpstan test-rust test-phpt test-phpunit test-laravel

test-rust:
	$(CARGO) test --all-targets 2>&1 | tee build/cargo-test.log; test $${PIPESTATUS[0]} -eq 0

test-phpt:
	@scripts/run-phpt php-tests/phpt

test-phpunit:
	@if [ -f php-tests/phpunit.xml ]; then phpunit -c php-tests/phpunit.xml; else echo "no PHPUnit suite in php-tests/"; fi

test-laravel:
	@if [ -f laravel/phpunit.xml ]; then phpunit -c laravel/phpunit.xml; else echo "no Laravel suite yet"; fi

## bench: phpgrc_bus beside its peers in one run (~3 min; BENCH_ARGS=--quick ~45 s): first end to end
## (stock Worker and connector loop vs phpGRC's own path, one process per contender), then per call;
## prints medians, p99 and ratios, and writes build/bench.json
bench: install
	$(PHP) benches/php/bench.php --json build/bench.json $(BENCH_ARGS)

## bench-rust: criterion benches of the Rust core (~4.5 min; BENCH_ARGS=--quick ~1 min)
bench-rust:
	$(CARGO) bench --bench core -- $(BENCH_ARGS)

## test-php84: phpt + PHPUnit/Laravel suites on PHP 8.4 in a Debian 13 chroot (cached in /var/cache/phpgrc-bus)
test-php84:
	@scripts/php84-chroot

## test-pie: the PIE/phpize path in a temp copy: phpize, configure, make, make install, php -m, one validation
test-pie: deps
	@scripts/test-pie-build

## phpstan: static analysis of laravel/src, php-tests/phpunit and examples against the stub
PHPSTAN ?= $(shell command -v phpstan 2>/dev/null)
phpstan:
	@if [ -n "$(PHPSTAN)" ]; then $(PHPSTAN) analyse -c phpstan.neon --no-progress; \
	else echo "phpstan: skipped, no phpstan binary (Debian 12/13 do not package it and Packagist is unreachable here); set PHPSTAN=/path/to/phpstan"; fi

## test-full: the fast suites, then fuzzing, the phpt suite under valgrind and the fault soaks
test-full: test
	@$(MAKE) --no-print-directory test-fuzz test-valgrind test-soak test-cluster-soak

## test-soak: envelopes through 3 worker processes with SIGKILLs and a redis restart
## (PHPGRC_BUS_SOAK_ENVELOPES, default 2000); prints pushed/processed/dead-lettered/duplicated/lost
test-soak: install
	phpunit -c php-tests/phpunit.xml --group slow

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
