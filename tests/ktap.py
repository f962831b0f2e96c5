#!/usr/bin/env python3
"""Counts the results in KTAP/TAP files and shows what failed.

    tests/ktap.py FILE...     prints each failure with its diagnostics, then one line
                              "COUNTS passed failed skipped" for the caller to add up.

A result line that has sub-results (a KUnit suite, a parameterised case) is not counted
itself: only its leaves are, so that a suite of five cases counts five.
"""
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$')


def leaves(lines):
    """Yields (ok, name, directive, index) for each leaf result line."""
    pending = []  # indents of the results seen since the last one at or above each depth
    for i, line in enumerate(lines):
        m = RESULT.match(line)
        if not m:
            continue
        indent = len(m.group(1).expandtabs(8))
        # Any result deeper than this one, seen since the previous result at this depth
        # or shallower, makes this line a parent.
        deeper = [p for p in pending if p > indent]
        pending = [p for p in pending if p <= indent]
        pending.append(indent)
        if deeper:
            continue
        yield m.group(2) == 'ok', m.group(4).strip(), (m.group(5) or '').strip(), i


def diagnostics(lines, i):
    """The lines that explain result line i: KUnit prints them before it, selftests after."""
    start = i
    while start > 0 and not RESULT.match(lines[start - 1]) and \
            not lines[start - 1].lstrip().startswith(('# Subtest', '1..', 'KTAP', 'TAP')):
        start -= 1
    end = i + 1
    while end < len(lines) and end < i + 30 and not RESULT.match(lines[end]):
        end += 1
    return lines[max(start, i - 30):i] + lines[i + 1:end]


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path, errors='replace').read().splitlines()
        except OSError as e:
            print(f'FAIL {path}: {e}')
            failed += 1
            continue
        for ok, name, directive, i in leaves(lines):
            if directive.upper().startswith('SKIP'):
                skipped += 1
            elif ok:
                passed += 1
            else:
                failed += 1
                print(f'FAIL {path}: {name} {("# " + directive) if directive else ""}')
                for line in diagnostics(lines, i):
                    print(f'    {line}')
    print(f'COUNTS {passed} {failed} {skipped}')


if __name__ == '__main__':
    main(sys.argv[1:])
