#!/usr/bin/env python3
"""Names the tests a swift test log shows as started and never ended.

Used by scripts/test when a run overstays its time limit: a hung test otherwise shows only as a
CI job killed at its deadline, with nothing saying which test held it.
"""
import re
import sys

START = re.compile(r'^◇ (Test|Suite) (.+?) started\.$')
OUTCOME = re.compile(r'(with \d+ test cases? )?(passed|failed|skipped)\b')


def unfinished(lines):
    """(kind, name) → line number of every test or suite started and not ended. Parameterized
    cases have no end line of their own: their test's end covers them."""
    running = {}
    for number, line in enumerate(lines, 1):
        line = line.rstrip('\n')
        if match := START.match(line):
            if match[1] == 'Test' and match[2] in ('run',) or match[2].startswith('case passing'):
                continue
            running[(match[1], match[2])] = number
        elif line[:1] in ('✔', '✘', '↷') and line[1:2] == ' ':
            rest = line[2:]
            for kind, name in list(running):
                prefix = f'{kind} {name} '
                if rest.startswith(prefix) and OUTCOME.match(rest, len(prefix)):
                    del running[(kind, name)]
                    break
    return sorted(running.items(), key=lambda item: item[1])


def main():
    with open(sys.argv[1], encoding='utf-8', errors='replace') as log:
        left = unfinished(log)
    tests = [(name, line) for (kind, name), line in left if kind == 'Test']
    suites = [(name, line) for (kind, name), line in left if kind == 'Suite']
    print(f'{len(tests)} test(s) started and never ended:')
    for name, line in tests:
        print(f'  {name} (started at log line {line})')
    if suites:
        print('in suite(s): ' + ', '.join(name for name, _ in suites))


if __name__ == '__main__':
    main()
