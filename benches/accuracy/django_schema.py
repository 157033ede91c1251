#!/usr/bin/env python3
"""A Django app's tables and columns as a PostgreSQL dump, read from its models.py files (git
show at a commit of a mirror): enough for `tandem refs` to know which table has which column when
the app commits no dump. Types are not modelled (every column is `text`).

usage: django_schema.py MIRROR COMMIT > schema.sql
"""
import ast
import subprocess
import sys

AUTH = {
    "auth_user": ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                  "email", "is_staff", "is_active", "date_joined"],
    "auth_group": ["id", "name"],
}


def git(mirror, *args):
    return subprocess.run(["git", "--git-dir", mirror, *args], check=True, capture_output=True, text=True).stdout


def callee(node):
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def main():
    mirror, commit = sys.argv[1], sys.argv[2]
    files = [p for p in git(mirror, "ls-tree", "-r", "--name-only", commit).splitlines()
             if (p.endswith("/models.py") or "/models/" in p) and p.endswith(".py") and "/tests/" not in p
             and "/migrations/" not in p]
    classes = {}
    for path in files:
        parts = path.split("/")
        label = parts[-2] if parts[-1] == "models.py" else parts[parts.index("models") - 1]
        tree = ast.parse(git(mirror, "show", f"{commit}:{path}"))
        for c in tree.body:
            if not isinstance(c, ast.ClassDef):
                continue
            fields, m2m, meta = [], [], {}
            for st in c.body:
                if isinstance(st, ast.ClassDef) and st.name == "Meta":
                    for m in st.body:
                        if isinstance(m, ast.Assign) and isinstance(m.value, ast.Constant):
                            meta[m.targets[0].id] = m.value.value
                if not (isinstance(st, ast.Assign) and isinstance(st.value, ast.Call)
                        and isinstance(st.targets[0], ast.Name)):
                    continue
                name, call = st.targets[0].id, st.value
                kind = callee(call)
                column = next((k.value.value for k in call.keywords if k.arg == "db_column"), None)
                if kind in ("ForeignKey", "OneToOneField"):
                    fields.append(column or name + "_id")
                elif kind == "ManyToManyField":
                    m2m.append(name)
                elif kind.endswith("Field"):
                    fields.append(column or name)
            bases = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in c.bases]
            classes[c.name] = dict(label=label, fields=fields, m2m=m2m, meta=meta, bases=bases)
    tables = dict(AUTH)
    for name, c in classes.items():
        if not c["fields"] and not c["m2m"] and "Model" not in c["bases"]:
            continue
        if c["meta"].get("abstract"):
            continue
        cols, seen = ["id"], set()
        chain, cur = [], c
        while cur:
            chain.append(cur)
            cur = next((classes[b] for b in cur["bases"] if b in classes and classes[b]["meta"].get("abstract")), None)
        for k in reversed(chain):
            cols += k["fields"]
        table = c["meta"].get("db_table") or f"{c['label']}_{name.lower()}"
        tables[table] = list(dict.fromkeys(cols))
        for m in c["m2m"]:
            tables[f"{table}_{m}"] = ["id", f"{name.lower()}_id", f"{m}_id"]
    for t, cols in sorted(tables.items()):
        print(f"CREATE TABLE public.{t} (\n" + ",\n".join(f"    \"{c}\" text" for c in cols) + "\n);\n")


main()
