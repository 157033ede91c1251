#!/usr/bin/env python3
"""Which Django `AlterField`s of real histories change a column's type, and did the gate see them?

An oracle independent of tandem's Django reader: it replays every migration of a Django app of
benches/accuracy with Python's own `ast` (CreateModel, AddField, AlterField, RemoveField,
RenameField, RenameModel, DeleteModel, SeparateDatabaseAndState's database side), in the order of
their `dependencies`, keeping each field's class and the options that decide its PostgreSQL
column (`max_length`, `max_digits`, `decimal_places`, `db_column`, an array's base field, a
foreign key's target, resolved to the type of the key it references when the replay knows it).
For every `AlterField` a new database runs (not in a migration a squashed
one replaces), it compares the column before and after: the same type, another type, another
column name (`db_column`), or unknown (the field was never seen before: a model of another app).
Then it runs `tandem check` over the same history (benches/gate/run.py's `gate`) and prints, per
app, how many type changes and renames carry a finding on their line, and every one that does not;
and, the other way round, how many `AlterField`s that leave the column as it was carry a
`change-column-type` finding (a false block), listing each with `--show`.

    benches/gate/django_alterfield.py --tandem target/debug/tandem [--app NAME]... [--show]
"""
import argparse
import ast
import collections
import importlib.util
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("gate_run", HERE / "run.py")
gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)
acc = gate.acc

# Django's PostgreSQL column types, by field class: (type, default max_length where the class has one).
TYPES = {
    "CharField": ("varchar", None), "EmailField": ("varchar", 254), "URLField": ("varchar", 200),
    "SlugField": ("varchar", 50), "FileField": ("varchar", 100), "ImageField": ("varchar", 100),
    "FilePathField": ("varchar", 100), "CICharField": ("citext", None), "CIEmailField": ("citext", None),
    "CITextField": ("citext", None), "TextField": ("text", None),
    "GenericIPAddressField": ("inet", None), "IPAddressField": ("inet", None),
    "IntegerField": ("integer", None), "PositiveIntegerField": ("integer", None), "AutoField": ("integer", None),
    "BigIntegerField": ("bigint", None), "PositiveBigIntegerField": ("bigint", None), "BigAutoField": ("bigint", None),
    "SmallIntegerField": ("smallint", None), "PositiveSmallIntegerField": ("smallint", None),
    "SmallAutoField": ("smallint", None), "BooleanField": ("boolean", None), "NullBooleanField": ("boolean", None),
    "DateTimeField": ("timestamptz", None), "DateField": ("date", None), "TimeField": ("time", None),
    "DurationField": ("interval", None), "FloatField": ("double", None), "UUIDField": ("uuid", None),
    "JSONField": ("jsonb", None), "HStoreField": ("hstore", None), "BinaryField": ("bytea", None),
    "DecimalField": ("numeric", None),
}
VARCHARS = {"varchar"}
RELATIONS = {"ForeignKey", "OneToOneField", "ParentalKey"}


def name_of(node):
    """The last segment of a call's function: `models.CharField` → `CharField`."""
    f = node.func if isinstance(node, ast.Call) else node
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return None


def value(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ast.unparse(node)


def kwargs(call):
    return {k.arg: value(k.value) for k in call.keywords if k.arg}


def column(call, name):
    """The column field `name` declares, as (type, column name); None for fields with no column."""
    if not isinstance(call, ast.Call):
        return None
    cls, kw = name_of(call), kwargs(call)
    if cls == "ManyToManyField" or cls == "GenericRelation":
        return None
    if cls in RELATIONS:
        to = kw.get("to", value(call.args[0]) if call.args else None)
        return (f"fk→{str(to).lower()}", kw.get("db_column") or f"{name}_id")
    if cls == "ArrayField":
        base = kw.get("base_field")
        node = next((k.value for k in call.keywords if k.arg == "base_field"), call.args[0] if call.args else None)
        inner = column(node, name) if node is not None else None
        return ((inner[0] if inner else str(base)) + "[]", kw.get("db_column") or name)
    kind, default_len = TYPES.get(cls, (f"class {cls}", None))
    if kind in VARCHARS or kind.startswith("class "):
        length = kw.get("max_length", default_len)
        kind = f"{kind}({length})" if length is not None else kind
    elif kind == "numeric":
        kind = f"numeric({kw.get('max_digits')},{kw.get('decimal_places')})"
    return (kind, kw.get("db_column") or name)


class Migration:
    def __init__(self, label, path):
        self.label, self.path, self.name = label, path, path.stem
        tree = ast.parse(path.read_text(errors="replace"))
        self.deps, self.replaces, self.ops = [], [], []
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"):
            for stmt in cls.body:
                if not isinstance(stmt, ast.Assign) or not isinstance(stmt.targets[0], ast.Name):
                    continue
                target = stmt.targets[0].id
                if target == "dependencies" and isinstance(stmt.value, (ast.List, ast.Tuple)):
                    for d in stmt.value.elts:
                        if isinstance(d, ast.Tuple) and len(d.elts) == 2:
                            self.deps.append(tuple(value(e) for e in d.elts))
                elif target == "replaces":
                    self.replaces = [tuple(x) for x in value(stmt.value) if isinstance(x, (list, tuple))]
                elif target == "operations" and isinstance(stmt.value, (ast.List, ast.Tuple)):
                    self.ops = list(stmt.value.elts)


def ordered(migrations):
    """Dependency order (Django's graph), ties broken by label and name."""
    by_key = {(m.label, m.name): m for m in migrations}
    done, out = set(), []

    def visit(key, stack=()):
        if key in done or key not in by_key or key in stack:
            return
        for dep in by_key[key].deps:
            visit(dep, stack + (key,))
        # An app's migrations run in name order when no dependency says otherwise.
        done.add(key)
        out.append(by_key[key])

    for key in sorted(by_key):
        visit(key)
    return out


def replay(migrations, skip):
    """Each AlterField's (migration, line, before, after) over the replayed state."""
    state = {}  # (label, model) -> {field: (type, db_column)}
    pks = {}  # (label, model) -> its primary key's field name
    changes = []

    def resolved(col, label, depth=0):
        """A foreign key column as the type of the key it references, when the state knows it."""
        if not col or not col[0].startswith("fk→") or depth > 3:
            return col
        to = col[0][len("fk→"):]
        key = tuple(to.split(".", 1)) if "." in to else (label, to)
        target = state.get(key, {}).get(pks.get(key, "id"))
        return (resolved(target, key[0], depth + 1)[0], col[1]) if target else col

    def note_pk(model_key, name, call):
        if isinstance(call, ast.Call) and any(k.arg == "primary_key" and value(k.value) is True for k in call.keywords):
            pks[model_key] = name

    def apply(m, op):
        kind = name_of(op) if isinstance(op, ast.Call) else None
        kw = {k.arg: k.value for k in op.keywords if k.arg} if kind else {}
        args = list(op.args) if kind else []

        def arg(i, key):
            return kw.get(key, args[i] if len(args) > i else None)

        if kind == "SeparateDatabaseAndState":
            db = arg(0, "database_operations")
            for inner in (db.elts if isinstance(db, (ast.List, ast.Tuple)) else []):
                apply(m, inner)
            return
        if kind == "CreateModel":
            model = str(value(arg(0, "name"))).lower()
            fields = arg(1, "fields")
            cols = {}
            for f in (fields.elts if isinstance(fields, (ast.List, ast.Tuple)) else []):
                if isinstance(f, ast.Tuple) and len(f.elts) == 2:
                    col = column(f.elts[1], str(value(f.elts[0])))
                    note_pk((m.label, model), str(value(f.elts[0])), f.elts[1])
                    if col:
                        cols[str(value(f.elts[0]))] = col
            state[(m.label, model)] = cols
        elif kind == "DeleteModel":
            state.pop((m.label, str(value(arg(0, "name"))).lower()), None)
        elif kind == "RenameModel":
            old, new = (str(value(arg(i, k))).lower() for i, k in ((0, "old_name"), (1, "new_name")))
            if (m.label, old) in state:
                state[(m.label, new)] = state.pop((m.label, old))
            if (m.label, old) in pks:
                pks[(m.label, new)] = pks.pop((m.label, old))
        elif kind in ("AddField", "AlterField", "RemoveField", "RenameField"):
            model = str(value(arg(0, "model_name"))).lower()
            fields = state.setdefault((m.label, model), {})
            if kind == "RenameField":
                old, new = str(value(arg(1, "old_name"))), str(value(arg(2, "new_name")))
                if pks.get((m.label, model)) == old:
                    pks[(m.label, model)] = new
                if old in fields:
                    kind_, col = fields.pop(old)
                    # The column follows the field unless `db_column` pinned it.
                    col = f"{new}_id" if col == f"{old}_id" else new if col == old else col
                    fields[new] = (kind_, col)
                return
            name = str(value(arg(1, "name")))
            if kind == "RemoveField":
                fields.pop(name, None)
                return
            col = column(arg(2, "field"), name)
            note_pk((m.label, model), name, arg(2, "field"))
            if kind == "AlterField" and m.name not in skip:
                changes.append((m, op.lineno, resolved(fields.get(name), m.label), resolved(col, m.label),
                                f"{model}.{name}"))
            if col:
                fields[name] = col
            else:
                fields.pop(name, None)

    for m in migrations:
        for op in m.ops:
            apply(m, op)
    return changes


def verdict(before, after):
    if before is None or after is None:
        return "unknown" if before is None and after is not None else "no column"
    if before[1] != after[1]:
        return "renamed"
    if before[0] == after[0]:
        return "same"
    if before[0].startswith("fk→") and after[0].startswith("fk→"):
        return "target"  # another model's key: the same column type unless the keys differ
    return "type"


def type_lines(report, base, repo):
    """The lines of each migration file (relative to the repository) a `change-column-type`
    finding starts on."""
    lines = collections.defaultdict(set)
    for f in (report or {}).get("findings", []):
        loc = f.get("location")
        if f["rule"] != "change-column-type" or not loc:
            continue
        path = Path(loc["file"])
        if not path.is_absolute():
            path = base / path
        text = path.read_bytes()
        lines[str(path.resolve().relative_to(repo.resolve()))].add(text.count(b"\n", 0, loc["start"]) + 1)
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--app", action="append")
    ap.add_argument("--scratch", default="/tmp/tandem-gate")
    ap.add_argument("--show", action="store_true", help="print every AlterField that is not `same`")
    args = ap.parse_args()
    mirrors = [acc.os.environ.get("TANDEM_MIRRORS", "/work/.mirror")]
    scratch = Path(args.scratch)
    print(f"{'app':<14}{'AlterField':>11}{'same':>6}{'type':>6}{'renamed':>8}{'fk target':>10}{'unknown':>8} |"
          f"{'type+renamed flagged':>22} |{'same, flagged as type':>22}")
    for folder in sorted(p.parent for p in gate.ACCURACY.glob("*/target.toml")):
        target = tomllib.loads((folder / "target.toml").read_text())
        if target["framework"] != "django" or (args.app and folder.name not in args.app):
            continue
        mirror = acc.find_mirror(target["repo"], mirrors)
        if mirror is None:
            print(f"{folder.name:<14}skipped: no mirror")
            continue
        repo = acc.checkout(folder.name, target, mirror, scratch)
        dirs = gate.migration_dirs(target, repo)
        migrations = [Migration((repo / d).parent.name, p) for d in dirs for p in sorted((repo / d).glob("[0-9]*.py"))]
        skip = {name for m in migrations for _, name in m.replaces}
        changes = replay(ordered(migrations), skip)
        run, seen, _, report = gate.gate(args.tandem, folder, target, repo, dirs, scratch)
        if run.returncode not in (0, 1):
            print(f"{folder.name:<14} tandem exit {run.returncode}: {run.stderr.strip()[:200]}")
            continue
        counts = collections.Counter(verdict(b, a) for _, _, b, a, _ in changes)
        risky = [c for c in changes if verdict(c[2], c[3]) in ("type", "renamed")]
        flagged = [c for c in risky if c[1] in seen.get(str(c[0].path.relative_to(repo)), ())]
        typed = type_lines(report, scratch / folder.name, repo)
        false = [c for c in changes if verdict(c[2], c[3]) == "same"
                 and c[1] in typed.get(str(c[0].path.relative_to(repo)), ())]
        print(f"{folder.name:<14}{len(changes):>11}{counts['same']:>6}{counts['type']:>6}{counts['renamed']:>8}"
              f"{counts['target']:>10}{counts['unknown']:>8} |{len(flagged):>12} of {len(risky):<7} |"
              f"{len(false):>12} of {counts['same']:<7}")
        if args.show:
            for m, line, before, after, field in changes:
                v = verdict(before, after)
                if v == "no column" or (v == "same" and (m, line, before, after, field) not in false):
                    continue
                if v == "same":
                    print(f"    {m.path.relative_to(repo)}:{line}: {field}: same: {before}  [FLAGGED AS A TYPE CHANGE]")
                    continue
                mark = "flagged" if line in seen.get(str(m.path.relative_to(repo)), ()) else "NOT FLAGGED"
                print(f"    {m.path.relative_to(repo)}:{line}: {field}: {v}: {before} → {after}  [{mark}]")


if __name__ == "__main__":
    sys.exit(main())
