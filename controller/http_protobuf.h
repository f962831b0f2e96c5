/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request bodies in Kubernetes protobuf (application/vnd.kubernetes.protobuf), which
 * kubectl's typed clients send for core kinds (`kubectl create namespace`, `kubectl
 * create secret`). Decoded into the JSON form of the object; answers stay JSON, which
 * these clients also accept.
 */
#ifndef CONTROLLER_HTTP_PROTOBUF_H
#define CONTROLLER_HTTP_PROTOBUF_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define CTL_PROTOBUF_TYPE "application/vnd.kubernetes.protobuf"

/* Decodes a Namespace, Secret or DeleteOptions. Returns NULL with a message in err. */
cJSON *ctl_protobuf_decode(const unsigned char *buf, size_t len, char *err, size_t errlen);

#endif /* CONTROLLER_HTTP_PROTOBUF_H */
