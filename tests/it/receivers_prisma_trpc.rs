//! Prisma rows that reach a React frontend through tRPC (documenso): a procedure answers what
//! its callback returns, keyed by its router's name and its own, and `trpc.x.y.useQuery()`'s
//! `data` holds that; a paginated finder's `{ data, count }` holds its rows under `data`; TanStack
//! Table column definitions typed by those rows (`accessorKey`, `row.original`); zod-inferred
//! types of models' schemas (`z.infer<typeof ZRecipientLiteSchema>`) typing object literals
//! built as them. Each test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Webhook {
  id            String   @id
  teamId        Int
  eventTriggers String[]
}

model ApiToken {
  id      Int       @id
  expires DateTime?
}

model Passkey {
  id         String    @id
  userId     Int
  lastUsedAt DateTime?
}

model Envelope {
  id                String      @id
  teamId            Int
  publicDescription String
  recipients        Recipient[]
}

model Recipient {
  id              Int      @id
  envelopeId      String
  rejectionReason String?
  envelope        Envelope @relation(fields: [envelopeId], references: [id])
}

model Folder {
  id     String  @id
  pinned Boolean
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Webhook", &["id", "teamId", "eventTriggers"]),
    ("ApiToken", &["id", "expires"]),
    ("Passkey", &["id", "userId", "lastUsedAt"]),
    ("Envelope", &["id", "teamId", "publicDescription"]),
    ("Recipient", &["id", "envelopeId", "rejectionReason"]),
    ("Folder", &["id", "pinned"]),
];

/// The app's finders: rows, and a page of rows under `data`.
const FINDERS: &str = r#"import { prisma } from '@app/prisma';

export const getWebhooksByTeamId = async (teamId: number) => {
  return await prisma.webhook.findMany({ where: { teamId } });
};

export const findPasskeys = async (userId: number) => {
  const [data, count] = await Promise.all([
    prisma.passkey.findMany({ where: { userId } }),
    prisma.passkey.count({ where: { userId } }),
  ]);
  return { data, count } satisfies Page<typeof data>;
};

export const findTemplates = async (teamId: number) => {
  const [data, count] = await Promise.all([prisma.envelope.findMany({ where: { teamId } }), prisma.envelope.count()]);
  return { data, count };
};
"#;

/// A procedure in a file of its own.
const ROUTE: &str = r#"import { findPasskeys } from '@app/lib/finders';
import { authenticatedProcedure } from './trpc';

export const findPasskeysRoute = authenticatedProcedure.input(ZRequest).query(async ({ ctx }) => {
  return await findPasskeys(ctx.user.id);
});
"#;

/// Routers: inline procedures, a nested router, a procedure of another file.
const ROUTER: &str = r#"import { findTemplates, getWebhooksByTeamId } from '@app/lib/finders';
import { findPasskeysRoute } from './find-passkeys';
import { authenticatedProcedure, router } from './trpc';

export const webhookRouter = router({
  getTeamWebhooks: authenticatedProcedure.query(async ({ ctx }) => {
    return await getWebhooksByTeamId(ctx.teamId);
  }),
});

export const authRouter = router({
  passkey: router({
    find: findPasskeysRoute,
  }),
});

export const templateRouter = router({
  findTemplates: authenticatedProcedure.query(async ({ ctx }) => {
    const result = await findTemplates(ctx.teamId);
    return {
      ...result,
      data: result.data.map((envelope) => ({ id: envelope.id, publicDescription: envelope.publicDescription })),
    };
  }),
});
"#;

const TOKEN_TYPES: &str = r#"import ApiTokenSchema from '@app/prisma/generated/zod/modelSchema/ApiTokenSchema';
import { z } from 'zod';

export const ZGetApiTokensResponseSchema = z.array(ApiTokenSchema.pick({ id: true }));

export type TGetApiTokensResponse = z.infer<typeof ZGetApiTokensResponseSchema>;
"#;

/// Column definitions typed by the rows of a query (an object holding them, the query's page),
/// or by a zod-inferred type; an array no column type declares is nobody's.
const WEBHOOKS_PAGE: &str = r#"import type { TGetApiTokensResponse } from '@app/trpc/api-token.types';

export default function SettingsPage() {
  const { data } = trpc.webhook.getTeamWebhooks.useQuery();
  const { data: passkeys } = trpc.auth.passkey.find.useQuery({});
  const results = { data: data ?? [], perPage: 0 };
  const page = passkeys ?? { data: [], count: 0 };
  const columns = useMemo(() => {
    return [
      { header: 'Events', accessorKey: 'eventTriggers' },
      { header: 'Count', cell: ({ row }) => row.original.eventTriggers.length },
      { header: 'Other', cell: ({ row }) => row.eventTriggers },
    ] satisfies DataTableColumnDef<(typeof results)['data'][number]>[];
  }, []);
  const keys = [{ cell: ({ row }) => row.original.lastUsedAt }] satisfies DataTableColumnDef<(typeof page)['data'][number]>[];
  const tokens = [{ cell: ({ row }) => row.original.expires }] satisfies DataTableColumnDef<TGetApiTokensResponse[number]>[];
  const plain = [{ accessorKey: 'eventTriggers', cell: ({ row }) => row.original.expires }];
  return <DataTable columns={[columns, keys, tokens, plain]} />;
}
"#;

/// A query's page destructured from a `useMemo` that filters it.
const TEMPLATES: &str = r#"export const TemplatesList = () => {
  const { data } = trpc.template.findTemplates.useQuery({});
  const { shown } = useMemo(() => {
    const shown = (data?.data ?? []).filter((template) => template.id !== '');
    return { shown };
  }, [data]);
  const other = { publicDescription: '' };
  return shown.map((template) => <p>{template.publicDescription}{other.publicDescription}</p>);
};
"#;

#[test]
fn trpc_procedures_type_the_rows_of_their_queries() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/finders.ts", FINDERS),
            ("trpc/find-passkeys.ts", ROUTE),
            ("trpc/router.ts", ROUTER),
            ("trpc/api-token.types.ts", TOKEN_TYPES),
            ("app/settings.tsx", WEBHOOKS_PAGE),
            ("app/templates.tsx", TEMPLATES),
        ],
        TABLES,
    );
    // `accessorKey` and `row.original` of typed columns; not `row.x` nor an untyped array.
    assert_eq!(
        uses_of(&result, "Webhook.eventTriggers"),
        set(&["app/settings.tsx:10", "app/settings.tsx:11", "prisma/schema.prisma:4"])
    );
    // Through a procedure of another file and the finder's page.
    assert_eq!(uses_of(&result, "Passkey.lastUsedAt"), set(&["app/settings.tsx:15", "prisma/schema.prisma:15"]));
    // Through a zod-inferred type of a model's schema.
    assert_eq!(uses_of(&result, "ApiToken.expires"), set(&["app/settings.tsx:16", "prisma/schema.prisma:9"]));
    // The router's own read of the finder's page, and the query's page in the frontend; not a
    // plain object's key.
    assert_eq!(
        uses_of(&result, "Envelope.publicDescription"),
        set(&["trpc/router.ts:22", "app/templates.tsx:8", "prisma/schema.prisma:21"])
    );
}

const EDITOR_TYPES: &str = r#"import { RecipientSchema } from '@app/prisma/generated/zod/modelSchema/RecipientSchema';
import EnvelopeSchema from '@app/prisma/generated/zod/modelSchema/EnvelopeSchema';
import { z } from 'zod';

export const ZRecipientLiteSchema = RecipientSchema.pick({ id: true });
export type TRecipientLite = z.infer<typeof ZRecipientLiteSchema>;
export const ZEditorEnvelopeSchema = EnvelopeSchema.pick({ id: true }).extend({
  recipients: ZRecipientLiteSchema.array(),
});
export type TEditorEnvelope = z.infer<typeof ZEditorEnvelopeSchema>;
export const ZLegacySchema = z.object({ rejectionReason: z.string() });
export type TLegacy = z.infer<typeof ZLegacySchema>;
"#;

/// Object literals built as zod-inferred types: a `map`'s type argument, a declared element
/// type of a key the schema extends, a callback's declared return type; not an untyped `map`'s,
/// nor one of a schema written out.
const EDITOR: &str = r#"import type { TEditorEnvelope, TLegacy, TRecipientLite } from '@app/lib/types/editor';

export const build = (signers: Signer[]) => {
  const lite = signers.map<TRecipientLite>((s) => ({ id: s.id, rejectionReason: null }));
  const recipients: TEditorEnvelope['recipients'] = signers.map((s) => ({
    id: s.id,
    rejectionReason: null,
  }));
  const envelope = useMemo((): TEditorEnvelope => {
    return { id: '', publicDescription: '', recipients };
  }, []);
  const other = signers.map((s) => ({ rejectionReason: null, publicDescription: '' }));
  const legacy = signers.map<TLegacy>((s) => ({ rejectionReason: null }));
  return [lite, envelope, other, legacy];
};
"#;

#[test]
fn zod_inferred_types_type_the_objects_built_as_them() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/types/editor.ts", EDITOR_TYPES), ("app/editor.tsx", EDITOR)],
        TABLES,
    );
    assert_eq!(
        uses_of(&result, "Recipient.rejectionReason"),
        set(&["app/editor.tsx:4", "app/editor.tsx:7", "prisma/schema.prisma:28"])
    );
    assert_eq!(uses_of(&result, "Envelope.publicDescription"), set(&["app/editor.tsx:10", "prisma/schema.prisma:21"]));
}

/// A React Router route module: the loader's copy of a record's fields, read in the page as
/// `loaderData` and through `useLoaderData()`; another module's loader is not this one's.
const ROUTE_MODULE: &str = r#"import { getEnvelope } from '@app/lib/envelope';

export async function loader({ request }: Route.LoaderArgs) {
  const envelope = await getEnvelope(request.url).catch(() => null);
  return {
    document: {
      id: envelope.id,
      publicDescription: envelope.publicDescription,
      recipients: envelope.recipients,
    },
    language: 'en',
  };
}

export default function Certificate({ loaderData }: Route.ComponentProps) {
  const { document } = loaderData;
  const reasons = document.recipients.map((recipient) => recipient.rejectionReason);
  return <p>{document.publicDescription}{reasons}</p>;
}

export const Other = () => {
  const { document } = useLoaderData<typeof loader>();
  return <p>{document.publicDescription}</p>;
};
"#;

const OTHER_ROUTE: &str = r#"export async function loader() {
  return { document: { publicDescription: 'x', rejectionReason: 'y' } };
}

export default function Page({ loaderData }: Route.ComponentProps) {
  return <p>{loaderData.document.publicDescription}{loaderData.document.rejectionReason}</p>;
}
"#;

const GET_ENVELOPE: &str = r#"import { prisma } from '@app/prisma';

export const getEnvelope = async (id: string) => {
  return await prisma.envelope.findFirst({ where: { id }, include: { recipients: true } });
};
"#;

#[test]
fn a_route_modules_loader_data_is_what_it_returns() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/envelope.ts", GET_ENVELOPE),
            ("app/routes/certificate.tsx", ROUTE_MODULE),
            ("app/routes/other.tsx", OTHER_ROUTE),
        ],
        TABLES,
    );
    assert_eq!(
        uses_of(&result, "Envelope.publicDescription"),
        set(&[
            "app/routes/certificate.tsx:8",
            "app/routes/certificate.tsx:18",
            "app/routes/certificate.tsx:23",
            "prisma/schema.prisma:21"
        ])
    );
    assert_eq!(
        uses_of(&result, "Recipient.rejectionReason"),
        set(&["app/routes/certificate.tsx:17", "prisma/schema.prisma:28"])
    );
}

/// A tRPC mutation called by another name writes what its procedure's name says; one whose
/// name says nothing writes nothing known.
const FOLDER_CARD: &str = r#"export const Card = ({ folder }: Props) => {
  const { mutateAsync: updateFolderMutation } = trpc.folder.updateFolder.useMutation();
  const { mutateAsync: moveMutation } = trpc.folder.move.useMutation();
  const pin = async ({ pinned }: { pinned: boolean }) => {
    await updateFolderMutation({ folderId: folder.id, data: { pinned } });
    await moveMutation({ data: { pinned } });
  };
  return <button onClick={() => pin({ pinned: true })} />;
};
"#;

#[test]
fn a_trpc_mutation_writes_what_its_procedure_is_named_after() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("app/folder-card.tsx", FOLDER_CARD)],
        TABLES,
    );
    assert_eq!(uses_of(&result, "Folder.pinned"), set(&["app/folder-card.tsx:5", "prisma/schema.prisma:34"]));
}

/// A computed `orderBy` key: the column its declared default names; not a string the key is
/// not built from.
const FIND_PASSKEYS: &str = r#"import { prisma } from '@app/prisma';

export const findPasskeys = async (userId: number, orderBy?: { column: string }) => {
  const column = orderBy?.column ?? 'lastUsedAt';
  const label = 'lastUsedAt';
  return prisma.passkey.findMany({ where: { userId }, orderBy: { [column]: 'desc' } });
};
"#;

#[test]
fn a_computed_order_key_names_its_default_column() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/find-passkeys.ts", FIND_PASSKEYS)],
        TABLES,
    );
    assert_eq!(uses_of(&result, "Passkey.lastUsedAt"), set(&["lib/find-passkeys.ts:4", "prisma/schema.prisma:15"]));
}

const HELD_SCHEMA: &str = r#"model BatchAction {
  id             String @id
  processedCount Int
}

model Prompt {
  id            String  @id
  commitMessage String?
}

model LlmApiKey {
  id              String   @id
  extraHeaderKeys String[]
}

model ApiKey {
  id   String  @id
  note String?
}
"#;

const HELD_TABLES: &[(&str, &[&str])] = &[
    ("BatchAction", &["id", "processedCount"]),
    ("Prompt", &["id", "commitMessage"]),
    ("LlmApiKey", &["id", "extraHeaderKeys"]),
    ("ApiKey", &["id", "note"]),
];

/// Routers held in `<name>Router`, keyed by the app router as the name or its plural.
const HELD_ROUTERS: &str = r#"import { createTRPCRouter, protectedProcedure } from './trpc';

export const promptRouter = createTRPCRouter({
  allVersions: protectedProcedure.query(async ({ ctx }) => {
    const promptVersions = await ctx.prisma.prompt.findMany();
    return { promptVersions, totalCount: 1 };
  }),
});

export const batchActionRouter = createTRPCRouter({
  byId: protectedProcedure.query(async ({ ctx }) => {
    return await ctx.prisma.batchAction.findUnique({ where: { id: '1' } });
  }),
});

export const llmApiKeyRouter = createTRPCRouter({
  all: protectedProcedure.query(async ({ ctx }) => {
    const data = await ctx.prisma.llmApiKey.findMany();
    return { data, totalCount: data.length };
  }),
});

export const apiKeysRouter = createTRPCRouter({
  updateNote: protectedProcedure.mutation(async ({ input, ctx }) => {
    await ctx.prisma.apiKey.update({ where: { id: input.keyId }, data: { note: input.note } });
  }),
  remove: protectedProcedure.mutation(async ({ input, ctx }) => {
    await audit({ note: input.reason });
  }),
});

export const appRouter = createTRPCRouter({
  prompts: promptRouter,
  batchAction: batchActionRouter,
  llmApiKey: llmApiKeyRouter,
});
"#;

/// A query held whole (`status.data`), and types indexed from tRPC's inferred outputs.
const HELD_PAGE: &str = r#"import { api, type RouterOutputs } from '@/utils/api';

type Version = RouterOutputs['prompts']['allVersions']['promptVersions'][number];
type Item = RouterOutputs['llmApiKey']['all']['data'][number];
type Local = { commitMessage: string };

export function Status() {
  const status = api.batchAction.byId.useQuery({ id: '1' });
  const processedCount = status.data?.processedCount ?? 0;
  const history = api.prompts.allVersions.useQuery({});
  const first = history.data?.promptVersions[0];
  const keys = api.llmApiKey.all.useQuery();
  const extra = keys.data?.data.some((key) => key.extraHeaderKeys.length > 0);
  const plain = useQuery({ queryKey: ['x'] });
  const other = { processedCount: plain.data?.processedCount };
  return <p>{first?.commitMessage}{other.processedCount}{status.processedCount}</p>;
}

export function Row({ prompt, local }: { prompt: Version; local: Local }) {
  return <p>{prompt.commitMessage}{local.commitMessage}</p>;
}

function headers(item: Item) {
  return item.extraHeaderKeys;
}

export function NoteEditor({ keyId }: { keyId: string }) {
  const [note, setNote] = useState('');
  const mutUpdate = api.apiKeys.updateNote.useMutation();
  const mutRemove = api.apiKeys.remove.useMutation();
  const save = () => mutUpdate.mutate({
    keyId,
    note,
  });
  return <button onClick={() => mutRemove.mutate({ keyId, note })}>{save()}</button>;
}
"#;

#[test]
fn trpc_queries_held_whole_and_router_output_types() {
    let (_dir, result) = scan_files(
        "held",
        Framework::Prisma,
        &[("prisma/schema.prisma", HELD_SCHEMA), ("server/routers.ts", HELD_ROUTERS), ("app/status.tsx", HELD_PAGE)],
        HELD_TABLES,
    );
    // `status.data?.processedCount`; not a plain react-query's `data`, a literal's key, nor a key
    // read off the query itself.
    assert_eq!(uses_of(&result, "BatchAction.processedCount"), set(&["app/status.tsx:9", "prisma/schema.prisma:3"]));
    // Through the app router's plural key, held whole and as `RouterOutputs[…]`; not a local type's.
    assert_eq!(
        uses_of(&result, "Prompt.commitMessage"),
        set(&["app/status.tsx:16", "app/status.tsx:20", "prisma/schema.prisma:8"])
    );
    // `keys.data?.data.some((key) => …)` and an indexed output type's row.
    assert_eq!(
        uses_of(&result, "LlmApiKey.extraHeaderKeys"),
        set(&["app/status.tsx:13", "app/status.tsx:24", "prisma/schema.prisma:13"])
    );
    // A key posted to a mutation held whole whose procedure writes it; not to one that does not.
    assert_eq!(
        uses_of(&result, "ApiKey.note"),
        set(&["app/status.tsx:33", "server/routers.ts:25", "prisma/schema.prisma:18"])
    );
}
