//! Rails idioms a tenth application never seen before (human-essentials at 0c3ab776,
//! `benches/accuracy/humanessentials`) showed (issue 16, branch `i5-rails`): a form over a
//! partial's `object:` local or `becomes(Model)`, money-rails' `monetize`, an enum's bang under
//! `prefix: true`. Each on a fixture app scanned end to end: the exact lines a column is used
//! on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("humanessentials", Framework::Rails, files, tables)
}

const ORGANIZATION: (&str, &str) = (
    "app/models/organization.rb",
    "class Organization < ApplicationRecord\n  has_many :items\n  has_many :requests\nend\n",
);

/// `render partial: "form", object: @partner` makes the record the partial's local named after
/// it (`form`), so `simple_form_for form do |f|` is a form over it: its fields read the
/// columns. `@item.becomes(Item)` is a record of the class named, whatever `@item` held. A
/// partial whose `form` is another model's (`vendors/_form`, `object: @vendor`) reads that
/// model's fields, not the partner's.
#[test]
fn a_form_over_a_partial_s_object_local_or_becomes_reads_the_model_s_fields() {
    let tables: &[(&str, &[&str])] = &[
        ("organizations", &["id"]),
        ("partners", &["id", "quota", "notes"]),
        ("vendors", &["id", "notes"]),
        ("items", &["id", "organization_id", "on_hand_minimum_quantity"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ORGANIZATION,
        ("app/models/partner.rb", "class Partner < ApplicationRecord\nend\n"),
        ("app/models/vendor.rb", "class Vendor < ApplicationRecord\nend\n"),
        ("app/models/item.rb", "class Item < ApplicationRecord\n  belongs_to :organization\nend\n"),
        (
            "app/controllers/partners_controller.rb",
            "class PartnersController < ApplicationController\n  def new\n    @partner = Partner.new\n  end\nend\n",
        ),
        ("app/views/partners/new.html.erb", "<%= render partial: \"form\", object: @partner %>\n"),
        (
            "app/views/partners/_form.html.erb",
            "<%= simple_form_for form do |f| %>\n  <%= f.input :quota %>\n  <%= f.input_field :notes %>\n<% end %>\n",
        ),
        (
            "app/controllers/vendors_controller.rb",
            "class VendorsController < ApplicationController\n  def new\n    @vendor = Vendor.new\n  end\nend\n",
        ),
        ("app/views/vendors/new.html.erb", "<%= render partial: \"form\", object: @vendor %>\n"),
        (
            "app/views/vendors/_form.html.erb",
            "<%= simple_form_for form do |f| %>\n  <%= f.input :notes %>\n  <%= f.input :quota %>\n<% end %>\n",
        ),
        (
            "app/controllers/items_controller.rb",
            "class ItemsController < ApplicationController\n  def edit\n    @item = current_organization.items.find(params[:id])\n  end\nend\n",
        ),
        (
            "app/views/items/edit.html.erb",
            "<%= simple_form_for @item.becomes(Item) do |f| %>\n  <%= f.input_field :on_hand_minimum_quantity %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "partners.quota"),
        set(&["app/models/partner.rb:1", "app/views/partners/_form.html.erb:2"])
    );
    assert_eq!(
        uses(&result, "partners.notes"),
        set(&["app/models/partner.rb:1", "app/views/partners/_form.html.erb:3"])
    );
    assert_eq!(uses(&result, "vendors.notes"), set(&["app/models/vendor.rb:1", "app/views/vendors/_form.html.erb:2"]));
    assert_eq!(
        uses(&result, "items.on_hand_minimum_quantity"),
        set(&["app/models/item.rb:1", "app/views/items/edit.html.erb:2"])
    );
}

const PURCHASE: &str = r#"class Purchase < ApplicationRecord
  monetize :amount_spent_in_cents, as: :amount_spent
  monetize :amount_spent_on_diapers_cents

  def amount_spent_in_dollars
    amount_spent.dollars
  end
end
"#;

const EXPORT: &str = r#"class ExportPurchasesService
  def row(purchase)
    [purchase.amount_spent.to_f, purchase.amount_spent_on_diapers.to_f]
  end

  def vendor_row(vendor)
    vendor.amount_spent
  end
end
"#;

/// money-rails' `monetize :amount_spent_in_cents, as: :amount_spent` defines the reader and
/// writer `amount_spent` over the column, `monetize :x_cents` the name `x`: their reads, the
/// permit and the form's field use the column. The same name on another model (`vendor
/// .amount_spent`, no `monetize` there) is none of it.
#[test]
fn money_rails_monetize_names_the_cents_column_s_reader() {
    let tables: &[(&str, &[&str])] =
        &[("purchases", &["id", "amount_spent_in_cents", "amount_spent_on_diapers_cents"]), ("vendors", &["id"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/purchase.rb", PURCHASE),
        ("app/models/vendor.rb", "class Vendor < ApplicationRecord\nend\n"),
        ("app/services/export_purchases_service.rb", EXPORT),
        (
            "app/controllers/purchases_controller.rb",
            "class PurchasesController < ApplicationController\n  def purchase_params\n    params.require(:purchase).permit(:amount_spent, :comment)\n  end\nend\n",
        ),
        (
            "app/views/purchases/_form.html.erb",
            "<%= simple_form_for @purchase do |f| %>\n  <%= f.input :amount_spent_on_diapers %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "purchases.amount_spent_in_cents"),
        set(&[
            "app/models/purchase.rb:1",
            "app/models/purchase.rb:2",
            "app/models/purchase.rb:6",
            "app/services/export_purchases_service.rb:3",
            "app/controllers/purchases_controller.rb:3",
        ])
    );
    assert_eq!(
        uses(&result, "purchases.amount_spent_on_diapers_cents"),
        set(&[
            "app/models/purchase.rb:1",
            "app/models/purchase.rb:3",
            "app/services/export_purchases_service.rb:3",
            "app/views/purchases/_form.html.erb:2",
        ])
    );
}

const REQUEST: &str = r#"class Request < ApplicationRecord
  belongs_to :organization
  enum :status, { pending: 0, started: 1 }, prefix: true
end
"#;

const REQUESTS_CONTROLLER: &str = r#"class RequestsController < ApplicationController
  def start
    req = current_organization.requests.find(params[:id])
    req.status_started!
    req.save!
    order = Order.find(params[:order_id])
    order.status_started!
    redirect_to requests_path if req.status_pending?
  end
end
"#;

/// `enum :status, …, prefix: true` defines `status_started!` as well as `status_started?`:
/// the bang writes the column. Another model's bang of the same name (`Order`, whose `status`
/// is no enum) and a record's own bang (`save!`) are none of it.
#[test]
fn an_enum_s_prefixed_bang_writes_its_column() {
    let tables: &[(&str, &[&str])] = &[
        ("organizations", &["id"]),
        ("requests", &["id", "organization_id", "status"]),
        ("orders", &["id", "status"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ORGANIZATION,
        ("app/models/request.rb", REQUEST),
        ("app/models/order.rb", "class Order < ApplicationRecord\nend\n"),
        ("app/controllers/requests_controller.rb", REQUESTS_CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "requests.status"),
        set(&[
            "app/models/request.rb:1",
            "app/models/request.rb:3",
            "app/controllers/requests_controller.rb:4",
            "app/controllers/requests_controller.rb:8",
        ])
    );
    assert_eq!(uses(&result, "orders.status"), set(&["app/models/order.rb:1"]));
}

const REPORT: &str = r#"class ChildrenServedReport
  def kits(scope)
    Distribution
      .joins(line_items: :item)
      .joins("INNER JOIN items kit_content_items ON kit_content_items.id = line_items.item_id")
      .where("kit_content_items.reporting_category = 'disposable_diapers'")
      .count
  end

  def others
    Distribution.where("kit_content_items.reporting_category = 'x'")
  end
end
"#;

/// An alias one `joins("INNER JOIN items kit_content_items ON …")` of a query chain declares
/// names its table in the chain's later fragments (`.where("kit_content_items.x = …")`). The
/// same alias in another chain that declares none is no table's.
#[test]
fn a_join_alias_names_its_table_in_the_chain_s_later_fragments() {
    let tables: &[(&str, &[&str])] = &[
        ("distributions", &["id"]),
        ("line_items", &["id", "distribution_id", "item_id"]),
        ("items", &["id", "reporting_category"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/distribution.rb", "class Distribution < ApplicationRecord\n  has_many :line_items\nend\n"),
        ("app/models/line_item.rb", "class LineItem < ApplicationRecord\n  belongs_to :item\nend\n"),
        ("app/models/item.rb", "class Item < ApplicationRecord\nend\n"),
        ("app/services/children_served_report.rb", REPORT),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "items.reporting_category"),
        set(&["app/models/item.rb:1", "app/services/children_served_report.rb:6"])
    );
}
