//! Prisma idioms of an app tandem had not seen (postiz): a write's own input object read back
//! after the write, and a React component's props declared through its `FC<…>` type with a
//! model's type, plus a state declared `useState<Model>`; Temporal workflows reading the rows
//! their `proxyActivities<C>(…)` functions answer. Each test also says what is not a
//! reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Signatures {
  id             String  @id
  organizationId String
  content        String
  autoAdd        Boolean
}

model Subscription {
  id            String @id
  period        String
  totalChannels Int
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("Signatures", &["id", "organizationId", "content", "autoAdd"]),
    ("Subscription", &["id", "period", "totalChannels"]),
];

/// An object literal built, handed to an upsert, then read back; a property set on another
/// after it is built is still written; a literal declared as the model's type is a record.
const REPOSITORY: &str = r#"import { Signatures } from '@prisma/client';

export class SignatureRepository {
  constructor(private _signatures: PrismaRepository<'signatures'>) {}

  async save(orgId: string, signature: SignatureDto, id?: string) {
    const values = {
      organizationId: orgId,
      autoAdd: signature.autoAdd,
    };
    const { id: updatedId } = await this._signatures.model.signatures.upsert({
      where: { id },
      update: values,
      create: values,
    });
    if (values.autoAdd) {
      await this._signatures.model.signatures.updateMany({
        where: { organizationId: orgId, id: { not: updatedId } },
        data: { autoAdd: false },
      });
    }
    const data = { organizationId: orgId };
    data.content = signature.content;
    await this._signatures.model.signatures.create({ data });
    const built: Signatures = { content: signature.content };
    return { id: updatedId, content: built.content };
  }
}
"#;

#[test]
fn a_writes_own_input_read_back_is_no_reference() {
    let (_dir, result) = scan_files(
        "sig",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("src/signature.repository.ts", REPOSITORY)],
        TABLES,
    );
    // The key handed to the upsert and the updateMany's data; never `values.autoAdd` (line 16).
    assert_eq!(
        uses_of(&result, "Signatures.autoAdd"),
        set(&["src/signature.repository.ts:9", "src/signature.repository.ts:19", "prisma/schema.prisma:5"])
    );
    // A property assigned on a written object is written; a typed literal's key is read back.
    assert_eq!(
        uses_of(&result, "Signatures.content"),
        set(&[
            "src/signature.repository.ts:23",
            "src/signature.repository.ts:25",
            "src/signature.repository.ts:26",
            "prisma/schema.prisma:4"
        ])
    );
}

/// A component declared `FC<{ sub?: Subscription }>` whose untyped `props` are destructured, a
/// state declared with the model's type, and a component of another props type (a trap).
const BILLING: &str = r#"import { FC, useEffect, useState } from 'react';
import { Subscription } from '@prisma/client';

export const MainBillingComponent: FC<{
  sub?: Subscription;
}> = (props) => {
  const { sub } = props;
  const [subscription, setSubscription] = useState<Subscription | undefined>(sub);
  const [period, setPeriod] = useState<'MONTHLY' | 'YEARLY'>(subscription?.period || 'MONTHLY');
  useEffect(() => {
    if (period !== sub?.period) {
      setPeriod(sub?.period || 'MONTHLY');
    }
  }, [sub]);
  return <div>{sub?.totalChannels}</div>;
};

export const Prices: FC<{ plan: { period: string } }> = (props) => {
  const { plan } = props;
  return <div>{plan.period}</div>;
};
"#;

#[test]
fn fc_props_and_typed_state_hold_a_models_records() {
    let (_dir, result) = scan_files(
        "billing",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("src/billing.tsx", BILLING)],
        TABLES,
    );
    // Never `plan.period` of a hand-written props type (line 20), nor the `period` state.
    assert_eq!(
        uses_of(&result, "Subscription.period"),
        set(&["src/billing.tsx:9", "src/billing.tsx:11", "src/billing.tsx:12", "prisma/schema.prisma:10"])
    );
    assert_eq!(uses_of(&result, "Subscription.totalChannels"), set(&["src/billing.tsx:15", "prisma/schema.prisma:11"]));
}

const TEMPORAL_SCHEMA: &str = r#"model Post {
  id             String      @id
  intervalInDays Int?
  integrationId  String
  integration    Integration @relation(fields: [integrationId], references: [id])
}

model Integration {
  id            String @id
  refreshNeeded Boolean
  posts         Post[]
}
"#;

const TEMPORAL_TABLES: &[(&str, &[&str])] =
    &[("Post", &["id", "intervalInDays", "integrationId"]), ("Integration", &["id", "refreshNeeded"])];

const POSTS_SERVICE: &str = r#"export class PostsService {
  constructor(private _prisma: PrismaService) {}

  async getPosts(id: string) {
    return this._prisma.post.findMany({ where: { id }, include: { integration: true } });
  }
}
"#;

/// An activity class whose method answers the service's rows through an array literal (an
/// app function's result beside an untyped rest).
const POST_ACTIVITY: &str = r#"import { PostsService } from '../posts.service';

function reanchor(post: any) {
  return post;
}

export class PostActivity {
  constructor(private _postService: PostsService) {}

  async getPostsList(orgId: string, postId: string) {
    const posts = await this._postService.getPosts(postId);
    if (!posts.length) {
      return [];
    }
    const [root, ...comments] = posts.map(slim);
    return [reanchor(root), ...comments];
  }
}
"#;

/// A workflow calling activities proxied at the top level and through a local function; a
/// function destructured from anything else is a trap.
const WORKFLOW: &str = r#"import { proxyActivities } from '@temporalio/workflow';
import { PostActivity } from '../activities/post.activity';

const proxyQueue = (taskQueue: string) => {
  return proxyActivities<PostActivity>({ taskQueue });
};

const { getPostsList } = proxyActivities<PostActivity>({ startToCloseTimeout: '10 minute' });
const { load } = helpers();

export async function postWorkflow({ orgId, postId }: { orgId: string; postId: string }) {
  const { getPostsList: getList } = proxyQueue('main');
  const list = await getPostsList(orgId, postId);
  const [item] = list;
  const [other] = await getList(orgId, postId);
  const [loaded] = await load(orgId);
  if (item.integration?.refreshNeeded) {
    return other.intervalInDays;
  }
  const interval = item.intervalInDays;
  return loaded.intervalInDays ?? interval;
}
"#;

#[test]
fn temporal_workflows_read_the_rows_their_proxied_activities_answer() {
    let (_dir, result) = scan_files(
        "temporal",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", TEMPORAL_SCHEMA),
            ("src/posts.service.ts", POSTS_SERVICE),
            ("src/activities/post.activity.ts", POST_ACTIVITY),
            ("src/workflows/post.workflow.ts", WORKFLOW),
        ],
        TEMPORAL_TABLES,
    );
    // Through a relation of an element destructured from the activity's answer.
    assert_eq!(
        uses_of(&result, "Integration.refreshNeeded"),
        set(&["src/workflows/post.workflow.ts:17", "prisma/schema.prisma:10"])
    );
    // Both proxies' answers; not what `helpers()`'s function answers (line 21).
    assert_eq!(
        uses_of(&result, "Post.intervalInDays"),
        set(&["src/workflows/post.workflow.ts:18", "src/workflows/post.workflow.ts:20", "prisma/schema.prisma:3"])
    );
}
