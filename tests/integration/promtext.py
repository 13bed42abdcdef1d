#!/usr/bin/env python3
"""promtext.py -- a strict reader of the Prometheus text exposition format 0.0.4, for the tests.

usage: promtext.py FILE [NAME[{label="value",...}] ...]
Parses FILE (a /metrics page) and exits 1 naming the line on the first violation of the format:
  - every line is '# HELP name text', '# TYPE name type', another comment, or a sample
    'name{label="value",...} value [timestamp]' with valid metric and label names, escaped label values
    (\\\\, \\", \\n only) and a float value (also +Inf, -Inf, NaN);
  - a family's TYPE (counter, gauge, histogram, summary, untyped) comes before its samples, once;
    HELP at most once; the samples of a family are together (no family is interleaved with another);
  - no series (name + label set) appears twice;
  - a counter's samples are >= 0; a histogram has _bucket series with le labels, cumulative (non-decreasing in
    le), a +Inf bucket equal to its _count, and a _sum, per label set.
Then prints the value of each series asked for (one per line; 'absent' when missing), so that a test can compare
the figures before and after a run. A name without labels sums every series of that name.
"""
import math
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


class Bad(Exception):
    pass


def parse_value(s):
    if s in ('+Inf', 'Inf'):
        return math.inf
    if s == '-Inf':
        return -math.inf
    if s == 'NaN':
        return math.nan
    try:
        return float(s)
    except ValueError:
        raise Bad(f'value {s!r} is not a float')


def parse_labels(s, i):
    """s[i] == '{'; returns (labels tuple, index after '}')."""
    labels = []
    i += 1
    while True:
        if s[i] == '}':
            return tuple(labels), i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Bad(f'bad label name at column {i + 1}')
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad(f'label {name}: expected ="')
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise Bad(f'label {name}: value not closed')
            c = s[i]
            if c == '\\':
                nxt = s[i + 1:i + 2]
                if nxt not in ('\\', '"', 'n'):
                    raise Bad(f'label {name}: bad escape \\{nxt}')
                val.append('\n' if nxt == 'n' else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if any(k == name for k, _ in labels):
            raise Bad(f'label {name} twice')
        labels.append((name, ''.join(val)))
        if s[i] == ',':
            i += 1
        elif s[i] != '}':
            raise Bad(f'expected , or }} after label {name}')


def family_of(name, types):
    for suf in ('_bucket', '_sum', '_count', '_total', '_created'):
        if name.endswith(suf) and name[:-len(suf)] in types:
            return name[:-len(suf)]
    return name


def parse(text):
    types, helps, series, order, done = {}, set(), {}, [], set()
    current = None
    for n, line in enumerate(text.split('\n'), 1):
        try:
            if line == '':
                continue
            if line.startswith('#'):
                parts = line.split(None, 3)
                if len(parts) >= 3 and parts[1] in ('HELP', 'TYPE'):
                    name = parts[2]
                    if not NAME.fullmatch(name):
                        raise Bad(f'bad metric name {name!r}')
                    if parts[1] == 'HELP':
                        if name in helps:
                            raise Bad(f'second HELP for {name}')
                        helps.add(name)
                    else:
                        t = parts[3] if len(parts) > 3 else ''
                        if t not in TYPES:
                            raise Bad(f'bad type {t!r}')
                        if name in types:
                            raise Bad(f'second TYPE for {name}')
                        if name in done or any(family_of(k[0], types) == name for k in series):
                            raise Bad(f'TYPE for {name} after its samples')
                        types[name] = t
                continue
            m = NAME.match(line)
            if not m:
                raise Bad('a sample must start with a metric name')
            name, i = m.group(0), m.end()
            labels = ()
            if i < len(line) and line[i] == '{':
                labels, i = parse_labels(line, i)
            rest = line[i:]
            if not rest.startswith(' '):
                raise Bad('expected a space before the value')
            fields = rest.split()
            if len(fields) not in (1, 2):
                raise Bad('expected a value and at most a timestamp')
            value = parse_value(fields[0])
            if len(fields) == 2 and not re.fullmatch(r'-?[0-9]+', fields[1]):
                raise Bad('bad timestamp')
            fam = family_of(name, types)
            if fam != current:
                if fam in done:
                    raise Bad(f'samples of {fam} are not together')
                if current:
                    done.add(current)
                current = fam
            key = (name, tuple(sorted(labels)))
            if key in series:
                raise Bad(f'series {name}{dict(labels)} twice')
            series[key] = value
            order.append(key)
            if types.get(fam) == 'counter' and not value >= 0:
                raise Bad(f'counter {name} is {value}')
        except Bad as e:
            raise Bad(f'line {n}: {e}: {line!r}')
        except IndexError:
            raise Bad(f'line {n}: cut short: {line!r}')
    # histograms
    for fam, t in types.items():
        if t != 'histogram':
            continue
        groups = {}
        for (name, labels), v in series.items():
            if name == fam + '_bucket':
                le = dict(labels).get('le')
                if le is None:
                    raise Bad(f'{name}: a bucket without le')
                rest = tuple(kv for kv in labels if kv[0] != 'le')
                groups.setdefault(rest, []).append((parse_value(le), v))
        for rest, buckets in groups.items():
            buckets.sort()
            if buckets[-1][0] != math.inf:
                raise Bad(f'{fam}{dict(rest)}: no +Inf bucket')
            for (a, va), (b, vb) in zip(buckets, buckets[1:]):
                if vb < va:
                    raise Bad(f'{fam}{dict(rest)}: bucket le={b} ({vb}) below le={a} ({va})')
            count = series.get((fam + '_count', rest))
            if count is None or (fam + '_sum', rest) not in series:
                raise Bad(f'{fam}{dict(rest)}: _count or _sum missing')
            if count != buckets[-1][1]:
                raise Bad(f'{fam}{dict(rest)}: +Inf bucket {buckets[-1][1]} != _count {count}')
    return series


def lookup(series, spec):
    m = NAME.match(spec)
    name = m.group(0)
    if m.end() == len(spec):
        vals = [v for (n, _), v in series.items() if n == name]
        return sum(vals) if vals else None
    labels, _ = parse_labels(spec, m.end())
    return series.get((name, tuple(sorted(labels))))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding='utf-8') as f:
        text = f.read()
    try:
        series = parse(text)
    except Bad as e:
        print(f'promtext: {sys.argv[1]}: {e}', file=sys.stderr)
        return 1
    for spec in sys.argv[2:]:
        v = lookup(series, spec)
        print('absent' if v is None else ('%d' % v if v == int(v) else repr(v)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
