//! Rails idioms from openfoodnetwork's second pass (`benches/accuracy/openfoodnetwork`, d4f0a99e):
//! serializers whose model comes from where they are used, permitted-attribute lists a class
//! assembles from its own methods, attribute hashes handed to a method that writes them, and a
//! validator's own `unless:`. Each on a fixture app scanned end to end: the exact lines a column
//! is used on, and the same word on another table not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("shop", Framework::Rails, files, tables)
}

/// A serializer named after no model renders what its uses give it: `X.new(object)` in another
/// serializer, `render json: @shipment, serializer: X` (the name written inside `module Api`),
/// `has_one :address, serializer: X` (the rendered record's association), an app's helper handed
/// the serializer and a relation. A serializer nothing uses keeps its name's model — here none.
#[test]
fn a_serializer_renders_the_records_its_uses_give_it() {
    let tables: &[(&str, &[&str])] = &[
        ("enterprise_groups", &["id", "name", "website"]),
        ("enterprises", &["id", "name", "website", "address_id"]),
        ("addresses", &["id", "city"]),
        ("shipments", &["id", "tracking"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/enterprise_group.rb", "class EnterpriseGroup < ApplicationRecord\nend\n"),
        ("app/models/enterprise.rb", "class Enterprise < ApplicationRecord\n  belongs_to :address\nend\n"),
        ("app/models/address.rb", "class Address < ApplicationRecord\nend\n"),
        ("app/models/shipment.rb", "class Shipment < ApplicationRecord\nend\n"),
        (
            "app/serializers/api/group_list_serializer.rb",
            "module Api\n  class GroupListSerializer < ActiveModel::Serializer\n    attributes :id, :website\n  end\nend\n",
        ),
        (
            "app/serializers/api/enterprise_serializer.rb",
            "module Api\n  class EnterpriseSerializer < ActiveModel::Serializer\n    def serializable_hash\n      Api::CachedEnterpriseSerializer.new(object, @options).serializable_hash\n    end\n  end\nend\n",
        ),
        (
            "app/serializers/api/cached_enterprise_serializer.rb",
            "module Api\n  class CachedEnterpriseSerializer < ActiveModel::Serializer\n    attributes :name, :website\n\n    has_one :address, serializer: PlaceSerializer\n\n    def site\n      object.website\n    end\n  end\nend\n",
        ),
        (
            "app/serializers/api/place_serializer.rb",
            "module Api\n  class PlaceSerializer < ActiveModel::Serializer\n    attributes :city\n  end\nend\n",
        ),
        (
            "app/serializers/api/tracking_serializer.rb",
            "module Api\n  class TrackingSerializer < ActiveModel::Serializer\n    attributes :tracking\n  end\nend\n",
        ),
        (
            "app/serializers/api/thin_serializer.rb",
            "module Api\n  class ThinSerializer < ActiveModel::Serializer\n    attributes :website, :tracking\n  end\nend\n",
        ),
        (
            "app/helpers/groups_helper.rb",
            "module GroupsHelper\n  def inject_groups\n    inject_json_array(\"groups\", EnterpriseGroup.visible, Api::GroupListSerializer)\n  end\nend\n",
        ),
        (
            "app/controllers/api/shipments_controller.rb",
            "module Api\n  class ShipmentsController < ApplicationController\n    def show\n      @shipment = Shipment.find(params[:id])\n      render json: @shipment, serializer: TrackingSerializer\n    end\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "enterprise_groups.website"),
        set(&["app/models/enterprise_group.rb:1", "app/serializers/api/group_list_serializer.rb:3"])
    );
    assert_eq!(
        uses(&result, "enterprises.website"),
        set(&[
            "app/models/enterprise.rb:1",
            "app/serializers/api/cached_enterprise_serializer.rb:3",
            "app/serializers/api/cached_enterprise_serializer.rb:8"
        ])
    );
    assert_eq!(
        uses(&result, "addresses.city"),
        set(&["app/models/address.rb:1", "app/serializers/api/place_serializer.rb:3"])
    );
    assert_eq!(
        uses(&result, "shipments.tracking"),
        set(&["app/models/shipment.rb:1", "app/serializers/api/tracking_serializer.rb:3"])
    );
}

/// `@params.require(:subscription).permit(basic_attributes + [:shop_id])` in a service object:
/// the lists the class's own methods return (`def basic_attributes`, `self.class.attributes` →
/// `def self.attributes` → `def self.basic_attributes`) are permitted as if written there. A list
/// no `permit` takes names nothing.
#[test]
fn a_permit_list_assembled_from_the_class_s_own_methods_names_attributes() {
    let tables: &[(&str, &[&str])] = &[
        ("subscriptions", &["id", "shop_id", "paused_at", "canceled_at"]),
        ("enterprises", &["id", "name", "website"]),
        ("plans", &["id", "paused_at"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/subscription.rb", "class Subscription < ApplicationRecord\nend\n"),
        ("app/models/enterprise.rb", "class Enterprise < ApplicationRecord\nend\n"),
        ("app/models/plan.rb", "class Plan < ApplicationRecord\nend\n"),
        (
            "app/services/permitted_attributes/subscription.rb",
            "module PermittedAttributes\n  class Subscription\n    def initialize(params)\n      @params = params\n    end\n\n    def call\n      @params.require(:subscription).permit(basic_attributes + [:shop_id])\n    end\n\n    private\n\n    def basic_attributes\n      [\n        :canceled_at, :paused_at\n      ]\n    end\n  end\nend\n",
        ),
        (
            "app/services/permitted_attributes/enterprise.rb",
            "module PermittedAttributes\n  class Enterprise\n    def initialize(params)\n      @params = params\n    end\n\n    def call\n      @params.require(:enterprise).permit(self.class.attributes)\n    end\n\n    def self.attributes\n      basic_attributes + [{ user_ids: [] }]\n    end\n\n    def self.basic_attributes\n      [:name, :website]\n    end\n  end\nend\n",
        ),
        ("app/services/plan_columns.rb", "class PlanColumns\n  def columns\n    [:paused_at]\n  end\nend\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "subscriptions.paused_at"),
        set(&["app/models/subscription.rb:1", "app/services/permitted_attributes/subscription.rb:15"])
    );
    assert_eq!(
        uses(&result, "subscriptions.canceled_at"),
        set(&["app/models/subscription.rb:1", "app/services/permitted_attributes/subscription.rb:15"])
    );
    assert_eq!(
        uses(&result, "subscriptions.shop_id"),
        set(&["app/models/subscription.rb:1", "app/services/permitted_attributes/subscription.rb:8"])
    );
    assert_eq!(
        uses(&result, "enterprises.website"),
        set(&["app/models/enterprise.rb:1", "app/services/permitted_attributes/enterprise.rb:16"])
    );
    assert_eq!(uses(&result, "plans.paused_at"), set(&["app/models/plan.rb:1"]));
}

/// A method that writes its parameter's hash into records (`exchanges.build attrs`,
/// `exchange.update!(attrs)`): the keys its callers pass there, braceless or not, are the written
/// model's attributes. A method that only logs its hash makes its callers' keys nothing.
#[test]
fn a_hash_handed_to_a_method_that_writes_it_names_attributes() {
    let tables: &[(&str, &[&str])] = &[
        ("order_cycles", &["id"]),
        ("exchanges", &["id", "order_cycle_id", "sender_id", "pickup_time"]),
        ("pickups", &["id", "pickup_time"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/order_cycle.rb", "class OrderCycle < ApplicationRecord\n  has_many :exchanges\nend\n"),
        ("app/models/exchange.rb", "class Exchange < ApplicationRecord\n  belongs_to :order_cycle\nend\n"),
        ("app/models/pickup.rb", "class Pickup < ApplicationRecord\nend\n"),
        (
            "lib/cycle_applicator.rb",
            "class CycleApplicator\n  def initialize(order_cycle)\n    @order_cycle = order_cycle\n  end\n\n  def go!(params)\n    add_exchange(1, pickup_time: params[:pickup_time])\n    update_exchange(2, { pickup_time: params[:time] })\n    log_pickup(pickup_time: params[:pickup_time])\n  end\n\n  private\n\n  def add_exchange(sender_id, attrs = {})\n    attrs = attrs.reverse_merge(sender_id: sender_id)\n    @order_cycle.exchanges.build attrs\n  end\n\n  def update_exchange(sender_id, attrs)\n    exchange = @order_cycle.exchanges.where(sender_id: sender_id).first\n    exchange.update!(attrs)\n  end\n\n  def log_pickup(attrs)\n    Rails.logger.info(attrs)\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "exchanges.pickup_time"),
        set(&["app/models/exchange.rb:1", "lib/cycle_applicator.rb:7", "lib/cycle_applicator.rb:8"])
    );
    assert_eq!(uses(&result, "pickups.pickup_time"), set(&["app/models/pickup.rb:1"]));
}

/// A validator's own `unless: :backorderable?` runs on the record and reads the attribute's
/// predicate; a predicate the model defines itself (`def archived?`) is its own method.
#[test]
fn a_validator_s_own_condition_reads_the_attribute() {
    let tables: &[(&str, &[&str])] = &[("stock_items", &["id", "count_on_hand", "backorderable", "archived"])];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/stock_item.rb",
            "class StockItem < ApplicationRecord\n  validates :count_on_hand, numericality: { greater_than_or_equal_to: 0, unless: :backorderable? }\n  validates :count_on_hand, presence: true, if: :archived?\n\n  def archived?\n    false\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "stock_items.backorderable"),
        set(&["app/models/stock_item.rb:1", "app/models/stock_item.rb:2"])
    );
    assert_eq!(uses(&result, "stock_items.archived"), set(&["app/models/stock_item.rb:1"]));
}

/// `where(query_stock)` with the condition a method of the class returns, itself interpolating
/// other such methods (`"( #{on_demand} OR #{in_stock} )"`): their qualified names are read as if
/// written in the `where`. A string method no query takes names nothing.
#[test]
fn an_sql_condition_built_by_the_class_s_own_methods_names_its_columns() {
    let tables: &[(&str, &[&str])] = &[
        ("variants", &["id"]),
        ("stock_items", &["id", "variant_id", "count_on_hand", "backorderable"]),
        ("overrides", &["id", "count_on_hand"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/variant.rb", "class Variant < ApplicationRecord\n  has_many :stock_items\nend\n"),
        ("app/models/stock_item.rb", "class StockItem < ApplicationRecord\nend\n"),
        ("app/models/override.rb", "class Override < ApplicationRecord\nend\n"),
        (
            "app/services/stocked_variants.rb",
            "class StockedVariants\n  def call\n    Variant.joins(:stock_items).where(query_stock)\n  end\n\n  def label\n    \"overrides.count_on_hand\"\n  end\n\n  private\n\n  def query_stock\n    \"( #{on_demand} OR #{in_stock} )\"\n  end\n\n  def on_demand\n    \"stock_items.backorderable IS TRUE\"\n  end\n\n  def in_stock\n    \"stock_items.count_on_hand > 0\"\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "stock_items.backorderable"),
        set(&["app/models/stock_item.rb:1", "app/services/stocked_variants.rb:17"])
    );
    assert_eq!(
        uses(&result, "stock_items.count_on_hand"),
        set(&["app/models/stock_item.rb:1", "app/services/stocked_variants.rb:21"])
    );
    assert_eq!(uses(&result, "overrides.count_on_hand"), set(&["app/models/override.rb:1"]));
}

/// A view's `current_distributor` is what the `app/helpers` method of that name returns
/// (`@current_distributor ||= current_order(false)&.distributor`, an `Enterprise`), not a
/// `Distributor` by its name; a `current_*` no helper defines keeps its name's model.
#[test]
fn a_helper_s_current_record_types_the_views_that_call_it() {
    let tables: &[(&str, &[&str])] = &[
        ("orders", &["id", "distributor_id"]),
        ("enterprises", &["id", "website"]),
        ("distributors", &["id", "website"]),
        ("users", &["id", "website"]),
    ];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/order.rb",
            "class Order < ApplicationRecord\n  belongs_to :distributor, class_name: \"Enterprise\"\nend\n",
        ),
        ("app/models/enterprise.rb", "class Enterprise < ApplicationRecord\nend\n"),
        ("app/models/distributor.rb", "class Distributor < ApplicationRecord\nend\n"),
        ("app/models/user.rb", "class User < ApplicationRecord\nend\n"),
        (
            "app/helpers/enterprises_helper.rb",
            "module EnterprisesHelper\n  def current_distributor\n    @current_distributor ||= current_order(false)&.distributor\n  end\nend\n",
        ),
        ("app/views/shops/_contact.html.haml", "%p= current_distributor.website\n%p= current_user.website\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "enterprises.website"),
        set(&["app/models/enterprise.rb:1", "app/views/shops/_contact.html.haml:1"])
    );
    assert_eq!(uses(&result, "distributors.website"), set(&["app/models/distributor.rb:1"]));
    assert_eq!(uses(&result, "users.website"), set(&["app/models/user.rb:1", "app/views/shops/_contact.html.haml:2"]));
}

/// `render "admin/shops/form/#{item[:name]}", f: f`: the locals go to every partial of that
/// directory; a partial elsewhere reading an `f` nothing passes it is no form of the model.
#[test]
fn a_partial_path_computed_from_its_last_segment_binds_every_partial_of_the_directory() {
    let tables: &[(&str, &[&str])] = &[("shops", &["id", "website"]), ("links", &["id", "website"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/shop.rb", "class Shop < ApplicationRecord\nend\n"),
        ("app/models/link.rb", "class Link < ApplicationRecord\nend\n"),
        (
            "app/views/admin/shops/edit.html.haml",
            "= form_for @shop do |f|\n  - [{ name: 'contact' }].each do |item|\n    = render \"admin/shops/form/#{item[:name]}\", f: f\n",
        ),
        ("app/views/admin/shops/form/_contact.html.haml", "= f.label :website\n= f.text_field :website\n"),
        ("app/views/admin/other/_contact.html.haml", "= f.text_field :website\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "shops.website"),
        set(&[
            "app/models/shop.rb:1",
            "app/views/admin/shops/form/_contact.html.haml:1",
            "app/views/admin/shops/form/_contact.html.haml:2"
        ])
    );
    assert_eq!(uses(&result, "links.website"), set(&["app/models/link.rb:1"]));
}

/// An AngularJS (or Vue, Alpine) directive in a Haml attribute hash reads the serialized record
/// its name names: `"ng-hide": '!!subscription.paused_at'`. A call (`subscription.pause()`), a
/// plain HTML attribute (`title:`) and a name that is no model (`plan_form`) read nothing.
#[test]
fn a_client_side_directive_in_a_haml_attribute_reads_the_named_record() {
    let tables: &[(&str, &[&str])] = &[("subscriptions", &["id", "paused_at"]), ("plans", &["id", "paused_at"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/subscription.rb", "class Subscription < ApplicationRecord\nend\n"),
        ("app/models/plan.rb", "class Plan < ApplicationRecord\nend\n"),
        (
            "app/views/admin/subscriptions/_table.html.haml",
            "%tbody{ \"ng-repeat\": \"subscription in subscriptions\" }\n  %tr\n    %a{ href: '#', \"ng-click\": 'subscription.pause()', \"ng-hide\": '!!subscription.paused_at' }\n    %span{ title: 'subscription.paused_at' } paused\n    %input{ 'ng-model' => 'plan_form.paused_at' }\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "subscriptions.paused_at"),
        set(&["app/models/subscription.rb:1", "app/views/admin/subscriptions/_table.html.haml:3"])
    );
    assert_eq!(uses(&result, "plans.paused_at"), set(&["app/models/plan.rb:1"]));
}
