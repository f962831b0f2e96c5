/* SPDX-License-Identifier: GPL-2.0 */
/* Request bodies in YAML (application/yaml), read into the same cJSON trees as JSON. */
#ifndef CONTROLLER_HTTP_YAML_H
#define CONTROLLER_HTTP_YAML_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Parses one YAML document. Returns NULL with a message (line and column) in err. */
cJSON *ctl_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

#endif /* CONTROLLER_HTTP_YAML_H */
