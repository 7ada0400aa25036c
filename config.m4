dnl config.m4 for phpgrc_bus: the phpize path (phpize && ./configure && make && make install),
dnl which is what PIE runs. The extension is Rust: configure only checks the tools and records
dnl them; make runs scripts/pie-build, which runs
dnl   cargo build --release --features extension
dnl (the same build as `make build` in a git checkout) against the PHP whose php-config
dnl configure was given (--with-php-config, default: the phpize's), with CARGO_TARGET_DIR inside
dnl the build dir, and copies the result to modules/phpgrc_bus.so, which the phpize-generated
dnl `make install` copies into that PHP's extension dir.

PHP_ARG_ENABLE([phpgrc_bus],
  [whether to enable phpgrc_bus],
  [AS_HELP_STRING([--enable-phpgrc_bus], [Build phpgrc_bus, written in Rust (default: yes; phpize builds always enable it)])],
  [yes])

PHP_ARG_WITH([cargo],
  [],
  [AS_HELP_STRING([--with-cargo=PATH],
    [cargo executable [cargo on PATH, else $HOME/.cargo/bin/cargo]])],
  [auto],
  [no])

if test "$PHP_PHPGRC_BUS" != "no"; then

  dnl cargo: --with-cargo, else PATH, else ~/.cargo/bin (where rustup puts it).
  case "$PHP_CARGO" in
    auto|yes|no|"")
      AC_PATH_PROG([PHPGRC_BUS_CARGO], [cargo], [], [$PATH$PATH_SEPARATOR$HOME/.cargo/bin])
      if test -z "$PHPGRC_BUS_CARGO"; then
        AC_MSG_ERROR([cargo not found: it is neither on PATH nor in $HOME/.cargo/bin.
phpgrc_bus is written in Rust and needs cargo (Rust 1.85 or newer) to build.
Install Rust (https://rustup.rs), or pass --with-cargo=/path/to/cargo
(with PIE: pie install phpgrc/bus --with-cargo=/path/to/cargo).])
      fi
      ;;
    */*)
      PHPGRC_BUS_CARGO=$PHP_CARGO
      ;;
    *)
      AC_PATH_PROG([PHPGRC_BUS_CARGO], [$PHP_CARGO], [])
      ;;
  esac
  if test -z "$PHPGRC_BUS_CARGO" || test ! -x "$PHPGRC_BUS_CARGO"; then
    AC_MSG_ERROR([--with-cargo=$PHP_CARGO: no such executable])
  fi

  dnl The cargo must run (a rustup proxy without a default toolchain does not) and be recent enough.
  AC_MSG_CHECKING([the Rust toolchain behind $PHPGRC_BUS_CARGO])
  phpgrc_bus_cargo_version=`"$PHPGRC_BUS_CARGO" --version 2>&1`
  phpgrc_bus_status=$?
  phpgrc_bus_cargo_version=`echo "$phpgrc_bus_cargo_version" | head -n 3`
  if test "$phpgrc_bus_status" -ne 0; then
    AC_MSG_RESULT([failed])
    AC_MSG_ERROR([$PHPGRC_BUS_CARGO --version failed: $phpgrc_bus_cargo_version
(with rustup: run "rustup default stable" as the user who builds)])
  fi
  AC_MSG_RESULT([$phpgrc_bus_cargo_version])
  phpgrc_bus_rust_min=`$SED -n 's/^rust-version *= *"\(.*\)"/\1/p' "$abs_srcdir/Cargo.toml"`
  dnl major*1000+minor, compared as integers.
  phpgrc_bus_have=`echo "$phpgrc_bus_cargo_version" | $SED -n 's/^cargo \([[0-9]]*\)\.\([[0-9]]*\).*/\1 \2/p' | $AWK '{print $1*1000+$2}'`
  phpgrc_bus_need=`echo "$phpgrc_bus_rust_min" | $SED -n 's/^\([[0-9]]*\)\.\([[0-9]]*\).*/\1 \2/p' | $AWK '{print $1*1000+$2}'`
  if test -n "$phpgrc_bus_have" && test -n "$phpgrc_bus_need"; then
    if test "$phpgrc_bus_have" -lt "$phpgrc_bus_need"; then
      AC_MSG_ERROR([phpgrc_bus needs Rust $phpgrc_bus_rust_min or newer; $PHPGRC_BUS_CARGO is $phpgrc_bus_cargo_version (rustup update)])
    fi
  fi

  dnl php-config, as an absolute path: cargo (ext-php-rs) reads PHP_CONFIG for the headers and
  dnl PHP (the matching CLI) for the version, API number and thread safety.
  AC_MSG_CHECKING([for the php-config phpgrc_bus is built against])
  case "$PHP_CONFIG" in
    */*) phpgrc_bus_d=`dirname "$PHP_CONFIG"`
         PHPGRC_BUS_PHP_CONFIG=`cd "$phpgrc_bus_d" && pwd`/`basename "$PHP_CONFIG"` ;;
    *)   PHPGRC_BUS_PHP_CONFIG=`command -v "$PHP_CONFIG" 2>/dev/null` ;;
  esac
  if test -z "$PHPGRC_BUS_PHP_CONFIG" || test ! -x "$PHPGRC_BUS_PHP_CONFIG"; then
    AC_MSG_RESULT([not found])
    AC_MSG_ERROR([php-config "$PHP_CONFIG" not found; pass --with-php-config=/path/to/php-config])
  fi
  phpgrc_bus_php_version=`"$PHPGRC_BUS_PHP_CONFIG" --version 2>/dev/null`
  AC_MSG_RESULT([$PHPGRC_BUS_PHP_CONFIG (PHP $phpgrc_bus_php_version)])
  if test -z "$PHP_EXECUTABLE" || test ! -x "$PHP_EXECUTABLE"; then
    AC_MSG_ERROR([$PHPGRC_BUS_PHP_CONFIG --php-binary names "$PHP_EXECUTABLE", which does not exist.
The build runs that PHP CLI to read its version and build options: install the CLI of the same
PHP version (Debian: phpX.Y-cli beside phpX.Y-dev).])
  fi

  if test "$PHP_THREAD_SAFETY" = "yes"; then
    AC_MSG_WARN([this PHP is thread-safe (ZTS); phpgrc_bus is only tested on NTS builds])
  fi

  dnl bindgen (inside ext-php-rs) needs libclang; missing, cargo fails much later and less clearly.
  AC_MSG_CHECKING([for libclang (bindgen)])
  phpgrc_bus_libclang=
  for phpgrc_bus_dir in $LIBCLANG_PATH `llvm-config --libdir 2>/dev/null` /usr/lib/llvm-*/lib \
      /usr/lib64/llvm*/lib /usr/lib/$host_alias /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu \
      /usr/lib64 /usr/lib /usr/local/lib /usr/local/opt/llvm/lib /opt/homebrew/opt/llvm/lib; do
    for phpgrc_bus_f in "$phpgrc_bus_dir"/libclang.so* "$phpgrc_bus_dir"/libclang-*.so* "$phpgrc_bus_dir"/libclang.dylib; do
      if test -f "$phpgrc_bus_f"; then phpgrc_bus_libclang=$phpgrc_bus_f; break 2; fi
    done
  done
  if test -n "$phpgrc_bus_libclang"; then
    AC_MSG_RESULT([$phpgrc_bus_libclang])
  else
    AC_MSG_RESULT([not found])
    AC_MSG_WARN([libclang was not found; the build will fail in bindgen unless LIBCLANG_PATH points to it.
Debian/Ubuntu: apt-get install libclang-dev; Fedora: dnf install clang-devel; Alpine: apk add clang-dev])
  fi

  if test -d "$abs_srcdir/.git" && test "$abs_srcdir" = "$abs_builddir"; then
    AC_MSG_WARN([building inside a git checkout: configure replaces the project Makefile with the
phpize one (restore it with "git checkout Makefile"; "phpize --clean" also deletes build/).
Build in a copy instead, as PIE and scripts/test-pie-build do.])
  fi

  PHP_ADD_BUILD_DIR([modules])
  PHP_SUBST([PHPGRC_BUS_CARGO])
  PHP_SUBST([PHPGRC_BUS_PHP_CONFIG])

  dnl No C sources: the module is the cargo output. The .la is the small libtool-style file the
  dnl generic rules expect (build-modules, and `make test`, which reads its dlname).
  PHP_MODULES="$PHP_MODULES \$(phplibdir)/phpgrc_bus.la"
  cat >> Makefile.fragments <<'PHPGRC_BUS_FRAGMENT'

# phpgrc_bus (config.m4): the module is built by cargo, through scripts/pie-build.
PHPGRC_BUS_TARGET_DIR = $(builddir)/target/phpize
PHPGRC_BUS_SOURCES = $(srcdir)/Cargo.toml $(wildcard $(srcdir)/Cargo.lock) $(shell find $(srcdir)/src $(srcdir)/schemas -type f 2>/dev/null)
TESTS = $(srcdir)/php-tests/phpt

# `+`: cargo joins make's jobserver, so `make -jN` bounds it too. The rule depends on the
# sources only: `make install` after `make` (e.g. under sudo, without cargo) rebuilds nothing.
$(phplibdir)/phpgrc_bus.so: $(PHPGRC_BUS_SOURCES)
	+@PHPGRC_BUS_CARGO='$(PHPGRC_BUS_CARGO)' PHP_CONFIG='$(PHPGRC_BUS_PHP_CONFIG)' CARGO_TARGET_DIR='$(PHPGRC_BUS_TARGET_DIR)' \
		$(SHELL) '$(srcdir)/scripts/pie-build' '$(srcdir)' '$@'

$(phplibdir)/phpgrc_bus.la: $(phplibdir)/phpgrc_bus.so
	@printf "# phpgrc_bus: built by cargo (see config.m4); read by the generic phpize rules\ndlname='phpgrc_bus.so'\n" > $@

clean: phpgrc-bus-clean
phpgrc-bus-clean:
	rm -rf '$(PHPGRC_BUS_TARGET_DIR)'
.PHONY: phpgrc-bus-clean
PHPGRC_BUS_FRAGMENT
fi
