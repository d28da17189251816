# Entry points; each target runs one script (see scripts/ for details).
# ARCH=x86_64 is the default; KERNEL_SRC=<path> uses your own 7.3.x tree.

.PHONY: help run test deps fetch tree export build-debug build-release \
	initramfs check-series host-test

help:
	@echo 'make run            main job: fetch, apply, build release, boot, demo'
	@echo 'make test           test suite: host tests, series checks, debug build, guest suite'
	@echo 'make tree           create or update work/linux (tag base + the series)'
	@echo 'make export         commits after base in work/linux -> patches/'
	@echo 'make build-debug    build the debug kernel (work/out/$$ARCH-debug)'
	@echo 'make build-release  build the release kernel (work/out/$$ARCH-release)'
	@echo 'make check-series   checkpatch --strict per patch, export round trip'
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
	scripts/build debug
build-release:
	scripts/build release
check-series:
	scripts/check-series
host-test:
	tests/host/run
