//! Prisma idioms of an app tandem had not seen (typebot): the default name of an unnamed
//! compound unique key (`identifier_token` of `@@unique([identifier, token])`, its members in
//! any order, and the shorthand `{ identifier_token }`), and an object literal given to a log
//! (`console.log({ ...row, riskLevel: 100 })`), which writes nothing. Each test also says what
//! is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model VerificationToken {
  identifier String
  token      String   @unique
  expires    DateTime

  @@unique([identifier, token])
}

model Typebot {
  id        String @id
  name      String
  riskLevel Int?
}

model Member {
  userId String
  teamId String
  role   String

  @@index([userId, role])
  @@id([userId, teamId])
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("VerificationToken", &["identifier", "token", "expires"]),
    ("Typebot", &["id", "name", "riskLevel"]),
    ("Member", &["userId", "teamId", "role"]),
];

const TOKENS: &str = r#"import { prisma } from '@app/prisma';

export const find = async (token: string, userId: string) => {
  const verificationToken = await prisma.verificationToken.findUnique({
    where: {
      identifier_token: {
        token,
        identifier: `${userId}-changeEmail`,
      },
    },
    select: { expires: true },
  });
  return verificationToken;
};

export const use = async (identifier_token) => {
  const identifier = identifier_token.identifier;
  return prisma.verificationToken.delete({
    where: { identifier_token },
  });
};

export const member = (userId: string, teamId: string) =>
  prisma.member.findUnique({ where: { userId_teamId: { teamId, userId } } });

export const notAKey = (userId: string) =>
  prisma.member.findFirst({ where: { userId_role: { userId } } });
"#;

const BLOCK: &str = r#"import { prisma } from '@app/prisma';

export const block = async (typebotId: string) => {
  const typebot = await prisma.typebot.findUnique({ where: { id: typebotId } });
  if (!typebot) throw new Error('not found');
  await prisma.typebot.update({
    where: { id: typebotId },
    data: { riskLevel: 100 },
  });
  console.log({
    ...typebot,
    riskLevel: 100,
  });
  logger.info({ ...typebot, riskLevel: 50 });
  return { ...typebot, riskLevel: 100 };
};
"#;

#[test]
fn unnamed_compound_unique_keys_name_their_columns() {
    let (_dir, result) = scan_files(
        "typebot",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/tokens.ts", TOKENS)],
        TABLES,
    );
    // The key's default name reads each field (line 6, and the shorthand at 19), its members
    // in any order are the model's own (line 8); `identifier_token.identifier` of a parameter
    // typed by hand, and a local named like the column, are no reads of the row.
    assert_eq!(
        uses_of(&result, "VerificationToken.identifier"),
        set(&[
            "lib/tokens.ts:6",
            "lib/tokens.ts:8",
            "lib/tokens.ts:19",
            "prisma/schema.prisma:2",
            "prisma/schema.prisma:6"
        ])
    );
    assert_eq!(
        uses_of(&result, "VerificationToken.token"),
        set(&[
            "lib/tokens.ts:6",
            "lib/tokens.ts:7",
            "lib/tokens.ts:19",
            "prisma/schema.prisma:3",
            "prisma/schema.prisma:6"
        ])
    );
    // `@@id([userId, teamId])` is `userId_teamId`; an `@@index` is no key the client names
    // (`userId_role` reads no `role`).
    assert_eq!(
        uses_of(&result, "Member.teamId"),
        set(&["lib/tokens.ts:24", "prisma/schema.prisma:17", "prisma/schema.prisma:21"])
    );
    assert_eq!(uses_of(&result, "Member.role"), set(&["prisma/schema.prisma:18", "prisma/schema.prisma:20"]));
}

#[test]
fn an_object_given_to_a_log_is_no_write() {
    let (_dir, result) =
        scan_files("typebot", Framework::Prisma, &[("prisma/schema.prisma", SCHEMA), ("lib/block.ts", BLOCK)], TABLES);
    // The update's data (line 8) and the copy returned (line 15) are the row; the copies
    // printed by `console.log` (line 12) and a logger (line 14) are not.
    assert_eq!(
        uses_of(&result, "Typebot.riskLevel"),
        set(&["lib/block.ts:8", "lib/block.ts:15", "prisma/schema.prisma:12"])
    );
}

const SESSION_SCHEMA: &str = r#"model ChatSession {
  id         String  @id
  state      Json
  isReplying Boolean?
}

model Result {
  id         String  @id
  hasStarted Boolean
}
"#;

const SESSION_TABLES: &[(&str, &[&str])] =
    &[("ChatSession", &["id", "state", "isReplying"]), ("Result", &["id", "hasStarted"])];

/// The app's writers: a parameter written whole (`update: data`) and spread (`create: { ...data
/// }`), a destructured field written into a `createMany` list, and a printer that writes nothing.
const QUERIES: &str = r#"import prisma from '@app/prisma';

export const upsertSession = (id: string, data: Partial<Session>) => {
  return prisma.chatSession.upsert({
    where: { id },
    update: data,
    create: { ...data, id },
  });
};

export const createResult = async ({ resultId, hasStarted }: Props) => {
  return prisma.result.createMany({
    data: [{ id: resultId, hasStarted }],
  });
};

export const printSession = (id: string, data: Partial<Session>) => {
  console.log(id, data);
};
"#;

const FLOW: &str = r#"import { upsertSession, createResult, printSession } from './queries';

export const save = async (sessionId: string, isReplying: boolean) => {
  await upsertSession(sessionId, {
    isReplying: true,
  });
  await createResult({ resultId: sessionId, hasStarted: false });
  printSession(sessionId, { isReplying: false });
  await upsertSession(sessionId, isReplying);
};
"#;

#[test]
fn keyed_objects_handed_to_a_writer_are_its_columns() {
    let (_dir, result) = scan_files(
        "typebot",
        Framework::Prisma,
        &[("prisma/schema.prisma", SESSION_SCHEMA), ("lib/queries.ts", QUERIES), ("lib/flow.ts", FLOW)],
        SESSION_TABLES,
    );
    // The keyed argument of `upsertSession` (line 5) is written; the printer's (line 8) and a
    // positional value (line 9) are not.
    assert_eq!(uses_of(&result, "ChatSession.isReplying"), set(&["lib/flow.ts:5", "prisma/schema.prisma:4"]));
    // `hasStarted` of the object `createResult` writes into a `data` list (the callee's own
    // line 13 is the write too).
    assert_eq!(
        uses_of(&result, "Result.hasStarted"),
        set(&["lib/flow.ts:7", "lib/queries.ts:13", "prisma/schema.prisma:9"])
    );
}

const SUPPRESSED_SCHEMA: &str = r#"model SuppressedEmail {
  email         String @id
  bounceCount   Int
  lastWebhookId String?
  workspaceId   String?
  workspace     Workspace? @relation(fields: [workspaceId], references: [id])
}

model Workspace {
  id     String @id
  iv     String
  emails SuppressedEmail[]
}
"#;

const SUPPRESSED_TABLES: &[(&str, &[&str])] =
    &[("SuppressedEmail", &["email", "bounceCount", "lastWebhookId", "workspaceId"]), ("Workspace", &["id", "iv"])];

/// Objects a condition picks between, held in a name or written in place (a relation's
/// arguments under `select`), and a condition that picks no object.
const SUPPRESS: &str = r#"import prisma from '@app/prisma';

export const bounce = async (email: string, webhookId?: string, withWorkspace?: boolean) => {
  const updateData = webhookId
    ? {
        bounceCount: { increment: 1 },
        lastWebhookId: webhookId,
      }
    : { bounceCount: { increment: 1 } };
  await prisma.suppressedEmail.updateMany({ where: { email }, data: updateData });
  const counters = webhookId ? { bounceCount: 1 } : null;
  log(counters);
  return prisma.suppressedEmail.findFirst({
    where: { email },
    select: {
      workspace: withWorkspace ? { select: { iv: true } } : undefined,
    },
  });
};
"#;

#[test]
fn objects_a_condition_picks_are_what_the_write_is_given() {
    let (_dir, result) = scan_files(
        "typebot",
        Framework::Prisma,
        &[("prisma/schema.prisma", SUPPRESSED_SCHEMA), ("lib/suppress.ts", SUPPRESS)],
        SUPPRESSED_TABLES,
    );
    // Both branches of `updateData` (lines 6 and 9); not an object no write is given (line 11).
    assert_eq!(
        uses_of(&result, "SuppressedEmail.bounceCount"),
        set(&["lib/suppress.ts:6", "lib/suppress.ts:9", "prisma/schema.prisma:3"])
    );
    assert_eq!(
        uses_of(&result, "SuppressedEmail.lastWebhookId"),
        set(&["lib/suppress.ts:7", "prisma/schema.prisma:4"])
    );
    assert_eq!(uses_of(&result, "Workspace.iv"), set(&["lib/suppress.ts:16", "prisma/schema.prisma:11"]));
}

const ANSWERS_SCHEMA: &str = r#"model Result {
  id        String     @id
  answers   Answer[]
  answersV2 AnswerV2[]
}

model Answer {
  resultId String
  content  String
  result   Result @relation(fields: [resultId], references: [id])

  @@id([resultId, content])
}

model AnswerV2 {
  id               Int    @id
  resultId         String
  content          String
  attachedFileUrls Json?
  result           Result @relation(fields: [resultId], references: [id])
}
"#;

const ANSWERS_TABLES: &[(&str, &[&str])] = &[
    ("Result", &["id"]),
    ("Answer", &["resultId", "content"]),
    ("AnswerV2", &["id", "resultId", "content", "attachedFileUrls"]),
];

/// Two relations' rows joined into one list, then read in a `map`; a list joining rows with
/// something untyped is not typed.
const TRANSCRIPT: &str = r#"import prisma from '@app/prisma';

export const transcript = async (id: string, extra: unknown[]) => {
  const result = await prisma.result.findUnique({
    where: { id },
    include: { answers: true, answersV2: true },
  });
  if (!result) return [];
  const urls = [...result.answersV2, ...result.answers].map((answer) =>
    'attachedFileUrls' in answer && answer.attachedFileUrls ? answer.attachedFileUrls : undefined,
  );
  const mixed = [...result.answersV2, ...extra].map((item) => item.attachedFileUrls);
  return [urls, mixed];
};
"#;

#[test]
fn rows_of_two_relations_joined_into_one_list_are_rows() {
    let (_dir, result) = scan_files(
        "typebot",
        Framework::Prisma,
        &[("prisma/schema.prisma", ANSWERS_SCHEMA), ("lib/transcript.ts", TRANSCRIPT)],
        ANSWERS_TABLES,
    );
    // The joined rows' field read (line 10); not through a list joined with untyped values
    // (line 12).
    assert_eq!(
        uses_of(&result, "AnswerV2.attachedFileUrls"),
        set(&["lib/transcript.ts:10", "prisma/schema.prisma:19"])
    );
}
