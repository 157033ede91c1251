//! Prisma in a Next.js app whose pages read rows through its own API routes (papermark): what a
//! `pages/api` or App Router handler answers with `res.json(…)` types what a page's
//! `useSWR(`/api/…`)` gets, through the app's hooks that return it. Each test also says what is
//! not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Team {
  id       String    @id
  plan     String
  timezone String
  pausedAt DateTime?
}

model Webhook {
  id     String @id
  teamId String
  secret String
}
"#;

const TABLES: &[(&str, &[&str])] =
    &[("Team", &["id", "plan", "timezone", "pausedAt"]), ("Webhook", &["id", "teamId", "secret"])];

/// A pages-router handler answering a row, and writing an update object built apart.
const SETTINGS_ROUTE: &str = r#"import prisma from "@/lib/prisma";

export default async function handler(req, res) {
  const { teamId } = req.query as { teamId: string };
  if (req.method === "GET") {
    const teamSettings = await prisma.team.findUnique({
      where: { id: teamId },
      select: { timezone: true },
    });
    return res.status(200).json(teamSettings);
  }
  const { timezone } = req.body;
  const updateData: { timezone?: string } = {};
  if (timezone !== undefined) {
    updateData.timezone = timezone;
  }
  const other: { timezone?: string } = {};
  other.timezone = timezone;
  await prisma.team.update({ where: { id: teamId }, data: updateData });
  return res.status(200).json({ ok: true });
}
"#;

/// A handler answering an object that copies a row's fields under their own names.
const PLAN_ROUTE: &str = r#"import prisma from "@/lib/prisma";

export default async function handler(req, res) {
  const team = await prisma.team.findUnique({ where: { id: req.query.teamId } });
  if (!team) {
    return res.status(404).json({ error: "Team not found" });
  }
  return res.status(200).json({
    plan: team.plan,
    pausedAt: team.pausedAt,
    isPaused: false,
  });
}
"#;

/// An App Router handler (in a route group) answering rows.
const WEBHOOKS_ROUTE: &str = r#"import { NextResponse } from "next/server";
import prisma from "@/lib/prisma";

export async function GET(req, { params }) {
  const webhooks = await prisma.webhook.findMany({ where: { teamId: params.teamId } });
  return NextResponse.json(webhooks);
}

export async function POST(req, { params }) {
  const { secret: signing, url } = await req.json();
  const webhook = await prisma.webhook.create({ data: { secret: signing, teamId: params.teamId } });
  return NextResponse.json(webhook);
}
"#;

/// A handler that answers no row.
const TIME_ROUTE: &str = r#"export default function handler(req, res) {
  return res.status(200).json({ timezone: "Etc/UTC" });
}
"#;

/// The app's SWR hooks: the data under a key of what they return.
const HOOKS: &str = r#"import useSWR from "swr";

interface TeamSettings {
  timezone: string;
}

export function useTeamSettings(teamId: string) {
  const { data, error } = useSWR<TeamSettings>(teamId ? `/api/teams/${teamId}/settings` : null, fetcher);
  return { settings: data, loading: !data && !error };
}

export function usePlan(teamId: string, withDiscount: boolean) {
  const { data: plan } = useSWR<any>(
    `/api/teams/${teamId}/billing/plan${withDiscount ? "?withDiscount=true" : ""}`,
    fetcher,
  );
  return { pausedAt: plan?.pausedAt };
}

export function useTime() {
  const { data: time } = useSWR("/api/time", fetcher);
  const { data: unknown } = useSWR(`/api/teams/${teamId}/other`, fetcher);
  return [time?.timezone, unknown?.timezone];
}

export async function save(teamId: string, timezone: string, plan: string, secret: string) {
  await fetch(`/api/teams/${teamId}/settings`, { method: "PATCH", body: JSON.stringify({ timezone, plan }) });
  await fetch(`/api/teams/${teamId}/other`, { method: "PATCH", body: JSON.stringify({ timezone }) });
  const payload = { secret, url: "https://example.com" };
  await fetch(`/api/teams/${teamId}/webhooks`, { method: "POST", body: JSON.stringify(payload) });
}
"#;

/// A component reading what a hook returns, and a page reading an App Router route's rows.
const SELECTOR: &str = r#"import { useTeamSettings } from "@/lib/swr/use-team-settings";

export function TimezoneSelector({ teamId }) {
  const { settings: teamSettings } = useTeamSettings(teamId);
  const [timezone] = useState(teamSettings?.timezone);
  return <div>{timezone}</div>;
}

export function WebhookList({ teamId }) {
  const { data: hooks } = useSWR(`${base}/api/teams/${teamId}/webhooks`, fetcher);
  return <ul>{hooks?.map((h) => <li key={h.id}>{h.secret}</li>)}</ul>;
}
"#;

#[test]
fn api_routes_answer_what_pages_fetch() {
    let (_dir, result) = scan_files(
        "routes",
        Framework::Prisma,
        &[
            ("prisma/schema/schema.prisma", SCHEMA),
            ("pages/api/teams/[teamId]/settings.ts", SETTINGS_ROUTE),
            ("pages/api/teams/[teamId]/billing/plan.ts", PLAN_ROUTE),
            ("app/(ee)/api/teams/[teamId]/webhooks/route.ts", WEBHOOKS_ROUTE),
            ("pages/api/time.ts", TIME_ROUTE),
            ("lib/swr/use-team-settings.ts", HOOKS),
            ("components/settings/timezone-selector.tsx", SELECTOR),
        ],
        TABLES,
    );
    // The route's row read in the component through the hook; the update object set apart and
    // passed as `data`; not `other`, nor the answer of a route that answers no row, nor a URL no
    // route answers.
    assert_eq!(
        uses_of(&result, "Team.timezone"),
        set(&[
            "pages/api/teams/[teamId]/settings.ts:8",
            "pages/api/teams/[teamId]/settings.ts:15",
            "lib/swr/use-team-settings.ts:27",
            "components/settings/timezone-selector.tsx:5",
            "prisma/schema/schema.prisma:4",
        ])
    );
    // A copy of the row's fields answered, read with a query suffix in the URL.
    assert_eq!(
        uses_of(&result, "Team.pausedAt"),
        set(&[
            "pages/api/teams/[teamId]/billing/plan.ts:10",
            "lib/swr/use-team-settings.ts:17",
            "prisma/schema/schema.prisma:5",
        ])
    );
    // A key posted to a route that writes it from the body under its own name (renamed in the
    // handler's destructuring, or set on the update object): not a key the handler does not write
    // (`plan`), nor what is posted to a URL no route answers.
    assert_eq!(
        uses_of(&result, "Webhook.secret"),
        set(&[
            "app/(ee)/api/teams/[teamId]/webhooks/route.ts:11",
            "components/settings/timezone-selector.tsx:11",
            "lib/swr/use-team-settings.ts:29",
            "prisma/schema/schema.prisma:11",
        ])
    );
    assert_eq!(
        uses_of(&result, "Team.plan"),
        set(&["pages/api/teams/[teamId]/billing/plan.ts:9", "prisma/schema/schema.prisma:3"])
    );
}
