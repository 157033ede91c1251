//! Angular component templates over a NestJS + Prisma API (ghostfolio's client): a component's
//! fields are typed by their declarations (`input.required<User>()`, `new
//! MatTableDataSource<AdminUser>()`, types from the app's shared library), and its template
//! (`templateUrl`) reads them in interpolations, bound attributes and control-flow blocks, through
//! the names it declares (`@for (item of list; …)`, a table cell's `let element`). Each test also
//! says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model User {
  id            String         @id
  role          String
  access        Access[]
  subscriptions Subscription[]
}

model Access {
  id     String  @id
  alias  String?
  userId String
  user   User    @relation(fields: [userId], references: [id])
}

model Subscription {
  id        String   @id
  expiresAt DateTime
  userId    String
  user      User     @relation(fields: [userId], references: [id])
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("User", &["id", "role"]),
    ("Access", &["id", "alias", "userId"]),
    ("Subscription", &["id", "expiresAt", "userId"]),
];

/// The shared library's interfaces: the client's user (its own keys, one a `Pick` of a model),
/// an admin's row of a user (a key declared with a model) and the answer listing them.
const INTERFACES: &str = r#"import { Access, Subscription } from '@prisma/client';

export interface User {
  access: Pick<Access, 'alias' | 'id'>[];
  id: string;
  role: string;
}

export interface AdminUser {
  id: string;
  role: string;
  subscription?: Subscription;
}

export interface AdminUsersResponse {
  count: number;
  users: AdminUser[];
}
"#;

const HEADER_TS: &str = r#"import { Component, input } from '@angular/core';
import { User } from '@app/common/interfaces';

@Component({
  selector: 'gf-header',
  templateUrl: './header.component.html'
})
export class HeaderComponent {
  public readonly user = input.required<User | undefined>();
  public alias = 'me';
}
"#;

/// A signal input's list in `@for`; a field that is no record; a pipe after a read.
const HEADER_HTML: &str = r#"<nav>
  @for (accessItem of user()?.access; track accessItem.id) {
    @if (accessItem.alias) {
      <span>{{ accessItem.alias | uppercase }}</span>
    }
  }
  <span [title]="alias.length">{{ user()?.role }}</span>
  <p>The alias of a user.role is read</p>
</nav>
"#;

const ADMIN_TS: &str = r#"import { Component } from '@angular/core';
import { MatTableDataSource } from '@angular/material/table';
import { AdminUsersResponse } from '@app/common/interfaces';

@Component({
  selector: 'gf-admin-users',
  templateUrl: './admin-users.html'
})
export class AdminUsersComponent {
  protected dataSource = new MatTableDataSource<AdminUsersResponse['users'][0]>();
}
"#;

/// A table's cells over the data source's rows; another component's input named like it.
const ADMIN_HTML: &str = r#"<table mat-table [dataSource]="dataSource">
  <ng-container matColumnDef="user">
    <td *matCellDef="let element" mat-cell>
      <span [class.inactive]="element.role === 'INACTIVE'">{{ element.id }}</span>
      @if (element.subscription?.expiresAt) {
        <span title="Expires {{ format(element.subscription.expiresAt) }}"></span>
      }
      <gf-badge [dataSource]="element.subscription"></gf-badge>
    </td>
  </ng-container>
  <ng-container matColumnDef="expires">
    <td *matCellDef="let element" mat-cell>{{ element.subscription?.expiresAt }}</td>
  </ng-container>
</table>
"#;

/// A table's data source given as a signal input.
const ACTIVITIES_TS: &str = r#"import { Component, input } from '@angular/core';
import { MatTableDataSource } from '@angular/material/table';
import { AdminUser } from '@app/common/interfaces';

@Component({
  selector: 'gf-activities-table',
  templateUrl: './activities-table.component.html'
})
export class ActivitiesTableComponent {
  public readonly dataSource = input.required<MatTableDataSource<AdminUser> | undefined>();
}
"#;

const ACTIVITIES_HTML: &str = r#"<table mat-table [dataSource]="dataSource()">
  <td *matCellDef="let element" mat-cell>{{ element.subscription?.expiresAt | date }}</td>
</table>
"#;

#[test]
fn templates_read_their_components_fields() {
    let (_dir, result) = scan_files(
        "angular",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("libs/common/src/interfaces/interfaces.ts", INTERFACES),
            ("apps/client/src/header/header.component.ts", HEADER_TS),
            ("apps/client/src/header/header.component.html", HEADER_HTML),
            ("apps/client/src/admin/admin-users.component.ts", ADMIN_TS),
            ("apps/client/src/admin/admin-users.html", ADMIN_HTML),
            ("apps/client/src/activities/activities-table.component.ts", ACTIVITIES_TS),
            ("apps/client/src/activities/activities-table.component.html", ACTIVITIES_HTML),
        ],
        TABLES,
    );
    // A key of the component's input declared with a `Pick` of the model, through `@for`.
    assert_eq!(
        uses_of(&result, "Access.alias"),
        set(&[
            "apps/client/src/header/header.component.html:3",
            "apps/client/src/header/header.component.html:4",
            "prisma/schema.prisma:10",
        ])
    );
    // The rows of a table's data source, a key of the app's row type declared with the model;
    // not the input of another component named like it.
    assert_eq!(
        uses_of(&result, "Subscription.expiresAt"),
        set(&[
            "apps/client/src/admin/admin-users.html:5",
            "apps/client/src/admin/admin-users.html:6",
            "apps/client/src/admin/admin-users.html:12",
            "apps/client/src/activities/activities-table.component.html:2",
            "prisma/schema.prisma:17"
        ])
    );
    // The app's own types' `role` (no model's), and prose, are none.
    assert_eq!(uses_of(&result, "User.role"), set(&["prisma/schema.prisma:3"]));
}
