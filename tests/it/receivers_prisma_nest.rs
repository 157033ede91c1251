//! Prisma behind NestJS service classes (ghostfolio): a service holds the injected client and
//! wraps its calls in methods; controllers and other services call them on an injected field
//! (`this.userService.updateUser({ data, where })`) and read what they return; a class's fields
//! are typed by their declarations (a constructor's parameter properties, declared properties).
//! Each test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model User {
  id            String  @id
  role          String
  authChallenge String?
  thirdPartyId  String?
}

model AuthDevice {
  id      String @id
  counter Int
  userId  String
}

model Order {
  id  String @id
  fee Float
}
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("User", &["id", "role", "authChallenge", "thirdPartyId"]),
    ("AuthDevice", &["id", "counter", "userId"]),
    ("Order", &["id", "fee"]),
];

/// The NestJS recipe's service: methods over the injected client, taking Prisma inputs (a
/// parameter declared as one, or an object type whose members are) and one calling another.
const USER_SERVICE: &str = r#"import { Injectable } from '@nestjs/common';
import { Prisma, User } from '@prisma/client';

import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class UserService {
  public constructor(private readonly prismaService: PrismaService) {}

  public async user(where: Prisma.UserWhereUniqueInput): Promise<User | null> {
    return this.prismaService.user.findUnique({ where });
  }

  public async users(params: { skip?: number; where?: Prisma.UserWhereInput }) {
    const { skip, where } = params;
    return this.prismaService.user.findMany({ skip, where });
  }

  public async updateUser(params: {
    data: Prisma.UserUpdateInput;
    where: Prisma.UserWhereUniqueInput;
  }): Promise<User> {
    const { data, where } = params;
    return this.prismaService.user.update({ data, where });
  }

  public async admins() {
    return this.users({
      where: { role: 'ADMIN' }
    });
  }
}
"#;

const DEVICE_SERVICE: &str = r#"import { Injectable } from '@nestjs/common';
import { AuthDevice, Prisma } from '@prisma/client';

import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class AuthDeviceService {
  public constructor(private readonly prismaService: PrismaService) {}

  public async authDevice(where: Prisma.AuthDeviceWhereUniqueInput): Promise<AuthDevice | null> {
    return this.prismaService.authDevice.findUnique({ where });
  }
}
"#;

/// A class with a method of the same name that answers no row.
const LABEL_SERVICE: &str = r#"export class LabelService {
  public async user(id: string) {
    return { role: 'label', counter: id.length, authChallenge: null };
  }
}
"#;

/// A service calling the others on its injected fields, and reading its typed fields.
const WEB_AUTH: &str = r#"import { Inject, Injectable } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { User } from '@prisma/client';

import { AuthDeviceService } from '../device/auth-device.service';
import { LabelService } from '../label/label.service';
import { UserService } from '../user/user.service';
import { RequestWithUser } from './interfaces';

@Injectable()
export class WebAuthService {
  private probeUser: User;
  private labels = inject(LabelService);

  public constructor(
    private readonly deviceService: AuthDeviceService,
    private readonly labelService: LabelService,
    private readonly userService: UserService,
    @Inject(REQUEST) private readonly request: RequestWithUser,
    private readonly owner: User
  ) {}

  public async register(challenge: string, thirdPartyId: string) {
    await this.userService.updateUser({
      data: { authChallenge: challenge },
      where: { id: this.request.user.id }
    });
    return this.userService.users({ where: { thirdPartyId } });
  }

  public async verify(id: string) {
    const device = await this.deviceService.authDevice({ id });
    const label = await this.labelService.user(id);
    const other = await this.labels.user(id);
    const seen = device.counter;
    const labelled = [label.counter, label.role, other.role, other.authChallenge];
    const roles = [this.probeUser.role, this.request.role];
    return this.owner.authChallenge;
  }
}
"#;

/// Lists declared with another library's type: their elements, by index or loop, are none of
/// the model their names say; an untyped list is what its name says.
const CALCULATOR: &str = r#"import { User } from '@prisma/client';
import Big from 'big.js';

export class Calculator {
  public compute(items: Big.Order[], user: User) {
    let orders: Big.Order[] = items;
    let total = 0;
    for (let i = 0; i < orders.length; i += 1) {
      const order = orders[i];
      total += order.fee;
    }
    for (const order of orders) {
      total += order.fee;
    }
    return [total, user.role];
  }
}

export function plain(orders) {
  return orders[0].fee;
}
"#;

#[test]
fn service_methods_and_class_fields() {
    let (_dir, result) = scan_files(
        "nest",
        Framework::Prisma,
        &[
            ("prisma/schema.prisma", SCHEMA),
            ("src/user/user.service.ts", USER_SERVICE),
            ("src/device/auth-device.service.ts", DEVICE_SERVICE),
            ("src/label/label.service.ts", LABEL_SERVICE),
            ("src/auth/web-auth.service.ts", WEB_AUTH),
            ("src/portfolio/calculator.ts", CALCULATOR),
        ],
        TABLES,
    );
    // What a service method returns, read on an injected field's call: not the same-named
    // method of another class, whose object holds no row.
    assert_eq!(
        uses_of(&result, "AuthDevice.counter"),
        set(&["src/auth/web-auth.service.ts:35", "prisma/schema.prisma:10"])
    );
    // A method's argument written through an injected field (`data` of an object type whose
    // members are Prisma inputs), and a field declared with a model's type.
    assert_eq!(
        uses_of(&result, "User.authChallenge"),
        set(&["src/auth/web-auth.service.ts:25", "src/auth/web-auth.service.ts:38", "prisma/schema.prisma:4"])
    );
    // `this.users({ where })` in the class; a declared property's type; not a request's field
    // of the app's own type, nor another class's answer.
    assert_eq!(
        uses_of(&result, "User.role"),
        set(&[
            "src/user/user.service.ts:29",
            "src/auth/web-auth.service.ts:37",
            "src/portfolio/calculator.ts:15",
            "prisma/schema.prisma:3",
        ])
    );
    // A list declared with another library's type is no model's rows, by index or loop, whatever
    // its name says; an untyped one is what its name says.
    assert_eq!(uses_of(&result, "Order.fee"), set(&["src/portfolio/calculator.ts:20", "prisma/schema.prisma:16"]));
    assert_eq!(
        uses_of(&result, "User.thirdPartyId"),
        set(&["src/auth/web-auth.service.ts:28", "prisma/schema.prisma:5"])
    );
}
