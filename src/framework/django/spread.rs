//! A custom QuerySet or Manager method that hands its `**kwargs` on to a query or a write on
//! itself (`def add(self, *args, **kwargs): … return super().create(*args, **kwargs)`): the
//! keywords its callers give it (`Notification.objects.add(dismissable=True)`) are the model's
//! fields, whatever the method is called. The method, the model that uses its class and the
//! call may be three files; they meet in bindings of [`KWARGS_SCOPE`]:
//!
//! - the class's file binds `<Class>.<method>` to the models the class serves (those of its
//!   file, else the class's [`QUERYSET_SCOPE`] binding);
//! - a model's file binds the model's class name (`app.Model`) to each custom QuerySet or
//!   Manager class it uses, by name;
//! - a caller reads each keyword as a chain from the model's binding through the method's name,
//!   which reaches the model only when that model's class spreads that method.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use super::extract::{Ctx, chain_on_self};
use super::lookups::{KEYWORD_METHODS, is_queryset_method, lookup};
use super::models::{QUERYSET_SCOPE, is_queryset_class};
use super::receivers::{Rec, own_scope};
use crate::config::Confidence;
use crate::scan::extract::python::{Args, class_defs};
use crate::scan::extract::treesit::named_children;
use crate::scan::facts::{Binding, Root};

/// The scope of the bindings that join a model, the custom QuerySet and Manager classes it uses
/// and their methods that spread `**kwargs` into a query: a `class:` scope, so a chain nothing
/// binds reads nothing.
pub(super) const KWARGS_SCOPE: &str = "class:django:kwargs";

/// The bindings this file gives: its QuerySet / Manager methods that spread `**kwargs` into a
/// query on the class's own records, and (in a models file) each model's custom classes.
pub(super) fn bindings(cx: &mut Ctx<'_>, root: Node<'_>) {
    let mut out = Vec::new();
    for (class, models) in &cx.querysets {
        if !is_queryset_class(class) && !cx.queryset_classes.contains(class) {
            continue;
        }
        for m in models.iter().filter_map(|m| cx.models.get(m)) {
            out.push(Binding {
                scope: KWARGS_SCOPE.to_owned(),
                name: m.class.clone(),
                root: Root::Binding { scopes: vec![KWARGS_SCOPE.to_owned()], name: class.clone(), guess: None },
                path: Vec::new(),
            });
        }
    }
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        let name = cx.src.node_text(name).to_owned();
        if !cx.queryset_classes.contains(&name) {
            continue;
        }
        let roots: Vec<Root> = match cx.querysets.get(&name) {
            Some(models) => {
                models.iter().filter_map(|m| cx.models.get(m)).map(|m| Root::Model { model: m.class.clone() }).collect()
            }
            None => vec![Root::Binding { scopes: vec![QUERYSET_SCOPE.to_owned()], name: name.clone(), guess: None }],
        };
        for func in named_children(body).into_iter().filter_map(|n| match n.kind_name() {
            "function_definition" => Some(n),
            "decorated_definition" => n.field("definition"),
            _ => None,
        }) {
            let Some(method) = func.field("name").map(|n| cx.src.node_text(n)) else { continue };
            if !spreads(cx, func) {
                continue;
            }
            for root in &roots {
                out.push(Binding {
                    scope: KWARGS_SCOPE.to_owned(),
                    name: format!("{name}.{method}"),
                    root: root.clone(),
                    path: Vec::new(),
                });
            }
        }
    }
    cx.bindings.extend(out);
}

/// Whether a method takes `**kwargs` and hands them whole to a keyword QuerySet call on its own
/// records (`self.create(**kwargs)`, `self.filter(pk=…).update(**kwargs)`, `super().create(…)`)
/// or to its model's constructor (`self.model(*args, **kwargs)`, then saved).
fn spreads(cx: &mut Ctx<'_>, func: Node<'_>) -> bool {
    let Some(params) = func.field("parameters") else { return false };
    let Some(kwargs) = named_children(params)
        .into_iter()
        .find(|p| p.kind_name() == "dictionary_splat_pattern")
        .and_then(|p| named_children(p).into_iter().next())
        .map(|n| cx.src.node_text(n))
    else {
        return false;
    };
    let src = &cx.src;
    let handed: Vec<Node<'_>> = own_scope(func)
        .into_iter()
        .filter(|n| n.kind_name() == "call")
        .filter(|call| {
            let method = call
                .field("function")
                .filter(|f| f.kind_name() == "attribute")
                .and_then(|f| f.field("attribute"))
                .map(|m| src.node_text(m));
            let passed = call.field("arguments").is_some_and(|list| {
                named_children(list).into_iter().filter(|n| n.kind_name() == "dictionary_splat").any(|d| {
                    named_children(d)
                        .into_iter()
                        .next()
                        .is_some_and(|v| v.kind_name() == "identifier" && src.node_text(v) == kwargs)
                })
            });
            // `obj = self.model(*args, **kwargs); obj.save()`: a record of the manager's model.
            let builds = call.field("function").is_some_and(|f| src.node_text(f) == "self.model");
            passed && (builds || method.is_some_and(|m| KEYWORD_METHODS.contains(&m)))
        })
        .collect();
    handed.into_iter().any(|call| {
        call.field("function").is_some_and(|f| cx.src.node_text(f) == "self.model") || chain_on_self(cx, call)
    })
}

/// The keywords of a call of a method that is no QuerySet's own on a model's manager
/// (`Notification.objects.add(dismissable=True)`): the model's fields if its class spreads
/// them, as the bindings decide. Medium: the method may consume a keyword itself.
pub(super) fn spread_call(cx: &mut Ctx<'_>, name: &str, a: &Args<'_>, rec: &Rec) {
    let Root::Model { model } = &rec.root else { return };
    if !rec.path.is_empty() || is_queryset_method(name) || a.keywords.is_empty() {
        return;
    }
    let through = Rec {
        root: Root::Binding { scopes: vec![KWARGS_SCOPE.to_owned()], name: model.clone(), guess: None },
        path: vec![name.to_owned()],
    };
    for (k, _) in &a.keywords {
        let key = cx.src.node_text(*k);
        lookup(cx, &through, key, k.start_byte(), Confidence::Medium);
    }
}
