//! Values the app's functions take positionally (hoppscotch's NestJS services): a method's
//! parameter written or filtered under a column's key (`addMember(teamID, uid, role)` →
//! `data: { role }`) is the column where the callee names it, not at its callers (a value
//! handed on is no more the column than a local named like it: the line a drop breaks is the
//! callee's); block-scoped names (`const env` in two `if` blocks) are two names; a named
//! compound unique key names its columns as the default name does. Each test also says what
//! is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model TeamMember {
  id     String @id
  teamID String
  role   String
  team   Team   @relation(fields: [teamID], references: [id])
}

model Team {
  id   String @id
  name String
  members TeamMember[]
}

model TeamEnvironment {
  id        String @id
  variables Json
}

model UserEnvironment {
  id        String @id
  variables Json
}

model Token {
  id       String @id
  deviceId String
  token    String
  label    String

  @@unique([deviceId, token], name: "device_tokens")
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("TeamMember", &["id", "teamID", "role"]),
    ("Team", &["id", "name"]),
    ("TeamEnvironment", &["id", "variables"]),
    ("UserEnvironment", &["id", "variables"]),
    ("Token", &["id", "deviceId", "token", "label"]),
];

const TEAM_SERVICE: &str = r#"import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class TeamService {
  constructor(private readonly prisma: PrismaService) {}

  async addMemberToTeam(teamID: string, uid: string, role: string) {
    return this.prisma.teamMember.create({
      data: { teamID, id: uid, role: role },
    });
  }

  async countWithRole(teamID: string, role: string | null) {
    return this.prisma.teamMember.count({ where: { teamID, role: role ?? undefined } });
  }

  async renameTeam(teamID: string, name: string, role: string) {
    if (role === 'OWNER') console.log(name);
    return this.prisma.team.update({
      where: { id: teamID },
      data: { members: { connect: { id: name } } },
    });
  }

  async setVariables(id: string, variables: string) {
    return this.prisma.teamEnvironment.update({
      where: { id },
      data: { variables: JSON.parse(variables) },
    });
  }
}
"#;

const ADMIN_SERVICE: &str = r#"import { Injectable } from '@nestjs/common';
import { TeamService } from '../team/team.service';

@Injectable()
export class AdminService {
  constructor(private readonly teamService: TeamService) {}

  async addUserToTeam(uid: string, teamID: string, newRole: string) {
    return this.teamService.addMemberToTeam(teamID, uid, newRole);
  }
}
"#;

const RESOLVER: &str = r#"import { AdminService } from './admin.service';
import { TeamService } from '../team/team.service';

export class AdminResolver {
  constructor(
    private readonly adminService: AdminService,
    private readonly teamService: TeamService,
  ) {}

  async addToTeam(args: { uid: string; teamID: string; role: string }) {
    return this.adminService.addUserToTeam(
      args.uid,
      args.teamID,
      args.role,
    );
  }

  async owners(team: { id: string }, active: boolean) {
    const owners = await this.teamService.countWithRole(team.id, 'OWNER');
    const any = await this.teamService.countWithRole(team.id, null);
    const either = await this.teamService.countWithRole(
      team.id,
      active
        ? 'EDITOR'
        : 'VIEWER',
    );
    await this.teamService.renameTeam(team.id, 'title', 'OWNER');
    await this.teamService.setVariables(team.id, '{}');
    return owners + any + either;
  }
}
"#;

/// Two `const env` in sibling blocks, each a different model's row.
const ENVIRONMENTS: &str = r#"import { PrismaService } from '../prisma/prisma.service';

export class EnvironmentService {
  constructor(private readonly prisma: PrismaService) {}

  async fetch(kind: string, id: string) {
    if (kind === 'TEAM') {
      const env = await this.prisma.teamEnvironment.findUnique({ where: { id } });
      return { variables: env.variables };
    }
    if (kind === 'USER') {
      const env = await this.prisma.userEnvironment.findUnique({ where: { id } });
      return { variables: env.variables };
    }
    return null;
  }

  async legacy(kind: string, id: string) {
    if (kind === 'TEAM') {
      var row = await this.prisma.teamEnvironment.findUnique({ where: { id } });
    }
    return row.variables;
  }
}
"#;

const TOKENS: &str = r#"import { PrismaService } from '../prisma/prisma.service';

export class TokenService {
  constructor(private readonly prisma: PrismaService) {}

  async find(input: { deviceId: string; token: string }) {
    return this.prisma.token.findUnique({
      where: {
        device_tokens: {
          deviceId: input.deviceId,
          token: input.token,
        },
      },
    });
  }

  async create(label: string) {
    return this.prisma.token.create({ data: { label } });
  }
}
"#;

const TOKEN_RESOLVER: &str = r#"import { TokenService } from './token.service';

export class TokenResolver {
  constructor(private readonly tokenService: TokenService) {}

  async create(title: string) {
    return this.tokenService.create(title);
  }
}
"#;

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    scan_files(
        "values",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/team/team.service.ts", TEAM_SERVICE),
            ("src/admin/admin.service.ts", ADMIN_SERVICE),
            ("src/admin/admin.resolver.ts", RESOLVER),
            ("src/env/environment.service.ts", ENVIRONMENTS),
            ("src/token/token.service.ts", TOKENS),
            ("src/token/token.resolver.ts", TOKEN_RESOLVER),
        ],
        TABLES,
    )
}

/// Every line a reference to `object` is reported on, at any confidence.
fn any_uses_of(result: &tandem::scan::ScanResult, object: &str) -> std::collections::BTreeSet<String> {
    result
        .references
        .iter()
        .filter(|r| r.object.to_string() == object)
        .map(|r| format!("{}:{}", r.path, r.line))
        .collect()
}

#[test]
fn positional_values_are_the_column_in_the_callee_only() {
    let (_dir, result) = scan();
    // The key in the callee at medium and up; not a caller's argument at that position
    // (`addMemberToTeam(teamID, uid, newRole)`, `countWithRole(team.id, 'OWNER')`), directly
    // or through a method that passes it on, nor a parameter only compared (`renameTeam`'s
    // `role`), nor the declaration.
    assert_eq!(
        uses_of(&result, "TeamMember.role"),
        set(&["prisma/schema.prisma:4", "src/team/team.service.ts:10", "src/team/team.service.ts:15"])
    );
    for caller in ["src/admin/admin.service.ts:9", "src/admin/admin.resolver.ts:19", "src/admin/admin.resolver.ts:24"] {
        assert!(!any_uses_of(&result, "TeamMember.role").contains(caller), "{caller}");
    }
    // Written under another key than the parameter's name (`id: uid`); a relation's nested
    // write names the members' `id` (line 22); a caller's `uid` is no key of the model.
    assert_eq!(
        uses_of(&result, "TeamMember.id"),
        set(&["prisma/schema.prisma:2", "src/team/team.service.ts:10", "src/team/team.service.ts:22"])
    );
    assert!(!any_uses_of(&result, "TeamMember.id").contains("src/admin/admin.service.ts:9"));
    assert_eq!(uses_of(&result, "Team.name"), set(&["prisma/schema.prisma:10"]));
    // Written parsed (`JSON.parse(variables)`), in the callee only.
    assert!(uses_of(&result, "TeamEnvironment.variables").contains("src/team/team.service.ts:29"));
    assert!(!any_uses_of(&result, "TeamEnvironment.variables").contains("src/admin/admin.resolver.ts:28"));
    // A service's method named like a client's (`this.tokenService.create(title)`): the
    // service's write only.
    assert_eq!(uses_of(&result, "Token.label"), set(&["prisma/schema.prisma:28", "src/token/token.service.ts:18"]));
    assert!(!any_uses_of(&result, "Token.label").contains("src/token/token.resolver.ts:7"));
}

#[test]
fn block_scoped_names_are_one_per_block() {
    let (_dir, result) = scan();
    // `const env` in two `if` blocks: each its own model's row; a `var` is the function's.
    assert_eq!(
        uses_of(&result, "TeamEnvironment.variables"),
        set(&[
            "prisma/schema.prisma:16",
            "src/team/team.service.ts:29",
            "src/env/environment.service.ts:9",
            "src/env/environment.service.ts:22",
        ])
    );
    assert_eq!(
        uses_of(&result, "UserEnvironment.variables"),
        set(&["prisma/schema.prisma:21", "src/env/environment.service.ts:13"])
    );
}

#[test]
fn named_compound_unique_keys() {
    let (_dir, result) = scan();
    // `device_tokens: { deviceId, token }` names both columns, as `deviceId_token` would; each
    // key under it is the model's own.
    assert_eq!(
        uses_of(&result, "Token.deviceId"),
        set(&[
            "prisma/schema.prisma:26",
            "prisma/schema.prisma:30",
            "src/token/token.service.ts:9",
            "src/token/token.service.ts:10",
        ])
    );
    assert_eq!(
        uses_of(&result, "Token.token"),
        set(&[
            "prisma/schema.prisma:27",
            "prisma/schema.prisma:30",
            "src/token/token.service.ts:9",
            "src/token/token.service.ts:11",
        ])
    );
}

/// A code-first GraphQL module: object classes, one a service builds from rows, one it builds
/// from no row, and an input class.
const TEAM_MODEL: &str = r#"import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class TeamMember {
  @Field(() => ID)
  membershipID: string;

  @Field()
  role: string;

  secret: string;
}

@ObjectType()
export class TeamSummary {
  @Field()
  role: string;
}

@InputType()
export class TeamMemberInput {
  @Field()
  role: string;
}
"#;

const MEMBER_SERVICE: &str = r#"import { PrismaService } from '../prisma/prisma.service';
import { TeamMember, TeamSummary } from './team.model';

export class MemberService {
  constructor(private readonly prisma: PrismaService) {}

  async getMember(id: string): Promise<TeamMember | null> {
    const row = await this.prisma.teamMember.findUnique({ where: { id } });
    if (!row) return null;
    return <TeamMember>{
      membershipID: row.id,
      role: row.role,
    };
  }

  summary(role: string): TeamSummary {
    return { role };
  }
}
"#;

const ROLE_GUARD: &str = r#"import { MemberService } from './member.service';

export class RoleGuard {
  constructor(private readonly memberService: MemberService) {}

  async canActivate(id: string, summary: { role: string }) {
    const member = await this.memberService.getMember(id);
    return member.role === 'OWNER' && summary.role === 'OWNER';
  }
}
"#;

#[test]
fn graphql_object_classes_built_from_rows() {
    let (_dir, result) = scan_files(
        "objects",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/team/team.model.ts", TEAM_MODEL),
            ("src/team/member.service.ts", MEMBER_SERVICE),
            ("src/team/role.guard.ts", ROLE_GUARD),
        ],
        TABLES,
    );
    // The `@Field` of the class a service builds from the model's rows (`<TeamMember>{ role:
    // row.role }`), and what a name holding the method's answer reads; not a class built from
    // no row (`TeamSummary`), nor an input class, nor a field GraphQL does not expose (`secret`),
    // nor an object of a declared shape (`summary.role`).
    assert_eq!(
        uses_of(&result, "TeamMember.role"),
        set(&[
            "prisma/schema.prisma:4",
            "src/team/team.model.ts:9",
            "src/team/member.service.ts:12",
            "src/team/role.guard.ts:8",
        ])
    );
    // The class's field of another name is no column, nor the caller's positional `id` (see
    // `positional_values_are_the_column_in_the_callee_only`).
    assert!(!any_uses_of(&result, "TeamMember.id").contains("src/team/role.guard.ts:7"));
    assert_eq!(
        uses_of(&result, "TeamMember.id"),
        set(&["prisma/schema.prisma:2", "src/team/member.service.ts:8", "src/team/member.service.ts:11"])
    );
}
