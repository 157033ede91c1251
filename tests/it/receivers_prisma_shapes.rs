//! Small shapes of Prisma server code that a sixth app (dub) showed: comments among the elements
//! of a `Promise.all` list, a route answering through a zod schema's `.parse`, an index over one
//! field written without brackets, shorthand copies of a row's fields, `reduce` callbacks, lists
//! built by `map` for a write, the client's global `omit`, a table hook's inline columns. Each
//! test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Project {
  id         String  @id
  inviteCode String? @unique
  store      Json?
}

model RestrictedToken {
  id         String @id
  name       String
  partialKey String
}

model RegisteredDomain {
  id         String @id
  slug       String
  renewalFee Int
  projectId  String
}

model Link {
  id     String @id
  clicks Int
}

model Customer {
  id        String    @id
  name      String
  clickedAt DateTime?
}

model User {
  id           String  @id
  passwordHash String?
}

model FraudEvent {
  id          String   @id
  hash        String
  lastChecked DateTime

  @@index(hash)
  @@index(lastChecked(sort: Asc))
  @@index(name: "by_id", fields: [id])
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Project", &["id", "inviteCode", "store"]),
    ("RestrictedToken", &["id", "name", "partialKey"]),
    ("RegisteredDomain", &["id", "slug", "renewalFee", "projectId"]),
    ("Link", &["id", "clicks"]),
    ("Customer", &["id", "name", "clickedAt"]),
    ("User", &["id", "passwordHash"]),
    ("FraudEvent", &["id", "hash", "lastChecked"]),
];

/// `Promise.all` lists with a comment above each element, and a hole in the pattern.
const SALE: &str = r#"import { prisma } from "@/lib/prisma";

export async function createSale(linkId: string, customerId: string) {
  const [_sale, link, customer] = await Promise.all([
    // record the sale
    recordSale(linkId),
    /* the link's count */
    prisma.link.update({ where: { id: linkId }, data: { clicks: { increment: 1 } } }),
    // the customer's row
    prisma.customer.update({ where: { id: customerId }, data: { name: "x" } }),
  ]);
  const [, again] = await Promise.all([
    recordSale(linkId),
    // only the customer
    prisma.customer.findUnique({ where: { id: customerId } }),
  ]);
  const clicked = customer.clickedAt;
  const first = again.clickedAt;
  const linkClicks = link.clicks;
  const notACustomer = link.clickedAt;
  const notALink = customer.clicks;
  return { clicked, first, linkClicks, notACustomer, notALink };
}
"#;

#[test]
fn comments_in_a_promise_all_list_take_no_place() {
    let (_dir, result) =
        scan_files("sale", Framework::Prisma, &[("prisma/schema.prisma", SCHEMA), ("lib/sale.ts", SALE)], TABLES);
    // `customer` is the third element, `again` the second (the hole counted); the customer's field
    // read on the link's row, and the link's on the customer's, are nothing.
    assert_eq!(
        uses_of(&result, "Customer.clickedAt"),
        set(&["lib/sale.ts:17", "lib/sale.ts:18", "prisma/schema.prisma:28"])
    );
    assert_eq!(uses_of(&result, "Link.clicks"), set(&["lib/sale.ts:8", "lib/sale.ts:19", "prisma/schema.prisma:22"]));
}

/// An App Router route answering rows through a zod schema's `.parse`, and one through a parser
/// that is no schema.
const TOKENS_ROUTE: &str = r#"import { NextResponse } from "next/server";
import { prisma } from "@/lib/prisma";
import { tokenSchema } from "@/lib/zod/schemas/token";

export async function GET(req: Request) {
  const tokens = await prisma.restrictedToken.findMany({ select: { id: true, partialKey: true } });
  return NextResponse.json(tokenSchema.array().parse(tokens));
}
"#;

const CSV_ROUTE: &str = r#"import { NextResponse } from "next/server";
import { prisma } from "@/lib/prisma";

export async function GET(req: Request) {
  const tokens = await prisma.restrictedToken.findMany({ select: { id: true, name: true } });
  return NextResponse.json(csvParser.parse(tokens));
}
"#;

/// A route answering an object built from a row inside a schema's `.parse`, spread.
const WORKSPACE_ROUTE: &str = r#"import { NextResponse } from "next/server";
import { prisma } from "@/lib/prisma";

export async function GET(req: Request, { params }) {
  const workspace = await prisma.project.findUnique({ where: { id: params.slug } });
  return NextResponse.json({
    ...WorkspaceSchemaExtended.parse({ ...workspace, id: `ws_${workspace.id}` }),
  });
}
"#;

/// What the pages read of those answers.
const FILTERS: &str = r#"import useSWR from "swr";
import { TokenProps } from "@/lib/types";

export function useLogFilters(workspaceId: string) {
  const { data: tokens } = useSWR<TokenProps[]>(`/api/tokens?workspaceId=${workspaceId}`, fetcher);
  const { data: rows } = useSWR<TokenProps[]>(`/api/csv?workspaceId=${workspaceId}`, fetcher);
  return [
    (tokens || []).map(({ id, partialKey }) => ({ value: id, label: partialKey })),
    (rows || []).map(({ id, partialKey }) => ({ value: id, label: partialKey })),
  ];
}

export function useStore(slug: string) {
  const { data: workspace } = useSWR(`/api/workspaces/${slug}`, fetcher);
  return workspace?.store;
}
"#;

#[test]
fn a_route_answering_through_a_zod_parse_answers_what_it_parses() {
    let (_dir, result) = scan_files(
        "zod",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("app/api/tokens/route.ts", TOKENS_ROUTE),
            ("app/api/csv/route.ts", CSV_ROUTE),
            ("app/api/workspaces/[slug]/route.ts", WORKSPACE_ROUTE),
            ("ui/logs/use-log-filters.ts", FILTERS),
        ],
        TABLES,
    );
    // The tokens the schema parsed, read on the page; not what a CSV parser made of them.
    assert_eq!(
        uses_of(&result, "RestrictedToken.partialKey"),
        set(&["app/api/tokens/route.ts:6", "ui/logs/use-log-filters.ts:8", "prisma/schema.prisma:10"])
    );
    // The row spread into the parsed object, spread into the answer.
    assert_eq!(uses_of(&result, "Project.store"), set(&["ui/logs/use-log-filters.ts:15", "prisma/schema.prisma:4"]));
}

/// Shorthand copies of names read from rows: answered, nested in what a callback returns; not a
/// local of its own, nor a function's argument, nor a name only a guess types.
const RESET_ROUTE: &str = r#"import { NextResponse } from "next/server";
import { prisma } from "@/lib/prisma";

export async function POST(req: Request, { params }) {
  const { inviteCode } = await prisma.project.update({
    where: { id: params.slug },
    data: { inviteCode: nanoid(24) },
    select: { inviteCode: true },
  });
  return NextResponse.json({ inviteCode });
}

export async function PUT(req: Request) {
  const inviteCode = nanoid(24);
  return NextResponse.json({ inviteCode });
}

export async function PATCH(req: Request, { params }) {
  const project = await prisma.project.findUnique({ where: { id: params.slug } });
  const inviteCode = project.inviteCode || "none";
  return NextResponse.json({ inviteCode });
}
"#;

const PASSWORD: &str = r#"import { prisma } from "@/lib/prisma";

export async function check(userId: string, password: string, user) {
  const { passwordHash } = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
  const ok = await validatePassword({ password, passwordHash });
  return { ok, passwordHash };
}

export function guessed(user) {
  const { passwordHash } = user;
  return { passwordHash };
}
"#;

const REMINDERS: &str = r#"import { prisma } from "@/lib/prisma";

export async function reminders() {
  const domains = await prisma.registeredDomain.findMany({ where: { slug: "x" } });
  return domains.flatMap(({ slug, renewalFee }) =>
    [1, 2].map((n) => ({
      domain: { slug, renewalFee, n },
    })),
  );
}
"#;

#[test]
fn a_shorthand_copy_of_a_name_read_from_a_row_is_its_field() {
    let (_dir, result) = scan_files(
        "shorthand",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("app/api/workspaces/[slug]/invites/reset/route.ts", RESET_ROUTE),
            ("lib/password.ts", PASSWORD),
            ("lib/reminders.ts", REMINDERS),
        ],
        TABLES,
    );
    let reset = |l: u32| format!("app/api/workspaces/[slug]/invites/reset/route.ts:{l}");
    let mut want = set(&["prisma/schema.prisma:3"]);
    want.extend([5, 7, 8, 10, 20].map(reset));
    assert_eq!(uses_of(&result, "Project.inviteCode"), want);
    // `user`'s destructuring is read as its name says (line 10), the copy of what it gave is not.
    assert_eq!(
        uses_of(&result, "User.passwordHash"),
        set(&["lib/password.ts:4", "lib/password.ts:6", "lib/password.ts:10", "prisma/schema.prisma:33"])
    );
    assert_eq!(
        uses_of(&result, "RegisteredDomain.renewalFee"),
        set(&["lib/reminders.ts:5", "lib/reminders.ts:7", "prisma/schema.prisma:16"])
    );
}

/// `reduce` over rows: the callback's second parameter is a row; without an initial value the
/// first is too, and so is the result.
const PAYMENTS: &str = r#"import { prisma } from "@/lib/prisma";

export async function payments() {
  const domains = await prisma.registeredDomain.findMany({ where: { slug: "x" } });
  const grouped = domains.reduce((acc, domain) => {
    acc[domain.projectId] = { fee: domain.renewalFee };
    return acc;
  }, {} as Record<string, { fee: number }>);
  const total = domains.reduce((sum, d) => sum + d.renewalFee, 0);
  const biggest = domains.reduce((a, b) => (a.renewalFee > b.renewalFee ? a : b));
  const notes = ["a"].reduce((acc, note) => acc + note.renewalFee, "");
  const fee = biggest.renewalFee;
  const empty = grouped.renewalFee;
  const typed = domains.reduce((acc, d: Draft) => acc + d.renewalFee, 0);
  return { total, notes, fee, empty, typed };
}
"#;

#[test]
fn a_reduce_callback_is_given_the_rows() {
    let (_dir, result) = scan_files(
        "reduce",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/payments.ts", PAYMENTS)],
        TABLES,
    );
    // Not the accumulator of an initial value, nor what such a `reduce` returns, nor the elements
    // of a list of strings, nor a parameter declared with the app's own type.
    assert_eq!(
        uses_of(&result, "RegisteredDomain.renewalFee"),
        set(&[
            "lib/payments.ts:6",
            "lib/payments.ts:9",
            "lib/payments.ts:10",
            "lib/payments.ts:12",
            "prisma/schema.prisma:16"
        ])
    );
}

/// A row's copy with a field set, and the indexes over one field.
const FRAUD: &str = r#"import { prisma } from "@/lib/prisma";

export async function copyFraudEvents(ids: string[]) {
  const existing = await prisma.fraudEvent.findMany({ where: { id: { in: ids } } });
  return existing.map((row) => ({ ...row, hash: "x" }));
}
"#;

#[test]
fn an_index_over_one_field_needs_no_brackets() {
    let (_dir, result) =
        scan_files("index", Framework::Prisma, &[("prisma/schema.prisma", SCHEMA), ("lib/fraud.ts", FRAUD)], TABLES);
    // The schema's field and indexes, written without brackets (`@@index(hash)`,
    // `@@index(lastChecked(sort: Asc))`), not the index named by a string (`name: "by_id"`).
    assert_eq!(
        uses_of(&result, "FraudEvent.hash"),
        set(&["lib/fraud.ts:5", "prisma/schema.prisma:38", "prisma/schema.prisma:41"])
    );
    assert_eq!(
        uses_of(&result, "FraudEvent.lastChecked"),
        set(&["prisma/schema.prisma:39", "prisma/schema.prisma:42"])
    );
}

/// Lists built by `map` and written by `createMany`: in a variable (a block callback, a
/// `.filter` after the map) or inline; beside lists that are no write's.
const LEADS: &str = r#"import { prisma } from "@/lib/prisma";

export async function importLeads(entries: Entry[], users: Seed[]) {
  const customerData = entries.map((p) => {
    const label = () => {
      return { clickedAt: "nested" };
    };
    return { id: p.id, name: label(), clickedAt: p.creationDate };
  });
  await prisma.customer.createMany({ data: customerData });
  await prisma.user.createMany({
    data: users.map((user) => ({ id: user.id, passwordHash: user.hash })),
  });
  const filtered = entries.map((e) => ({ id: e.id, clickedAt: e.when })).filter((c) => c.id);
  await prisma.customer.createMany({ data: filtered });
  const report = entries.map((e) => ({ clickedAt: e.when }));
  await sendReport(report);
  return entries.map((e) => ({ passwordHash: e.hash }));
}
"#;

/// The client's global `omit`, beside another library's constructor.
const CLIENT: &str = r#"import { PrismaClient } from "@prisma/client";

export const prisma = new PrismaClient({
  omit: { user: { passwordHash: true } },
});
const other = new Client({ omit: { user: { passwordHash: true } } });
"#;

#[test]
fn objects_a_map_returns_are_the_rows_a_write_is_given() {
    let (_dir, result) = scan_files(
        "mapped",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/leads.ts", LEADS), ("lib/prisma.ts", CLIENT)],
        TABLES,
    );
    // Not a nested function's object, nor a list given to no write.
    assert_eq!(
        uses_of(&result, "Customer.clickedAt"),
        set(&["lib/leads.ts:8", "lib/leads.ts:14", "prisma/schema.prisma:28"])
    );
    assert_eq!(
        uses_of(&result, "User.passwordHash"),
        set(&["lib/leads.ts:12", "lib/prisma.ts:4", "prisma/schema.prisma:33"])
    );
}

/// A table hook given rows and its columns written in place, beside one given rows nothing types
/// and an export that is no table.
const TOKENS_PAGE: &str = r#"import useSWR from "swr";
import { useTable } from "@dub/ui";

export default function TokensPage({ workspaceId }) {
  const { data: tokens } = useSWR<TokenProps[]>(`/api/tokens?workspaceId=${workspaceId}`, fetcher);
  const { table } = useTable({
    data: tokens || [],
    columns: [
      {
        id: "partialKey",
        accessorKey: "partialKey",
        cell: ({ row }) => row.original.partialKey,
      },
    ],
  });
  const { table: other } = useTable({
    data: entries || [],
    columns: [{ accessorKey: "partialKey", cell: ({ row }) => row.original.partialKey }],
  });
  exportRows({ data: tokens, columns: [{ accessorKey: "partialKey" }] });
  return [table, other];
}
"#;

#[test]
fn a_table_hooks_inline_columns_show_its_datas_rows() {
    let (_dir, result) = scan_files(
        "table",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("app/api/tokens/route.ts", TOKENS_ROUTE),
            ("app/settings/tokens/page.tsx", TOKENS_PAGE),
        ],
        TABLES,
    );
    assert_eq!(
        uses_of(&result, "RestrictedToken.partialKey"),
        set(&[
            "app/api/tokens/route.ts:6",
            "app/settings/tokens/page.tsx:11",
            "app/settings/tokens/page.tsx:12",
            "prisma/schema.prisma:10",
        ])
    );
}

/// The app's input type, exported by another module: a few of two models' fields and its own.
const FRAUD_TYPES: &str = r#"import { FraudEvent, Project } from "@prisma/client";

export type CreateFraudEventInput = Pick<Project, "id"> &
  Partial<Pick<FraudEvent, "lastChecked">> & {
    metadata?: string | null;
  };
"#;

/// In-memory copies of an input (`{ ...e, hash }`, then read back to deduplicate), beside the
/// objects the writes are given and a queried row's copy.
const FRAUD_EVENTS: &str = r#"import { prisma } from "@/lib/prisma";
import { CreateFraudEventInput } from "@/lib/types";
import { Prisma } from "@prisma/client";

export async function createFraudEvents(fraudEvents: CreateFraudEventInput[]) {
  const eventsWithHash = fraudEvents.map((e) => ({
    ...e,
    hash: createFraudEventHash(e),
  }));
  const unique = Array.from(new Map(eventsWithHash.map((e) => [e.hash, e])).values());
  const existing = await prisma.fraudEvent.findMany({ where: { hash: { in: hashesOf(unique) } } });
  const rows: Prisma.FraudEventCreateManyInput[] = unique.map((e) => ({ id: e.id, hash: e.hash }));
  await prisma.fraudEvent.createMany({ data: rows });
  await prisma.fraudEvent.createMany({ data: eventsWithHash.map((e) => ({ id: e.id, hash: e.hash })) });
  return existing.map((row) => ({ ...row, hash: row.hash.trim() }));
}

export function withHash(fraudEvent, hash) {
  const copy = { ...fraudEvent, hash };
  saveEvent({ ...fraudEvent, hash: "x" });
  return copy.hash;
}
"#;

#[test]
fn a_spread_copy_of_what_only_a_name_types_is_no_write() {
    let (_dir, result) = scan_files(
        "copies",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/types.ts", FRAUD_TYPES),
            ("lib/create-fraud-events.ts", FRAUD_EVENTS),
        ],
        TABLES,
    );
    // The filter's key, the declared create-many input, the objects a `map` gives `createMany`,
    // a queried row's copy, and a copy of what a name says handed to a function (where the record
    // goes); not copies kept in memory of the app's input (`{ ...e, hash }`, whose type names no
    // hash and whose parameter's name alone says FraudEvent) nor of a parameter nothing types, nor
    // those copies read back.
    assert_eq!(
        uses_of(&result, "FraudEvent.hash"),
        set(&[
            "lib/create-fraud-events.ts:11",
            "lib/create-fraud-events.ts:12",
            "lib/create-fraud-events.ts:14",
            "lib/create-fraud-events.ts:15",
            "lib/create-fraud-events.ts:20",
            "prisma/schema.prisma:38",
            "prisma/schema.prisma:41"
        ])
    );
}
