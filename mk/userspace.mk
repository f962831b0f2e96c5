# Shared settings for the project's userspace programs. Included by each program's Makefile
# after it sets TOP (the repository root, relative or absolute).
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wno-unused-parameter -fno-strict-aliasing
CPPFLAGS += -I$(TOP)/uapi -I$(TOP)
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 libnl-route-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 libnl-route-3.0 2>/dev/null)
