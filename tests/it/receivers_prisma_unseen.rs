//! Prisma idioms of an app tandem had not seen (documenso): zod schemas generated from the
//! models and the app's schemas derived from them, Kysely's `'Table.column'` strings, compound
//! unique keys, an options parameter destructured in the body, a query payload nothing types,
//! an input object assigned to a typed name later. Each test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Envelope {
  id         String         @id
  qrToken    String?
  title      String
  items      EnvelopeItem[]
  recipients Recipient[]
}

model EnvelopeItem {
  id         String   @id
  envelopeId String
  envelope   Envelope @relation(fields: [envelopeId], references: [id])
}

model Recipient {
  id                Int       @id
  envelopeId        String
  email             String
  rejectionReason   String?
  documentDeletedAt DateTime?
  envelope          Envelope  @relation(fields: [envelopeId], references: [id])
}

model Folder {
  id     String  @id
  pinned Boolean
}

model RateLimit {
  key    String
  action String
  bucket DateTime
  count  Int

  @@id([key, action, bucket])
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Envelope", &["id", "qrToken", "title"]),
    ("EnvelopeItem", &["id", "envelopeId"]),
    ("Recipient", &["id", "envelopeId", "email", "rejectionReason", "documentDeletedAt"]),
    ("Folder", &["id", "pinned"]),
    ("RateLimit", &["key", "action", "bucket", "count"]),
];

/// Generated model schemas (a named and a default import), a schema derived from one, and a
/// schema the app writes out itself.
const ZOD_TYPES: &str = r#"import { RecipientSchema } from '@app/prisma/generated/zod/modelSchema/RecipientSchema';
import EnvelopeSchema from '@app/prisma/generated/zod/modelSchema/EnvelopeSchema';
import { z } from 'zod';

export const ZRecipientLiteSchema = RecipientSchema.pick({
  email: true,
  rejectionReason: true,
}).extend({ envelope: EnvelopeSchema.pick({ qrToken: true }) });

export const ZLegacySchema = z.object({ rejectionReason: z.string() });
export const ZLegacyPick = ZLegacySchema.pick({ rejectionReason: true });
"#;

/// A derived schema imported by its package alias and picked again.
const ZOD_USE: &str = r#"import { ZLegacyPick, ZRecipientLiteSchema } from '@app/lib/types/recipient';

export const ZSigningResponse = ZRecipientLiteSchema.pick({ rejectionReason: true });
export const ZOther = ZLegacyPick.omit({ rejectionReason: true });
"#;

const KYSELY: &str = r#"import { kyselyPrisma } from '@app/prisma';

export const find = () =>
  kyselyPrisma.$kysely
    .selectFrom('Envelope')
    .where((eb) => eb('Recipient.documentDeletedAt', 'is', null))
    .select(['Envelope.qrToken as token', 'Envelope.id']);
"#;

const NO_KYSELY: &str = r#"export const label = t('Recipient.documentDeletedAt');
"#;

const RATE_LIMIT: &str = r#"import { prisma } from '@app/prisma';

export const hit = async (key: string, bucket: Date) => {
  await prisma.rateLimit.upsert({
    where: {
      key_action_bucket: {
        key,
        action: 'x',
        bucket,
      },
    },
    create: { key, action: 'x', bucket, count: 1 },
    update: { count: { increment: 1 } },
  });
};
"#;

#[test]
fn generated_zod_schemas_name_their_models_fields() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("lib/types/recipient.ts", ZOD_TYPES), ("lib/signing.ts", ZOD_USE)],
        TABLES,
    );
    // `pick` on a generated schema, on a schema derived from one in the same file and (by its
    // exported name) in another; never on a schema written out with `z.object`.
    assert_eq!(
        uses_of(&result, "Recipient.rejectionReason"),
        set(&["lib/types/recipient.ts:7", "lib/signing.ts:3", "prisma/schema.prisma:19"])
    );
    assert_eq!(uses_of(&result, "Recipient.email"), set(&["lib/types/recipient.ts:6", "prisma/schema.prisma:18"]));
    assert_eq!(uses_of(&result, "Envelope.qrToken"), set(&["lib/types/recipient.ts:8", "prisma/schema.prisma:3"]));
}

#[test]
fn kysely_strings_and_compound_keys_name_columns() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/find.ts", KYSELY),
            ("lib/labels.ts", NO_KYSELY),
            ("lib/rate-limit.ts", RATE_LIMIT),
        ],
        TABLES,
    );
    // In a file that uses Kysely, not a dotted string elsewhere.
    assert_eq!(uses_of(&result, "Recipient.documentDeletedAt"), set(&["lib/find.ts:6", "prisma/schema.prisma:20"]));
    assert_eq!(uses_of(&result, "Envelope.qrToken"), set(&["lib/find.ts:7", "prisma/schema.prisma:3"]));
    // `key_action_bucket` reads each field it joins; the inner keys are the model's own.
    assert_eq!(
        uses_of(&result, "RateLimit.bucket"),
        set(&[
            "lib/rate-limit.ts:6",
            "lib/rate-limit.ts:9",
            "lib/rate-limit.ts:12",
            "prisma/schema.prisma:32",
            "prisma/schema.prisma:35"
        ])
    );
}

/// An options parameter destructured in the body: model-typed properties are records, a
/// property of the app's own type is not what its name suggests.
const CERTIFICATE: &str = r#"import type { Envelope, Recipient } from '@prisma/client';

type Own = { rejectionReason: string | null };
type Options = { envelope: Omit<Envelope, 'title'>; recipients: Recipient[]; recipient: Own };

export const render = (options: Options) => {
  const { envelope, recipients, recipient } = options;
  const reasons = recipients.map((r) => r.rejectionReason);
  return [envelope.qrToken, reasons];
};

export const own = (options: Options) => {
  const { recipient } = options;
  return recipient.rejectionReason;
};
"#;

/// A query's payload that nothing types holds records under a key; another object's key does not.
const FOLDERS: &str = r#"export const FolderGrid = () => {
  const { data: foldersData } = trpc.folder.getFolders.useQuery();
  const pinned = foldersData?.folders.filter((folder) => folder.pinned);
  const basePayload = { recipients: [] };
  const reasons = basePayload.recipients.map((x) => x.rejectionReason);
  return <div>{pinned.length}</div>;
};
"#;

/// An input object assigned to a name declared with a Prisma input type; an untyped one not.
const FILES: &str = r#"import type { Prisma } from '@prisma/client';
import { prisma } from '@app/prisma';

export const get = async (id: string, token: string) => {
  let where: Prisma.EnvelopeItemWhereInput = { id, envelope: { recipients: { some: { email: token } } } };
  if (token.startsWith('qr_')) {
    where = { id, envelope: { qrToken: token } };
  }
  let other = {};
  other = { envelope: { qrToken: token } };
  return prisma.envelopeItem.findFirst({ where });
};
"#;

#[test]
fn options_payloads_and_assigned_inputs_are_typed() {
    let (_dir, result) = scan_files(
        "sign",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("lib/certificate.ts", CERTIFICATE),
            ("app/folder-grid.tsx", FOLDERS),
            ("server/files.ts", FILES),
        ],
        TABLES,
    );
    assert_eq!(
        uses_of(&result, "Recipient.rejectionReason"),
        set(&["lib/certificate.ts:8", "prisma/schema.prisma:19"])
    );
    assert_eq!(
        uses_of(&result, "Envelope.qrToken"),
        set(&["lib/certificate.ts:9", "server/files.ts:7", "prisma/schema.prisma:3"])
    );
    assert_eq!(uses_of(&result, "Folder.pinned"), set(&["app/folder-grid.tsx:3", "prisma/schema.prisma:26"]));
}
