# The reconcilers, validation and slice PKI of slice-controller (controller/client.h is
# their contract with the API server). Include after mk/userspace.mk; paths are relative
# to controller/. Link with -lsliceapi (api/) before $(CTL_RECONCILE_LIBS).
CTL_RECONCILE_SRCS := reconcile.c reconcile_project.c reconcile_slice.c reconcile_gateway.c \
		      reconcile_ports.c reconcile_certs.c reconcile_export.c reconcile_bench.c validate.c validate_slice.c validate_kinds.c validate_delete.c certs.c \
		      certs_leaf.c certs_der.c
CTL_RECONCILE_LIBS := -lcjson -lcrypto -lm
