#!/usr/bin/env python3
"""Write a pg_dump-shaped structure.sql of a given size, for timing `tandem schema show` on it
(docs/performance.md, "Reading a large dump"). Never commit the output: it is generated at bench
time.

    benches/structure_dump.py OUT --tables N [--data-mb M] [--duplicate-at-line-7]

--tables N      N tables, each with a sequence, a default, a primary key, every fourth an
                expression index, every other a foreign key, every fiftieth a view (the shape of
                benches/parse_structure.rs); about 1.7 KB of DDL per table.
--data-mb M     a COPY … FROM stdin block of about M MB of rows per table, spread over the first
                tables, as `pg_dump` without --schema-only writes it, plus the schema_migrations rows.
--duplicate-at-line-7
                table t0 is created at line 6 and again at line 7, so the dump is wrong there.
"""

import argparse

HEAD = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
"""


def table(i):
    return (
        f"CREATE TABLE public.t{i} (\n    id bigint NOT NULL,\n    parent_id bigint,\n"
        f"    name character varying(255) NOT NULL,\n    state public.state DEFAULT 'new'::public.state NOT NULL,\n"
        f"    created_at timestamp(6) without time zone NOT NULL\n);\n\n"
        f"CREATE SEQUENCE public.t{i}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    CACHE 1;\n\n"
        f"ALTER SEQUENCE public.t{i}_id_seq OWNED BY public.t{i}.id;\n\n"
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--tables", type=int, required=True)
    p.add_argument("--data-mb", type=int, default=0)
    p.add_argument("--duplicate-at-line-7", action="store_true")
    a = p.parse_args()
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(HEAD)
        if a.duplicate_at_line_7:
            # HEAD is five lines: t0 at line 6, and again at line 7.
            f.write("CREATE TABLE public.t0 (id bigint);\nCREATE TABLE public.t0 (id bigint);\n\n")
        f.write("SELECT pg_catalog.set_config('search_path', '', false);\n\n")
        f.write("CREATE TYPE public.state AS ENUM (\n    'new',\n    'active',\n    'closed'\n);\n\n")
        for i in range(a.tables):
            f.write(table(i))
        f.write(
            "CREATE TABLE public.schema_migrations (\n    version character varying NOT NULL\n);\n\n"
        )
        if a.data_mb:
            row = "{n}\t{p}\tname number {n} with some text to make the row longer\tactive\t2024-01-01 00:00:00\n"
            per_table = max(1, a.data_mb * 1024 * 1024 // max(1, min(a.tables, 20)))
            for i in range(min(a.tables, 20)):
                f.write(f"COPY public.t{i} (id, parent_id, name, state, created_at) FROM stdin;\n")
                written, n = 0, 0
                chunk = []
                while written < per_table:
                    line = row.format(n=n, p=n // 2)
                    chunk.append(line)
                    written += len(line)
                    n += 1
                    if len(chunk) == 10000:
                        f.write("".join(chunk))
                        chunk = []
                f.write("".join(chunk))
                f.write("\\.\n\n")
            f.write("COPY public.schema_migrations (version) FROM stdin;\n20240101000000\n20240102000000\n\\.\n\n")
        for i in range(a.tables):
            f.write(
                f"ALTER TABLE ONLY public.t{i} ALTER COLUMN id SET DEFAULT nextval('public.t{i}_id_seq'::regclass);\n\n"
                f"ALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);\n\n"
            )
        for i in range(0, a.tables, 4):
            f.write(
                f"CREATE INDEX index_t{i}_on_lower_name ON public.t{i} USING btree (lower((name)::text))"
                f" WHERE (state <> 'closed'::public.state);\n\n"
            )
        for i in range(1, a.tables, 2):
            f.write(
                f"ALTER TABLE ONLY public.t{i}\n    ADD CONSTRAINT t{i}_parent_id_fkey FOREIGN KEY (parent_id)"
                f" REFERENCES public.t{i - 1}(id) ON DELETE CASCADE;\n\n"
            )
        for i in range(0, a.tables - 1, 50):
            f.write(
                f"CREATE VIEW public.v{i} AS\n SELECT a.id,\n    a.name,\n    b.name AS other\n"
                f"   FROM (public.t{i} a\n     JOIN public.t{i + 1} b ON ((b.parent_id = a.id)))\n"
                f"  WHERE (a.state = 'active'::public.state);\n\n"
            )
        if not a.data_mb:
            f.write("INSERT INTO \"schema_migrations\" (version) VALUES\n('20240101000000'),\n('20240102000000');\n")


if __name__ == "__main__":
    main()
