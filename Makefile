# Entry points; each target runs one script (see scripts/ for details).
# ARCH=x86_64 is the default; KERNEL_SRC=<path> uses your own 7.3.x tree.

.PHONY: help run test deps fetch tree export build-debug build-release \
	initramfs check-series check-b4 check-prefixes check-pristine litmus kcsan soak mm-selftests host-test

help:
	@echo 'make run            main job: fetch, apply, build release, boot, demo'
	@echo 'make test           test suite: host tests, series checks, debug build, guest suite'
	@echo 'make tree           create or update work/linux (tag base + the series)'
	@echo 'make export         commits after base in work/linux -> patches/'
	@echo 'make build-debug    build the debug kernel (work/out/$$ARCH-debug-rcu-on)'
	@echo 'make build-release  build the release kernel (work/out/$$ARCH-release-rcu-on)'
	@echo 'make check-series   checkpatch --strict per patch, export round trip'
	@echo 'make check-b4       b4 am reads patches/ (cover letter, order, base-commit)'
	@echo 'make check-prefixes build every prefix of the series, option on and off'
	@echo 'make check-pristine the series applies to the pristine 7.3.4 (orig tarball)'
	@echo 'make litmus         LKMM litmus tests of the ordering (herd7 in a sid chroot)'
	@echo 'make kcsan          the guest suite on a KCSAN kernel (x86_64)'
	@echo 'make soak           stress-ng and the race tests for MINUTES (120), memcg and fail_page_alloc'
	@echo 'make mm-selftests   the mm selftests on the base and on the series: parity table'
	@echo 'make host-test      host-side tests of the tooling'

run:
	scripts/run
test:
	scripts/test
deps:
	scripts/deps
fetch:
	scripts/fetch-base
tree:
	scripts/tree
export:
	scripts/export
build-debug:
	scripts/build debug rcu-on
build-release:
	scripts/build release rcu-on
check-series:
	scripts/check-series
check-b4:
	scripts/check-b4
check-prefixes:
	scripts/check-prefixes
check-pristine:
	scripts/check-pristine
litmus:
	scripts/litmus
kcsan:
	scripts/kcsan
soak:
	scripts/soak $(MINUTES)
mm-selftests:
	scripts/mm-selftests
host-test:
	tests/host/run
