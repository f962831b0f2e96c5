/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLICED_YAMLJSON_H
#define SLICED_YAMLJSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * yaml_to_json - parse the first document of a YAML text into a cJSON tree.
 *
 * Mappings become objects, sequences arrays and every scalar a string: the caller knows
 * which settings are numbers and parses them itself, with an error naming the setting.
 * Returns the tree, or NULL with a message ("line L column C: problem") in err.
 */
cJSON *yaml_to_json(const char *text, size_t len, char *err, size_t errlen);

/* yaml_file_to_json - the same for a file; err names the file. */
cJSON *yaml_file_to_json(const char *path, char *err, size_t errlen);

#endif /* SLICED_YAMLJSON_H */
