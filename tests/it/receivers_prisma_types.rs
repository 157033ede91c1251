//! Types declared in another module of the app (ghostfolio's `libs/common`): a type alias or an
//! interface exported by one file (`export type UserWithSettings = User & {…}`, `export interface
//! Activity extends Order`, `access: Pick<Access, …>[]`) types the names other files declare with
//! it, through barrels and path aliases (bound by exported name). Each test also says what is not
//! a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model User {
  id            String    @id
  role          String
  authChallenge String?
  thirdPartyId  String?
  accounts      Account[]
  access        Access[]
}

model Access {
  id     String @id
  alias  String?
  userId String
  user   User   @relation(fields: [userId], references: [id])
}

model Account {
  id      String @id
  comment String?
  userId  String
  user    User   @relation(fields: [userId], references: [id])
}

model Order {
  id  String @id
  fee Float
}
"#;

/// A type alias intersecting a model with the app's keys: the model's records, and a key declared
/// with another model's list.
const USER_WITH_SETTINGS: &str = r#"import { Account, User } from '@prisma/client';

export type UserWithSettings = User & {
  accounts: Account[];
  permissions?: string[];
};
"#;

/// Another library's type intersected with a key of the app's type above.
const REQUEST_WITH_USER: &str = r#"import { Request } from 'express';

import { UserWithSettings } from './user-with-settings.type';

export type RequestWithUser = Request & {
  user: UserWithSettings;
};
"#;

/// The barrel files import the types through.
const TYPES_INDEX: &str = r#"export type { RequestWithUser } from './request-with-user.type';
export type { UserWithSettings } from './user-with-settings.type';
"#;

/// An interface of the app's own named like a model: not that model's records (its `role` is
/// its own), but a key declared with a `Pick` of another model.
const USER_INTERFACE: &str = r#"import { Access } from '@prisma/client';

export interface User {
  access: Pick<Access, 'alias' | 'id'>[];
  id: string;
  role: string;
}
"#;

/// An interface extending a model: its records.
const ACTIVITY: &str = r#"import { Order } from '@prisma/client';

export interface Activity extends Order {
  feeInBaseCurrency: number;
}
"#;

/// A few of a model's fields picked beside the app's own, one of which reuses a model's name.
const PORTFOLIO_ORDER: &str = r#"import { Activity } from '@app/common/interfaces';
import Big from 'big.js';

export interface PortfolioOrder extends Pick<Activity, 'id'> {
  fee: Big;
}
"#;

/// An interface of the app's that names no model: a name declared with it still says what it is.
const ACCOUNT_ROW: &str = r#"export interface AccountRow {
  comment: string | null;
  id: string;
}
"#;

/// The files that import them: parameters, a declared object, list callbacks, a class field.
const USER_SERVICE: &str = r#"import { Activity } from '@app/common/interfaces';
import { RequestWithUser, UserWithSettings } from '@app/common/types';

import { AccountRow } from '../account/account-row.interface';
import { PortfolioOrder } from '../portfolio/portfolio-order.interface';

export function hasRole(aUser: UserWithSettings, aRole: string) {
  return aUser?.role === aRole;
}

export function toUser(row: { authChallenge: string; role: string }) {
  const { authChallenge, role } = row;
  const user: UserWithSettings = {
    authChallenge,
    role,
    thirdPartyId: null,
    permissions: []
  };
  return user;
}

export function fees(activities: Activity[], items: PortfolioOrder[]) {
  const paid = activities.map((a) => a.fee);
  const planned = items.map((i) => i.fee);
  return [paid, planned];
}

export function drafts(rows: (Partial<Activity> & Pick<Activity, 'id'>)[], account: AccountRow) {
  const fees = rows.map((d) => d.fee);
  return [fees, account.comment];
}

export class UserController {
  public constructor(private readonly request: RequestWithUser) {}

  public role() {
    const comments = this.request.user.accounts.map((a) => a.comment);
    return [this.request.user.role, this.request.user.thirdPartyId, comments];
  }
}
"#;

const ACCOUNT_COMPONENT: &str = r#"import { User } from '@app/common/interfaces';

export class AccountComponent {
  public user: User;

  public aliases() {
    return this.user.access.map((a) => a.alias);
  }

  public role() {
    return this.user.role;
  }
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("User", &["id", "role", "authChallenge", "thirdPartyId"]),
    ("Access", &["id", "alias", "userId"]),
    ("Account", &["id", "comment", "userId"]),
    ("Order", &["id", "fee"]),
];

#[test]
fn types_exported_by_another_module() {
    let (_dir, result) = scan_files(
        "types",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("libs/common/src/types/user-with-settings.type.ts", USER_WITH_SETTINGS),
            ("libs/common/src/types/request-with-user.type.ts", REQUEST_WITH_USER),
            ("libs/common/src/types/index.ts", TYPES_INDEX),
            ("libs/common/src/interfaces/user.interface.ts", USER_INTERFACE),
            ("libs/common/src/interfaces/activity.interface.ts", ACTIVITY),
            ("apps/api/src/portfolio/portfolio-order.interface.ts", PORTFOLIO_ORDER),
            ("apps/api/src/account/account-row.interface.ts", ACCOUNT_ROW),
            ("apps/api/src/user/user.service.ts", USER_SERVICE),
            ("apps/client/src/account/account.component.ts", ACCOUNT_COMPONENT),
        ],
        TABLES,
    );
    // A parameter, a declared object's copied key, a class field's key of the alias; not the
    // app's own interface's `role` that shares the model's name, nor the row's object type.
    assert_eq!(
        uses_of(&result, "User.role"),
        set(&[
            "apps/api/src/user/user.service.ts:8",
            "apps/api/src/user/user.service.ts:15",
            "apps/api/src/user/user.service.ts:38",
            "prisma/schema.prisma:3"
        ])
    );
    assert_eq!(
        uses_of(&result, "User.authChallenge"),
        set(&["apps/api/src/user/user.service.ts:14", "prisma/schema.prisma:4"])
    );
    // A declared object's literal is a default of the shape, not the record's field.
    assert_eq!(
        uses_of(&result, "User.thirdPartyId"),
        set(&["apps/api/src/user/user.service.ts:38", "prisma/schema.prisma:5"])
    );
    // An interface extending the model; not one picking a field and declaring its own `fee`, nor
    // a partial of the app's type (a record being built).
    assert_eq!(
        uses_of(&result, "Order.fee"),
        set(&["apps/api/src/user/user.service.ts:23", "prisma/schema.prisma:26"])
    );
    // A key of the alias declared with another model's list, through a key of another alias; a
    // name declared with a type of the app's that binds nothing says what it is.
    assert_eq!(
        uses_of(&result, "Account.comment"),
        set(&[
            "apps/api/src/user/user.service.ts:30",
            "apps/api/src/user/user.service.ts:37",
            "prisma/schema.prisma:19",
        ])
    );
    // A key of the app's interface declared with a `Pick` of a model, read on a class field.
    assert_eq!(
        uses_of(&result, "Access.alias"),
        set(&["apps/client/src/account/account.component.ts:7", "prisma/schema.prisma:12"])
    );
}
