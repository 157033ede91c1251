//! Rails idioms measured on an application tandem had not been tuned on (openfoodnetwork at
//! d4f0a99e, `benches/accuracy/openfoodnetwork`), each on a fixture app scanned end to end: the
//! exact lines a column is used on, and the same word on another table not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("shop", Framework::Rails, files, tables)
}

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
        (
            "app/models/shop/order.rb",
            "module Shop\n  class Order < ApplicationRecord\n    def big?\n      total > 100\n    end\n  end\nend\n",
        ),
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

/// A Haml code line ending in a comma goes on to the next line (`= button_link_to t('.x'),
/// path,` then `data: { … }` at the same indentation): what follows still parses. And a block
/// closed by a line with no room for its `end` (`= form_for …` at the margin) closes before the
/// last statement inside it, not inside the block that line opens: the form types its builder,
/// in the template and in the partial it hands the builder to.
#[test]
fn a_haml_code_line_continued_after_a_comma_leaves_the_rest_of_the_template_readable() {
    let tables: &[(&str, &[&str])] = &[("returns", &["id", "reason", "state"]), ("notes", &["id", "reason"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/return.rb", "class Return < ApplicationRecord\nend\n"),
        ("app/models/note.rb", "class Note < ApplicationRecord\nend\n"),
        (
            "app/views/returns/edit.html.haml",
            "- content_for :page_actions do\n  %li\n    - if @return.can_receive?\n      = button_link_to t('.receive'), fire_return_url(@return, e: 'receive'),\n      data: { method: :put, confirm: t('.sure') }, icon: 'icon-download-alt'\n  %li= link_to t('.back'),\n    returns_path\n  %li\n    = link_to t('.cancel'), returns_path\n\n= form_for [:admin, @return] do |f|\n  %fieldset\n    = render partial: 'form', locals: { f: f }\n    = f.label :reason\n",
        ),
        (
            "app/views/returns/_form.html.haml",
            "= f.field_container :reason do\n  = f.text_area :reason,\n    { class: 'wide' }\n= f.error_message_on :reason\n",
        ),
        // A note's form: its `reason` is `notes.reason`, never the return's.
        (
            "app/views/notes/new.html.haml",
            "= form_for @note,\n  html: { class: 'x' } do |f|\n  = f.text_field :reason\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "returns.reason"),
        set(&[
            "app/models/return.rb:1",
            "app/views/returns/edit.html.haml:14",
            "app/views/returns/_form.html.haml:1",
            "app/views/returns/_form.html.haml:2",
            "app/views/returns/_form.html.haml:4",
        ])
    );
    assert_eq!(uses(&result, "notes.reason"), set(&["app/models/note.rb:1", "app/views/notes/new.html.haml:3"]));
}

/// `variant.stock_items[0]` is a record of the association, by position: its writer is the
/// column's; a string index on the same relation or a position in a plain list is nothing.
#[test]
fn a_relation_indexed_by_position_is_one_of_its_records() {
    let tables: &[(&str, &[&str])] = &[
        ("variants", &["id", "backorderable"]),
        ("stock_items", &["id", "variant_id", "backorderable", "count_on_hand"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/variant.rb", "class Variant < ApplicationRecord\n  has_many :stock_items\nend\n"),
        ("app/models/stock_item.rb", "class StockItem < ApplicationRecord\n  belongs_to :variant\nend\n"),
        (
            "app/services/stock_builder.rb",
            "class StockBuilder\n  def self.apply(item, variant)\n    if item.limit.negative?\n      variant.stock_items[0].backorderable = true\n    else\n      variant.stock_items[-1].count_on_hand = item.limit\n    end\n    levels = [item]\n    levels[0].backorderable\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "stock_items.backorderable"),
        set(&["app/models/stock_item.rb:1", "app/services/stock_builder.rb:4"])
    );
    assert_eq!(
        uses(&result, "stock_items.count_on_hand"),
        set(&["app/models/stock_item.rb:1", "app/services/stock_builder.rb:6"])
    );
    assert_eq!(uses(&result, "variants.backorderable"), set(&["app/models/variant.rb:1"]));
}

/// `self.attributes = { … }` in a model writes its keys; a hash merely held is nothing, and
/// `errors.add(:count_on_hand, …)` names the attribute but reads nothing.
#[test]
fn a_mass_assignment_to_self_names_its_columns() {
    let tables: &[(&str, &[&str])] = &[("overrides", &["id", "count_on_hand", "on_demand", "default_stock"])];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/override.rb",
            "class Override < ApplicationRecord\n  def reset!\n    self.attributes = { on_demand: false, count_on_hand: default_stock }\n    opts = { count_on_hand: 1 }\n    errors.add(:count_on_hand, \"nope\") if opts.empty?\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "overrides.count_on_hand"),
        set(&["app/models/override.rb:1", "app/models/override.rb:3"])
    );
    assert_eq!(uses(&result, "overrides.on_demand"), set(&["app/models/override.rb:1", "app/models/override.rb:3"]));
}

/// `params.permit(variant_overrides: [...])`: the records of the key's model (its plural) and the
/// attributes each may carry; a bare `params.permit(:page)` and a key no model has name nothing.
#[test]
fn a_permitted_list_under_a_models_plural_names_its_attributes() {
    let tables: &[(&str, &[&str])] =
        &[("variant_overrides", &["id", "price", "count_on_hand"]), ("pages", &["id", "price"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/variant_override.rb", "class VariantOverride < ApplicationRecord\nend\n"),
        ("app/models/page.rb", "class Page < ApplicationRecord\nend\n"),
        (
            "app/controllers/overrides_controller.rb",
            "class OverridesController < ApplicationController\n  def overrides_params\n    params.permit(\n      variant_overrides: [:id, :price, :count_on_hand]\n    ).to_h[:variant_overrides]\n  end\n\n  def paging\n    params.permit(:page, filters: [:price])\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "variant_overrides.count_on_hand"),
        set(&["app/models/variant_override.rb:1", "app/controllers/overrides_controller.rb:4"])
    );
    assert_eq!(
        uses(&result, "variant_overrides.price"),
        set(&["app/models/variant_override.rb:1", "app/controllers/overrides_controller.rb:4"])
    );
    assert_eq!(uses(&result, "pages.price"), set(&["app/models/page.rb:1"]));
}

/// `delegate :date, to: :invoice, prefix: true` in a class that is no model (a presenter with an
/// `attr_reader :invoice`) reads `invoices.date`, and so does each bare call of the
/// `invoice_date` it defines there; `prefix: :bill` names it `bill_total`. Without a prefix no
/// method is defined, and another class's bare `invoice_date` is its own.
#[test]
fn a_prefixed_delegation_and_the_method_it_defines_read_the_column() {
    let tables: &[(&str, &[&str])] =
        &[("invoices", &["id", "date", "total", "number"]), ("events", &["id", "date", "total"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/invoice.rb", "class Invoice < ApplicationRecord\nend\n"),
        ("app/models/event.rb", "class Event < ApplicationRecord\nend\n"),
        (
            "app/presenters/invoice_presenter.rb",
            "class InvoicePresenter\n  attr_reader :invoice\n\n  delegate :number, to: :invoice\n  delegate :date, to: :invoice, prefix: true\n  delegate :total, to: :invoice, prefix: :bill\n\n  def display_date\n    I18n.l(invoice_date.to_date)\n  end\n\n  def display_total\n    bill_total.round(2)\n  end\n\n  def plain\n    date\n  end\nend\n",
        ),
        ("app/presenters/other.rb", "class Other\n  def show\n    invoice_date.to_s\n  end\nend\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "invoices.date"),
        set(&[
            "app/models/invoice.rb:1",
            "app/presenters/invoice_presenter.rb:5",
            "app/presenters/invoice_presenter.rb:9"
        ])
    );
    assert_eq!(
        uses(&result, "invoices.total"),
        set(&[
            "app/models/invoice.rb:1",
            "app/presenters/invoice_presenter.rb:6",
            "app/presenters/invoice_presenter.rb:13"
        ])
    );
    assert_eq!(
        uses(&result, "invoices.number"),
        set(&["app/models/invoice.rb:1", "app/presenters/invoice_presenter.rb:4"])
    );
    // The class line of `Event` only: `plain`'s bare `date` and `Other`'s `invoice_date` are theirs.
    assert_eq!(uses(&result, "events.date"), set(&["app/models/event.rb:1"]));
}

/// `x[:key]` on a name that is a record by its name alone — a block parameter over `images`
/// no code types, or a bare local of that name — is a hash's key, not the column; a record the
/// code does type (`Image.all.each do |image|`) is still read by its subscript.
#[test]
fn a_hash_subscript_on_a_name_guessed_record_reads_no_column() {
    let tables: &[(&str, &[&str])] = &[("images", &["id", "alt", "url"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/image.rb", "class Image < ApplicationRecord\nend\n"),
        (
            "app/components/carousel_component.html.haml",
            "%div\n  - images.each do |image|\n    = image_tag image[:url], alt: image[:alt]\n",
        ),
        (
            "app/services/gallery.rb",
            "class Gallery\n  def alts\n    Image.all.each do |image|\n      puts image[:alt]\n    end\n  end\n\n  def urls(list)\n    list.map { |h| h[:url] }\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "images.alt"), set(&["app/models/image.rb:1", "app/services/gallery.rb:4"]));
    assert_eq!(uses(&result, "images.url"), set(&["app/models/image.rb:1"]));
}
