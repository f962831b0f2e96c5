# Builds slice.ko against KDIR and every userspace program of the project.
#   make                 module + userspace (binaries in build/bin/)
#   make module KDIR=... the module only (default KDIR: the running kernel's build tree)
#   make userspace       the userspace programs only
#   make check           host unit tests of the userspace code
#   tests/run            everything, including the kernel tests in QEMU (see README)
KDIR ?= /lib/modules/$(shell uname -r)/build

# Libraries first: the programs link them.
USERSPACE_DIRS := $(patsubst %/Makefile,%,$(wildcard lib/Makefile lib/*/Makefile api/Makefile \
	tools/slicectl/Makefile controller/Makefile sliced/Makefile cni/Makefile \
	tests/unit/*/Makefile))

.PHONY: all module userspace check clean $(USERSPACE_DIRS)
# Directories in order (the programs link the libraries); each one may build in parallel.
.NOTPARALLEL:

all: module userspace

module:
	@test -d "$(KDIR)" || { echo "make: no kernel build tree at $(KDIR)."; \
		echo "  Install the headers (apt-get install linux-headers-amd64) and build with"; \
		echo "  make KDIR=/lib/modules/<version>/build, or use tests/kernel/build.sh's output."; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace: $(USERSPACE_DIRS)

$(USERSPACE_DIRS):
	$(MAKE) -C $@

check: userspace
	@set -e; for d in $(USERSPACE_DIRS); do $(MAKE) -C $$d check; done

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	@for d in $(USERSPACE_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf build
