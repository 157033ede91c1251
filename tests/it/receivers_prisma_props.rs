//! Prisma in React/Next.js apps whose rows reach code through what a component is given, a
//! grouping, a copy or a second function (documenso, inbox-zero, umami): JSX props, lodash's
//! `groupBy`, keys copying a row's field, a parameter's field handed on to the app's writer, forms
//! posting to a server action or a tRPC mutation, aggregates, an extension's field lists. Each
//! test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Envelope {
  id                Int     @id
  title             String
  publicDescription String
}

model ExecutedRule {
  id            String  @id
  messageId     String
  status        String
  matchMetadata Json?
  automated     Boolean
}

model Premium {
  id                  String @id
  tier                String?
  adminGrantTier      String?
  emailAccountsAccess Int?
}

model EmailAccount {
  id           String  @id
  writingStyle String?
}

model User {
  id            String  @id
  username      String
  webhookSecret String?
}

model ThreadTracker {
  id                String    @id
  followUpAppliedAt DateTime?
}

model Team {
  id      String     @id
  members TeamUser[]
}

model TeamUser {
  id     String @id
  teamId String
  team   Team   @relation(fields: [teamId], references: [id])
  userId String
  user   User   @relation(fields: [userId], references: [id])
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Envelope", &["id", "title", "publicDescription"]),
    ("ExecutedRule", &["id", "messageId", "status", "matchMetadata", "automated"]),
    ("Premium", &["id", "tier", "adminGrantTier", "emailAccountsAccess"]),
    ("EmailAccount", &["id", "writingStyle"]),
    ("User", &["id", "username", "webhookSecret"]),
    ("ThreadTracker", &["id", "followUpAppliedAt"]),
    ("Team", &["id"]),
    ("TeamUser", &["id", "teamId", "userId"]),
];

/// A dialog whose prop is typed by a legacy shape named like no model: its callers give it rows.
const DIALOG: &str = r#"import type { Template } from '@acme/prisma/types/template-legacy-schema';

type Props = { templates: Template[]; label: string };

export const ManageDialog = ({ templates, label }: Props) => {
  const selected = templates.find((t) => t.id === 1);
  return <p title={label}>{selected?.publicDescription}</p>;
};

export const OtherDialog = ({ templates }: Props) => {
  return <p>{templates[0].publicDescription}</p>;
};
"#;

/// The table that renders the dialog with the rows it loaded; another given a value nothing types.
const TABLE: &str = r#"import prisma from '@/lib/prisma';
import { ManageDialog, OtherDialog } from '~/components/dialog';

export async function TemplatesTable() {
  const envelopes = await prisma.envelope.findMany({ where: { title: 'x' } });
  const rows = loadSomething();
  return (
    <div>
      <ManageDialog templates={envelopes} label="x" />
      <OtherDialog templates={rows} />
    </div>
  );
}
"#;

#[test]
fn jsx_props_hold_what_callers_give() {
    let (_dir, result) = scan_files(
        "props",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("components/dialog.tsx", DIALOG), ("components/table.tsx", TABLE)],
        TABLES,
    );
    // The rows the table passes, read in the dialog; not in the dialog whose caller passes what
    // nothing types.
    assert_eq!(
        uses_of(&result, "Envelope.publicDescription"),
        set(&["components/dialog.tsx:7", "prisma/schema.prisma:4"])
    );
}

/// Rows grouped by lodash, regrouped, and copied with a field parsed under its own name; a
/// function of the file given the copies and handing each to another by reference.
const HISTORY: &str = r#"import groupBy from 'lodash/groupBy';
import prisma from '@/utils/prisma';

export async function getHistory() {
  const executedRules = await prisma.executedRule.findMany({ where: { status: 'APPLIED' } });
  const byMessage = groupBy(executedRules, (er) => er.messageId);
  const results = Object.entries(byMessage)
    .filter(([, group]) => group.length > 0)
    .map(([messageId, group]) => ({
      messageId,
      rules: group.map((executedRule) => ({
        ...executedRule,
        matchMetadata:
          schema.safeParse(executedRule.matchMetadata).data ?? null,
      })),
    }));
  const executions = executedRules.map((executedRule) => ({
    id: executedRule.id,
    status: executedRule.status,
    automated:
      executedRule.automated,
  }));
  return { results, evidence: evidence(executions) };
}

function evidence(executions: Array<{ status: string; automated: boolean }>) {
  return executions.every(isManual);
}

function isManual(execution: { status: string; automated: boolean }) {
  return execution.automated === false;
}

function describe(messageId: string, status: string): { automated: string } {
  return {
    automated:
      format(status.automated),
  };
}

export function entries(row) {
  return Object.entries(row).map(([key, value]) => value.automated);
}
"#;

#[test]
fn groups_copies_and_calls_of_the_file() {
    let (_dir, result) = scan_files(
        "groups",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("app/api/history/route.ts", HISTORY)],
        TABLES,
    );
    // The spread copy's key over a group's rows and the row read on the line below it.
    assert_eq!(
        uses_of(&result, "ExecutedRule.matchMetadata"),
        set(&["app/api/history/route.ts:13", "app/api/history/route.ts:14", "prisma/schema.prisma:11"])
    );
    // A key copying the row's field (value on the next line), its read, and the copy read in a
    // function of the file given the list and, by reference, each element; not a key of an
    // object built as a declared shape, nor what `Object.entries` of anything else holds.
    assert_eq!(
        uses_of(&result, "ExecutedRule.automated"),
        set(&[
            "app/api/history/route.ts:20",
            "app/api/history/route.ts:21",
            "app/api/history/route.ts:31",
            "prisma/schema.prisma:12",
        ])
    );
}

/// The app's writer copying its options' fields into what it writes, and a server action handing
/// its input on to it.
const PREMIUM: &str = r#"import prisma from '@/utils/prisma';

export async function grantPremiumAdmin(options: { userId: string; tier: string; emailAccountsAccess?: number }) {
  const { userId, ...data } = options;
  const grantData = {
    adminGrantTier: data.tier,
    emailAccountsAccess: data.emailAccountsAccess,
  };
  return prisma.premium.update({ where: { id: userId }, data: grantData });
}
"#;

const ACTIONS: &str = r#"import { grantPremiumAdmin } from '@/utils/premium/server';
import { actionClient } from '@/utils/actions/safe-action';

export const changePremiumAction = actionClient
  .inputSchema(schema)
  .action(async ({ parsedInput: { email, period, emailAccountsAccess } }) => {
    await grantPremiumAdmin({ userId: email, tier: period, emailAccountsAccess });
  });

export const saveWritingStyleAction = actionClient
  .inputSchema(schema)
  .action(async ({ ctx: { emailAccountId }, parsedInput: { writingStyle } }) => {
    await prisma.emailAccount.update({ where: { id: emailAccountId }, data: { writingStyle } });
  });
"#;

/// Forms whose submitted values are posted to the actions; a form that posts nowhere.
const FORMS: &str = r#""use client";
import { useAction } from 'next-safe-action/hooks';
import { useForm, Controller } from 'react-hook-form';
import { changePremiumAction, saveWritingStyleAction } from '@/utils/actions/premium';

export const UpgradeForm = () => {
  const { execute: changePremium } = useAction(changePremiumAction);
  const { register, getValues } = useForm();
  const onSubmit = useCallback((data) => {
    changePremium({
      ...data,
      emailAccountsAccess: data.emailAccountsAccess || undefined,
    });
  }, [changePremium]);
  return (
    <form>
      <Input name="emailAccountsAccess" registerProps={register("emailAccountsAccess")} />
      <Input name="tier" registerProps={register("tier")} />
      <button onClick={() => onSubmit({ emailAccountsAccess: getValues("emailAccountsAccess") })} />
    </form>
  );
};

export function WritingStyleDialog() {
  const { execute } = useAction(saveWritingStyleAction.bind(null, "id"));
  const { control, handleSubmit } = useForm();
  const onSubmit = (data) => {
    execute(data);
  };
  return (
    <form onSubmit={handleSubmit(onSubmit)}>
      <Controller name="writingStyle" control={control} render={() => null} />
    </form>
  );
}

export function PreviewForm() {
  const { control } = useForm();
  return <Controller name="writingStyle" control={control} render={() => null} />;
}
"#;

#[test]
fn fields_handed_on_to_the_apps_writer() {
    let (_dir, result) = scan_files(
        "handed",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("utils/premium/server.ts", PREMIUM),
            ("utils/actions/premium.ts", ACTIONS),
            ("app/admin/forms.tsx", FORMS),
        ],
        TABLES,
    );
    // The writer's copy, the action's key handed on, the page's payload and the form's fields
    // posted to the action (the field's name, its registration, the submitted copy).
    assert_eq!(
        uses_of(&result, "Premium.emailAccountsAccess"),
        set(&[
            "utils/premium/server.ts:7",
            "utils/actions/premium.ts:7",
            "app/admin/forms.tsx:12",
            "app/admin/forms.tsx:17",
            "app/admin/forms.tsx:19",
            "prisma/schema.prisma:19",
        ])
    );
    // `tier: period` is written under another name (`adminGrantTier`): no caller's `tier` key
    // nor the form's `tier` field is Premium's `tier`.
    assert_eq!(uses_of(&result, "Premium.tier"), set(&["prisma/schema.prisma:17"]));
    // A Controller of a form posted to an action that writes the field; not one posting nowhere.
    assert_eq!(
        uses_of(&result, "EmailAccount.writingStyle"),
        set(&["utils/actions/premium.ts:13", "app/admin/forms.tsx:32", "prisma/schema.prisma:24"])
    );
}

/// A tRPC mutation handing its input's `data` to the app's writer, which copies its fields.
const UPDATE_ENVELOPE: &str = r#"import { prisma } from '@acme/prisma';

export const updateEnvelope = async ({ id, data = {} }: UpdateEnvelopeOptions) => {
  return prisma.envelope.update({
    where: { id },
    data: { title: data.title, publicDescription: data.publicDescription },
  });
};
"#;

const ROUTER: &str = r#"import { updateEnvelope } from '@acme/lib/server-only/envelope/update-envelope';

export const templateRouter = router({
  updateTemplate: authenticatedProcedure.input(ZUpdate).mutation(async ({ input, ctx }) => {
    const { templateId, data } = input;
    return updateEnvelope({ id: templateId, data: { ...data, type: data?.type } });
  }),
});
"#;

const TEMPLATE_DIALOG: &str = r#"import { trpc } from '@acme/trpc/react';

export const PublicTemplateDialog = () => {
  const form = useForm({ defaultValues: { publicDescription: '' } });
  const { mutateAsync: updateTemplateSettings } = trpc.template.updateTemplate.useMutation();
  const onFormSubmit = async ({ publicDescription }: TFormSchema) => {
    await updateTemplateSettings({
      templateId: 1,
      data: {
        publicDescription,
      },
    });
  };
  return (
    <Form {...form}>
      <form onSubmit={form.handleSubmit(onFormSubmit)}>
        <FormField control={form.control} name="publicDescription" render={() => null} />
      </form>
    </Form>
  );
};
"#;

#[test]
fn a_trpc_mutation_hands_its_input_on() {
    let (_dir, result) = scan_files(
        "trpc-handed",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/server-only/envelope/update-envelope.ts", UPDATE_ENVELOPE),
            ("trpc/server/template-router/router.ts", ROUTER),
            ("components/dialogs/public-template-dialog.tsx", TEMPLATE_DIALOG),
        ],
        TABLES,
    );
    // The writer's copy, the payload posted to the mutation under `data` and the form's field
    // whose value it posts there; not the form's literal default.
    assert_eq!(
        uses_of(&result, "Envelope.publicDescription"),
        set(&[
            "lib/server-only/envelope/update-envelope.ts:6",
            "components/dialogs/public-template-dialog.tsx:10",
            "components/dialogs/public-template-dialog.tsx:17",
            "prisma/schema.prisma:4",
        ])
    );
}

/// An aggregate read back, a Prisma extension's field lists, a function's declared return keys,
/// a table column rendering a related record's field.
const MISC: &str = r#"import prisma from '@/utils/prisma';

const ENCRYPTED_FIELDS = {
  user: ['webhookSecret'],
  threadTracker: ['followUpAppliedAt'],
} as const;

export const encrypted = Prisma.defineExtension((client) => client.$extends({ query: build(ENCRYPTED_FIELDS) }));

export async function debug(id: string) {
  const [count, lastApplied] = await Promise.all([
    prisma.threadTracker.count({ where: { id } }),
    prisma.threadTracker.aggregate({ _max: { followUpAppliedAt: true } }),
  ]);
  return { count, last: lastApplied._max.followUpAppliedAt, other: lastApplied.followUpAppliedAt };
}
"#;

const LISTS: &str = r#"const OPTIONS = {
  user: ['webhookSecret'],
};
"#;

const PROFILE: &str = r#"import type { Envelope } from '@prisma/client';

type Response = { templates: Pick<Envelope, 'id' | 'publicDescription'>[]; name: string };

export const getProfile = async (url: string): Promise<Response> => {
  const team = await load(url);
  return { templates: team.envelopes.map((t) => ({ ...t })), name: team.name };
};
"#;

const PAGE: &str = r#"import { getProfile } from '@acme/lib/server-only/profile/get-profile';

export async function ProfilePage({ url }: { url: string }) {
  const { templates, name } = await getProfile(url);
  return templates.map((template) => <p key={template.id}>{template.publicDescription}{name.publicDescription}</p>);
}
"#;

const MEMBERS: &str = r#"export function TeamMembersTable({ data = [] }: { data: any[] }) {
  return (
    <DataTable data={data}>
      <DataColumn id="username">{(row: any) => row?.user?.username}</DataColumn>
      <DataColumn id="title">{(row: any) => row?.user?.username}</DataColumn>
    </DataTable>
  );
}
"#;

#[test]
fn aggregates_extensions_declared_returns_and_columns() {
    let (_dir, result) = scan_files(
        "misc",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("app/api/debug/route.ts", MISC),
            ("utils/options.ts", LISTS),
            ("lib/server-only/profile/get-profile.ts", PROFILE),
            ("app/profile/page.tsx", PAGE),
            ("app/teams/TeamMembersTable.tsx", MEMBERS),
        ],
        TABLES,
    );
    // The aggregate's `_max` read back, the aggregate's argument, the extension's list; not a
    // field read on the aggregate itself.
    assert_eq!(
        uses_of(&result, "ThreadTracker.followUpAppliedAt"),
        set(&[
            "app/api/debug/route.ts:5",
            "app/api/debug/route.ts:13",
            "app/api/debug/route.ts:15",
            "prisma/schema.prisma:35",
        ])
    );
    // An extension's list, not the same shape in a file that extends no client.
    assert_eq!(uses_of(&result, "User.webhookSecret"), set(&["app/api/debug/route.ts:4", "prisma/schema.prisma:30"]));
    // The declared return type's key read in the page (the `Pick` key literal is a type, read
    // nowhere); not another key's value.
    assert_eq!(
        uses_of(&result, "Envelope.publicDescription"),
        set(&["app/profile/page.tsx:5", "prisma/schema.prisma:4"])
    );
    // The column's id, the field its child renders; not an id its child does not render.
    assert_eq!(
        uses_of(&result, "User.username"),
        set(&["app/teams/TeamMembersTable.tsx:4", "app/teams/TeamMembersTable.tsx:5", "prisma/schema.prisma:29"])
    );
}

/// A server action's input list, named like a model: its items are what the action validated.
const INPUT_ACTION: &str = r#"import prisma from '@/utils/prisma';

export const saveUsersAction = actionClient
  .inputSchema(schema)
  .action(async ({ parsedInput: { users } }) => {
    const enabled = users.filter((user) => user.enabled);
    await Promise.all(
      enabled.map((user) => {
        const { id, username } = user;
        return prisma.user.upsert({ where: { id }, create: { id, username }, update: { username } });
      }),
    );
  });
"#;

#[test]
fn an_actions_input_holds_no_rows() {
    let (_dir, result) = scan_files(
        "input",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("utils/actions/users.ts", INPUT_ACTION)],
        TABLES,
    );
    // The write; not the input item destructured, however the list is named.
    assert_eq!(uses_of(&result, "User.username"), set(&["utils/actions/users.ts:10", "prisma/schema.prisma:29"]));
}
