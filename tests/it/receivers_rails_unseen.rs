//! Rails idioms measured on an application tandem had not been tuned on (openfoodnetwork at
//! d4f0a99e, `benches/accuracy/openfoodnetwork`), each on a fixture app scanned end to end: the
//! exact lines a column is used on, and the same word on another table not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("shop", Framework::Rails, files, tables)
}

const APPLICATION_RECORD: (&str, &str) =
    ("app/models/application_record.rb", "class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n");

/// A namespace's table name prefix given in another file than its models: an engine's
/// `isolate_namespace Shop` (Spree's `spree_*` tables), a module's own `def
/// self.table_name_prefix` in `app/models/admin.rb`. A model outside the namespace, or in a
/// namespace that gives none, keeps the unprefixed table.
#[test]
fn a_namespace_gives_its_models_in_other_files_a_table_prefix() {
    let tables: &[(&str, &[&str])] = &[
        ("shop_shipments", &["id", "order_id", "cost", "tracking"]),
        ("shipments", &["id", "cost"]),
        ("admin_accounts", &["id", "plan"]),
        ("accounts", &["id", "plan"]),
        ("things", &["id", "cost"]),
    ];
    let files = [
        APPLICATION_RECORD,
        (
            "lib/shop/core/engine.rb",
            "module Shop\n  module Core\n    class Engine < ::Rails::Engine\n      isolate_namespace Shop\n    end\n  end\nend\n",
        ),
        (
            "app/models/shop/shipment.rb",
            "module Shop\n  class Shipment < ApplicationRecord\n    scope :trackable, -> { where(\"tracking IS NOT NULL\") }\n\n    def display_cost\n      cost.to_s\n    end\n  end\nend\n",
        ),
        (
            "app/services/shipping.rb",
            "class Shipping\n  def reset(order)\n    Shop::Shipment.where(order_id: order.id).update_all(cost: 0)\n  end\nend\n",
        ),
        ("app/models/shipment.rb", "class Shipment < ApplicationRecord\n  def free?\n    cost.zero?\n  end\nend\n"),
        ("app/models/admin.rb", "module Admin\n  def self.table_name_prefix\n    \"admin_\"\n  end\nend\n"),
        (
            "app/models/admin/account.rb",
            "module Admin\n  class Account < ApplicationRecord\n    def paid?\n      plan.present?\n    end\n  end\nend\n",
        ),
        ("app/models/account.rb", "class Account < ApplicationRecord\n  def free?\n    plan.nil?\n  end\nend\n"),
        (
            "app/models/other/thing.rb",
            "module Other\n  class Thing < ApplicationRecord\n    def cheap?\n      cost < 1\n    end\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "shop_shipments.cost"),
        set(&["app/models/shop/shipment.rb:2", "app/models/shop/shipment.rb:6", "app/services/shipping.rb:3"])
    );
    assert_eq!(
        uses(&result, "shop_shipments.tracking"),
        set(&["app/models/shop/shipment.rb:2", "app/models/shop/shipment.rb:3"])
    );
    // The unprefixed `Shipment` is `shipments`'; `Other::Thing` (no prefix) is `things`'.
    assert_eq!(uses(&result, "shipments.cost"), set(&["app/models/shipment.rb:1", "app/models/shipment.rb:3"]));
    assert_eq!(uses(&result, "things.cost"), set(&["app/models/other/thing.rb:2", "app/models/other/thing.rb:4"]));
    assert_eq!(
        uses(&result, "admin_accounts.plan"),
        set(&["app/models/admin/account.rb:2", "app/models/admin/account.rb:4"])
    );
    assert_eq!(uses(&result, "accounts.plan"), set(&["app/models/account.rb:1", "app/models/account.rb:3"]));
}

/// A module that defines its own prefix keeps it over an engine's `isolate_namespace` (Rails
/// defines the engine's only when the module has none); an engine's namespace written in two
/// words gives `two_words_`.
#[test]
fn a_module_s_own_table_prefix_wins_over_its_engine_s() {
    let tables: &[(&str, &[&str])] = &[
        ("store_orders", &["id", "total"]),
        ("shop_orders", &["id", "total"]),
        ("dfc_provider_links", &["id", "url"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("lib/shop/engine.rb", "module Shop\n  class Engine < Rails::Engine\n    isolate_namespace Shop\n  end\nend\n"),
        ("app/models/shop.rb", "module Shop\n  def self.table_name_prefix\n    \"store_\"\n  end\nend\n"),
        ("app/models/shop/order.rb", "module Shop\n  class Order < ApplicationRecord\n    def big?\n      total > 100\n    end\n  end\nend\n"),
        (
            "engines/dfc_provider/lib/dfc_provider/engine.rb",
            "module DfcProvider\n  class Engine < ::Rails::Engine\n    isolate_namespace DfcProvider\n  end\nend\n",
        ),
        (
            "engines/dfc_provider/app/models/dfc_provider/link.rb",
            "module DfcProvider\n  class Link < ApplicationRecord\n    def secure?\n      url.start_with?(\"https\")\n    end\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "store_orders.total"), set(&["app/models/shop/order.rb:2", "app/models/shop/order.rb:4"]));
    assert_eq!(uses(&result, "shop_orders.total"), set(&[]));
    assert_eq!(
        uses(&result, "dfc_provider_links.url"),
        set(&[
            "engines/dfc_provider/app/models/dfc_provider/link.rb:2",
            "engines/dfc_provider/app/models/dfc_provider/link.rb:4"
        ])
    );
}
