//! ActiveModel serializers whose model the code that uses them says: `XSerializer.new(record)`,
//! `render json: @shipment, serializer: Api::ShipmentSerializer`, `each_serializer:` over a
//! relation, `has_one :image, serializer: ImageSerializer` in another serializer, or an app's
//! helper handed a serializer class and the records it renders (`inject_json(@subscription,
//! SubscriptionSerializer)`). A serializer named after no model (`GroupListSerializer`,
//! `CachedEnterpriseSerializer`) renders what those uses give it; one named after its model
//! keeps its name's model when no use types it.

use super::*;
use crate::grammar::NodeExt;

/// The scope a serializer class's rendered record (`object`) is bound in, by its full name.
pub(super) fn serializer_scope(class: &str) -> String {
    format!("rails:serializer:{class}")
}

/// The name the rendered record is bound under.
const OBJECT: &str = "object";

/// Whether a class name (as written) names a serializer of records: `Api::ShipmentSerializer`,
/// not ActiveModel's own base and collection classes.
fn is_serializer(class: &str) -> bool {
    let last = inflect::demodulize(class);
    last.ends_with("Serializer") && last != "Serializer" && !last.ends_with("ArraySerializer")
}

impl<'a> Walker<'a> {
    /// The records the serializer class being visited renders (the innermost one, or, with
    /// `innermost` false, any enclosing one): bound by the code that uses it, else the model its
    /// name says. An admin resource (Avo) keeps the model its name or `model_class` says.
    pub(super) fn serialized(&self, innermost: bool) -> Option<Rec> {
        let scope =
            if innermost { self.scopes.last()? } else { self.scopes.iter().rev().find(|s| s.serializes.is_some())? };
        let model = scope.serializes.clone()?;
        Some(if is_serializer(&scope.name) {
            Rec::bound(vec![serializer_scope(&scope.name)], OBJECT, Some(model))
        } else {
            Rec::model(model)
        })
    }

    /// A call that says which records a serializer renders: binds them for its class.
    pub(super) fn serializer_use(&mut self, node: Node<'_>, method: &str, args: &[Node<'_>]) {
        let receiver = node.child_by_field_id(*field::RECEIVER);
        // `Api::EnterpriseShopfrontSerializer.new(enterprise)`: the record it is built on.
        if let Some(r) = receiver
            && matches!(r.kind_name(), "constant" | "scope_resolution")
            && method == "new"
            && is_serializer(self.text(r))
        {
            if let Some(first) = args.first().filter(|a| !matches!(a.kind_name(), "pair" | "hash")) {
                self.bind_serialized(self.text(r), *first);
            }
            return;
        }
        let options: Vec<Node<'_>> = args.iter().flat_map(|a| pairs(*a)).collect();
        let option = |name: &str| {
            options.iter().find_map(|p| {
                let key = p.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code))?;
                (key.0 == name).then(|| p.child_by_field_id(*field::VALUE)).flatten()
            })
        };
        let named = option("serializer")
            .or_else(|| option("each_serializer"))
            .filter(|v| matches!(v.kind_name(), "constant" | "scope_resolution"));
        let positional: Vec<Node<'_>> =
            args.iter().copied().filter(|a| !matches!(a.kind_name(), "pair" | "hash" | "block_argument")).collect();
        if let Some(serializer) = named {
            let serializer = self.text(serializer);
            if receiver.is_none()
                && matches!(method, "has_one" | "has_many" | "belongs_to")
                && let Some(rec) = self.serialized(true)
                && let Some((association, _)) = positional.first().and_then(|a| symbol_or_string(*a, self.code))
            {
                // `has_one :address, serializer: AddressSerializer` in a serializer: the rendered
                // record's association.
                let binding = self.serializer_binding(serializer, &rec.via(&association));
                self.push_bindings(binding);
                return;
            }
            // `render json: @shipment, serializer: …`, `ArraySerializer.new(rows, each_serializer: …)`.
            if let Some(subject) = option("json").or_else(|| positional.first().copied()) {
                self.bind_serialized(serializer, subject);
            }
            return;
        }
        // An app's own helper handed the serializer class and the records it renders.
        let serializers: Vec<Node<'_>> = positional
            .iter()
            .copied()
            .filter(|a| matches!(a.kind_name(), "constant" | "scope_resolution") && is_serializer(self.text(*a)))
            .collect();
        let [serializer] = serializers.as_slice() else { return };
        let typed: Vec<Node<'_>> = positional
            .iter()
            .copied()
            .filter(|a| a != serializer && matches!(self.eval(*a), Some(Ty::Record(..) | Ty::Relation(..))))
            .collect();
        if let [subject] = typed.as_slice() {
            self.bind_serialized(self.text(*serializer), *subject);
        }
    }

    /// Binds the records `subject` evaluates to for the serializer `written` names, unless
    /// `subject` is typed by its name alone.
    fn bind_serialized(&mut self, written: &str, subject: Node<'_>) {
        if self.named_only(subject) {
            return;
        }
        // `@order_cycle` in a plain class: its name is all there is.
        if subject.kind_name() == "instance_variable"
            && self.lookup(self.text(subject)).is_none()
            && self.ivar_scopes().is_empty()
        {
            return;
        }
        let Some(Ty::Record(rec, _) | Ty::Relation(rec, _)) = self.eval(subject) else { return };
        let bindings = self.serializer_binding(written, &rec);
        self.push_bindings(bindings);
    }

    /// The serializer class a constant written here may name, as Ruby looks it up from the
    /// modules around (`ImageSerializer` in `Api::V0::ImagesController` may be
    /// `Api::V0::ImagesController::ImageSerializer`, `Api::V0::ImageSerializer`, …,
    /// `ImageSerializer`): one binding for each.
    fn serializer_binding(&self, written: &str, rec: &Rec) -> Vec<Binding> {
        let written = written.trim_start_matches("::");
        let mut candidates = vec![written.to_owned()];
        if let Some(scope) = self.scopes.last() {
            let parts: Vec<&str> = scope.name.split("::").collect();
            for k in 1..=parts.len() {
                candidates.push(format!("{}::{written}", parts[..k].join("::")));
            }
        }
        candidates
            .into_iter()
            .map(|class| Binding {
                scope: serializer_scope(&class),
                name: OBJECT.to_owned(),
                root: rec.root.clone(),
                path: rec.path.clone(),
            })
            .collect()
    }

    fn push_bindings(&mut self, bindings: Vec<Binding>) {
        for binding in bindings {
            // A serializer rendering its own records (a recursive tree) says nothing.
            let circular = matches!(&binding.root, Root::Binding { scopes, .. } if scopes.contains(&binding.scope));
            if !circular && !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }
}
