#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Check that the YAML spec of the slice genl family and its uapi header agree.

Both describe one contract: the header is what C code compiles against, the spec what
tools and readers use. Every constant, enum, attribute (name, value, type, nested set, byte
order), command and multicast group must be the same in both; any difference is printed
and fails the check.

usage: check_spec.py SPEC.yaml HEADER.h
"""
import re
import sys

import yaml

C_TYPES = ("u8", "u16", "u32", "u64", "string", "binary", "nest")


class Header:
    """The #defines and enums of a uapi header, with the type hints of its comments."""

    def __init__(self, text):
        self.defines = {}
        for name, value in re.findall(r"^#define\s+(\w+)\s+(.+?)\s*$", text, re.M):
            self.defines[name] = value
        self.enums = {}
        for lead, name, body in re.findall(r"((?:/\*(?:[^*]|\*(?!/))*\*/\s*)?)enum\s+(\w+)\s*\{(.*?)\};",
                                           text, re.S):
            self.enums[name] = self._entries(lead, body)

    @staticmethod
    def _entries(lead, body):
        """Maps each entry to (value, type, nested enum, network order); skips the MAX pair."""
        default = re.search(r"all (u8|u16|u32|u64)", lead)
        entries = {}
        value = -1
        # Comments over several lines describe groups of entries, not one; drop them.
        body = re.sub(r"/\*(?:[^*]|\*(?!/))*\n(?:[^*]|\*(?!/))*\*/", "", body)
        for line in body.splitlines():
            code, _, comment = line.partition("/*")
            comment = comment.partition("*/")[0]
            items = [i.strip() for i in code.split(",") if i.strip()]
            for index, item in enumerate(items):
                name, _, explicit = [p.strip() for p in item.partition("=")]
                if explicit:
                    if "__" in explicit:
                        continue  # NAME_MAX = __NAME_MAX - 1
                    value = int(explicit, 0)
                else:
                    value += 1
                # A trailing comment describes the last entry of its line.
                entries[name] = (value, comment if index == len(items) - 1 else "")
        return Header._typed(entries, default)

    @staticmethod
    def _typed(raw, default):
        entries = {}
        for name, (value, comment) in raw.items():
            if name.startswith("__"):
                continue
            ctype, nested = None, None
            words = re.sub(r"[,:;]", " ", comment).split()
            if words and words[0] in C_TYPES:
                ctype = words[0]
                if ctype == "nest" and len(words) > 1:
                    nested = words[1]
            elif default and value > 1:
                ctype = default.group(1)
            network = "network order" in comment
            entries[name] = (value, ctype, nested, network)
        return entries


def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


def c_literal(text):
    text = text.strip()
    if text.startswith('"'):
        return text.strip('"')
    return int(text, 0)


class Checker:
    def __init__(self, spec, header):
        self.spec = spec
        self.header = header
        self.errors = []
        self.checked = 0

    def fail(self, message):
        self.errors.append(message)

    def expect(self, what, spec_value, header_value):
        self.checked += 1
        if spec_value != header_value:
            self.fail(f"{what}: spec says {spec_value!r}, header says {header_value!r}")

    def define(self, name):
        if name not in self.header.defines:
            self.fail(f"{name}: in the spec, not #defined in the header")
            return None
        return c_literal(self.header.defines[name])

    def check_family(self):
        spec = self.spec
        self.expect("family name", spec["name"], self.define(c_name(spec["c-family-name"])))
        self.expect("family version", spec["version"], self.define(c_name(spec["c-version-name"])))
        groups = [g["name"] for g in spec.get("mcast-groups", {}).get("list", [])]
        for group in groups:
            self.expect(f"multicast group {group}", group,
                        self.define(c_name("slice-genl-mcgrp-", group)))
        for name in self.header.defines:
            if name.startswith("SLICE_GENL_MCGRP_") and \
                    name[len("SLICE_GENL_MCGRP_"):].lower().replace("_", "-") not in groups:
                self.fail(f"{name}: #defined in the header, no such group in the spec")

    def check_definitions(self):
        prefix = self.spec["name"] + "-"
        seen_defines = {c_name(self.spec["c-family-name"]), c_name(self.spec["c-version-name"])}
        seen_defines |= {n for n in self.header.defines if n.startswith("SLICE_GENL_MCGRP_")}
        for definition in self.spec.get("definitions", []):
            if definition["type"] == "const":
                name = c_name(prefix, definition["name"])
                seen_defines.add(name)
                self.expect(f"constant {name}", definition["value"], self.define(name))
            elif definition["type"] == "enum":
                self.check_enum(definition)
        for name in self.header.defines:
            if name.startswith("SLICE_") and name not in seen_defines:
                self.fail(f"{name}: #defined in the header, missing from the spec")

    def header_enum(self, enum_name):
        if enum_name not in self.header.enums:
            self.fail(f"enum {enum_name}: in the spec, not in the header")
            return None
        return self.header.enums[enum_name]

    def compare_names(self, what, spec_names, header_entries):
        for name in sorted(set(header_entries) - set(spec_names)):
            self.fail(f"{what}: {name} is in the header, not in the spec")
        for name in sorted(set(spec_names) - set(header_entries)):
            self.fail(f"{what}: {name} is in the spec, not in the header")

    def check_enum(self, definition):
        entries = self.header_enum(definition["enum-name"])
        if entries is None:
            return
        spec_values = {}
        value = definition.get("value-start", 0)
        for entry in definition["entries"]:
            entry_name = entry["name"] if isinstance(entry, dict) else entry
            spec_values[c_name(definition["name-prefix"], entry_name)] = value
            value += 1
        self.compare_names(f"enum {definition['enum-name']}", spec_values, entries)
        for name, spec_value in spec_values.items():
            if name in entries:
                self.expect(f"value of {name}", spec_value, entries[name][0])

    def check_attribute_sets(self):
        sets = {s["name"]: s for s in self.spec["attribute-sets"]}
        enums = {d["name"] for d in self.spec.get("definitions", []) if d["type"] == "enum"}
        consts = {d["name"] for d in self.spec.get("definitions", []) if d["type"] == "const"}
        for attr_set in self.spec["attribute-sets"]:
            if "subset-of" in attr_set:
                self.check_subset(attr_set, sets)
                continue
            entries = self.header_enum(attr_set["enum-name"])
            if entries is None:
                continue
            spec_attrs = {}
            value = 1
            for attr in attr_set["attributes"]:
                value = attr.get("value", value)
                spec_attrs[c_name(attr_set["name-prefix"], attr["name"])] = (value, attr)
                value += 1
            self.compare_names(f"attribute set {attr_set['name']}", spec_attrs, entries)
            for name, (spec_value, attr) in spec_attrs.items():
                self.check_attribute(name, spec_value, attr, entries.get(name), sets, enums,
                                     consts)

    def check_subset(self, subset, sets):
        """A subset (a request's view of a set) names attributes of its set, and nests sets."""
        parent = sets.get(subset["subset-of"])
        if parent is None:
            self.fail(f"attribute set {subset['name']}: subset of unknown set {subset['subset-of']}")
            return
        names = {a["name"] for a in parent["attributes"]}
        for attr in subset["attributes"]:
            self.checked += 1
            if attr["name"] not in names:
                self.fail(f"attribute set {subset['name']}: {attr['name']} is not in {parent['name']}")
            if "nested-attributes" in attr and attr["nested-attributes"] not in sets:
                self.fail(f"attribute set {subset['name']}: {attr['name']} nests unknown set "
                          f"{attr['nested-attributes']}")

    def check_attribute(self, name, spec_value, attr, entry, sets, enums, consts):
        if "nested-attributes" in attr and attr["nested-attributes"] not in sets:
            self.fail(f"{name}: nests unknown attribute set {attr['nested-attributes']}")
        if "enum" in attr and attr["enum"] not in enums:
            self.fail(f"{name}: refers to unknown enum {attr['enum']}")
        for check in attr.get("checks", {}).values():
            if isinstance(check, str) and check not in consts:
                self.fail(f"{name}: check refers to unknown constant {check}")
        if entry is None:
            return
        value, ctype, nested, network = entry
        self.expect(f"value of {name}", spec_value, value)
        spec_type = attr["type"]
        if spec_type in ("unused", "pad"):
            self.expect(f"type of {name}", None, ctype)
            return
        self.expect(f"type of {name}", spec_type, ctype)
        if spec_type == "nest":
            nested_set = sets.get(attr.get("nested-attributes"), {})
            self.expect(f"nest of {name}", nested_set.get("enum-name"), nested)
        if spec_type in ("u16", "u32", "u64"):
            self.expect(f"byte order of {name}", attr.get("byte-order") == "big-endian", network)

    def check_operations(self):
        ops = self.spec["operations"]
        entries = self.header_enum(ops["enum-name"])
        sets = {s["name"]: {a["name"] for a in s["attributes"]} for s in self.spec["attribute-sets"]}
        groups = {g["name"] for g in self.spec.get("mcast-groups", {}).get("list", [])}
        spec_cmds = {}
        value = 1
        for op in ops["list"]:
            value = op.get("value", value)
            spec_cmds[c_name(ops["name-prefix"], op["name"])] = value
            value += 1
            self.check_operation_attrs(op, sets, groups)
        if entries is None:
            return
        self.compare_names("commands", spec_cmds, entries)
        for name, spec_value in spec_cmds.items():
            if name in entries:
                self.expect(f"value of {name}", spec_value, entries[name][0])

    def check_operation_attrs(self, op, sets, groups):
        if op["name"] == "unspec":
            return
        known = sets.get(op.get("attribute-set"))
        if known is None:
            self.fail(f"command {op['name']}: unknown attribute set {op.get('attribute-set')}")
            return
        if "mcgrp" in op and op["mcgrp"] not in groups:
            self.fail(f"command {op['name']}: unknown multicast group {op['mcgrp']}")
        for mode in ("do", "dump"):
            for part in ("request", "reply"):
                for attr in op.get(mode, {}).get(part, {}).get("attributes", []):
                    if attr not in known:
                        self.fail(f"command {op['name']} {mode} {part}: unknown attribute {attr}")
        for attr in op.get("event", {}).get("attributes", []):
            if attr not in known:
                self.fail(f"event {op['name']}: unknown attribute {attr}")

    def run(self):
        self.check_family()
        self.check_definitions()
        self.check_attribute_sets()
        self.check_operations()
        spec_enums = {d["enum-name"] for d in self.spec.get("definitions", []) if d["type"] == "enum"}
        spec_enums |= {s["enum-name"] for s in self.spec["attribute-sets"] if "subset-of" not in s}
        spec_enums.add(self.spec["operations"]["enum-name"])
        for name in sorted(set(self.header.enums) - spec_enums):
            self.fail(f"enum {name}: in the header, not in the spec")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        header = Header(f.read())
    checker = Checker(spec, header)
    try:
        checker.run()
    except (KeyError, TypeError) as e:
        sys.exit(f"{sys.argv[1]}: malformed spec: {e!r}")
    for error in checker.errors:
        print(f"MISMATCH {error}")
    if checker.errors:
        print(f"FAIL: {sys.argv[1]} and {sys.argv[2]} disagree in {len(checker.errors)} place(s)")
        sys.exit(1)
    print(f"ok: {sys.argv[1]} agrees with {sys.argv[2]} ({checker.checked} comparisons)")


if __name__ == "__main__":
    main()
