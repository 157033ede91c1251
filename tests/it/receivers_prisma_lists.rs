//! Array methods over a model's rows beyond those that hand the callback one row: `reduce`,
//! whose callback's second parameter is a row and, without an initial value, its first too (and
//! so what it returns). Each test also says what is not a reference.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SCHEMA: &str = r#"model Subscription {
  id        String   @id
  expiresAt DateTime
  price     Float?
}
"#;

const TABLES: &[(&str, &[&str])] = &[("Subscription", &["id", "expiresAt", "price"])];

/// The latest of a user's subscriptions by `reduce`; a sum with an initial value, whose
/// accumulator is no row; a list of another library's objects.
const SERVICE: &str = r#"import { Subscription } from '@prisma/client';

export function latest(subscriptions: Subscription[], offers: Big.Offer[]) {
  const { expiresAt, price } = subscriptions.reduce((a, b) => {
    return a.expiresAt > b.expiresAt ? a : b;
  });
  const total = subscriptions.reduce((acc, s) => {
    return { expiresAt: acc.expiresAt, price: acc.price + s.price };
  }, { expiresAt: null, price: 0 });
  const best = offers.reduce((x, y) => (x.expiresAt > y.expiresAt ? x : y));
  return [expiresAt, price, total, best.expiresAt];
}
"#;

#[test]
fn reduce_over_rows() {
    let (_dir, result) = scan_files(
        "lists",
        Framework::Prisma,
        &[("prisma/schema.prisma", SCHEMA), ("src/subscription.service.ts", SERVICE)],
        TABLES,
    );
    // Destructured from what `reduce` without an initial value returns, and read on both of
    // its callback's parameters; not the accumulator of one given an initial value, nor another
    // library's list.
    assert_eq!(
        uses_of(&result, "Subscription.expiresAt"),
        set(&["src/subscription.service.ts:4", "src/subscription.service.ts:5", "prisma/schema.prisma:3"])
    );
    // The second parameter of one given an initial value is still a row.
    assert_eq!(
        uses_of(&result, "Subscription.price"),
        set(&["src/subscription.service.ts:4", "src/subscription.service.ts:8", "prisma/schema.prisma:4"])
    );
}
