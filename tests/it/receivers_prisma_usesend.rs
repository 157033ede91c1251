//! Prisma idioms of apps tandem had not seen (useSend, postiz's Temporal worker): a parameter
//! named like a model but declared with a hand-written input type; rows of a tRPC answer mapped
//! in JSX (a router keyed by another name than its variable's, a query refetched); answers of a
//! service class's static methods and of a module imported whole; keyed arguments to a writer
//! that destructures them (conditional spreads, an upsert's `create`/`update`, a static method
//! destructuring `params` in its body, an import alias); Temporal activities proxied by
//! `proxyActivities<C>(…)`. Each test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Contact {
  id         String  @id
  email      String
  subscribed Boolean
}

model Chat {
  id            String    @id
  lastMessageAt DateTime?
}

model ApiKey {
  id         Int    @id
  permission String
}

model ContactBook {
  id    String @id
  emoji String
}

model WebhookCall {
  id      String @id
  attempt Int
}

model SuppressionList {
  id     String @id
  email  String
  source String
}

model Campaign {
  id        String @id
  status    String
  batchSize Int
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Contact", &["id", "email", "subscribed"]),
    ("Chat", &["id", "lastMessageAt"]),
    ("ApiKey", &["id", "permission"]),
    ("ContactBook", &["id", "emoji"]),
    ("WebhookCall", &["id", "attempt"]),
    ("SuppressionList", &["id", "email", "source"]),
    ("Campaign", &["id", "status", "batchSize"]),
];

/// Parameters declared with the file's own input type (whole, `Partial<…>`) are the caller's
/// input, not rows; one declared with a local type called as the model is the app's shape of
/// its rows; an untyped one is what its name says.
const CONTACT_SERVICE: &str = r#"import { db } from '../db';

export type ContactInput = {
  email: string;
  subscribed?: boolean;
};

interface Chat {
  id: string;
  lastMessageAt: string | null;
}

export async function addOrUpdateContact(contactBookId: string, contact: ContactInput) {
  const unsubscribe = contact.subscribed === false;
  return db.contact.upsert({
    where: { email: contact.email },
    create: { email: contact.email, subscribed: true },
    update: { subscribed: unsubscribe ? false : undefined },
  });
}

export async function updateContact(id: string, contact: Partial<ContactInput>) {
  return contact.subscribed ? 'on' : 'off';
}

export function shown(chat: Chat, contact) {
  return [chat.lastMessageAt, contact.subscribed];
}
"#;

#[test]
fn a_hand_written_input_type_wins_over_the_parameters_name() {
    let (_dir, result) = scan_files(
        "inputs",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("src/contact-service.ts", CONTACT_SERVICE)],
        TABLES,
    );
    // The upsert's keys and the untyped `contact`; never `contact.subscribed` of a
    // `ContactInput` (line 14) or of a `Partial<ContactInput>` (line 23).
    assert_eq!(
        uses_of(&result, "Contact.subscribed"),
        set(&[
            "src/contact-service.ts:17",
            "src/contact-service.ts:18",
            "src/contact-service.ts:27",
            "prisma/schema.prisma:4"
        ])
    );
    // `chat: Chat` of a local interface called as the model.
    assert_eq!(uses_of(&result, "Chat.lastMessageAt"), set(&["src/contact-service.ts:27", "prisma/schema.prisma:9"]));
}

/// Services: module functions (imported whole by the router) and a class of static methods.
const BOOK_SERVICE: &str = r#"import { db } from '../db';

export async function getContactBooks(teamId: number) {
  return db.contactBook.findMany({ where: { id: String(teamId) } });
}
"#;

const WEBHOOK_SERVICE: &str = r#"import { db } from '../db';

export class WebhookService {
  public static async getWebhookCall(id: string) {
    const call = await db.webhookCall.findUnique({ where: { id } });
    return call;
  }

  static async getSuppressionList(teamId: number) {
    const [suppressions, total] = await Promise.all([
      db.suppressionList.findMany({ where: { email: String(teamId) } }),
      db.suppressionList.count(),
    ]);
    return { suppressions, total };
  }
}
"#;

/// Routers: one held in `apiRouter` keyed `apiKey` by the app router; procedures answering a
/// namespace import's function and a static method's result.
const ROUTERS: &str = r#"import { createTRPCRouter, teamProcedure } from '../trpc';
import * as contactBookService from '../service/contact-book-service';
import { WebhookService } from '../service/webhook-service';

export const apiRouter = createTRPCRouter({
  getApiKeys: teamProcedure.query(async ({ ctx }) => {
    const keys = await ctx.db.apiKey.findMany({ where: { id: 1 } });
    return keys;
  }),
});

export const contactsRouter = createTRPCRouter({
  getContactBooks: teamProcedure.query(async ({ ctx }) => {
    return contactBookService.getContactBooks(ctx.team.id);
  }),
});

export const webhookRouter = createTRPCRouter({
  getCall: teamProcedure.query(async ({ input }) => {
    return WebhookService.getWebhookCall(input.id);
  }),
  list: teamProcedure.query(async ({ ctx }) => {
    const result = await WebhookService.getSuppressionList(ctx.team.id);
    return result.suppressions.map((suppression) => ({ source: suppression.source }));
  }),
});

export const appRouter = createTRPCRouter({
  apiKey: apiRouter,
  contacts: contactsRouter,
  webhook: webhookRouter,
});
"#;

/// The client: answers mapped in JSX, refetched, held in a local; a plain react-query's
/// refetch and an untyped list are traps.
const PAGE: &str = r#"import { api } from '~/trpc/react';

export default function Page() {
  const apiKeysQuery = api.apiKey.getApiKeys.useQuery();
  const booksQuery = api.contacts.getContactBooks.useQuery({});
  const callQuery = api.webhook.getCall.useQuery({ id: '1' });
  const plain = useQuery({ queryKey: ['x'] });
  const exportCsv = async () => {
    const result = await apiKeysQuery.refetch();
    const other = await plain.refetch();
    const rows = result.data.map((k) => k.permission);
    return [rows, other.data.map((k) => k.permission)];
  };
  const call = callQuery.data;
  return (
    <div onClick={exportCsv}>
      {apiKeysQuery.data?.map((key) => <p>{key.permission}</p>)}
      {booksQuery.data?.map((book) => <p>{book.emoji}</p>)}
      {[{ emoji: 'x' }].map((item) => <p>{item.emoji}</p>)}
      <p>{call?.attempt}</p>
    </div>
  );
}
"#;

#[test]
fn trpc_answers_of_routers_keyed_otherwise_and_of_static_methods_reach_the_client() {
    let (_dir, result) = scan_files(
        "answers",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/service/contact-book-service.ts", BOOK_SERVICE),
            ("src/service/webhook-service.ts", WEBHOOK_SERVICE),
            ("src/routers.ts", ROUTERS),
            ("src/app/page.tsx", PAGE),
        ],
        TABLES,
    );
    // The refetched result's rows and the rows mapped in JSX; not a plain query's refetch.
    assert_eq!(
        uses_of(&result, "ApiKey.permission"),
        set(&["src/app/page.tsx:11", "src/app/page.tsx:17", "prisma/schema.prisma:14"])
    );
    // Through a namespace import's function; not an untyped list's element.
    assert_eq!(uses_of(&result, "ContactBook.emoji"), set(&["src/app/page.tsx:18", "prisma/schema.prisma:19"]));
    // A static method's answer held in a local.
    assert_eq!(uses_of(&result, "WebhookCall.attempt"), set(&["src/app/page.tsx:20", "prisma/schema.prisma:24"]));
    // A static method's `{ suppressions }` mapped on the server.
    assert_eq!(uses_of(&result, "SuppressionList.source"), set(&["src/routers.ts:24", "prisma/schema.prisma:30"]));
}

/// A writer destructuring its object parameter (a key renamed) and writing one key only when set;
/// a class's static method destructuring `params` in its body before an upsert.
const WRITERS: &str = r#"import { db } from '../db';

export async function scheduleCampaign({
  campaignId,
  scheduledAt: scheduledAtInput,
  batchSize,
  dryRun,
}: {
  campaignId: string;
  scheduledAt?: Date;
  batchSize?: number;
  dryRun?: boolean;
}) {
  if (dryRun) return;
  await db.campaign.update({
    where: { id: campaignId },
    data: {
      status: 'SCHEDULED',
      ...(batchSize ? { batchSize } : {}),
    },
  });
}

export class SuppressionService {
  static async addSuppression(params: { email: string; source?: string; note?: string }) {
    const { email, source, note } = params;
    return db.suppressionList.upsert({
      where: { email },
      create: { email, source },
      update: { source },
    });
  }
}
"#;

/// Callers: by the function's name, by an import alias, through a namespace import, and a
/// static method; keys the callee does not write are traps.
const CALLERS: &str = r#"import { scheduleCampaign as scheduleService } from './service/writers';
import * as writers from './service/writers';
import { SuppressionService } from './service/writers';

export async function handle(body) {
  await scheduleService({ campaignId: body.id, batchSize: body.batchSize, dryRun: false });
  await writers.scheduleCampaign({ campaignId: body.id, batchSize: 10 });
  await SuppressionService.addSuppression({ email: body.email, source: body.id, note: 'x' });
  const other = { source: body.id, batchSize: 1 };
  return other;
}
"#;

#[test]
fn keyed_arguments_a_callee_destructures_and_writes() {
    let (_dir, result) = scan_files(
        "writers",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("src/service/writers.ts", WRITERS), ("src/callers.ts", CALLERS)],
        TABLES,
    );
    // The conditional spread's key and the callers' keys (aliased, namespaced); not a literal
    // handed to nobody.
    assert_eq!(
        uses_of(&result, "Campaign.batchSize"),
        set(&["src/service/writers.ts:19", "src/callers.ts:6", "src/callers.ts:7", "prisma/schema.prisma:36"])
    );
    // The static method's upsert and its caller's key; not the local literal's.
    assert_eq!(
        uses_of(&result, "SuppressionList.source"),
        set(&["src/service/writers.ts:29", "src/service/writers.ts:30", "src/callers.ts:8", "prisma/schema.prisma:30"])
    );
}
