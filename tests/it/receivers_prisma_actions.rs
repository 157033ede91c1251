//! Prisma in a Next.js app that writes and reads rows through next-safe-action server actions
//! and its own writer functions (inbox-zero): a page's payload to an action that writes it, an
//! action's result read through `useAction`, an object handed to a function under the key it
//! writes, and the rest of a parameter written as `data`. Each test also says what is not a
//! reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model User {
  id            String    @id
  lastLogin     DateTime?
  webhookSecret String?
}

model CleanupJob {
  id           String  @id
  daysOld      Int
  instructions String?
}

model Newsletter {
  id              String    @id
  email           String
  patternAnalyzed Boolean
  lastAnalyzedAt  DateTime?
}

model Premium {
  id                  String  @id
  userId              String
  tier                String?
  emailAccountsAccess Int?
}

model EmailAccount {
  id           String  @id
  writingStyle String?
}

model ExecutedAction {
  id           String   @id
  draftStatus  String?
  wasDraftSent Boolean?
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("User", &["id", "lastLogin", "webhookSecret"]),
    ("CleanupJob", &["id", "daysOld", "instructions"]),
    ("Newsletter", &["id", "email", "patternAnalyzed", "lastAnalyzedAt"]),
    ("Premium", &["id", "userId", "tier", "emailAccountsAccess"]),
    ("ExecutedAction", &["id", "draftStatus", "wasDraftSent"]),
    ("EmailAccount", &["id", "writingStyle"]),
];

/// Server actions: one writes fields of its input under their own names, one does not.
const CLEAN_ACTIONS: &str = r#""use server";
import prisma from "@/utils/prisma";
import { actionClient } from "@/utils/actions/safe-action";

export const cleanInboxAction = actionClient
  .metadata({ name: "cleanInbox" })
  .inputSchema(cleanInboxSchema)
  .action(async ({ ctx: { emailAccountId }, parsedInput: { daysOld, instructions, maxEmails } }) => {
    const job = await prisma.cleanupJob.create({
      data: { emailAccountId, daysOld, instructions },
    });
    return { jobId: job.id, maxEmails };
  });

export const previewAction = actionClient
  .inputSchema(previewSchema)
  .action(async ({ parsedInput: { daysOld } }) => {
    return { count: daysOld * 2 };
  });
"#;

/// A page posting to the actions, directly (after a bound argument) and through `useAction`.
const CONFIRM: &str = r#"import { useAction } from "next-safe-action/hooks";
import { cleanInboxAction, previewAction } from "@/utils/actions/clean";

export function ConfirmationStep({ timeRange }) {
  const { execute: clean } = useAction(cleanInboxAction.bind(null, "account"));
  const start = async () => {
    await cleanInboxAction("account", {
      daysOld: timeRange ?? 7,
      maxEmails: 20,
    });
    await previewAction("account", {
      daysOld: timeRange,
    });
    clean({ daysOld: 3 });
  };
  return <button onClick={start}>Start</button>;
}
"#;

/// Actions answering a copy of a row's fields, and a value generated before it is written.
const ADMIN_ACTIONS: &str = r#""use server";
import prisma from "@/utils/prisma";

export const getUserInfoAction = adminActionClient
  .inputSchema(getUserInfoBody)
  .action(async ({ parsedInput: { email } }) => {
    const user = await prisma.user.findUnique({ where: { email }, select: { id: true, lastLogin: true } });
    if (!user) throw new Error("User not found");
    return { id: user.id, lastLogin: user.lastLogin, count: 1 };
  });

export const regenerateSecretAction = actionClientUser.action(async ({ ctx: { userId } }) => {
  const webhookSecret = generate();
  await prisma.user.update({ where: { id: userId }, data: { webhookSecret } });
  return { webhookSecret };
});
"#;

/// Pages reading what the actions answer: `result.data`, `onSuccess`'s `data`.
const USER_INFO: &str = r#"import { useAction } from "next-safe-action/hooks";
import { getUserInfoAction, regenerateSecretAction } from "@/utils/actions/admin";

export function AdminUserInfo() {
  const { execute, result } = useAction(getUserInfoAction);
  const data = result.data;
  return <div onClick={() => execute({ email: "a@b.c" })}>{data?.lastLogin}</div>;
}

export function LastLogin({ onLoaded }) {
  const { execute } = useAction(getUserInfoAction, {
    onSuccess: ({ data }) => onLoaded(data?.lastLogin),
  });
  return <button onClick={() => execute({ email: "a@b.c" })}>Load</button>;
}

export function RegenerateButton({ onGenerated }) {
  const { execute } = useAction(regenerateSecretAction.bind(null, "x"), {
    onSuccess: ({ data }) => {
      onGenerated(data?.webhookSecret);
    },
  });
  return <button onClick={() => execute()}>Go</button>;
}
"#;

/// Writers taking an object under a key they write, or whose rest they write.
const WRITERS: &str = r#"import prisma from "@/utils/prisma";

export async function upsertSenderRecord({
  emailAccountId,
  email,
  changes,
}: {
  emailAccountId: string;
  email: string;
  changes: Changes;
}) {
  return prisma.newsletter.upsert({
    where: { email },
    create: { email, ...changes },
    update: changes,
  });
}

export async function logSender({ email, extra }: { email: string; extra: Extra }) {
  console.log(email, extra);
}

export async function upgradeToPremium(options: { userId: string; tier: string; emailAccountsAccess?: number }) {
  const { userId, ...data } = options;
  return prisma.premium.create({ data: { userId, ...data } });
}

export async function notifyPremium(options: { userId: string; emailAccountsAccess?: number }) {
  const { userId, ...rest } = options;
  console.log(userId, rest);
}
"#;

const CALLERS: &str = r#"import { upsertSenderRecord, logSender, upgradeToPremium, notifyPremium } from "@/utils/writers";

export async function savePatternCheck(from: string, userId: string) {
  await upsertSenderRecord({
    emailAccountId: "account",
    email: from,
    changes: {
      patternAnalyzed: true,
      lastAnalyzedAt: new Date(),
    },
  });
  await logSender({ email: from, extra: { patternAnalyzed: true } });
  await upgradeToPremium({
    userId,
    tier: "PRO",
    emailAccountsAccess: 3,
  });
  await notifyPremium({ userId, emailAccountsAccess: 3 });
}
"#;

#[test]
fn server_actions_payloads_and_results() {
    let (_dir, result) = scan_files(
        "actions",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("utils/actions/clean.ts", CLEAN_ACTIONS),
            ("app/clean/ConfirmationStep.tsx", CONFIRM),
            ("utils/actions/admin.ts", ADMIN_ACTIONS),
            ("app/admin/AdminUserInfo.tsx", USER_INFO),
        ],
        TABLES,
    );
    // The payload of an action that writes the field under its own name, called directly after a
    // bound argument or through `useAction`'s `execute` under another name; not the payload of
    // an action that writes nothing (`previewAction`), nor the action's input destructured.
    assert_eq!(
        uses_of(&result, "CleanupJob.daysOld"),
        set(&[
            "prisma/schema.prisma:9",
            "utils/actions/clean.ts:10",
            "app/clean/ConfirmationStep.tsx:8",
            "app/clean/ConfirmationStep.tsx:14",
        ])
    );
    // What the action answers, a copy of the row's fields, read from `result.data` and from
    // `onSuccess`'s `data`.
    assert_eq!(
        uses_of(&result, "User.lastLogin"),
        set(&[
            "prisma/schema.prisma:3",
            "utils/actions/admin.ts:7",
            "utils/actions/admin.ts:9",
            "app/admin/AdminUserInfo.tsx:7",
            "app/admin/AdminUserInfo.tsx:12",
        ])
    );
    // A value the action generated and wrote, answered back, is not read from the row.
    assert_eq!(uses_of(&result, "User.webhookSecret"), set(&["prisma/schema.prisma:4", "utils/actions/admin.ts:14"]));
}

#[test]
fn objects_handed_to_a_writer_under_the_key_it_writes() {
    let (_dir, result) = scan_files(
        "writers",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("utils/writers.ts", WRITERS), ("app/api/pattern/route.ts", CALLERS)],
        TABLES,
    );
    // `changes` given as `update` and spread into `create`: the caller's object under that key;
    // not the same key handed to a function that writes nothing.
    assert_eq!(
        uses_of(&result, "Newsletter.patternAnalyzed"),
        set(&["prisma/schema.prisma:16", "app/api/pattern/route.ts:8"])
    );
    assert_eq!(
        uses_of(&result, "Newsletter.lastAnalyzedAt"),
        set(&["prisma/schema.prisma:17", "app/api/pattern/route.ts:9"])
    );
    // The rest of the options parameter written as `data`: the caller's keys; not the rest of a
    // function that only logs it.
    assert_eq!(
        uses_of(&result, "Premium.emailAccountsAccess"),
        set(&["prisma/schema.prisma:24", "app/api/pattern/route.ts:16"])
    );
}

/// Helpers building a client call's `where` and `data`, returned as a literal or as an object
/// filled in before it is returned; and one whose object no client call is given.
const DRAFT_CLEANUP: &str = r#"import prisma from "@/utils/prisma";

export async function cleanupDrafts(id: string, wasDraftSent: boolean | null) {
  const drafts = await prisma.executedAction.findMany({
    where: { ...getCandidateWhere(), id: { not: id } },
  });
  const statusData = getStatusData({ wasDraftSent });
  if (statusData) {
    await prisma.executedAction.update({ where: { id }, data: statusData });
  }
  const summary = describe(drafts);
  return summary;
}

function getStatusData({ wasDraftSent }: { wasDraftSent?: boolean | null }) {
  const data: { draftStatus?: string; wasDraftSent?: null } = {};
  if (wasDraftSent === false) {
    data.wasDraftSent = null;
  }
  return Object.keys(data).length > 0 ? data : null;
}

function getCandidateWhere() {
  return {
    OR: [{ draftStatus: null }, { draftStatus: "CLEANED_UP", wasDraftSent: false }],
  };
}

function describe(drafts: unknown[]) {
  const out = { wasDraftSent: drafts.length };
  return out;
}
"#;

#[test]
fn objects_a_helper_builds_as_where_or_data() {
    let (_dir, result) = scan_files(
        "built",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("utils/ai/draft-cleanup.ts", DRAFT_CLEANUP)],
        TABLES,
    );
    // The property set on the object the helper returns, given as `data`; the filter the other
    // helper returns, spread into `where`; not the parameters, the declared type, nor the object
    // of a helper whose result no client call is given.
    assert_eq!(
        uses_of(&result, "ExecutedAction.wasDraftSent"),
        set(&["prisma/schema.prisma:35", "utils/ai/draft-cleanup.ts:18", "utils/ai/draft-cleanup.ts:25",])
    );
    assert_eq!(
        uses_of(&result, "ExecutedAction.draftStatus"),
        set(&["prisma/schema.prisma:34", "utils/ai/draft-cleanup.ts:25"])
    );
}

/// An App Router route answering a row, the app's SWR hooks over it (one wrapping the response
/// in a helper, one fetching two routes), and a settings component reading them.
const EMAIL_ACCOUNT_ROUTE: &str = r#"import { NextResponse } from "next/server";
import prisma from "@/utils/prisma";

export const GET = withEmailAccount(async (request) => {
  const emailAccount = await prisma.emailAccount.findUnique({ where: { id: request.auth.emailAccountId } });
  return NextResponse.json(emailAccount);
});
"#;

const ACCOUNT_HOOKS: &str = r#"import useSWR from "swr";

export function useEmailAccountFull() {
  const swrResult = useSWR<EmailAccountFullResponse | { error: string }>("/api/user/email-account");
  return processSWRResponse<EmailAccountFullResponse>(swrResult);
}

export function useBoth() {
  const first = useSWR("/api/user/email-account");
  const second = useSWR("/api/user/other");
  return first.data ? first : second;
}
"#;

const WRITING_STYLE: &str = r#"import { useEmailAccountFull, useBoth } from "@/hooks/useEmailAccountFull";

export function WritingStyleSetting() {
  const { data, isLoading } = useEmailAccountFull();
  const hasWritingStyle = !!data?.writingStyle;
  return <span>{hasWritingStyle}</span>;
}

export function OtherSetting() {
  const { data } = useBoth();
  return <span>{data?.writingStyle}</span>;
}
"#;

#[test]
fn an_apps_swr_hook_holds_what_its_route_answers() {
    let (_dir, result) = scan_files(
        "hooks",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("app/api/user/email-account/route.ts", EMAIL_ACCOUNT_ROUTE),
            ("hooks/useEmailAccountFull.ts", ACCOUNT_HOOKS),
            ("app/settings/WritingStyleSetting.tsx", WRITING_STYLE),
        ],
        TABLES,
    );
    // The `data` of the hook over one route, whatever wraps the response; not of a hook that
    // fetches two.
    assert_eq!(
        uses_of(&result, "EmailAccount.writingStyle"),
        set(&["prisma/schema.prisma:29", "app/settings/WritingStyleSetting.tsx:5"])
    );
}
