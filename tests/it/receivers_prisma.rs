//! Prisma receiver resolution end to end: a real git repository scanned, each idiom's use of a
//! column found at its exact line (under its `@map`'d column name), and the same word on another
//! receiver, a payload or an operator not taken for it.

use std::collections::BTreeSet;

use tandem::config::{Confidence, Framework};
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::set;

const SCHEMA: &str = r#"model User {
  id        Int        @id
  name      String?
  email     String     @unique
  documents Document[]

  @@map("user")
}

model Team {
  id   Int    @id
  name String

  @@map("team")
}

model Document {
  id           Int           @id
  title        String
  status       String
  userId       Int           @map("user_id")
  created      DateTime      @map("created_at")
  user         User          @relation(fields: [userId], references: [id])
  documentMeta DocumentMeta?
  recipients   Recipient[]

  @@map("document")
}

model DocumentMeta {
  id              Int      @id
  documentId      Int      @unique @map("document_id")
  customEmailBody String?  @map("custom_email_body")
  subject         String?
  document        Document @relation(fields: [documentId], references: [id])

  @@map("document_meta")
}

model Recipient {
  id         Int      @id
  documentId Int      @map("document_id")
  email      String
  name       String
  document   Document @relation(fields: [documentId], references: [id])

  @@map("recipient")
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("user", &["id", "name", "email"]),
    ("team", &["id", "name"]),
    ("document", &["id", "title", "status", "user_id", "created_at"]),
    ("document_meta", &["id", "document_id", "custom_email_body", "subject"]),
    ("recipient", &["id", "document_id", "email", "name"]),
];

/// Rows of client calls: `prisma.x`, `tx.x`, `ctx.prisma.x`, included relations, loops,
/// callbacks, `Promise.all`.
const DOCUMENTS: &str = r#"import { prisma } from '@/lib/prisma';

export async function getDocument(id: number) {
  const doc = await prisma.document.findFirst({
    where: { id },
    include: { documentMeta: true, recipients: true },
  });
  if (!doc) return null;
  console.log(doc.created, doc.documentMeta?.customEmailBody);
  for (const r of doc.recipients) {
    send(r.email);
  }
  const names = doc.recipients.map((r) => r.name);
  return doc;
}

export async function inTransaction() {
  await prisma.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email: 'a@b.c', name: 'A' } });
    return user.name;
  });
}

export const teamName = async (ctx: Ctx) => {
  const team = await ctx.prisma.team.findUnique({ where: { id: 1 } });
  const [owner, meta] = await Promise.all([prisma.user.findFirst(), prisma.documentMeta.findFirst()]);
  return [team.name, owner.email, meta.subject, names.length];
};
"#;

/// Declared types from the generated client: props, `Pick`, `GetPayload`, the app's own
/// function's rows; a payload type that is no model.
const CARD: &str = r#"import type { Document, Recipient, Prisma } from '@prisma/client';
import { getDocument } from '../documents';

type Props = { document: Document; recipients: Recipient[] };

export function DocumentCard({ document, recipients }: Props) {
  const first: Pick<Recipient, 'email'> = recipients[0];
  return <div title={document.title}>{first.email}{recipients.map((r) => r.name)}</div>;
}

type WithUser = Prisma.DocumentGetPayload<{ include: { user: true } }>;
export function owner(doc: WithUser) {
  return doc.user.name;
}

export async function page(id: number) {
  const doc = await getDocument(id);
  return doc.status;
}

export function notAModel(payload: { title: string; status: string }, form: any) {
  return [payload.title, payload.status, form.email];
}
"#;

/// Argument objects: typed inputs, objects in variables, nested relations, the app's function
/// declared to take Prisma arguments.
const QUERIES: &str = r#"import type { Prisma } from '@prisma/client';
import { prisma } from './db';

export async function findDocuments(criteria: Prisma.DocumentFindManyArgs) {
  return prisma.document.findMany(criteria);
}

export async function search(text: string) {
  const where: Prisma.DocumentWhereInput = { title: { contains: text } };
  const filter = { status: 'DRAFT', user: { email: text } };
  const a = await prisma.document.findMany({ where: filter, select: { id: true, user: { select: { name: true } } } });
  const b = await prisma.document.count({ where });
  return findDocuments({ where: { recipients: { some: { email: text } } }, orderBy: { created: 'desc' } });
}

export async function update(id: number, body: string) {
  await prisma.document.update({ where: { id }, data: { documentMeta: { upsert: { create: { customEmailBody: body }, update: { subject: body } } } } });
}
"#;

fn scan() -> (tempfile::TempDir, ScanResult) {
    scan_app(
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/documents.ts", DOCUMENTS),
            ("src/components/DocumentCard.tsx", CARD),
            ("src/queries.ts", QUERIES),
        ],
        TABLES,
    )
}

/// One commit of `files` scanned at head as a Prisma app against a schema of `tables`.
fn scan_app(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("sign", Framework::Prisma, files, tables)
}

/// `line table.column` of every column reference of `path` at medium confidence or above.
fn columns(result: &ScanResult, path: &str) -> BTreeSet<String> {
    result
        .references
        .iter()
        .filter(|r| &*r.path == path && r.confidence >= Confidence::Medium && r.object.column.is_some())
        .map(|r| format!("{} {}", r.line, r.object))
        .collect()
}

#[test]
fn rows_of_client_calls_are_read_through_their_relations() {
    let (_dir, result) = scan();
    assert_eq!(
        columns(&result, "src/documents.ts"),
        set(&[
            "5 document.id",
            // `@map`'d columns, and a relation the query includes.
            "9 document.created_at",
            "9 document_meta.custom_email_body",
            // A loop and a callback over an included to-many relation.
            "11 recipient.email",
            "13 recipient.name",
            // `tx.user.create`: its data and its row; `name` of users, not of teams or recipients.
            "19 user.email",
            "19 user.name",
            "20 user.name",
            // `ctx.prisma.team`, and each row of `Promise.all`.
            "25 team.id",
            "27 team.name",
            "27 user.email",
            "27 document_meta.subject",
        ])
    );
}

#[test]
fn declared_types_from_the_client_type_props_and_parameters() {
    let (_dir, result) = scan();
    assert_eq!(
        columns(&result, "src/components/DocumentCard.tsx"),
        set(&[
            "8 document.title",
            "8 recipient.email",
            "8 recipient.name",
            // `doc.user` reads the foreign key, `.name` the user's column.
            "13 document.user_id",
            "13 user.name",
            // The row `getDocument` returns (not the positional `id` it filters by: the callee's
            // `where` names the column).
            "18 document.status",
        ])
    );
}

#[test]
fn argument_objects_are_read_as_what_they_are_passed_as() {
    let (_dir, result) = scan();
    assert_eq!(
        columns(&result, "src/queries.ts"),
        set(&[
            // A typed `where`, also passed as `{ where }` on line 12.
            "9 document.title",
            // An object held in a variable and passed as `where`, a relation filter in it.
            "10 document.status",
            "10 document.user_id",
            "10 user.email",
            // A nested select under a relation.
            "11 document.id",
            "11 document.user_id",
            "11 user.name",
            // Arguments of the app's own function declared as `Prisma.DocumentFindManyArgs`.
            "13 recipient.email",
            "13 document.created_at",
            // A nested upsert under a to-one relation.
            "17 document.id",
            "17 document_meta.custom_email_body",
            "17 document_meta.subject",
        ])
    );
}

#[test]
fn schema_relations_and_payloads_are_no_columns() {
    let (_dir, result) = scan();
    let all: BTreeSet<String> = result
        .references
        .iter()
        .filter(|r| r.confidence >= Confidence::Medium)
        .map(|r| format!("{}:{} {}", r.path, r.line, r.object))
        .collect();
    // The payload's `title`/`status` and an untyped `form.email` are not the models'.
    for line in [21, 22] {
        let here: Vec<&String> =
            all.iter().filter(|r| r.starts_with(&format!("src/components/DocumentCard.tsx:{line} "))).collect();
        assert!(here.is_empty(), "{here:#?}");
    }
    // The schema declares each mapped column once, under its column name.
    assert!(all.contains("prisma/schema.prisma:22 document.created_at"), "{all:#?}");
    assert!(!all.iter().any(|r| r.ends_with(".created") || r.ends_with(".userId")), "{all:#?}");
}

const BILLING_SCHEMA: &str = r#"model Subscription {
  id       Int    @id
  currency String
  quantity Int
  userId   Int    @map("user_id")

  @@index([userId, currency(sort: Desc)])
  @@unique([quantity])
  @@map("subscriptions")
}

model License {
  id   Int    @id
  name String
  key  String

  @@map("licenses")
}
"#;

/// Names declared with another library's type or an object type written out are not the
/// model they are named after; `any` says nothing against it; an inner declaration shadows an
/// outer one; a parameter passed as `data` inside a nested callback still types the callers'
/// arguments.
const BILLING: &str = r#"import Stripe from 'stripe';
import { prisma } from './db';

export function fromStripe(subscription: Stripe.Subscription, license: { key: string; name: string }) {
  return [subscription.currency, license.name];
}

export function untyped(subscription: any) {
  return subscription.quantity;
}

export async function shadowed(items: Stripe.Subscription[]) {
  const subscription = await prisma.subscription.findFirst();
  const codes = items.map((subscription: Stripe.Subscription) => subscription.currency);
  return [subscription.quantity, codes];
}

export function save(data) {
  return prisma.$transaction(async (tx) => tx.subscription.create({ data }));
}
"#;

const CHECKOUT: &str = r#"import { save } from './billing';

export async function checkout() {
  await save({ currency: 'usd', quantity: 2 });
}
"#;

fn scan_billing() -> (tempfile::TempDir, ScanResult) {
    let tables: &[(&str, &[&str])] =
        &[("subscriptions", &["id", "currency", "quantity", "user_id"]), ("licenses", &["id", "name", "key"])];
    scan_app(
        &[("prisma/schema.prisma", BILLING_SCHEMA), ("src/billing.ts", BILLING), ("src/checkout.ts", CHECKOUT)],
        tables,
    )
}

#[test]
fn index_and_unique_lines_name_their_columns() {
    let (_dir, result) = scan_billing();
    assert_eq!(
        columns(&result, "prisma/schema.prisma"),
        set(&[
            "2 subscriptions.id",
            "3 subscriptions.currency",
            "4 subscriptions.quantity",
            "5 subscriptions.user_id",
            // `@@index([userId, currency(sort: Desc)])`, under the mapped column name.
            "7 subscriptions.user_id",
            "7 subscriptions.currency",
            "8 subscriptions.quantity",
            "13 licenses.id",
            "14 licenses.name",
            "15 licenses.key",
        ])
    );
}

#[test]
fn a_foreign_declared_type_is_no_model_and_scopes_shadow() {
    let (_dir, result) = scan_billing();
    // Not line 5 (`Stripe.Subscription`, `{ key; name }`) nor line 14 (the callback's own
    // `subscription`); line 9 (`any`) is read as its name says, line 15 as the row it holds.
    assert_eq!(columns(&result, "src/billing.ts"), set(&["9 subscriptions.quantity", "15 subscriptions.quantity"]));
    assert_eq!(columns(&result, "src/checkout.ts"), set(&["4 subscriptions.currency", "4 subscriptions.quantity"]));
}

/// The app's own query helpers: criteria typed through an `import X = Prisma.…` alias, data
/// built in a variable or destructured and written under its own name, a memoised row getter.
const HELPERS: &str = r#"import { Prisma } from '@prisma/client';
import prisma from './prisma';

import DocumentFindManyArgs = Prisma.DocumentFindManyArgs;

export async function listDocuments(criteria: DocumentFindManyArgs) {
  return prisma.document.findMany(criteria);
}

export async function updateDocument(id: number, data: Prisma.DocumentUpdateInput) {
  return prisma.document.update({ where: { id }, data });
}

export async function createDocument({ title, status }: { title: string; status: string }, note: string) {
  return prisma.document.create({ data: { title, status, userId: 1 } });
}

export async function renameTeam({ name, title }: { name: string; title: string }) {
  return prisma.team.update({ where: { id: 1 }, data: { name } });
}

function firstDocument() {
  return prisma.document.findFirst({ orderBy: { id: 'asc' } });
}

export const cachedDocument = unstable_cache(firstDocument, ['doc']);

export async function titles(userId: string) {
  const { rawQuery } = prisma;
  return rawQuery(`
    select title
    from document
    where user_id = {{userId::uuid}}
  `, { userId });
}
"#;

const ROUTES: &str = r#"import { listDocuments, updateDocument, createDocument, renameTeam, cachedDocument } from './lib/docs';
import { logEvent } from './log';

export async function handler(body: any, reopen: boolean) {
  const docs = await listDocuments({
    include: { user: { select: { email: true } } },
    omit: { title: true },
  });
  const data: any = {};
  if (body.status) {
    data.status = body.status;
  }
  await updateDocument(1, data);
  await updateDocument(2, {
    ...(reopen && { created: new Date() }),
    ...(reopen ? { title: 'reopened' } : {}),
  });
  await createDocument({ title: body.title, status: 'draft' }, 'name');
  await renameTeam({ name: body.name, title: body.title });
  const payload = { name: body.name, email: body.email };
  payload.title = body.title;
  logEvent(payload);
  const doc = await cachedDocument();
  const user = await cachedDocument();
  return [doc.title, user.name, docs];
}
"#;

const KEYS: &str = r#"import prisma from './prisma';

export async function openDocuments() {
  return prisma.document.findMany({ where: { userId: 1 } });
}

export async function report(joinQuery: string) {
  return prisma.rawQuery(`
    select d.title, status
    from document d
    ${joinQuery}
    where d.created_at > {{since}}
  `);
}
"#;

const LIST: &str = r#"import type { openDocuments } from '@/lib/keys';

type Row = Awaited<ReturnType<typeof openDocuments>>[number];

export function DocumentList({ rows }: { rows: Row[] }) {
  return rows.map((row) => <li key={row.id}>{row.title}</li>);
}
"#;

fn scan_helpers() -> (tempfile::TempDir, ScanResult) {
    scan_app(
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/lib/docs.ts", HELPERS),
            ("src/routes.ts", ROUTES),
            ("src/lib/keys.ts", KEYS),
            ("src/components/DocumentList.tsx", LIST),
        ],
        TABLES,
    )
}

#[test]
fn return_types_of_the_apps_functions_type_props() {
    let (_dir, result) = scan_helpers();
    assert_eq!(columns(&result, "src/components/DocumentList.tsx"), set(&["6 document.id", "6 document.title"]));
}

#[test]
fn raw_sql_assembled_from_fragments_is_read_without_them() {
    let (_dir, result) = scan_helpers();
    // `status` is unqualified: the left-out fragment may join a table that has it.
    assert_eq!(
        columns(&result, "src/lib/keys.ts"),
        set(&["4 document.user_id", "9 document.title", "12 document.created_at"])
    );
}

#[test]
fn the_apps_own_helpers_carry_their_prisma_arguments_and_rows() {
    let (_dir, result) = scan_helpers();
    assert_eq!(
        columns(&result, "src/routes.ts"),
        set(&[
            // `criteria: DocumentFindManyArgs`, an `import … = Prisma.DocumentFindManyArgs` alias;
            // including the user reads the document's foreign key.
            "6 document.user_id",
            "6 user.email",
            "7 document.title",
            // An object variable passed as the data, and the property set on it later.
            "11 document.status",
            // (Not the positional value the helper filters by, `updateDocument(id, …)`.)
            // Objects spread under a condition (`&&`, a ternary's branches).
            "15 document.created_at",
            "16 document.title",
            // Fields destructured and written into `data` under their own name.
            "18 document.title",
            "18 document.status",
            // `renameTeam` writes `name` to the team; its `title` is no column of it.
            "19 team.name",
            // A memoised getter returns the document row, whatever the variable is called:
            // `user.name` is no user's name (and documents have none).
            "25 document.title",
        ])
    );
}

#[test]
fn named_template_parameters_do_not_hide_raw_sql() {
    let (_dir, result) = scan_helpers();
    let lib = columns(&result, "src/lib/docs.ts");
    assert!(lib.contains("31 document.title"), "{lib:?}");
    assert!(lib.contains("33 document.user_id"), "{lib:?}");
}

const UI_SCHEMA: &str = r#"model User {
  id       String     @id
  username String
  password String
  teams    TeamUser[]
  websites Website[]

  @@map("user")
}

model Team {
  id         String     @id
  name       String
  accessCode String?    @map("access_code")
  members    TeamUser[]

  @@map("team")
}

model TeamUser {
  id     String @id
  role   String
  userId String @map("user_id")
  teamId String @map("team_id")
  user   User   @relation(fields: [userId], references: [id])
  team   Team   @relation(fields: [teamId], references: [id])

  @@map("team_user")
}

model Website {
  id     String @id
  name   String
  domain String
  userId String @map("user_id")
  user   User   @relation(fields: [userId], references: [id])

  @@map("website")
}

model Subscription {
  id       String @id
  currency String

  @@map("subscription")
}
"#;

const WEBSITES_TABLE: &str = r#"import { DataColumn, DataTable, Modal } from '@umami/react-zen';

export function WebsitesTable({ data }: { data: any[] }) {
  const [selected, setSelected] = useState(null);
  return (
    <DataTable data={data}>
      <DataColumn id="domain" label="Domain" />
      <DataColumn id="owner">
        {(row: any) => <span onClick={() => setSelected(row)}>{row?.user?.username}</span>}
      </DataColumn>
      <Modal>{selected?.name}</Modal>
    </DataTable>
  );
}
"#;

const TEAM_FORM: &str = r#"import { Form, FormField } from '@umami/react-zen';

export function TeamEditForm({ teamId }: { teamId: string }) {
  const { mutateAsync } = useUpdateQuery(`/teams/${teamId}`);
  const { setValue } = useForm();
  const save = async (values: any) => mutateAsync({ name: values.name });
  return (
    <Form onSubmit={save}>
      <FormField name="accessCode" label="Code" />
      <button onClick={() => setValue('accessCode', 'x')} />
    </Form>
  );
}
"#;

const MEMBERS_TABLE: &str = r#"export function TeamMembersTable({ data }: { data: any[] }) {
  return (
    <DataTable data={data}>
      <DataColumn id="role" />
    </DataTable>
  );
}
"#;

const TEAMS_PAGE: &str = r#"export function TeamsPage() {
  const { data: teams } = useUserTeamsQuery();
  const owned = teams?.data?.filter(({ members }) => members.some(({ role }) => role === 'owner'));
  const { data: website } = useWebsiteQuery('id');
  return <p>{website?.domain}{owned.length}</p>;
}
"#;

const PICKER: &str = r#"export function Picker() {
  const { data: users } = useUsersQuery();
  const items = useMemo(() => {
    return users.data;
  }, [users]);
  return items.map(({ username }) => <li>{username}</li>);
}
"#;

/// Traps: a table of events (no model) in a website's folder, a login form (no model), a
/// Stripe subscription held in a name a model has.
const EVENTS_TABLE: &str = r#"export function WebsiteEventsTable({ data }: { data: any[] }) {
  return (
    <DataTable data={data}>
      <DataColumn id="name" />
    </DataTable>
  );
}
"#;

const LOGIN_FORM: &str = r#"export function LoginForm() {
  return (
    <Form>
      <FormField name="username" />
    </Form>
  );
}
"#;

const SYNC: &str = r#"export async function sync(stripe: any, auth: any) {
  const subscription = await stripe.subscriptions.retrieve('x');
  await auth.internalAdapter.updateUser('id', { password: 'x' });
  return subscription.currency;
}
"#;

/// A settings component is about the record its earlier word names; a name of an action and a
/// noun is about the noun.
const REPLAY_SETTINGS: &str = r#"export function WebsiteReplaySettings() {
  const { mutateAsync } = useUpdateQuery('/websites/1');
  return <button onClick={() => mutateAsync({ domain: 'x' })} />;
}

export const CreateTeam = () => <FormField name="accessCode" />;
"#;

const WEBSITES_PAGE: &str = r#"export function WebsitesPage() {
  const renderLink = (row: any) => <a>{row.domain}</a>;
  return <WebsitesTable renderLink={renderLink} />;
}
"#;

/// Seed data: a list of rows in one module, written by a client call in another.
const SEED_DATA: &str = r#"export const subscriptions = [
  { id: 'sub-1', currency: 'usd' },
];

export const currencies = [{ currency: 'eur' }];
"#;

const SEED: &str = r#"import { subscriptions, currencies } from './seed/data';

async function main() {
  await prisma.subscription.createMany({ data: subscriptions.map((s) => ({ ...s })) });
  console.log(currencies);
}
"#;

fn scan_ui() -> (tempfile::TempDir, ScanResult) {
    let tables: &[(&str, &[&str])] = &[
        ("user", &["id", "username", "password"]),
        ("team", &["id", "name", "access_code"]),
        ("team_user", &["id", "role", "user_id", "team_id"]),
        ("website", &["id", "name", "domain", "user_id"]),
        ("subscription", &["id", "currency"]),
    ];
    scan_app(
        &[
            ("prisma/schema.prisma", UI_SCHEMA),
            ("src/app/WebsitesTable.tsx", WEBSITES_TABLE),
            ("src/app/TeamEditForm.tsx", TEAM_FORM),
            ("src/app/TeamMembersTable.tsx", MEMBERS_TABLE),
            ("src/app/TeamsPage.tsx", TEAMS_PAGE),
            ("src/app/Picker.tsx", PICKER),
            ("src/app/WebsiteEventsTable.tsx", EVENTS_TABLE),
            ("src/app/LoginForm.tsx", LOGIN_FORM),
            ("src/sync.ts", SYNC),
            ("src/app/WebsitesPage.tsx", WEBSITES_PAGE),
            ("src/app/WebsiteReplaySettings.tsx", REPLAY_SETTINGS),
            ("prisma/seed/data.ts", SEED_DATA),
            ("prisma/seed.ts", SEED),
        ],
        tables,
    )
}

#[test]
fn a_components_rows_are_what_its_name_says() {
    let (_dir, result) = scan_ui();
    // A table's column ids and its column's row function; a row kept in state by its setter.
    assert_eq!(
        columns(&result, "src/app/WebsitesTable.tsx"),
        set(&["7 website.domain", "9 website.user_id", "9 user.username", "11 website.name"])
    );
    // A form's field names, `setValue`'s, and what its mutation posts.
    assert_eq!(
        columns(&result, "src/app/TeamEditForm.tsx"),
        set(&["6 team.name", "9 team.access_code", "10 team.access_code"])
    );
    // A relation's name (`Team.members`) stands for its model.
    assert_eq!(columns(&result, "src/app/TeamMembersTable.tsx"), set(&["4 team_user.role"]));
    assert_eq!(columns(&result, "src/app/WebsiteReplaySettings.tsx"), set(&["3 website.domain", "6 team.access_code"]));
    // Not the website a table of events belongs to; not a login form's fields.
    assert_eq!(columns(&result, "src/app/WebsiteEventsTable.tsx"), set(&[]));
    assert_eq!(columns(&result, "src/app/LoginForm.tsx"), set(&[]));
}

#[test]
fn query_hooks_data_is_what_their_name_says() {
    let (_dir, result) = scan_ui();
    // A page's `data` is its rows; `teams` is Team's (not `User.teams`' TeamUser rows).
    assert_eq!(columns(&result, "src/app/TeamsPage.tsx"), set(&["3 team_user.role", "5 website.domain"]));
    // `useMemo` returns what its callback returns.
    assert_eq!(columns(&result, "src/app/Picker.tsx"), set(&["6 user.username"]));
    // Another library's resource client answers no row; a library's writer named after a
    // model writes that model.
    assert_eq!(columns(&result, "src/sync.ts"), set(&["3 user.password"]));
    // A render prop given to a component renders that component's records.
    assert_eq!(columns(&result, "src/app/WebsitesPage.tsx"), set(&["2 website.domain"]));
}

#[test]
fn seed_lists_are_the_rows_another_file_writes() {
    let (_dir, result) = scan_ui();
    // `subscriptions` is written as Subscription rows by `prisma/seed.ts`; `currencies` is not.
    assert_eq!(columns(&result, "prisma/seed/data.ts"), set(&["2 subscription.id", "2 subscription.currency"]));
}

/// A Prisma schema folder (`prisma/schema/*.prisma`, Prisma's multi-file schema): models of one
/// file relate to models of another.
const FOLDER_MAIN: &str = r#"model Workspace {
  id            String        @id
  recontactDays Int           @default(7) @map("recontact_days")
  surveys       Survey[]
  workflowRuns  WorkflowRun[]

  @@map("workspace")
}

model Survey {
  id            String    @id
  delay         Int       @default(0)
  recontactDays Int?      @map("recontact_days")
  workspaceId   String    @map("workspace_id")
  workspace     Workspace @relation(fields: [workspaceId], references: [id])

  @@map("survey")
}

model ApiKey {
  id         String    @id
  lastUsedAt DateTime? @map("last_used_at")

  @@map("api_key")
}

model Session {
  id      String   @id
  expires DateTime

  @@map("session")
}

model User {
  id     String  @id
  locale String?

  @@map("user")
}
"#;

const FOLDER_WORKFLOWS: &str = r#"model WorkflowRun {
  id          String    @id
  startedAt   DateTime? @map("started_at")
  workspaceId String    @map("workspace_id")
  workspace   Workspace @relation(fields: [workspaceId], references: [id])

  @@map("workflow_run")
}
"#;

const FOLDER_QUERIES: &str = r#"import { prisma } from '@/lib/prisma';

export async function runs(id: string) {
  const run = await prisma.workflowRun.findFirst({ where: { id }, include: { workspace: true } });
  const ws = await prisma.workspace.findFirst({ select: { workflowRuns: { select: { startedAt: true } } } });
  return [run.workspace.recontactDays, run.startedAt, ws];
}

export async function touch(id: string) {
  let key;
  key = await prisma.apiKey.findFirst({ where: { id } });
  let other;
  other = { lastUsedAt: null };
  return [key.lastUsedAt, other];
}
"#;

/// `T<Model>` types of the app's own types package; an object spreading a typed record.
const SEND_CARD: &str = r#"import { TSurvey } from '@/types/surveys';
import { TSurveyElement, TWorkflowRunSummary } from '@/types/elements';
interface Props { localSurvey: TSurvey; element: TSurveyElement; workflowRun: TWorkflowRunSummary; props: any }
export const WhenToSendCard = ({ localSurvey, element, workflowRun, props }: Props) => {
  const delay = localSurvey.delay !== 0;
  const next = { ...localSurvey, delay: 5 };
  const copy = { ...props, delay: 1 };
  const animation = { delay: 1.5 };
  const draft: TSurvey = { ...next, recontactDays: null };
  return [delay, element.delay, workflowRun.startedAt, copy, animation, draft];
};
"#;

/// react-hook-form: the record whose fields fill `defaultValues`, whatever the component's name.
const COOLDOWN_FORM: &str = r#"import { useForm } from 'react-hook-form';
import { TWorkspace } from '@/types/workspaces';
import { updateWorkspaceAction } from './actions';
export const CooldownForm = ({ workspace }: { workspace: TWorkspace }) => {
  const form = useForm({ defaultValues: { recontactDays: workspace.recontactDays ?? 7 } });
  const submit = async (data: any) => {
    await updateWorkspaceAction({ workspaceId: workspace.id, data: { recontactDays: data.recontactDays } });
    form.resetField("recontactDays", {});
    form.reset({ recontactDays: 1 });
  };
  return <FormField control={form.control} name="recontactDays" onSubmit={submit} />;
};

export const SignInForm = () => {
  const form = useForm({ defaultValues: { delay: 0 } });
  return <FormField control={form.control} name="delay" />;
};
"#;

/// better-auth's options over the Prisma adapter.
const AUTH: &str = r#"import { betterAuth } from 'better-auth';
export const auth = betterAuth({
  session: { fields: { expiresAt: "expires" } },
  user: { additionalFields: { locale: { type: "string" } } },
  account: { modelName: "apiKey", fields: { updatedAt: "lastUsedAt" } },
  emailAndPassword: { enabled: true, fields: { delay: "delay" } },
});
export const options = { session: { fields: { expiresAt: "expires" } } };
"#;

fn scan_folder() -> (tempfile::TempDir, ScanResult) {
    let tables: &[(&str, &[&str])] = &[
        ("workspace", &["id", "recontact_days"]),
        ("survey", &["id", "delay", "recontact_days", "workspace_id"]),
        ("api_key", &["id", "last_used_at"]),
        ("session", &["id", "expires"]),
        ("user", &["id", "locale"]),
        ("workflow_run", &["id", "started_at", "workspace_id"]),
    ];
    scan_app(
        &[
            ("prisma/schema/main.prisma", FOLDER_MAIN),
            ("prisma/schema/workflows.prisma", FOLDER_WORKFLOWS),
            ("src/queries.ts", FOLDER_QUERIES),
            ("src/WhenToSendCard.tsx", SEND_CARD),
            ("src/CooldownForm.tsx", COOLDOWN_FORM),
            ("src/auth.ts", AUTH),
        ],
        tables,
    )
}

#[test]
fn a_schema_folder_is_one_schema_and_assignments_type_names() {
    let (_dir, result) = scan_folder();
    // Relations across the folder's files, both ways; a name typed where it is assigned, an
    // object literal assigned to another name not.
    assert_eq!(
        columns(&result, "src/queries.ts"),
        set(&[
            "4 workflow_run.id",
            "4 workflow_run.workspace_id",
            "5 workflow_run.started_at",
            "6 workflow_run.workspace_id",
            "6 workspace.recontact_days",
            "6 workflow_run.started_at",
            "11 api_key.id",
            "14 api_key.last_used_at",
        ])
    );
}

#[test]
fn app_types_spread_records_and_form_defaults_name_the_model() {
    let (_dir, result) = scan_folder();
    // `TSurvey` is Survey's; `TSurveyElement` is nothing; `TWorkflowRunSummary` held in
    // `workflowRun` is what the name says. Spreading a typed record writes its fields; spreading
    // an untyped value or no spread at all does not.
    assert_eq!(
        columns(&result, "src/WhenToSendCard.tsx"),
        set(&["5 survey.delay", "6 survey.delay", "9 survey.recontact_days", "10 workflow_run.started_at"])
    );
    // The form over the record its defaults come from: field names, `resetField`, `reset`, and a
    // server action named after the model it updates. A form whose defaults are literals is no
    // record's.
    assert_eq!(
        columns(&result, "src/CooldownForm.tsx"),
        set(&[
            "5 workspace.recontact_days",
            "7 workspace.id",
            "7 workspace.recontact_days",
            "8 workspace.recontact_days",
            "9 workspace.recontact_days",
            "11 workspace.recontact_days",
        ])
    );
}

#[test]
fn better_auth_options_name_the_columns_its_adapter_uses() {
    let (_dir, result) = scan_folder();
    // `fields` values and `additionalFields` keys under a model's key (or its `modelName`); not
    // the options of no model, nor an object outside `betterAuth(…)`.
    assert_eq!(columns(&result, "src/auth.ts"), set(&["3 session.expires", "4 user.locale", "5 api_key.last_used_at"]));
}
