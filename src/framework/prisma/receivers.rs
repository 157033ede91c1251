//! Receiver typing in JS/TS: which model's records an expression holds, so that `doc.title` is
//! `Document.title` and `user.name` is not every table's `name`.
//!
//! Flow-insensitive and local to a function: a name declared anywhere in a function (or the
//! file) has one type there. Types come from
//! - client calls that return rows (`await prisma.document.findFirst(…)`, `tx.user.create(…)`,
//!   `ctx.prisma.team.findMany(…)`), and the app's own functions that return them (a
//!   [`Binding`] in scope [`RETURNS`] another file's `await getDocument(…)` reads);
//! - declared types imported from the generated client (`user: User`, `Field[]`,
//!   `Pick<Webhook, 'id'>`, `Prisma.UserGetPayload<…>`), props included
//!   (`({ document }: { document: Document })`, through the file's own type aliases);
//! - relations (`document.documentMeta`), loops (`for (const r of doc.recipients)`), array
//!   callbacks (`doc.recipients.map((r) => r.email)`), destructuring, `find`/`filter`/`[0]`;
//! - `ReturnType<typeof getRows>` (what the app's function returns), `Rows[number]`, and
//!   memoising wrappers (`const cached = unstable_cache(getRow, …)` returns what `getRow` does);
//! - an object literal held in a variable and passed to the app's function: the function's
//!   argument, so that `data.password = …` set on it later is too.
//!
//! Argument objects are read as what they are passed as: `const where: Prisma.UserWhereInput =
//! {…}`, a variable passed as `where`/`data`, and the arguments of the app's own functions whose
//! parameter is declared as a Prisma input type (`Prisma.XFindManyArgs`, or a local `import X =
//! Prisma.XFindManyArgs` alias), passed on as a call's `data`/`where`, or destructured into fields
//! written under their own names into a call's `data` (a [`Binding`] in scope [`ARGS`]).

use crate::grammar::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

use crate::config::Confidence;
use crate::framework::prisma::angular::TEMPLATES;
use crate::framework::prisma::better_auth;
use crate::framework::prisma::client::{ARG_KEYS, METHODS, On, ROW_METHODS, Shape, Writer};
use crate::framework::prisma::model_name;
use crate::framework::prisma::react::{FORM_CALLS, MUTATIONS, hook_subject, is_column, is_field, subject, tag};
use crate::framework::prisma::routes::{self, BODIES, ROUTES};
use crate::framework::prisma::zod::{self, ZOD};
use crate::scan::extract::js::{call_args, enclosing_scopes, is_scope, object_keys, property, unwrap};
use crate::scan::extract::treesit::{Src, descendants, is_comment, named_children, string_value};
use crate::scan::facts::{Binding, Hit, Root, Target};
use crate::scan::reference::RefKind;

/// Where a form's submitted values are posted: the server action or mutation, the argument, and
/// the key the values are posted under in it (none: the argument itself).
type Post<'a> = (&'a str, usize, Option<String>);

/// Maps keyed by node ids and names of one file: hashed fast, nothing an attacker chooses.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The scope of bindings for what the app's functions return: name = the function's name.
pub const RETURNS: &str = "prisma:returns";
/// The scope of bindings for the Prisma arguments the app's functions take: name = `f(i)` for
/// the function `f`'s `i`-th parameter.
pub const ARGS: &str = "prisma:args";

/// The scope of bindings for the classes another module declares that the app builds from a
/// model's rows (a GraphQL `@ObjectType()` class a service's `cast(row): X` answers `{ ...row }`
/// or `{ label: row.label }` as): name = the class's exported name. A class nothing builds so
/// reads nothing (see [`crate::scan::facts::CLASS_SCOPE_PREFIX`]).
pub const OBJECTS: &str = "class:prisma:objects";

/// The scope of bindings for lists of objects another file writes as a model's rows (a seed's
/// `export const subscriptions = [{ … }]` handed to `prisma.subscription.createMany({ data })`):
/// name = `<module>#<name>`, the module the file's path without its extension.
pub const DATA: &str = "prisma:data";

/// The scope of bindings for what a tRPC procedure answers: name = `<router>.<procedure>`, the
/// key the procedure has in its router and the router's own (its key in the router above, or
/// the name of the variable that holds it without `Router`: `webhookRouter` → `webhook`), as the
/// client names the last two (`trpc.admin.webhook.getTeamWebhooks.useQuery()`).
pub const TRPC: &str = "prisma:trpc";

/// The scope of bindings for what a React component's props hold: name = `<Component>.<prop>`,
/// bound by each `<Component prop={…} />` whose value is typed, and by the component's own
/// declared type of the prop (or the prop's name), so that a prop no caller types is read as
/// before.
pub const PROPS: &str = "prisma:props";

/// The scope of bindings for the types a module exports (`export type UserWithSettings = User &
/// {…}`, `export interface Activity extends Order`), for the files that import them: name = the
/// exported name (whole: the records it is), or `<Type>.<key>` (what its property `key` holds).
/// Keyed by name, not module, since files import shared types through barrels and path aliases.
pub const TYPES: &str = "prisma:types";

/// The start of the scope of one name declared with a type another module declares (see
/// [`Walker::bind`]): `<HELD><module>:<offset>`, binding the name to that type and to what the
/// name says.
const HELD: &str = "prisma:held:";

/// The scope of bindings for what the app's code calls a model's records by (written by the
/// schema's reader): name = a model's accessor or its plural, a relation's name or its singular.
pub const NAMES: &str = "prisma:names";

/// The step of a [`Ty`] that holds the aggregates of its records (`aggregate`'s and `groupBy`'s
/// results: `_max`, `_count`, …); no relation is called that.
const AGGREGATE: &str = "$aggregate";

/// Wrappers whose first type argument is the type that matters.
const WRAPPERS: &[&str] = &[
    "Pick",
    "Omit",
    "Partial",
    "Required",
    "Readonly",
    "Array",
    "ReadonlyArray",
    "Promise",
    "NonNullable",
    "Awaited",
    "Exclude",
    "Extract",
    // Angular's signals.
    "Signal",
    "WritableSignal",
    "InputSignal",
    "ModelSignal",
];

/// Array methods whose result holds the receiver's records.
const SAME: &[&str] =
    &["find", "filter", "at", "slice", "sort", "toSorted", "findLast", "reverse", "toReversed", "pop", "shift"];

/// Array methods whose callback's first parameter is one of the receiver's records.
const CALLBACKS: &[&str] =
    &["map", "filter", "find", "findIndex", "findLast", "some", "every", "forEach", "flatMap", "sort", "toSorted"];

/// `Prisma.<Model><suffix>` input types and how their objects are read, longest suffix first.
const INPUTS: &[(&str, Option<Shape>)] = &[
    ("UncheckedCreateInput", Some(Shape::Data)),
    ("UncheckedUpdateInput", Some(Shape::Data)),
    ("UpdateManyMutationInput", Some(Shape::Data)),
    ("OrderByWithRelationInput", Some(Shape::Order)),
    ("FindUniqueOrThrowArgs", Some(Shape::Args)),
    ("FindFirstOrThrowArgs", Some(Shape::Args)),
    ("WhereUniqueInput", Some(Shape::Filter)),
    ("CreateManyInput", Some(Shape::Data)),
    ("FindUniqueArgs", Some(Shape::Args)),
    ("UpdateManyArgs", Some(Shape::Args)),
    ("DeleteManyArgs", Some(Shape::Args)),
    ("CreateManyArgs", Some(Shape::Args)),
    ("AggregateArgs", Some(Shape::Args)),
    ("FindFirstArgs", Some(Shape::Args)),
    ("FindManyArgs", Some(Shape::Args)),
    ("GroupByArgs", Some(Shape::Args)),
    ("CreateInput", Some(Shape::Data)),
    ("UpdateInput", Some(Shape::Data)),
    ("WhereInput", Some(Shape::Filter)),
    ("CreateArgs", Some(Shape::Args)),
    ("UpdateArgs", Some(Shape::Args)),
    ("UpsertArgs", Some(Shape::Args)),
    ("DeleteArgs", Some(Shape::Args)),
    ("CountArgs", Some(Shape::Args)),
    ("GetPayload", None),
    ("Include", Some(Shape::Select)),
    ("Select", Some(Shape::Select)),
    ("Omit", Some(Shape::Select)),
];

/// Records reached from `root` through the relations of `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ty {
    root: Root,
    path: Vec<String>,
    /// Only the name a variable is called by says what it holds (see [`guess`]): no declared
    /// type, no value's.
    guessed: bool,
}

impl Ty {
    fn model(model: String) -> Ty {
        Ty::of(Root::Model { model })
    }

    fn of(root: Root) -> Ty {
        Ty { root, path: Vec::new(), guessed: false }
    }

    fn step(&self, attribute: &str) -> Ty {
        let mut path = self.path.clone();
        path.push(attribute.to_owned());
        Ty { root: self.root.clone(), path, guessed: self.guessed }
    }

    fn target(&self, attribute: &str) -> Target {
        Target::Chain { root: self.root.clone(), path: self.path.clone(), attribute: Some(attribute.to_owned()) }
    }
}

struct Walker<'s, 'a, 't> {
    src: &'s Src<'a>,
    root: Node<'t>,
    /// See [`enclosing_scopes`].
    scopes: crate::scan::extract::js::Scopes<'t>,
    /// Each node's innermost scope of block-scoped names (see [`lexical_scopes`]).
    lexical: crate::scan::extract::js::Scopes<'t>,
    /// The ids of the blocks among those scopes.
    blocks: Map<usize, ()>,
    /// Each node's parent (see [`parents`]).
    parents: crate::scan::extract::js::Scopes<'t>,
    /// Local type name → the generated client's type it imports (`Document`, `Prisma`).
    client_types: HashMap<&'a str, &'a str>,
    /// The file's own type aliases and interfaces: name → their type (or body).
    local_types: HashMap<&'a str, Node<'t>>,
    /// Names imported from modules other than the generated client's: local name → exported
    /// name, for the types other files declare (see [`TYPES`]).
    imported_types: HashMap<&'a str, &'a str>,
    /// Temporal's activity functions a workflow destructures from `proxyActivities<PostActivity>(…)`
    /// (or from a function of the file returning that): local name → `<Class>.<method>`, the
    /// activity class's method the call runs (see [`Walker::app_callee`]).
    activities: HashMap<&'a str, String>,
    /// Modules of the app imported whole (`import * as contactService from './contact-service'`):
    /// their functions' calls are the app's (see [`Walker::app_callee`]).
    namespaces: HashMap<&'a str, ()>,
    /// `import X = Prisma.XFindManyArgs;`: local name → (namespace, member).
    aliases: HashMap<&'a str, (&'a str, &'a str)>,
    /// (scope node id, name) → the records the name holds there.
    vars: Map<(usize, &'a str), Ty>,
    /// Names declared with a type that is no model's (`subscription: Stripe.Subscription`,
    /// `license: { key: string }`): not read as the model their name suggests.
    opaque: Map<(usize, &'a str), ()>,
    /// (scope node id, name) → the object literal the name holds there.
    objects: Map<(usize, &'a str), Node<'t>>,
    /// A React component's function node id → the records it is about (see [`subject`]).
    subjects: Map<usize, Ty>,
    /// Names holding a page of records (`const { data: users } = useUsersQuery()`): their
    /// `data` is the records.
    pages: Map<(usize, &'a str), ()>,
    /// (scope node id, name) → the function a `const` holds there (`const renderLink = (row) => …`).
    functions: Map<(usize, &'a str), Node<'t>>,
    /// `const [state, setState] = useState(…)`: (scope, setter) → the state's name node.
    setters: Map<(usize, &'a str), Node<'t>>,
    /// (function node id, parameter) → the type the parameter is declared with, for the body's
    /// `const { envelope, recipients } = options;`.
    params: Map<(usize, &'a str), Node<'t>>,
    /// (callback node id, name) → the records of a table row a column's callback is given
    /// (`cell: ({ row }) => row.original.expires`): `row.original` is one.
    rows: Map<(usize, &'a str), Ty>,
    /// `const { mutateAsync: updateFolderMutation } = trpc.folder.updateFolder.useMutation()`:
    /// (scope, the name the mutation is called by) → the procedure's name, which says what it
    /// writes (see [`written_model`]).
    mutations: Map<(usize, &'a str), &'a str>,
    /// (scope node id, name) → the value the name is declared with there.
    values: Map<(usize, &'a str), Node<'t>>,
    /// The name of what this route module's `loader` returns (`<module>#loader`, see
    /// [`RETURNS`]), when it has one: React Router's and Remix's `loaderData` and
    /// `useLoaderData()` hold it.
    loader: Option<String>,
    /// A component's function node id → the arguments of the server actions or mutations its
    /// form's submitted values are posted as (see [`Walker::find_posts`]).
    posts: Map<usize, Vec<Post<'a>>>,
    /// The file's named functions (declarations and `const f = (…) => …`): name → function.
    local_functions: HashMap<&'a str, Node<'t>>,
    /// Whether the file renders JSX (its capitalised functions are components).
    jsx: bool,
    /// A class's node id → its name (`UserService`).
    class_names: Map<usize, &'a str>,
    /// (class node id, field) → the type the class declares the field with: a property
    /// (`private user: User;`) or a constructor's parameter property (`private readonly
    /// userService: UserService`, how NestJS and Angular inject).
    fields: Map<(usize, &'a str), Node<'t>>,
    /// (class node id, field) → the class a field holds an instance of (`userService:
    /// UserService`, `dataService = inject(DataService)`): its methods' calls are that class's.
    field_classes: Map<(usize, &'a str), &'a str>,
    /// `<Component>.<prop>` → what the component's declared type (or the prop's name) says the
    /// prop holds (see [`PROPS`]).
    prop_fallbacks: HashMap<String, Ty>,
    /// The file's module (see [`module`]).
    module: String,
    /// The bindings of [`HELD`] scopes.
    held: Vec<Binding>,
    /// A [`HELD`] scope a name declared with another module's type holds beside what the name
    /// says (see [`Walker::bind`]) → that type alone.
    declared_types: HashMap<String, Ty>,
    hits: Vec<Hit>,
    /// Whether declarations also write hits (the last pass).
    emit: bool,
}

impl<'a, 't> Walker<'_, 'a, 't> {
    fn text(&self, node: Node<'_>) -> &'a str {
        self.src.node_text(node)
    }

    /// A node's parent, from the file's map ([`parents`]).
    fn parent(&self, node: Node<'_>) -> Option<Node<'t>> {
        self.parents.get(&node.id()).copied()
    }

    /// The function (or the file) a node belongs to.
    fn scope_of(&self, node: Node<'_>) -> Node<'t> {
        self.scopes.get(&node.id()).copied().unwrap_or(self.root)
    }

    /// `at` when it is a scope (a function, the file, or a block), then the scopes around it,
    /// innermost first: the blocks a `const`/`let` is declared in (see [`lexical_scopes`]) and
    /// the functions.
    fn scope_chain(&self, at: Node<'_>) -> impl Iterator<Item = usize> + '_ {
        let first = if is_scope(at.kind_name()) || is_block(at, self.parent(at)) { Some(at.id()) } else { None };
        let mut next = self.lexical.get(&at.id()).copied();
        let outer = std::iter::from_fn(move || {
            let scope = next?;
            let parent = self.lexical.get(&scope.id()).copied().unwrap_or(self.root);
            next = (parent.id() != scope.id()).then_some(parent);
            Some(scope.id())
        });
        first.into_iter().chain(outer)
    }

    /// Where a declarator's names live: a `const`/`let`'s in its block (`if (team) { const env
    /// = … }` and `if (user) { const env = … }` are two names), a `var`'s in its function.
    fn declared_in(&self, declarator: Node<'_>) -> Node<'t> {
        match self.parent(declarator) {
            Some(p) if p.kind_name() == "lexical_declaration" => {
                self.lexical.get(&declarator.id()).copied().unwrap_or(self.root)
            }
            _ => self.scope_of(declarator),
        }
    }

    /// The records the innermost component around `at` is about.
    /// Whether a value is a name known to hold no rows (see [`Walker::opaque`]), or a
    /// `filter`/`sort`/… of one.
    fn holds_no_rows(&self, mut value: Node<'t>) -> bool {
        for _ in 0..8 {
            match value.kind_name() {
                "identifier" => {
                    let name = self.text(value);
                    for scope in self.scope_chain(value) {
                        if self.vars.contains_key(&(scope, name)) {
                            return false;
                        }
                        if self.opaque.contains_key(&(scope, name)) {
                            return true;
                        }
                    }
                    return false;
                }
                // `orders[i]`: an element of the list.
                "subscript_expression" => {
                    let Some(object) = value.field("object").map(unwrap) else { return false };
                    value = object;
                }
                "call_expression" => {
                    let Some(f) = value.field("function").map(unwrap) else { return false };
                    if !property(self.src, f).is_some_and(|m| SAME.contains(&m)) {
                        return false;
                    }
                    let Some(object) = f.field("object").map(unwrap) else { return false };
                    value = object;
                }
                _ => return false,
            }
        }
        false
    }

    /// A parameter of a function of this file typed by a call: only where its declared type says
    /// no model (written out, or none), not over a declared model type.
    fn bind_param(&mut self, function: Node<'t>, param: Node<'t>, ty: Ty) -> bool {
        let declared = self.parent(param).and_then(|p| p.field("type"));
        if declared.is_some_and(|d| self.type_ty(d, 0).is_some_and(|t| !is_imported(&t))) {
            return false;
        }
        self.bind(function, param, ty)
    }

    /// `rows.reduce((acc, row) => acc + row.fee, 0)`: the callback's second parameter is one of
    /// the records; without an initial value the first is too (`reduce((a, b) => a.x > b.x ? a :
    /// b)`), which is then also what the call returns (see [`Walker::expr_ty`]).
    fn bind_reduce(&mut self, call: Node<'t>, f: Node<'t>) -> bool {
        let args = call_args(call);
        let Some(callback) = first_callback(call) else { return false };
        let Some(ty) = f.field("object").and_then(|o| self.expr_ty(unwrap(o), 0)) else {
            return false;
        };
        let params = match callback.field("parameter") {
            Some(p) => vec![p],
            None => callback.field("parameters").map(named_children).unwrap_or_default(),
        };
        let mut changed = false;
        for (i, param) in params.into_iter().enumerate().take(2) {
            // A parameter declared with a type is what it says.
            if (i == 1 || args.len() == 1) && param.field("type").is_none() {
                let pattern = param.field("pattern").unwrap_or(param);
                changed |= self.bind_pattern(callback, pattern, Some(ty.clone()), None);
            }
        }
        changed
    }

    /// `const onSubmit = (data) => execute({ ...data, count })` (or `execute(data)`) in a
    /// component: the form's submitted values are posted as that argument of what `execute`
    /// posts to (a server action, a tRPC mutation), so the form's field names are its keys.
    fn find_posts(&mut self, nodes: &[Node<'t>]) {
        if !self.jsx {
            return;
        }
        for &call in nodes.iter().filter(|n| n.kind_name() == "call_expression") {
            let Some(target) = call.field("function").and_then(|f| self.mutation_called(unwrap(f))) else {
                continue;
            };
            for (j, arg) in call_args(call).into_iter().enumerate() {
                let arg = unwrap(arg);
                // The values posted: the handler's parameter, spread (`{ ...data }`) or whole,
                // or the fields it destructures, under their own keys at the top or under a key
                // (`{ id, data: { publicTitle, publicDescription } }`).
                let mut given: Vec<(Node<'t>, bool, Option<String>)> = match arg.kind_name() {
                    "identifier" => vec![(arg, false, None)],
                    "object" => named_children(arg)
                        .into_iter()
                        .filter(|c| c.kind_name() == "spread_element")
                        .filter_map(|c| c.named_child(0).map(unwrap).filter(|v| v.kind_name() == "identifier"))
                        .map(|v| (v, false, None))
                        .collect(),
                    _ => Vec::new(),
                };
                if arg.kind_name() == "object" {
                    for key in object_keys(self.src, arg) {
                        match key.value.map(unwrap) {
                            None => given.extend(
                                named_children(arg)
                                    .into_iter()
                                    .filter(|c| {
                                        c.kind_name() == "shorthand_property_identifier" && self.text(*c) == key.name
                                    })
                                    .map(|c| (c, true, None)),
                            ),
                            Some(v) if v.kind_name() == "object" => given.extend(
                                named_children(v)
                                    .into_iter()
                                    .filter(|c| c.kind_name() == "shorthand_property_identifier")
                                    .map(|c| (c, true, Some(key.name.clone()))),
                            ),
                            _ => {}
                        }
                    }
                }
                for (value, field, under) in given {
                    let value = self.text(value);
                    // The handler whose first parameter the value is (or destructures it), then
                    // the component around it.
                    let mut scope = self.scope_of(call);
                    let handler = loop {
                        if first_parameter(scope).is_some_and(|p| match p.kind_name() {
                            "identifier" => !field && self.text(p) == value,
                            "object_pattern" => field && pattern_names(self.src, p).contains(&value),
                            _ => false,
                        }) {
                            break Some(scope);
                        }
                        let outer = self.scope_of(scope);
                        if outer.id() == scope.id() {
                            break None;
                        }
                        scope = outer;
                    };
                    let Some(mut scope) = handler else { continue };
                    let component = loop {
                        if function_name(self, scope).is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase())) {
                            break Some(scope);
                        }
                        let outer = self.scope_of(scope);
                        if outer.id() == scope.id() {
                            break None;
                        }
                        scope = outer;
                    };
                    if let Some(component) = component {
                        let posts = self.posts.entry(component.id()).or_default();
                        let post = (target, j, under);
                        if !posts.contains(&post) {
                            posts.push(post);
                        }
                    }
                }
            }
        }
    }

    /// The hits of a form field's name `field` at `offset` in the component around `at`, as the
    /// keys its submitted values are posted under (see [`Walker::find_posts`]).
    fn posted_field(&self, at: Node<'_>, field: &str, offset: usize) -> Vec<Hit> {
        let Some(posts) = self.scope_chain(at).find_map(|s| self.posts.get(&s)) else { return Vec::new() };
        let mut out = Vec::new();
        for (target, j, under) in posts {
            let names = match under {
                Some(key) => vec![format!("{target}({j}).{key}")],
                None => vec![format!("{target}({j})"), format!("{target}({j}).{field}")],
            };
            for name in names {
                let root = Root::Binding { scopes: vec![ARGS.to_owned()], name, guess: None };
                out.push(self.src.hit(offset, Ty::of(root).target(field), RefKind::Query, Confidence::Medium));
            }
        }
        out
    }

    /// The component whose first parameter `param` is: a capitalised function of a file that
    /// renders JSX.
    fn component_of(&self, param: Node<'t>) -> Option<&'a str> {
        if !self.jsx {
            return None;
        }
        let params = self.parent(param).filter(|p| p.kind_name() == "formal_parameters")?;
        if named_children(params).first().map(|p| p.id()) != Some(param.id()) {
            return None;
        }
        let function = self.parent(params)?;
        function_name(self, function).filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
    }

    /// `const Billing: FC<{ sub?: Subscription }> = (props) => …`: the props type a React
    /// component's first parameter is declared with through the component's own declared type.
    fn component_props(&self, param: Node<'t>) -> Option<Node<'t>> {
        let params = self.parent(param).filter(|p| p.kind_name() == "formal_parameters")?;
        if named_children(params).first().map(|p| p.id()) != Some(param.id()) {
            return None;
        }
        let function =
            self.parent(params).filter(|f| matches!(f.kind_name(), "arrow_function" | "function_expression"))?;
        let declarator = self.parent(function).filter(|d| d.kind_name() == "variable_declarator")?;
        let generic = declarator
            .field("type")
            .and_then(|t| named_children(t).into_iter().next())
            .filter(|g| g.kind_name() == "generic_type")?;
        let name = self.text(generic.field("name")?);
        let name = name.strip_prefix("React.").unwrap_or(name);
        if !matches!(name, "FC" | "FunctionComponent" | "VFC" | "VoidFunctionComponent") {
            return None;
        }
        generic.field("type_arguments")?.named_child(0)
    }

    /// The class whose code `at` is.
    fn class_of(&self, at: Node<'_>) -> Option<Node<'t>> {
        let mut node = self.parent(at)?;
        for _ in 0..256 {
            if CLASSES.contains(&node.kind_name()) {
                return Some(node);
            }
            node = self.parent(node)?;
        }
        None
    }

    /// Object variables handed to the app's function or method `callee` (`save(data)`,
    /// `this.userService.updateUser(data)`): each holds what `callee`'s parameter at its position
    /// takes. Whether anything new was bound.
    fn bind_object_arguments(&mut self, call: Node<'t>, callee: &str) -> bool {
        let mut changed = false;
        for (i, arg) in call_args(call).into_iter().enumerate() {
            if arg.kind_name() != "identifier" {
                continue;
            }
            let name = self.text(arg);
            // The scope whose declaration holds the object.
            let Some(scope) = self.scope_chain(arg).find(|s| self.objects.contains_key(&(*s, name))) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(e) = self.vars.entry((scope, name)) {
                e.insert(argument_of(callee, i));
                changed = true;
            }
        }
        changed
    }

    /// The procedure a call posts to: a mutation called by the name it is destructured as
    /// (`updateFolder(…)`), or through the mutation held whole (`mut.mutateAsync(…)`).
    fn mutation_called(&self, f: Node<'_>) -> Option<&'a str> {
        let held = match f.kind_name() {
            "identifier" => f,
            "member_expression" if property(self.src, f).is_some_and(|m| matches!(m, "mutate" | "mutateAsync")) => {
                unwrap(f.field("object")?)
            }
            _ => return None,
        };
        let name = self.text(held);
        (held.kind_name() == "identifier")
            .then(|| self.scope_chain(held).find_map(|s| self.mutations.get(&(s, name)).copied()))
            .flatten()
    }

    /// The name the app's function or method a call's function names is bound by (see
    /// [`RETURNS`], [`ARGS`]): `f` for `f(…)`, `C.m` for `this.m(…)` in class `C`, `T.m` for
    /// `this.x.m(…)` of a field `x` declared as a `T` (an injected service); `C.m` for a static
    /// method called on a class the file declares or imports from the app (`WebhookService.
    /// getWebhookCall(…)`), `f` for a function of a module imported whole (`import * as
    /// contactService from './contact-service'`, `contactService.getContact(…)`). A client's
    /// own method (`$transaction`) is none.
    fn app_callee(&self, f: Node<'_>) -> Option<String> {
        match f.kind_name() {
            // `import { scheduleCampaign as scheduleCampaignService }`: bound by its exported name.
            "identifier" => {
                let name = self.text(f);
                if let Some(activity) = self.activities.get(name) {
                    return Some(activity.clone());
                }
                Some(self.imported_types.get(name).copied().unwrap_or(name).to_owned())
            }
            "member_expression" => {
                let method = property(self.src, f).filter(|m| !m.starts_with('$'))?;
                let object = unwrap(f.field("object")?);
                if object.kind_name() == "identifier" {
                    let name = self.text(object);
                    if self.namespaces.contains_key(name) {
                        return Some(method.to_owned());
                    }
                    let class = name.starts_with(|c: char| c.is_ascii_uppercase())
                        && (self.imported_types.contains_key(name) || self.class_names.values().any(|c| *c == name));
                    return class.then(|| format!("{name}.{method}"));
                }
                let class = self.class_of(f)?;
                match object.kind_name() {
                    "this" => Some(format!("{}.{method}", self.class_names.get(&class.id())?)),
                    "member_expression" if object.field("object").is_some_and(|o| unwrap(o).kind_name() == "this") => {
                        let field = property(self.src, object)?;
                        Some(format!("{}.{method}", self.field_classes.get(&(class.id(), field))?))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn subject_of(&self, at: Node<'_>) -> Option<Ty> {
        self.scope_chain(at).find_map(|scope| self.subjects.get(&scope).cloned())
    }

    fn lookup_object(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        self.scope_chain(at).find_map(|scope| self.objects.get(&(scope, name)).copied())
    }

    /// Whether `read` (`values.autoAdd`, not assigned to) reads back a key the object literal the
    /// name `object` holds, declared with no type, was written with: the code's own value, no
    /// record's field.
    fn reads_own_key(&self, read: Node<'_>, object: Node<'t>, key: &str) -> bool {
        let assigned = self.parent(read).is_some_and(|p| {
            matches!(p.kind_name(), "assignment_expression" | "augmented_assignment_expression")
                && p.field("left").is_some_and(|l| l.id() == read.id())
        });
        !assigned
            && object.kind_name() == "identifier"
            && self
                .lookup_object(self.text(object), object)
                .filter(|literal| {
                    // A literal declared as a type (`const user: UserWithSettings = {…}`, `{…} as
                    // User`) is a record the code built, read as one.
                    self.parent(*literal)
                        .is_some_and(|d| d.kind_name() == "variable_declarator" && d.field("type").is_none())
                })
                .is_some_and(|literal| object_keys(self.src, literal).iter().any(|k| k.name == key))
    }

    /// The object literal `node` is, or the one the name `node` holds (`const data = { … }`).
    fn object_of(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind_name() {
            "object" => Some(node),
            "identifier" => self.lookup_object(self.src.node_text(node), node),
            _ => None,
        }
    }

    /// What a key of an object literal holds (`{ data }` the name `data`'s records).
    fn key_ty(&self, key: &crate::scan::extract::js::Key<'t>, object: Node<'t>) -> Option<Ty> {
        match key.value {
            Some(v) if unwrap(v).kind_name() == "object" => self.copied(unwrap(v)),
            Some(v) => self.expr_ty(unwrap(v), 0),
            None => self.scope_chain(object).find_map(|s| self.vars.get(&(s, key.name.as_str())).cloned()),
        }
    }

    /// The records an object literal is built as by what it is returned from: a function
    /// declared to return them (`useMemo((): TEditorEnvelope => { …; return {…} })`), or the
    /// callback of a `map` whose result is declared (`list.map<TRecipientLite>((s) => ({…}))`,
    /// `const recipients: TEditorEnvelope['recipients'] = list.map((r) => ({…}))`).
    /// Only a type that is known, not one read from its name (`(t): TSurvey => ({ … })` builds
    /// a template, not a record whose fields the code writes).
    fn literal_ty(&self, object: Node<'t>) -> Option<Ty> {
        self.built_as(object).filter(|t| !is_named(t))
    }

    fn built_as(&self, object: Node<'t>) -> Option<Ty> {
        let mut at = object;
        let mut parent = self.parent(at)?;
        while matches!(parent.kind_name(), "parenthesized_expression" | "as_expression" | "satisfies_expression") {
            at = parent;
            parent = self.parent(at)?;
        }
        let function = match parent.kind_name() {
            "arrow_function" if parent.field("body").is_some_and(|b| b.id() == at.id()) => parent,
            "return_statement" => self.scope_of(parent),
            _ => return None,
        };
        if !matches!(
            function.kind_name(),
            "arrow_function" | "function_expression" | "function" | "function_declaration"
        ) {
            return None;
        }
        if let Some(t) = function.field("return_type") {
            return self.type_ty(t, 0);
        }
        let call = self.parent(self.parent(function).filter(|a| a.kind_name() == "arguments")?)?;
        let f = call.field("function").map(unwrap)?;
        if !property(self.src, f).is_some_and(|m| matches!(m, "map" | "flatMap")) {
            return None;
        }
        if let Some(args) = call.field("type_arguments") {
            return self.type_ty(args.named_child(0)?, 0);
        }
        let declared = self.parent(call).filter(|d| d.kind_name() == "variable_declarator")?.field("type")?;
        self.type_ty(declared, 0)
    }

    /// The object literal a `useMemo` callback returns.
    fn literal_of(&self, value: Node<'t>) -> Option<Node<'t>> {
        let v = unwrap(value);
        let f = v.field("function").map(unwrap).filter(|_| v.kind_name() == "call_expression")?;
        if !matches!(self.text(f), "useMemo" | "React.useMemo") {
            return None;
        }
        let callback = call_args(v).into_iter().next()?;
        let body = callback.field("body")?;
        if body.kind_name() != "statement_block" {
            return Some(unwrap(body)).filter(|b| b.kind_name() == "object");
        }
        descendants(body)
            .into_iter()
            .filter(|r| r.kind_name() == "return_statement" && self.scope_of(*r).id() == callback.id())
            .find_map(|r| r.named_child(0).map(unwrap).filter(|o| o.kind_name() == "object"))
    }

    /// `{ title: envelope.title, qrToken: envelope.qrToken, … }`: a copy of a record's fields
    /// under their own names (two or more) is that record, for what reads it later.
    fn copied(&self, object: Node<'t>) -> Option<Ty> {
        if let Some(ty) = self.expr_ty(object, 0) {
            return Some(ty);
        }
        let mut sources: Vec<&'a str> = Vec::new();
        for key in object_keys(self.src, object) {
            let Some(v) = key.value.map(unwrap).filter(|v| v.kind_name() == "member_expression") else { continue };
            if property(self.src, v) == Some(key.name.as_str())
                && let Some(o) = v.field("object").map(unwrap).filter(|o| o.kind_name() == "identifier")
            {
                sources.push(self.text(o));
            }
        }
        let first = *sources.first()?;
        if sources.len() < 2 || sources.iter().any(|s| *s != first) {
            return None;
        }
        let at = object_keys(self.src, object)
            .into_iter()
            .filter_map(|k| k.value.map(unwrap))
            .find_map(|v| v.field("object").map(unwrap).filter(|o| self.text(*o) == first))?;
        self.expr_ty(at, 0)
    }

    /// Whether an object literal is built as a declared type: a variable's, or the return type
    /// of the function that returns it.
    fn declared_shape(&self, object: Node<'t>) -> bool {
        let mut at = object;
        let Some(mut parent) = self.parent(at) else { return false };
        while matches!(parent.kind_name(), "parenthesized_expression" | "as_expression" | "satisfies_expression") {
            if parent.kind_name() != "parenthesized_expression" {
                return true;
            }
            at = parent;
            let Some(p) = self.parent(at) else { return false };
            parent = p;
        }
        let function = match parent.kind_name() {
            "variable_declarator" => return parent.field("type").is_some(),
            "arrow_function" if parent.field("body").is_some_and(|b| b.id() == at.id()) => parent,
            "return_statement" => self.scope_of(parent),
            _ => return false,
        };
        function.field("return_type").is_some()
    }

    /// The records whose field `field` a value reads, wrapped in calls and operators
    /// (`schema.safeParse(row.matchMetadata).data ?? null`): a member `x.field` of a typed `x`
    /// within a small expression, no function or object literal in between.
    fn copied_field(&self, value: Node<'t>, field: &str) -> Option<Ty> {
        self.field_read(value, field).filter(|t| !is_named(t))
    }

    /// The records a local named `field` holds the field `field` of, where an object literal
    /// names it short (`{ inviteCode }`): a local read from a record under its own name (`const {
    /// inviteCode } = row`, `({ renewalFee }) => …` over rows), not one declared with a value
    /// of its own (`const x = row.x || fallback`) nor one a name's guess types;
    /// in what a function returns or answers, or a part of it, not a function's argument.
    fn shorthand_copy(&self, object: Node<'t>, field: &str) -> Option<Ty> {
        // `validatePassword({ password, passwordHash })`: an object handed to a function names its
        // parameters; one handed to a response's `json` is the answer.
        if let Some(call) = self.parent(object).filter(|a| a.kind_name() == "arguments").and_then(|a| self.parent(a))
            && call.field("function").and_then(|f| property(self.src, unwrap(f))) != Some("json")
        {
            return None;
        }
        let mut ty = None;
        for scope in self.scope_chain(object) {
            // `const timezone = team.timezone || "UTC"`: a local of its own, later used.
            if self.values.contains_key(&(scope, field)) {
                return None;
            }
            if let Some(t) = self.vars.get(&(scope, field)) {
                ty = Some(t.clone());
                break;
            }
            if self.opaque.contains_key(&(scope, field)) {
                return None;
            }
        }
        let mut ty = ty.filter(|t| !is_named(t))?;
        (ty.path.pop().as_deref() == Some(field)).then_some(ty)
    }

    /// The records whose field `field` the function child of a table column's element renders
    /// (`<DataColumn id="username">{(row) => row?.user?.username}</DataColumn>`), as the
    /// column's rows are typed (by the component's name, as its other columns are).
    fn rendered_field(&self, opening: Node<'t>, field: &str) -> Option<Ty> {
        let element = self.parent(opening).filter(|e| e.kind_name() == "jsx_element")?;
        named_children(element)
            .into_iter()
            .filter(|c| c.kind_name() == "jsx_expression")
            .filter_map(|c| c.named_child(0))
            .filter(|f| matches!(f.kind_name(), "arrow_function" | "function_expression" | "function"))
            .filter_map(|f| f.field("body"))
            .filter(|b| b.kind_name() != "statement_block")
            .find_map(|b| self.field_read(unwrap(b), field))
    }

    fn field_read(&self, value: Node<'t>, field: &str) -> Option<Ty> {
        const MAX_NODES: usize = 48;
        let (mut todo, mut seen) = (vec![value], 0);
        while let Some(n) = todo.pop() {
            seen += 1;
            if seen > MAX_NODES {
                return None;
            }
            match n.kind_name() {
                "arrow_function"
                | "function_expression"
                | "function"
                | "object"
                | "array"
                | "jsx_element"
                | "jsx_self_closing_element" => continue,
                "member_expression" if property(self.src, n) == Some(field) => {
                    let object = unwrap(n.field("object")?);
                    return self.expr_ty(object, 0);
                }
                _ => todo.extend(named_children(n)),
            }
        }
        None
    }

    /// `[{ accessorKey: 'retried', cell: ({ row }) => … }] satisfies DataTableColumnDef<Row>[]`
    /// (TanStack Table's column definitions, under any wrapper's name ending in `ColumnDef`):
    /// the records the table's rows are.
    fn column_defs(&self, array: Node<'t>) -> Option<Ty> {
        let parent = self.parent(array)?;
        if parent.kind_name() == "pair" {
            return self.table_columns(parent);
        }
        let declared = match parent.kind_name() {
            "satisfies_expression" | "as_expression" => parent.named_child(1)?,
            "variable_declarator" => parent.field("type")?.named_child(0)?,
            _ => return None,
        };
        let element = match declared.kind_name() {
            "array_type" => declared.named_child(0)?,
            "generic_type"
                if declared.field("name").is_some_and(|n| matches!(self.text(n), "Array" | "ReadonlyArray")) =>
            {
                declared.field("type_arguments")?.named_child(0)?
            }
            _ => return None,
        };
        let name = element.field("name").filter(|_| element.kind_name() == "generic_type")?;
        if !self.text(name).ends_with("ColumnDef") {
            return None;
        }
        self.type_ty(element.field("type_arguments")?.named_child(0)?, 0)
    }

    /// `useTable({ data: tokens || [], columns: [...] })` (a table hook's options, TanStack's
    /// `useReactTable` or an app's wrapper of it): the columns' rows are `data`'s, where
    /// something other than a name says what they are.
    fn table_columns(&self, pair: Node<'t>) -> Option<Ty> {
        if pair.field("key").map(|k| self.text(k)) != Some("columns") {
            return None;
        }
        let options = self.parent(pair).filter(|o| o.kind_name() == "object")?;
        let call = self.parent(options).filter(|a| a.kind_name() == "arguments").and_then(|a| self.parent(a))?;
        let f = call.field("function").map(unwrap)?;
        let hook = match f.kind_name() {
            "member_expression" => property(self.src, f)?,
            _ => self.text(f),
        };
        if !(hook.starts_with("use") && hook.ends_with("Table")) {
            return None;
        }
        let data = object_keys(self.src, options).into_iter().find(|k| k.name == "data")?;
        self.key_ty(&data, options).filter(|t| !is_named(t))
    }

    /// A name that holds any of `alternatives`: a scope of its own, bound to each.
    fn hold(&mut self, name: Node<'_>, alternatives: impl IntoIterator<Item = Option<Ty>>) -> Ty {
        let held = format!("{HELD}{}:{}", self.module, name.start_byte());
        let text = self.text(name).to_owned();
        for alternative in alternatives.into_iter().flatten() {
            let binding =
                Binding { scope: held.clone(), name: text.clone(), root: alternative.root, path: alternative.path };
            if !self.held.contains(&binding) {
                self.held.push(binding);
            }
        }
        Ty::of(Root::Binding { scopes: vec![held], name: text, guess: None })
    }

    fn bind(&mut self, scope: Node<'_>, name: Node<'_>, ty: Ty) -> bool {
        let key = (scope.id(), self.text(name));
        let mut ty = held_in(ty, key.1);
        // A type another module declares may bind nothing, which is no evidence against what
        // the name says: the name holds either (a scope of its own, bound to both).
        if is_imported(&ty)
            && ty.path.is_empty()
            && let Root::Binding { scopes, name: type_name, .. } = &ty.root
            && scopes[0] == TYPES
        {
            let declared =
                Ty::of(Root::Binding { scopes: vec![TYPES.to_owned()], name: type_name.clone(), guess: None });
            ty = self.hold(name, [Some(declared.clone()), guess(key.1)]);
            if let Root::Binding { scopes, .. } = &ty.root {
                self.declared_types.insert(scopes[0].clone(), declared);
            }
        }
        if self.vars.get(&key) == Some(&ty) {
            return false;
        }
        // Flow-insensitive: the first type a name gets in a scope stays, unless it was only
        // what a name suggests (a callback's parameter typed by a list whose own type a later
        // pass learns: `shown.map((t) => …)` before `const { shown } = useMemo(…)` is known),
        // or a type another module declares, which a type known here outranks.
        let rank = |t: &Ty| {
            if is_named(t) {
                0
            } else if is_imported(t) {
                1
            } else {
                2
            }
        };
        if self.vars.get(&key).is_some_and(|old| rank(old) >= rank(&ty)) {
            return false;
        }
        self.vars.insert(key, ty);
        true
    }

    fn use_of(&mut self, offset: usize, ty: &Ty, attribute: &str) {
        if self.emit {
            self.hits.push(self.src.hit(offset, ty.target(attribute), RefKind::Query, Confidence::Medium));
        }
    }

    /// A `Prisma.<Model><suffix>` type: the model and, for an input type, how its objects read.
    fn prisma_type(&self, node: Node<'_>) -> Option<(String, Option<Shape>)> {
        let (module, name) = match node.kind_name() {
            "nested_type_identifier" => (self.text(node.field("module")?), self.text(node.field("name")?)),
            "type_identifier" => *self.aliases.get(self.text(node))?,
            _ => return None,
        };
        if self.client_types.get(module) != Some(&"Prisma") {
            return None;
        }
        INPUTS.iter().find_map(|(suffix, shape)| {
            let model = name.strip_suffix(suffix).filter(|m| !m.is_empty())?;
            Some((model_name(model), *shape))
        })
    }

    /// The records a declared type holds.
    fn type_ty(&self, node: Node<'t>, depth: u32) -> Option<Ty> {
        if depth > 8 {
            return None;
        }
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => {
                named_children(node).into_iter().find_map(|c| self.type_ty(c, depth + 1))
            }
            "type_identifier" => {
                let name = self.text(node);
                if let Some(imported) = self.client_types.get(name).filter(|i| **i != "Prisma" && **i != "PrismaClient")
                {
                    return Some(Ty::model(model_name(imported)));
                }
                match self.local_types.get(name) {
                    Some(local) => self.type_ty(*local, depth + 1),
                    None => match self.imported_types.get(name) {
                        Some(exported) => Some(imported_type(exported)),
                        None => zod_type(name),
                    },
                }
            }
            "generic_type" => {
                let name = node.field("name")?;
                if let Some((model, None)) = self.prisma_type(name) {
                    return Some(Ty::model(model));
                }
                if self.draft(node, depth) {
                    return None;
                }
                // A table's `MatTableDataSource<Activity>`: its rows.
                if name.kind_name() == "type_identifier"
                    && (WRAPPERS.contains(&self.text(name)) || self.text(name).ends_with("DataSource"))
                {
                    let args = node.field("type_arguments")?;
                    return self.type_ty(args.named_child(0)?, depth + 1);
                }
                // `ReturnType<typeof getApiKeys>`: what the app's function returns.
                if name.kind_name() == "type_identifier" && self.text(name) == "ReturnType" {
                    let query = node.field("type_arguments")?.named_child(0)?;
                    let f = query
                        .named_child(0)
                        .filter(|f| query.kind_name() == "type_query" && f.kind_name() == "identifier")?;
                    return Some(returned_by(self.text(f)));
                }
                None
            }
            // `Rows[number]`: an element of the rows; `(typeof results)['data']`: what the
            // `data` key of an object holds.
            "lookup_type" => {
                if let Some(ty) = self.router_output(node) {
                    return Some(ty);
                }
                let (object, index) = (node.named_child(0)?, node.named_child(1)?);
                let key = (index.kind_name() == "literal_type")
                    .then(|| index.named_child(0).filter(|s| s.kind_name() == "string"))
                    .flatten()
                    .and_then(|s| string_value(self.src, s))
                    .map(|(k, _)| k);
                let Some(key) = key else { return self.type_ty(object, depth + 1) };
                let mut inner = object;
                while inner.kind_name() == "parenthesized_type" {
                    inner = inner.named_child(0)?;
                }
                if inner.kind_name() == "type_query"
                    && let Some(name) = inner.named_child(0).filter(|n| n.kind_name() == "identifier")
                    && let Some(literal) = self.lookup_object(self.text(name), name)
                {
                    let value = object_keys(self.src, literal).into_iter().find(|k| k.name == key)?;
                    return self.key_ty(&value, literal);
                }
                Some(self.type_ty(object, depth + 1)?.step(&key))
            }
            // `typeof results`: what the value holds.
            "type_query" => {
                let value = node.named_child(0)?;
                matches!(value.kind_name(), "identifier" | "member_expression")
                    .then(|| self.expr_ty(value, 0))
                    .flatten()
            }
            // A type another module declares may say nothing: the others first.
            "array_type" | "union_type" | "intersection_type" => {
                let children = named_children(node);
                if node.kind_name() == "intersection_type" && children.iter().any(|c| self.draft(*c, depth + 1)) {
                    return None;
                }
                let tys: Vec<Ty> = children.into_iter().filter_map(|c| self.type_ty(c, depth + 1)).collect();
                tys.iter().find(|t| !is_imported(t)).or(tys.first()).cloned()
            }
            // `interface Activity extends Order { … }`: the records of what it extends.
            "interface_body" => {
                let extends = self
                    .parent(node)
                    .and_then(|i| named_children(i).into_iter().find(|c| c.kind_name() == "extends_type_clause"))?;
                named_children(extends).into_iter().find_map(|c| self.type_ty(c, depth + 1))
            }
            _ => None,
        }
    }

    /// `RouterOutputs["prompts"]["allVersions"]["promptVersions"][number]` (tRPC's
    /// `inferRouterOutputs<AppRouter>` indexed by a router's key and a procedure's): what the
    /// procedure answers (see [`TRPC`]), under the next key, through relations after it. The
    /// first two keys are read as the router and the procedure, as an app router of routers
    /// names them.
    fn router_output(&self, node: Node<'t>) -> Option<Ty> {
        let mut keys: Vec<String> = Vec::new();
        let mut at = node;
        for _ in 0..16 {
            match at.kind_name() {
                "parenthesized_type" => at = at.named_child(0)?,
                "lookup_type" => {
                    let index = at.named_child(1)?;
                    if index.kind_name() == "literal_type" {
                        let key = index.named_child(0).filter(|s| s.kind_name() == "string")?;
                        keys.push(string_value(self.src, key)?.0);
                    }
                    at = at.named_child(0)?;
                }
                "type_identifier" => {
                    let name = self.text(at);
                    if !(name.ends_with("RouterOutputs") || name.ends_with("RouterOutput")) {
                        return None;
                    }
                    break;
                }
                "generic_type" => {
                    at.field("name").filter(|n| self.text(*n) == "inferRouterOutputs")?;
                    break;
                }
                _ => return None,
            }
        }
        keys.reverse();
        let [router, procedure, rest @ ..] = keys.as_slice() else { return None };
        let mut name = format!("{router}.{procedure}");
        let mut path = rest.iter();
        if let Some(key) = path.next() {
            name = format!("{name}.{key}");
        }
        let mut ty = Ty::of(Root::Binding { scopes: vec![TRPC.to_owned()], name, guess: None });
        ty.path = path.cloned().collect();
        Some(ty)
    }

    /// A type this file exports that is no model's (`users: AdminUser[]` beside `export interface
    /// AdminUser`), as the files importing it know it: it may hold a model's records under a
    /// key (see [`type_bindings`]). Not read in the file itself, where its keys are read as
    /// declared.
    fn exported_here(&self, node: Node<'t>, depth: u32) -> Option<Ty> {
        if depth > 8 {
            return None;
        }
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "array_type" => {
                named_children(node).into_iter().find_map(|c| self.exported_here(c, depth + 1))
            }
            "generic_type" if node.field("name").is_some_and(|n| WRAPPERS.contains(&self.text(n))) => {
                self.exported_here(node.field("type_arguments")?.named_child(0)?, depth + 1)
            }
            "type_identifier" => {
                let name = self.text(node);
                let local = self.local_types.get(name)?;
                self.parent(*local)
                    .and_then(|d| self.parent(d))
                    .filter(|e| e.kind_name() == "export_statement")
                    .map(|_| imported_type(name))
            }
            _ => None,
        }
    }

    /// `Partial<Activity>` of a type another module declares: a record of the app's shape being
    /// built (a draft, a patch filled in from input), not one read.
    fn draft(&self, node: Node<'t>, depth: u32) -> bool {
        node.kind_name() == "generic_type"
            && node.field("name").is_some_and(|n| self.text(n) == "Partial")
            && node
                .field("type_arguments")
                .and_then(|a| a.named_child(0))
                .and_then(|t| self.type_ty(t, depth + 1))
                .is_some_and(|t| is_imported(&t))
    }

    /// Whether a declared type is plainly no model's records: another library's type
    /// (`Stripe.Subscription`), an object type written out, a primitive. A bare type name may be
    /// the app's own shape of a model's rows, and `any` says nothing.
    fn foreign_type(&self, node: Node<'t>, held: &str) -> bool {
        self.foreign_type_at(node, held, 0)
    }

    /// [`Walker::foreign_type`], through the file's own type aliases and interfaces: a type the
    /// file writes out (`type ContactInput = { email: string; subscribed?: boolean }`, an
    /// interface extending nothing) holds the caller's input, not a model's record, and so do
    /// `Partial<…>`/`Pick<…>`/`Omit<…>` of it — unless it is called what the name `held` says
    /// (`chat: Chat` beside `interface Chat { … }`: the app's own shape of the model's rows).
    fn foreign_type_at(&self, node: Node<'t>, held: &str, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let node = if node.kind_name() == "type_annotation" { node.named_child(0) } else { Some(node) };
        let Some(node) = node else { return false };
        match node.kind_name() {
            "nested_type_identifier" => {
                node.field("module").is_some_and(|m| !self.client_types.contains_key(self.text(m)))
            }
            "object_type" => true,
            "predefined_type" => !matches!(self.text(node), "any" | "unknown" | "object"),
            "type_identifier" => self.local_types.get(self.text(node)).is_some_and(|local| {
                let named = guessed(held).is_some_and(|m| model_name(self.text(node)).eq_ignore_ascii_case(&m));
                !named
                    && self.type_ty(*local, depth + 1).is_none()
                    && match local.kind_name() {
                        "interface_body" => self
                            .parent(*local)
                            .is_some_and(|i| !named_children(i).iter().any(|c| c.kind_name() == "extends_type_clause")),
                        _ => self.foreign_type_at(*local, held, depth + 1),
                    }
            }),
            "generic_type" => {
                node.field("name")
                    .is_some_and(|n| matches!(self.text(n), "Partial" | "Pick" | "Omit" | "Required" | "Readonly"))
                    && node
                        .field("type_arguments")
                        .and_then(|a| a.named_child(0))
                        .is_some_and(|t| self.foreign_type_at(t, held, depth + 1))
            }
            _ => false,
        }
    }

    /// Whether a value is what another library's resource client answers: `await
    /// stripe.subscriptions.retrieve(…)` has the shape of a Prisma call (`client.resource.verb`)
    /// with a verb Prisma Client has not, so its result is no row, whatever the name it is held in.
    fn foreign_call(&self, value: Node<'_>) -> bool {
        let mut v = unwrap(value);
        if v.kind_name() == "await_expression" {
            match v.named_child(0) {
                Some(inner) => v = unwrap(inner),
                None => return false,
            }
        }
        let Some(f) = v.field("function").map(unwrap).filter(|_| v.kind_name() == "call_expression") else {
            return false;
        };
        let Some(resource) = f.field("object").map(unwrap).filter(|o| o.kind_name() == "member_expression") else {
            return false;
        };
        let client_is_name = resource.field("object").is_some_and(|c| c.kind_name() == "identifier");
        property(self.src, f)
            .is_some_and(|m| client_is_name && !METHODS.contains(&m) && !SAME.contains(&m) && !CALLBACKS.contains(&m))
    }

    /// The type of property `key` of a declared object type (props).
    fn prop_type(&self, node: Node<'t>, key: &str, depth: u32) -> Option<Ty> {
        if depth > 8 {
            return None;
        }
        if let Some(ty) = self.type_ty(node, depth) {
            return Some(ty.step(key));
        }
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => {
                named_children(node).into_iter().find_map(|c| self.prop_type(c, key, depth + 1))
            }
            "object_type" | "interface_body" => named_children(node).into_iter().find_map(|p| {
                if p.kind_name() != "property_signature" || p.field("name").map(|n| self.text(n)) != Some(key) {
                    return None;
                }
                self.type_ty(p.field("type")?, depth + 1)
            }),
            "type_identifier" => self.prop_type(*self.local_types.get(self.text(node))?, key, depth + 1),
            "intersection_type" => named_children(node).into_iter().find_map(|c| self.prop_type(c, key, depth + 1)),
            "generic_type" => {
                let name = node.field("name")?;
                if name.kind_name() == "type_identifier" && WRAPPERS.contains(&self.text(name)) {
                    let args = node.field("type_arguments")?;
                    return self.prop_type(args.named_child(0)?, key, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    /// The properties of an object type written out (or named locally, or in a `Promise`) and
    /// their declared types.
    fn declared_keys(&self, node: Node<'t>, depth: u32) -> Vec<(&'a str, Node<'t>)> {
        if depth > 8 {
            return Vec::new();
        }
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "intersection_type" => {
                named_children(node).into_iter().flat_map(|c| self.declared_keys(c, depth + 1)).collect()
            }
            "object_type" | "interface_body" => named_children(node)
                .into_iter()
                .filter(|p| p.kind_name() == "property_signature")
                .filter_map(|p| Some((self.text(p.field("name")?), p.field("type")?)))
                .collect(),
            "type_identifier" => match self.local_types.get(self.text(node)) {
                Some(local) => self.declared_keys(*local, depth + 1),
                None => Vec::new(),
            },
            "generic_type"
                if node
                    .field("name")
                    .is_some_and(|n| matches!(self.text(n), "Promise" | "Awaited" | "NonNullable")) =>
            {
                match node.field("type_arguments").and_then(|a| a.named_child(0)) {
                    Some(arg) => self.declared_keys(arg, depth + 1),
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// The declared type of property `key` of an object type written out (or named locally).
    fn prop_signature(&self, node: Node<'t>, key: &str, depth: u32) -> Option<Node<'t>> {
        if depth > 8 {
            return None;
        }
        match node.kind_name() {
            "type_annotation" | "parenthesized_type" | "intersection_type" => {
                named_children(node).into_iter().find_map(|c| self.prop_signature(c, key, depth + 1))
            }
            "object_type" | "interface_body" => named_children(node).into_iter().find_map(|p| {
                (p.kind_name() == "property_signature" && p.field("name").map(|n| self.text(n)) == Some(key))
                    .then(|| p.field("type"))
                    .flatten()
            }),
            "type_identifier" => self.prop_signature(*self.local_types.get(self.text(node))?, key, depth + 1),
            _ => None,
        }
    }

    /// The records an expression holds.
    fn expr_ty(&self, node: Node<'t>, depth: u32) -> Option<Ty> {
        if depth > 16 {
            return None;
        }
        match node.kind_name() {
            "parenthesized_expression" | "non_null_expression" | "satisfies_expression" => {
                self.expr_ty(node.named_child(0)?, depth + 1)
            }
            "as_expression" => node
                .named_child(1)
                .and_then(|t| self.type_ty(t, 0))
                .or_else(|| self.expr_ty(node.named_child(0)?, depth + 1)),
            "await_expression" => {
                let mut inner = unwrap(node.named_child(0)?);
                // `await getEnvelope(…).catch(() => null)`: what the promise holds, or nothing.
                while inner.kind_name() == "call_expression"
                    && let Some(f) = inner.field("function").map(unwrap)
                    && property(self.src, f).is_some_and(|m| matches!(m, "catch" | "finally"))
                    && let Some(object) = f.field("object").map(unwrap)
                {
                    inner = object;
                }
                // The app's own function (or a service's method), awaited: what it returns.
                if inner.kind_name() == "call_expression"
                    && let Some(f) = inner.field("function").map(unwrap)
                    && let Some(callee) = self.app_callee(f)
                {
                    return Some(returned_by(&callee));
                }
                self.expr_ty(inner, depth + 1)
            }
            "identifier" => {
                let name = self.text(node);
                // The innermost scope that declares the name decides; a block's name only its
                // spelling types does not hide what the same name around it is known to hold
                // (as before blocks were scopes: `const { domains } = grouped[id]` in a loop).
                let mut guessed: Option<&Ty> = None;
                for scope in self.scope_chain(node) {
                    if let Some(ty) = self.vars.get(&(scope, name)) {
                        if is_named(ty) && self.blocks.contains_key(&scope) {
                            guessed = guessed.or(Some(ty));
                            continue;
                        }
                        if guessed.is_some() && is_named(ty) {
                            return guessed.cloned();
                        }
                        return Some(ty.clone());
                    }
                    if let Some(ty) = guessed {
                        if self.opaque.contains_key(&(scope, name)) {
                            return Some(ty.clone());
                        }
                        continue;
                    }
                    if self.opaque.contains_key(&(scope, name)) {
                        return None;
                    }
                }
                guessed.cloned().or_else(|| guess(name))
            }
            "member_expression" => {
                let property = property(self.src, node)?;
                let object = unwrap(node.field("object")?);
                // `this.user`: the type the class declares the field with, nothing else.
                if object.kind_name() == "this" {
                    let class = self.class_of(node)?;
                    return self.type_ty(*self.fields.get(&(class.id(), property))?, 0);
                }
                // `foldersData.folders`: a query's payload that nothing types holds
                // records under a key, which then says what they are.
                if object.kind_name() == "identifier" && self.payload(object) {
                    return guess(property);
                }
                // `row.original` of a table column's callback: the row's record.
                if property == "original"
                    && object.kind_name() == "identifier"
                    && let Some(ty) = self.scope_chain(object).find_map(|s| self.rows.get(&(s, self.text(object))))
                {
                    return Some(ty.clone());
                }
                let ty = self.expr_ty(object, depth + 1)?;
                // `result._max.followUpAppliedAt`: an aggregate of the model's fields.
                if ty.path.last().is_some_and(|p| p == AGGREGATE) {
                    if !matches!(property, "_max" | "_min" | "_sum" | "_avg" | "_count") {
                        return None;
                    }
                    let mut ty = ty;
                    ty.path.pop();
                    return Some(ty);
                }
                // A typed payload (a tRPC query's `data`, or the `data` of the query held
                // whole): what its procedure answers under the key, else what the key names, as
                // for an untyped one.
                if (object.kind_name() == "identifier" && is_payload_name(self.text(object)) || self.page_data(object))
                    && ty.path.is_empty()
                    && let Root::Binding { scopes, name, guess: None } = &ty.root
                {
                    let guess = guess(property).and_then(|g| match g.root {
                        Root::Binding { guess, .. } => guess,
                        Root::Model { .. } => None,
                    });
                    return Some(Ty::of(Root::Binding {
                        scopes: scopes.clone(),
                        name: format!("{name}.{property}"),
                        guess,
                    }));
                }
                if property == "data"
                    && object.kind_name() == "identifier"
                    && self.scope_chain(object).any(|s| self.pages.contains_key(&(s, self.text(object))))
                {
                    return Some(ty);
                }
                Some(ty.step(property))
            }
            "subscript_expression" => self.expr_ty(unwrap(node.field("object")?), depth + 1),
            "call_expression" => {
                let f = unwrap(node.field("function")?);
                // `useMemo(() => { …; return users.data; }, […])`: what the callback returns.
                if f.kind_name() == "identifier" && self.text(f) == "useMemo" {
                    let callback = call_args(node).into_iter().next()?;
                    let body = callback.field("body")?;
                    if body.kind_name() != "statement_block" {
                        return self.expr_ty(unwrap(body), depth + 1);
                    }
                    return descendants(body)
                        .into_iter()
                        .filter(|r| r.kind_name() == "return_statement" && self.scope_of(*r).id() == callback.id())
                        .find_map(|r| self.expr_ty(unwrap(r.named_child(0)?), depth + 1));
                }
                // `useLoaderData<typeof loader>()` (or an app's wrapper of it): what the loader
                // returns.
                if f.kind_name() == "identifier"
                    && let Some(loader) = &self.loader
                {
                    let callee = self.text(f);
                    if callee.starts_with("use") && callee.ends_with("LoaderData") {
                        return Some(returned_by(loader));
                    }
                }
                // `groupBy(rows, (r) => r.messageId)`: lists of the rows by a key, read as the
                // rows (`grouped[key]`), as are `Object.values(grouped)`.
                if self.group_by(node).is_some() {
                    return self.expr_ty(unwrap(call_args(node).into_iter().next()?), depth + 1);
                }
                if self.text(f) == "Object.values"
                    && let Some(grouped) = call_args(node).into_iter().next().and_then(|a| self.grouped(unwrap(a)))
                {
                    return self.expr_ty(grouped, depth + 1);
                }
                // `tokenSchema.array().parse(tokens)`: what the schema validated.
                if let Some(value) = zod::parsed(self.src, node) {
                    return match value.kind_name() {
                        "object" => self.copied(value),
                        _ => self.expr_ty(value, depth + 1),
                    };
                }
                let method = property(self.src, f)?;
                let object = unwrap(f.field("object")?);
                if ROW_METHODS.contains(&method)
                    && let Some(model) = property(self.src, object).filter(|m| !m.starts_with('$'))
                {
                    return Some(Ty::model(model_name(model)));
                }
                // `prisma.threadTracker.aggregate({ _max: { followUpAppliedAt: true } })`: an
                // object of aggregates (`_max`, `_count`, …) each keyed by the model's fields.
                if matches!(method, "aggregate" | "groupBy")
                    && let Some(model) = property(self.src, object).filter(|m| !m.starts_with('$'))
                {
                    return Some(Ty::model(model_name(model)).step(AGGREGATE));
                }
                if SAME.contains(&method) || matches!(method, "reduce" | "reduceRight") && call_args(node).len() == 1 {
                    return self.expr_ty(object, depth + 1);
                }
                // `rows.map((row) => ({ id: row.id, status: row.status, … }))`: copies of the rows.
                if matches!(method, "map" | "flatMap")
                    && let Some(callback) = first_callback(node)
                    && let Some(body) = callback.field("body")
                    && body.kind_name() != "statement_block"
                    && unwrap(body).kind_name() == "object"
                {
                    return self.copied(unwrap(body)).filter(|t| !is_named(t));
                }
                None
            }
            // `{ ...survey, delay: 0 }`: the spread record with some fields set. A copy kept in
            // memory (`fraudEvents.map((e) => ({ ...e, hash }))`, held in a name) is that record
            // only where a type says what the spread value is, not the name it is called by; one
            // handed to a function or returned from one goes where the record goes.
            "object" => {
                let handed = self.handed_on(node);
                named_children(node).into_iter().filter(|c| c.kind_name() == "spread_element").find_map(|s| {
                    let ty = self.expr_ty(unwrap(s.named_child(0)?), depth + 1)?;
                    if handed { Some(ty) } else { self.declared_only(ty) }
                })
            }
            "binary_expression" | "ternary_expression" => {
                let kids = named_children(node);
                let skip = usize::from(node.kind_name() == "ternary_expression");
                kids.into_iter().skip(skip).find_map(|c| self.expr_ty(unwrap(c), depth + 1))
            }
            // `[...result.answersV2, ...result.answers]`: lists of rows joined into one, each
            // spread typed by what the code read it from (not by its name); the first's rows.
            "array" => {
                let elements = named_children(node);
                if elements.len() < 2 || elements.iter().any(|e| e.kind_name() != "spread_element") {
                    return None;
                }
                let types: Vec<Ty> = elements
                    .iter()
                    .filter_map(|e| e.named_child(0))
                    .filter_map(|v| self.expr_ty(unwrap(v), depth + 1))
                    .filter(|t| !t.guessed && !is_named(t))
                    .collect();
                (types.len() == elements.len()).then(|| types.into_iter().next()).flatten()
            }
            _ => None,
        }
    }

    /// Whether an object literal (or what holds it: a key's value, a list's element) is given
    /// to a call or returned from a function that is no list method's callback.
    fn handed_on(&self, object: Node<'t>) -> bool {
        let mut at = object;
        for _ in 0..32 {
            let Some(parent) = self.parent(at) else { return false };
            match parent.kind_name() {
                "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "pair"
                | "object"
                | "array"
                | "ternary_expression"
                | "binary_expression"
                | "await_expression" => at = parent,
                "arguments" => {
                    let Some(call) = self.parent(parent) else { return false };
                    return match call.kind_name() {
                        "call_expression" => !self.list_method(call),
                        "new_expression" => {
                            call.field("constructor").is_some_and(|c| !matches!(self.text(c), "Map" | "Set"))
                        }
                        _ => false,
                    };
                }
                "return_statement" => return !self.list_callback(self.scope_of(parent)),
                "arrow_function" => {
                    return parent.field("body").is_some_and(|b| b.id() == at.id()) && !self.list_callback(parent);
                }
                _ => return false,
            }
        }
        false
    }

    /// Whether an object literal (or what holds it: a key's value, a list's element) is given
    /// to a log (`console.log({ ...row, riskLevel: 100 })`): printed, neither stored nor read.
    fn printed(&self, object: Node<'t>) -> bool {
        let mut at = object;
        for _ in 0..32 {
            let Some(parent) = self.parent(at) else { return false };
            match parent.kind_name() {
                "parenthesized_expression" | "as_expression" | "pair" | "object" | "array" => at = parent,
                "arguments" => {
                    return self.parent(parent).is_some_and(|c| c.kind_name() == "call_expression" && self.logged(c));
                }
                _ => return false,
            }
        }
        false
    }

    /// Whether a call writes its arguments to a log (`console.log(…)`, `logger.info(…)`,
    /// `this.logger.warn(…)`).
    fn logged(&self, call: Node<'_>) -> bool {
        let Some(f) = call.field("function").map(unwrap).filter(|f| f.kind_name() == "member_expression") else {
            return false;
        };
        let logger = f.field("object").map(|o| self.text(unwrap(o))).unwrap_or_default();
        let logger = logger.rsplit('.').next().unwrap_or_default();
        matches!(logger, "console" | "logger" | "log" | "Logger")
            && property(self.src, f)
                .is_some_and(|m| matches!(m, "log" | "info" | "warn" | "error" | "debug" | "trace" | "dir" | "table"))
    }

    /// Whether a call is a list's method taking a callback (`map`, `filter`, `reduce`, …).
    fn list_method(&self, call: Node<'_>) -> bool {
        call.field("function")
            .and_then(|f| property(self.src, unwrap(f)))
            .is_some_and(|m| CALLBACKS.contains(&m) || matches!(m, "reduce" | "reduceRight"))
    }

    /// Whether a function is the callback of a list's method.
    fn list_callback(&self, function: Node<'_>) -> bool {
        self.parent(function)
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| self.parent(a))
            .is_some_and(|call| call.kind_name() == "call_expression" && self.list_method(call))
    }

    /// What a type says without the name it is held in: nothing for a name's guess; for a name
    /// declared with another module's type and held beside what the name says, that type.
    fn declared_only(&self, ty: Ty) -> Option<Ty> {
        if ty.guessed {
            return None;
        }
        if let Root::Binding { scopes, .. } = &ty.root
            && scopes.len() == 1
            && let Some(declared) = self.declared_types.get(&scopes[0])
        {
            let mut only = declared.clone();
            only.path.extend(ty.path);
            return Some(only);
        }
        Some(ty)
    }

    /// A call of a `groupBy` (lodash's, `_.groupBy`, `Object.groupBy`) given a list: the call.
    fn group_by(&self, call: Node<'t>) -> Option<Node<'t>> {
        let f = unwrap(call.field("function").filter(|_| call.kind_name() == "call_expression")?);
        matches!(self.text(f), "groupBy" | "_.groupBy" | "lodash.groupBy" | "Object.groupBy").then_some(call)
    }

    /// A `groupBy` call, or a name declared with one: what its lists hold.
    fn grouped(&self, node: Node<'t>) -> Option<Node<'t>> {
        let node = match node.kind_name() {
            "identifier" => {
                let name = self.text(node);
                unwrap(self.scope_chain(node).find_map(|s| self.values.get(&(s, name)).copied())?)
            }
            _ => node,
        };
        self.group_by(node)
    }

    /// `Object.entries(grouped)`, through any `filter`/`sort` of its entries: the grouped value.
    fn entries_of(&self, mut node: Node<'t>) -> Option<Node<'t>> {
        for _ in 0..8 {
            if node.kind_name() != "call_expression" {
                return None;
            }
            let f = unwrap(node.field("function")?);
            if self.text(f) == "Object.entries" {
                let arg = unwrap(call_args(node).into_iter().next()?);
                self.grouped(arg)?;
                return Some(arg);
            }
            let method = property(self.src, f)?;
            if !SAME.contains(&method) {
                return None;
            }
            node = unwrap(f.field("object")?);
        }
        None
    }

    /// Whether a name holds a query's payload (`data`, `foldersData`) that no declaration
    /// types: no record, whatever its name would suggest.
    fn payload(&self, name: Node<'_>) -> bool {
        let text = self.text(name);
        is_payload_name(text)
            && !self.scope_chain(name).any(|s| {
                self.vars.contains_key(&(s, text))
                    || self.opaque.contains_key(&(s, text))
                    || self.pages.contains_key(&(s, text))
                    || self.params.contains_key(&(s, text))
            })
    }

    /// `status.data` of a name holding a page of records (a query held whole): the records.
    fn page_data(&self, node: Node<'_>) -> bool {
        node.kind_name() == "member_expression"
            && property(self.src, node) == Some("data")
            && node.field("object").map(unwrap).is_some_and(|o| self.is_page(o))
    }

    /// Whether a name holds a page of records (see [`Walker::pages`]).
    fn is_page(&self, node: Node<'_>) -> bool {
        node.kind_name() == "identifier"
            && self.scope_chain(node).any(|s| self.pages.contains_key(&(s, self.text(node))))
    }

    /// `useForm({ defaultValues: { recontactDays: workspace.recontactDays } })`: the form edits the
    /// record whose fields fill its defaults under their own names, whatever the component is
    /// called (react-hook-form's `useForm`, also as `Form.useForm`/`useZodForm` wrappers).
    fn form_record(&self, callee: &str, call: Node<'t>) -> Option<Ty> {
        let last = callee.rsplit('.').next().unwrap_or(callee);
        if !(last.starts_with("use") && last.ends_with("Form")) {
            return None;
        }
        let options = call_args(call).into_iter().next().map(unwrap)?;
        let defaults = object_keys(self.src, options).into_iter().find(|k| k.name == "defaultValues")?.value?;
        object_keys(self.src, defaults).into_iter().find_map(|key| {
            let mut value = key.value?;
            // `workspace.customHeadScripts ?? ""`: the record's field, with a fallback.
            while value.kind_name() == "binary_expression" {
                value = unwrap(value.field("left")?);
            }
            if value.kind_name() != "member_expression" || property(self.src, value) != Some(key.name.as_str()) {
                return None;
            }
            self.expr_ty(unwrap(value.field("object")?), 0)
        })
    }

    /// The keys an object pattern destructures and the names it holds them in (`{ data }`,
    /// `{ execute: clean }`); a nested pattern or a default is left out.
    fn pattern_locals(&self, pattern: Node<'t>) -> Vec<(&'a str, Node<'t>)> {
        named_children(pattern)
            .into_iter()
            .filter_map(|prop| match prop.kind_name() {
                "shorthand_property_identifier_pattern" => Some((self.text(prop), prop)),
                "pair_pattern" => match (prop.field("key"), prop.field("value")) {
                    (Some(k), Some(v)) if v.kind_name() == "identifier" => Some((self.text(k), v)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// The names a pattern holds a query's `data` in (`{ data }`, `{ data: users }`).
    fn data_names(&self, pattern: Node<'t>) -> Vec<Node<'t>> {
        named_children(pattern)
            .into_iter()
            .filter_map(|prop| match prop.kind_name() {
                "shorthand_property_identifier_pattern" if self.text(prop) == "data" => Some(prop),
                "pair_pattern" if prop.field("key").is_some_and(|k| self.text(k) == "data") => {
                    prop.field("value").filter(|v| v.kind_name() == "identifier")
                }
                _ => None,
            })
            .collect()
    }

    /// Give the names a pattern declares their types (`ty` for the whole value; `declared` the
    /// declared type, for props), writing a use for each key destructured from typed records.
    fn bind_pattern(&mut self, scope: Node<'_>, pattern: Node<'t>, ty: Option<Ty>, declared: Option<Node<'t>>) -> bool {
        let mut changed = false;
        match pattern.kind_name() {
            "identifier" => {
                if let Some(ty) = ty.or_else(|| declared.and_then(|d| self.type_ty(d, 0))) {
                    changed |= self.bind(scope, pattern, ty);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(left) = pattern.field("left") {
                    changed |= self.bind_pattern(scope, left, ty, declared);
                }
            }
            "array_pattern" => {
                for element in named_children(pattern) {
                    changed |= self.bind_pattern(scope, element, ty.clone(), None);
                }
            }
            "object_pattern" => {
                for prop in named_children(pattern) {
                    let (key, offset, value) = match prop.kind_name() {
                        "shorthand_property_identifier_pattern" => (self.text(prop), prop.start_byte(), Some(prop)),
                        "object_assignment_pattern" => {
                            let Some(left) = prop.field("left") else { continue };
                            (self.text(left), left.start_byte(), Some(left))
                        }
                        "pair_pattern" => {
                            let Some(k) = prop.field("key") else { continue };
                            let name = match k.kind_name() {
                                "property_identifier" => self.text(k),
                                _ => continue,
                            };
                            (name, k.start_byte(), prop.field("value"))
                        }
                        _ => continue,
                    };
                    let key_ty = match &ty {
                        Some(t) => {
                            self.use_of(offset, t, key);
                            Some(t.step(key))
                        }
                        None => declared.and_then(|d| self.prop_type(d, key, 0)),
                    };
                    if let (Some(value), Some(key_ty)) = (value, key_ty) {
                        let value = if value.kind_name() == "shorthand_property_identifier_pattern" {
                            if self.bind(scope, value, key_ty) {
                                changed = true;
                            }
                            continue;
                        } else {
                            value
                        };
                        changed |= self.bind_pattern(scope, value, Some(key_ty), None);
                    }
                }
            }
            _ => {}
        }
        changed
    }

    /// One pass over the declarations; whether a name got a type it did not have.
    fn declare(&mut self, nodes: &[Node<'t>]) -> bool {
        let mut changed = false;
        for &node in nodes {
            match node.kind_name() {
                "variable_declarator" => {
                    let (Some(name), value) = (node.field("name"), node.field("value")) else {
                        continue;
                    };
                    let scope = self.declared_in(node);
                    let declared = node.field("type");
                    if let Some(v) = value
                        && name.kind_name() == "identifier"
                    {
                        self.values.insert((scope.id(), self.text(name)), v);
                    }
                    if let Some(v) = value.map(unwrap)
                        && v.kind_name() == "object"
                        && name.kind_name() == "identifier"
                    {
                        self.objects.insert((scope.id(), self.text(name)), v);
                    }
                    // `const result = await exportQuery.refetch()` of a query held whole: another
                    // result of the same query, its `data` the procedure's answer.
                    if let Some(query) = value
                        .map(unwrap)
                        .filter(|v| v.kind_name() == "await_expression")
                        .and_then(|v| v.named_child(0).map(unwrap))
                        .filter(|c| c.kind_name() == "call_expression")
                        .and_then(|c| c.field("function").map(unwrap))
                        .filter(|f| property(self.src, *f) == Some("refetch"))
                        .and_then(|f| f.field("object").map(unwrap))
                        .filter(|q| self.is_page(*q) && name.kind_name() == "identifier" && declared.is_none())
                        && let Some(ty) = self.expr_ty(query, 0)
                    {
                        self.pages.insert((scope.id(), self.text(name)), ());
                        changed |= self.bind(scope, name, ty);
                        continue;
                    }
                    if let Some(call) = value.map(unwrap).filter(|v| v.kind_name() == "call_expression")
                        && let Some(f) = call.field("function").map(unwrap)
                    {
                        let callee = self.text(f);
                        if let Some(ty) = self.form_record(callee, call) {
                            let component = self.scope_of(node).id();
                            if self.subjects.get(&component) != Some(&ty) {
                                self.subjects.insert(component, ty);
                                changed = true;
                            }
                        }
                        // `const [deleteUser, setDeleteUser] = useState(null)`: typed by what the
                        // setter is given.
                        if matches!(callee, "useState" | "React.useState")
                            && name.kind_name() == "array_pattern"
                            && let [state, setter, ..] = named_children(name).as_slice()
                            && state.kind_name() == "identifier"
                            && setter.kind_name() == "identifier"
                        {
                            self.setters.insert((scope.id(), self.text(*setter)), *state);
                            // `useState<Subscription | undefined>(sub)`: the type it is given.
                            if let Some(ty) = call
                                .field("type_arguments")
                                .and_then(|t| t.named_child(0))
                                .and_then(|t| self.type_ty(t, 0))
                                .filter(|t| !is_imported(t))
                            {
                                changed |= self.bind(scope, *state, ty);
                            }
                            continue;
                        }
                        // `const { data: users } = useUsersQuery()`.
                        if let Some((ty, page)) = hook_subject(callee).map(|(root, page)| (Ty::of(root), page))
                            && name.kind_name() == "object_pattern"
                        {
                            for value in self.data_names(name) {
                                changed |= self.bind(scope, value, ty.clone());
                                if page {
                                    self.pages.insert((scope.id(), self.text(value)), ());
                                }
                            }
                            continue;
                        }
                        // `const { data: plan } = useSWR<Plan>(`/api/teams/${teamId}/billing/plan`, fetcher)`:
                        // what the app's API route of that URL answers (see [`ROUTES`]), unless the
                        // type argument names a model.
                        if matches!(callee, "useSWR" | "useSWRImmutable")
                            && name.kind_name() == "object_pattern"
                            && let Some(url) =
                                call_args(call).into_iter().next().and_then(|a| routes::url_of(self.src, a))
                        {
                            let declared = call
                                .field("type_arguments")
                                .and_then(|t| t.named_child(0))
                                .and_then(|t| self.type_ty(t, 0))
                                .filter(|t| !is_named(t));
                            for value in self.data_names(name) {
                                let guess = guessed(self.text(value));
                                let route =
                                    Ty::of(Root::Binding { scopes: vec![ROUTES.to_owned()], name: url.clone(), guess });
                                let ty = match &declared {
                                    // A type another module declares may name no model: the
                                    // route's answer stands beside it.
                                    Some(d) if is_imported(d) && d.path.is_empty() => {
                                        self.hold(value, [Some(d.clone()), Some(route)])
                                    }
                                    Some(d) => d.clone(),
                                    None => route,
                                };
                                changed |= self.bind(scope, value, ty);
                            }
                            continue;
                        }
                        // next-safe-action's hooks: `const { execute, result } = useAction(saveAction,
                        // { onSuccess: ({ data }) => … })`: `execute` posts what the action takes
                        // (see [`function_bindings`]), `result.data` and `onSuccess`'s `data` hold
                        // what it returns.
                        if matches!(callee, "useAction" | "useOptimisticAction" | "useStateAction")
                            && let Some(action) =
                                call_args(call).into_iter().next().and_then(|a| action_name(self.src, a))
                        {
                            if name.kind_name() == "object_pattern" {
                                for (key, local) in self.pattern_locals(name) {
                                    match key {
                                        "execute" | "executeAsync" => {
                                            self.mutations.insert((scope.id(), self.text(local)), action);
                                        }
                                        "result" => {
                                            changed |= self.bind(scope, local, returned_by(action));
                                            self.pages.insert((scope.id(), self.text(local)), ());
                                        }
                                        _ => {}
                                    }
                                }
                            }
                            let options = call_args(call).into_iter().nth(1).map(unwrap);
                            for key in options.map(|o| object_keys(self.src, o)).unwrap_or_default() {
                                let Some(callback) = key.value.map(unwrap).filter(|_| key.name == "onSuccess") else {
                                    continue;
                                };
                                let Some(first) =
                                    first_parameter(callback).filter(|p| p.kind_name() == "object_pattern")
                                else {
                                    continue;
                                };
                                for data in self.data_names(first) {
                                    changed |= self.bind(callback, data, returned_by(action));
                                }
                            }
                            continue;
                        }
                        // `const { settings: teamSettings } = useTeamSettings(teamId)`: each name what
                        // the app's hook returns under its key (see [`results`]), else what the name
                        // says; `const plan = usePlan()`: what it returns.
                        if f.kind_name() == "identifier" && is_app_hook(callee) && declared.is_none() {
                            let returns = |name: String, guess: Option<String>| {
                                Ty::of(Root::Binding { scopes: vec![RETURNS.to_owned()], name, guess })
                            };
                            match name.kind_name() {
                                "identifier" => {
                                    changed |=
                                        self.bind(scope, name, returns(callee.to_owned(), guessed(self.text(name))));
                                    continue;
                                }
                                "object_pattern" => {
                                    for (key, local) in self.pattern_locals(name) {
                                        let ty = returns(format!("{callee}.{key}"), guessed(self.text(local)));
                                        changed |= self.bind(scope, local, ty);
                                    }
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        // `const mut = trpc.apiKeys.updateNote.useMutation()`: `mut.mutate(…)` posts
                        // to the procedure.
                        if let Some(procedure) = mutation_of(callee)
                            && name.kind_name() == "identifier"
                        {
                            self.mutations.insert((scope.id(), self.text(name)), procedure);
                            continue;
                        }
                        if let Some(procedure) = mutation_of(callee)
                            && name.kind_name() == "object_pattern"
                        {
                            for prop in named_children(name).into_iter().filter(|p| p.kind_name() == "pair_pattern") {
                                if let (Some(k), Some(v)) = (prop.field("key"), prop.field("value"))
                                    && matches!(self.text(k), "mutate" | "mutateAsync")
                                    && v.kind_name() == "identifier"
                                {
                                    self.mutations.insert((scope.id(), self.text(v)), procedure);
                                }
                            }
                            continue;
                        }
                        // `const { data } = trpc.webhook.getTeamWebhooks.useQuery()`: what the
                        // procedure answers (see [`TRPC`]); `const status = trpc.x.y.useQuery()`
                        // holds the query whole, its `data` that.
                        if let Some(procedure) = procedure_of(callee) {
                            let ty =
                                Ty::of(Root::Binding { scopes: vec![TRPC.to_owned()], name: procedure, guess: None });
                            match name.kind_name() {
                                "object_pattern" => {
                                    for value in self.data_names(name) {
                                        changed |= self.bind(scope, value, ty.clone());
                                    }
                                    continue;
                                }
                                "identifier" if declared.is_none() => {
                                    self.pages.insert((scope.id(), self.text(name)), ());
                                    changed |= self.bind(scope, name, ty);
                                    continue;
                                }
                                _ => {}
                            }
                        }
                    }
                    // `const { publicTemplates } = useMemo(() => { …; return { publicTemplates } })`:
                    // each name what the object's key holds.
                    if name.kind_name() == "object_pattern"
                        && declared.is_none()
                        && let Some(object) = value.and_then(|v| self.literal_of(v))
                    {
                        let keys = object_keys(self.src, object);
                        for (key, local) in self.pattern_locals(name) {
                            if let Some(ty) = keys.iter().find(|k| k.name == key).and_then(|k| self.key_ty(k, object)) {
                                changed |= self.bind(scope, local, ty);
                            }
                        }
                        continue;
                    }
                    // `const [a, b] = await Promise.all([q1, q2])`.
                    if name.kind_name() == "array_pattern"
                        && let Some(list) = value.and_then(|v| promise_all(self.src, v))
                    {
                        // By position, holes counted: `const [, link] = …` is the second.
                        for i in 0..name.child_count() as usize {
                            let (Some(element), Some(item)) = (array_element(name, i), array_element(list, i)) else {
                                continue;
                            };
                            let ty = self.expr_ty(unwrap(item), 0);
                            changed |= self.bind_pattern(scope, element, ty, None);
                        }
                        continue;
                    }
                    // `const { envelope, recipients } = options;` of a parameter declared with an
                    // object type: its properties' types, not what the parameter's name suggests.
                    let param = value
                        .map(unwrap)
                        .filter(|v| v.kind_name() == "identifier" && declared.is_none())
                        .and_then(|v| self.scope_chain(v).find_map(|s| self.params.get(&(s, self.text(v))).copied()));
                    if let Some(p) = param.filter(|_| name.kind_name() == "object_pattern") {
                        let ty = self.type_ty(p, 0).filter(|t| !is_imported(t));
                        changed |= self.bind_pattern(scope, name, ty.clone(), Some(p));
                        // A property declared with a type of the app's own (`recipient:
                        // CertificateRecipient`) is no model's record, whatever it is called.
                        for prop in named_children(name).into_iter().filter(|_| ty.is_none()) {
                            let local = match prop.kind_name() {
                                "shorthand_property_identifier_pattern" => prop,
                                _ => continue,
                            };
                            let key = (scope.id(), self.text(local));
                            if !self.vars.contains_key(&key)
                                && self.prop_signature(p, self.text(local), 0).is_some_and(|t| {
                                    !matches!(self.text(t).trim_start_matches(':').trim(), "any" | "unknown")
                                })
                            {
                                self.opaque.insert(key, ());
                            }
                        }
                        continue;
                    }
                    // A type another module declares may say nothing (it is known when the
                    // scan's files meet): the value's type wins over it.
                    let declared_ty = declared.and_then(|d| self.type_ty(d, 0));
                    let ty = declared_ty
                        .clone()
                        .filter(|t| !is_imported(t))
                        .or_else(|| value.and_then(|v| self.expr_ty(unwrap(v), 0)))
                        .or(declared_ty);
                    // `const website = useWebsite()`: what the function returns if it is known,
                    // else what the name says.
                    let ty = match ty {
                        Some(Ty { root: Root::Binding { scopes, name: f, guess: None }, path, .. })
                            if name.kind_name() == "identifier" =>
                        {
                            let guess = guess(self.text(name)).and_then(|g| match g.root {
                                Root::Binding { guess, .. } => guess,
                                Root::Model { .. } => None,
                            });
                            Some(Ty { root: Root::Binding { scopes, name: f, guess }, path, guessed: false })
                        }
                        other => other,
                    };
                    // `const { activities } = await this.orderService.getActivities(…)`: each name
                    // what the method returns under its key, else what the name says (as it did
                    // before methods were bound).
                    if name.kind_name() == "object_pattern"
                        && let Some(Ty { root: Root::Binding { scopes, name: f, guess: None }, path, .. }) = &ty
                        && path.is_empty()
                        && scopes.iter().any(|s| s == RETURNS)
                        && f.contains('.')
                    {
                        for (key, local) in self.pattern_locals(name) {
                            let guess = guess(self.text(local)).and_then(|g| match g.root {
                                Root::Binding { guess, .. } => guess,
                                Root::Model { .. } => None,
                            });
                            let ty =
                                Ty::of(Root::Binding { scopes: scopes.clone(), name: format!("{f}.{key}"), guess });
                            changed |= self.bind(scope, local, ty);
                        }
                    }
                    if ty.is_none()
                        && name.kind_name() == "identifier"
                        && (declared.is_some_and(|d| self.foreign_type(d, self.text(name)))
                            || value.is_some_and(|v| self.foreign_call(v) || self.holds_no_rows(unwrap(v))))
                    {
                        self.opaque.insert((scope.id(), self.text(name)), ());
                    }
                    changed |= self.bind_pattern(scope, name, ty, declared);
                }
                "required_parameter" | "optional_parameter" => {
                    let (Some(pattern), Some(declared)) =
                        (node.field("pattern"), node.field("type").or_else(|| self.component_props(node)))
                    else {
                        continue;
                    };
                    let scope = self.scope_of(node);
                    // `({ loaderData }: Route.ComponentProps)`: what the route's loader returns.
                    if pattern.kind_name() == "object_pattern"
                        && let Some(loader) = self.loader.clone()
                        && let Some(data) = named_children(pattern).into_iter().find(|p| {
                            p.kind_name() == "shorthand_property_identifier_pattern" && self.text(*p) == "loaderData"
                        })
                    {
                        changed |= self.bind(scope, data, returned_by(&loader));
                    }
                    let ty = self.type_ty(declared, 0).filter(|t| !is_imported(t));
                    // `function Card({ user }: Props)`: a component's prop holds what its callers
                    // give it (`<Card user={member.user} />`, see [`PROPS`]) as well as what its
                    // declared type says.
                    if ty.is_none()
                        && pattern.kind_name() == "object_pattern"
                        && let Some(component) = self.component_of(node)
                    {
                        for (key, local) in self.pattern_locals(pattern) {
                            let name = format!("{component}.{key}");
                            let fallback = self
                                .prop_type(declared, key, 0)
                                .filter(|t| !is_imported(t))
                                .or_else(|| guess(self.text(local)));
                            if let Some(fallback) = fallback {
                                let fallback = held_in(fallback, self.text(local));
                                self.prop_fallbacks.entry(name.clone()).or_insert(fallback);
                            }
                            let prop = Ty::of(Root::Binding { scopes: vec![PROPS.to_owned()], name, guess: None });
                            changed |= self.bind(scope, local, prop);
                        }
                    }
                    if ty.is_none()
                        && pattern.kind_name() == "identifier"
                        && self.foreign_type(declared, self.text(pattern))
                    {
                        self.opaque.insert((scope.id(), self.text(pattern)), ());
                    }
                    if pattern.kind_name() == "identifier" {
                        self.params.insert((scope.id(), self.text(pattern)), declared);
                    }
                    changed |= self.bind_pattern(scope, pattern, ty, Some(declared));
                }
                // Table columns (see [`Walker::column_defs`]): `cell: ({ row }) => …` is given a
                // row whose `original` is a record, `accessorFn: (record) => …` the record.
                "array" => {
                    let Some(ty) = self.column_defs(node) else { continue };
                    for element in named_children(node).into_iter().filter(|e| e.kind_name() == "object") {
                        for key in object_keys(self.src, element) {
                            let Some(f) = key.value.filter(|v| {
                                matches!(v.kind_name(), "arrow_function" | "function_expression" | "function")
                            }) else {
                                continue;
                            };
                            let Some(first) = first_parameter(f) else { continue };
                            if key.name == "accessorFn" {
                                changed |= self.bind_pattern(f, first, Some(ty.clone()), None);
                                continue;
                            }
                            let row = named_children(first).into_iter().find(|p| {
                                p.kind_name() == "shorthand_property_identifier_pattern" && self.text(*p) == "row"
                            });
                            if let Some(row) = row.filter(|_| first.kind_name() == "object_pattern") {
                                let key = (f.id(), self.text(row));
                                if self.rows.get(&key) != Some(&ty) {
                                    self.rows.insert(key, ty.clone());
                                    changed = true;
                                }
                            }
                        }
                    }
                }
                // `let row; … row = await prisma.apiKey.findFirst(…)`: flow-insensitive, the name
                // holds what it is assigned in the function that assigns it.
                "assignment_expression" => {
                    let Some((left, right)) = assigned_name(node) else { continue };
                    if let Some(ty) = self.expr_ty(unwrap(right), 0) {
                        let scope = self.scope_of(node);
                        changed |= self.bind(scope, left, ty);
                    }
                }
                "for_in_statement" => {
                    let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                        continue;
                    };
                    if let Some(ty) = self.expr_ty(unwrap(right), 0) {
                        let scope = self.scope_of(node);
                        changed |= self.bind_pattern(scope, left, Some(ty), None);
                    } else if left.kind_name() == "identifier" && self.holds_no_rows(unwrap(right)) {
                        // `for (const order of orders)` of a list declared with no model's type.
                        self.opaque.insert((self.scope_of(node).id(), self.text(left)), ());
                    }
                }
                // `<WebsitesTable renderLink={renderLink} />`: a render prop given to a component
                // renders one of that component's records.
                "jsx_attribute" => {
                    let (Some(attr), Some(value), Some(element)) =
                        (node.named_child(0), node.named_child(1), self.parent(node))
                    else {
                        continue;
                    };
                    if !self.text(attr).starts_with("render") || value.kind_name() != "jsx_expression" {
                        continue;
                    }
                    let tag = tag(self.src, element);
                    let Some(ty) =
                        tag.starts_with(|c: char| c.is_ascii_uppercase()).then(|| subject(tag)).flatten().map(Ty::of)
                    else {
                        continue;
                    };
                    let Some(inner) = value.named_child(0) else { continue };
                    let callback = match inner.kind_name() {
                        "arrow_function" | "function_expression" | "function" => inner,
                        "identifier" => {
                            let name = self.text(inner);
                            match self.scope_chain(inner).find_map(|s| self.functions.get(&(s, name)).copied()) {
                                Some(f) => f,
                                None => continue,
                            }
                        }
                        _ => continue,
                    };
                    let Some(first) = first_parameter(callback) else { continue };
                    changed |= self.bind_pattern(callback, first, Some(ty), None);
                }
                // `<DataColumn id="username">{(row: any) => row.username}</DataColumn>`: a table
                // column's function child renders one of the component's rows.
                "jsx_expression" => {
                    let Some(callback) = node.named_child(0) else { continue };
                    if !matches!(callback.kind_name(), "arrow_function" | "function_expression" | "function")
                        || !self
                            .parent(node)
                            .is_some_and(|p| p.kind_name() == "jsx_element" && is_column(tag(self.src, p)))
                    {
                        continue;
                    }
                    let (Some(ty), Some(first)) = (self.subject_of(node), first_parameter(callback)) else { continue };
                    changed |= self.bind_pattern(callback, first, Some(ty), None);
                }
                "call_expression" => {
                    let Some(f) = node.field("function").map(unwrap) else { continue };
                    // `const data: any = {}; data.password = …; updateUser(id, data)`: a variable
                    // holding an object literal passed to the app's own function is that
                    // function's argument, so the properties set on it later are too.
                    if f.kind_name() == "identifier" {
                        let callee = self.text(f);
                        // `getExecutionEvidence(executions)` of a function of this file whose
                        // parameter's declared type is no model's: what the caller passes.
                        if let Some(&function) = self.local_functions.get(callee) {
                            let params = function
                                .field("parameters")
                                .map(named_children)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|p| p.field("pattern").unwrap_or(p));
                            for (param, arg) in params.zip(call_args(node)) {
                                if param.kind_name() == "identifier"
                                    && let Some(ty) = self.expr_ty(unwrap(arg), 0).filter(|t| !is_named(t))
                                {
                                    changed |= self.bind_param(function, param, ty);
                                }
                            }
                        }
                        let state = self.scope_chain(node).find_map(|s| self.setters.get(&(s, callee)).copied());
                        if let Some(state) = state
                            && let Some(ty) =
                                call_args(node).into_iter().next().and_then(|a| self.expr_ty(unwrap(a), 0))
                        {
                            let scope = self.scope_of(state);
                            changed |= self.bind(scope, state, ty);
                        }
                        changed |= self.bind_object_arguments(node, callee);
                        continue;
                    }
                    // The same of a service's method (`this.userService.updateUser(data)`).
                    if let Some(callee) =
                        property(self.src, f).filter(|m| !METHODS.contains(m)).and_then(|_| self.app_callee(f))
                    {
                        changed |= self.bind_object_arguments(node, &callee);
                    }
                    // `prisma.team.update({ where, data: updateData })` with `updateData` holding an
                    // object literal (whatever type it is declared with): the model's data, so the
                    // properties set on it later (`updateData.timezone = timezone`) are too.
                    if let Some((model, arg)) = client_write(self.src, node) {
                        for key in object_keys(self.src, arg) {
                            if !matches!(key.name.as_str(), "data" | "create" | "update") {
                                continue;
                            }
                            let held = match key.value.map(unwrap) {
                                Some(v) if v.kind_name() == "identifier" => self.text(v),
                                Some(_) => continue,
                                None => self.text(arg).get(key.offset - arg.start_byte()..).map_or("", |t| {
                                    &t[..t
                                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                                        .unwrap_or(t.len())]
                                }),
                            };
                            let Some(scope) = self.scope_chain(arg).find(|s| self.objects.contains_key(&(*s, held)))
                            else {
                                continue;
                            };
                            if let std::collections::hash_map::Entry::Vacant(e) = self.vars.entry((scope, held)) {
                                e.insert(Ty::model(model_name(model)));
                                changed = true;
                            }
                        }
                    }
                    if property(self.src, f).is_some_and(|m| matches!(m, "reduce" | "reduceRight")) {
                        changed |= self.bind_reduce(node, f);
                        continue;
                    }
                    // `records.map((r) => r.email)`: the callback's parameter is a record.
                    if !property(self.src, f).is_some_and(|m| CALLBACKS.contains(&m)) {
                        continue;
                    }
                    let Some(callback) = call_args(node).into_iter().next() else { continue };
                    // `executions.every(isInconclusive)` of a function of this file: its first
                    // parameter is one of the records.
                    if callback.kind_name() == "identifier"
                        && let Some(&function) = self.local_functions.get(self.text(callback))
                        && let Some(first) = first_parameter(function).filter(|p| p.kind_name() == "identifier")
                        && let Some(ty) =
                            f.field("object").and_then(|o| self.expr_ty(unwrap(o), 0)).filter(|t| !is_named(t))
                    {
                        changed |= self.bind_param(function, first, ty);
                        continue;
                    }
                    if !matches!(callback.kind_name(), "arrow_function" | "function_expression" | "function") {
                        continue;
                    }
                    let Some(object) = f.field("object").map(unwrap) else { continue };
                    // `Object.entries(groupBy(rows, …)).map(([key, group]) => …)`: each entry's
                    // second element is a list of the rows.
                    if let Some(grouped) = self.entries_of(object)
                        && let Some(first) = first_parameter(callback).filter(|p| p.kind_name() == "array_pattern")
                    {
                        if let (Some(ty), Some(second)) = (self.expr_ty(grouped, 0), array_element(first, 1)) {
                            changed |= self.bind_pattern(callback, second, Some(ty), None);
                        }
                        continue;
                    }
                    let Some(ty) = self.expr_ty(object, 0) else {
                        // `labels.filter((label) => …)` of a list known to hold no rows (a server
                        // action's input): its elements are none either, whatever they are called.
                        if self.holds_no_rows(object)
                            && let Some(first) = first_parameter(callback).filter(|p| p.kind_name() == "identifier")
                        {
                            self.opaque.insert((callback.id(), self.text(first)), ());
                        }
                        continue;
                    };
                    if let Some(first) = first_parameter(callback) {
                        changed |= self.bind_pattern(callback, first, Some(ty), None);
                    }
                }
                // next-safe-action: `.action(async ({ parsedInput: { labels } }) => …)`: the input
                // the action validated, not rows, whatever the names say.
                "pair_pattern" if node.field("key").is_some_and(|k| self.text(k) == "parsedInput") => {
                    let Some(pattern) = node.field("value").filter(|v| v.kind_name() == "object_pattern") else {
                        continue;
                    };
                    let scope = self.scope_of(node);
                    for (_, local) in self.pattern_locals(pattern) {
                        self.opaque.insert((scope.id(), self.text(local)), ());
                    }
                }
                _ => {}
            }
        }
        changed
    }
}

/// Each node's parent, node id → node, in one walk of the file: `Node::parent` searches down
/// from the root each time, and asked of every object, array, member expression and JSX
/// attribute it made a file nested a few thousand levels deep cost its depth squared.
fn parents<'t>(root: Node<'t>) -> crate::scan::extract::js::Scopes<'t> {
    let mut out = crate::scan::extract::js::Scopes::default();
    let mut stack = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        for child in node.children(&mut cursor) {
            out.insert(child.id(), node);
            stack.push(child);
        }
    }
    out
}

/// Whether a node is a block of its own names: a `{ … }` that is not a function's body (an
/// `if`'s, a loop's, a `case`'s, a bare one).
fn is_block(node: Node<'_>, parent: Option<Node<'_>>) -> bool {
    node.kind_name() == "statement_block" && parent.is_some_and(|p| !is_scope(p.kind_name()))
}

/// Each node's innermost scope of block-scoped names, node id → the nearest enclosing function,
/// file or block (see [`is_block`]), the root's being itself; one walk, top down.
fn lexical_scopes<'t>(root: Node<'t>) -> crate::scan::extract::js::Scopes<'t> {
    let mut out = crate::scan::extract::js::Scopes::default();
    let mut stack = vec![(root, None::<Node<'t>>, root)];
    let mut cursor = root.walk();
    while let Some((node, parent, scope)) = stack.pop() {
        out.insert(node.id(), scope);
        let inner = if is_scope(node.kind_name()) || is_block(node, parent) { node } else { scope };
        stack.extend(node.named_children(&mut cursor).map(|c| (c, Some(node), inner)));
    }
    out
}

/// The kinds of a class's node.
const CLASSES: &[&str] = &["class_declaration", "abstract_class_declaration", "class"];

/// The file's classes: their names, and the types their fields are declared with (see
/// [`Walker::fields`], [`Walker::field_classes`]).
fn read_classes<'t>(w: &mut Walker<'_, '_, 't>, nodes: &[Node<'t>]) {
    let src = w.src;
    for &class in nodes.iter().filter(|n| CLASSES.contains(&n.kind_name())) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        w.class_names.insert(class.id(), src.node_text(name));
        for member in named_children(body) {
            match member.kind_name() {
                "public_field_definition" => {
                    let Some(field) = member.field("name").filter(|n| n.kind_name() == "property_identifier") else {
                        continue;
                    };
                    let field = src.node_text(field);
                    if let Some(t) = member.field("type") {
                        w.fields.insert((class.id(), field), t);
                        if let Some(held) = class_named(src, t) {
                            w.field_classes.insert((class.id(), field), held);
                        }
                        continue;
                    }
                    // `private dataService = inject(DataService);` (Angular), `= new Cache()`.
                    let Some(value) = member.field("value").map(unwrap) else { continue };
                    // Angular's typed fields: `input.required<User>()`, `signal<User[]>([])`,
                    // `inject<DialogParams>(MAT_DIALOG_DATA)`, a table's `new
                    // MatTableDataSource<Access>()` (its rows).
                    let maker = match value.kind_name() {
                        "call_expression" => value.field("function"),
                        "new_expression" => value.field("constructor"),
                        _ => None,
                    };
                    if let Some(maker) = maker.map(|m| src.node_text(m))
                        && (matches!(
                            maker,
                            "input" | "input.required" | "model" | "model.required" | "signal" | "inject"
                        ) || value.kind_name() == "new_expression" && maker.ends_with("DataSource"))
                        && let Some(t) = value.field("type_arguments").and_then(|a| a.named_child(0))
                    {
                        w.fields.insert((class.id(), field), t);
                    }
                    let made = match value.kind_name() {
                        "call_expression" if value.field("function").is_some_and(|f| src.node_text(f) == "inject") => {
                            call_args(value).into_iter().next()
                        }
                        "new_expression" => value.field("constructor"),
                        _ => None,
                    };
                    if let Some(made) = made.filter(|m| m.kind_name() == "identifier") {
                        w.field_classes.insert((class.id(), field), src.node_text(made));
                    }
                }
                "method_definition" if member.field("name").is_some_and(|n| src.node_text(n) == "constructor") => {
                    let Some(params) = member.field("parameters") else { continue };
                    for param in named_children(params) {
                        let mut cursor = param.walk();
                        let property = param
                            .children(&mut cursor)
                            .any(|c| matches!(c.kind_name(), "accessibility_modifier" | "readonly"));
                        let (Some(pattern), Some(t)) = (param.field("pattern"), param.field("type")) else {
                            continue;
                        };
                        if !property || pattern.kind_name() != "identifier" {
                            continue;
                        }
                        let field = src.node_text(pattern);
                        w.fields.insert((class.id(), field), t);
                        if let Some(held) = class_named(src, t) {
                            w.field_classes.insert((class.id(), field), held);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The class a declared type names (`: UserService`): a plain type name.
/// Temporal's `const { getPostsList, getPost } = proxyActivities<PostActivity>({ … })`, also
/// through a function of the file that returns such a proxy (`const { getIntegrationById } =
/// proxyTaskQueue(taskQueue)`): each function is the activity class's method of its key.
fn read_activities<'t>(w: &mut Walker<'_, '_, 't>, nodes: &[Node<'t>]) {
    let src = w.src;
    // The activity class a `proxyActivities<C>(…)` call names.
    let proxied = |call: Node<'t>| -> Option<&str> {
        let f = call.field("function").map(unwrap)?;
        (call.kind_name() == "call_expression" && src.node_text(f) == "proxyActivities").then_some(())?;
        let class = call.field("type_arguments")?.named_child(0)?;
        (class.kind_name() == "type_identifier").then(|| src.node_text(class))
    };
    for &node in nodes.iter().filter(|n| n.kind_name() == "variable_declarator") {
        let (Some(pattern), Some(value)) = (node.field("name"), node.field("value").map(unwrap)) else {
            continue;
        };
        if pattern.kind_name() != "object_pattern" || value.kind_name() != "call_expression" {
            continue;
        }
        let class = proxied(value).or_else(|| {
            let f = value.field("function").filter(|f| f.kind_name() == "identifier")?;
            let function = *w.local_functions.get(src.node_text(f))?;
            let body = function.field("body")?;
            let returned: Vec<Node<'t>> = if body.kind_name() == "statement_block" {
                descendants(body)
                    .into_iter()
                    .filter(|r| r.kind_name() == "return_statement" && w.scope_of(*r).id() == function.id())
                    .filter_map(|r| r.named_child(0).map(unwrap))
                    .collect()
            } else {
                vec![unwrap(body)]
            };
            returned.into_iter().find_map(proxied)
        });
        let Some(class) = class else { continue };
        for (key, local) in w.pattern_locals(pattern) {
            w.activities.insert(src.node_text(local), format!("{class}.{key}"));
        }
    }
}

fn class_named<'a>(src: &Src<'a>, declared: Node<'_>) -> Option<&'a str> {
    let t = if declared.kind_name() == "type_annotation" { declared.named_child(0)? } else { declared };
    (t.kind_name() == "type_identifier").then(|| src.node_text(t))
}

/// A client write, `prisma.team.update({ … })`: the model delegate's name and the call's
/// argument object.
fn client_write<'a, 't>(src: &Src<'a>, call: Node<'t>) -> Option<(&'a str, Node<'t>)> {
    let f = call.field("function").map(unwrap)?;
    let method = property(src, f)?;
    if !matches!(method, "create" | "update" | "upsert" | "updateMany" | "createMany" | "createManyAndReturn") {
        return None;
    }
    let model = f.field("object").map(unwrap).and_then(|a| property(src, a)).filter(|m| !m.starts_with('$'))?;
    let arg = call_args(call).into_iter().next().map(unwrap).filter(|a| a.kind_name() == "object")?;
    Some((model, arg))
}

/// A route module's `loader` (`export async function loader(…)`, `export const loader = …`):
/// its function.
fn loader_name<'t>(src: &Src<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let (name, function) = match node.kind_name() {
        "function_declaration" => (node.field("name")?, node),
        "variable_declarator" => (node.field("name")?, node.field("value").map(unwrap)?),
        _ => return None,
    };
    // Asked last: `Node::parent` searches down from the root, and every declaration is asked.
    let exported = || {
        node.parent().is_some_and(|p| p.kind_name() == "export_statement")
            || node.parent().and_then(|p| p.parent()).is_some_and(|p| p.kind_name() == "export_statement")
    };
    (matches!(src.node_text(name), "loader" | "clientLoader")
        && matches!(
            function.kind_name(),
            "function_declaration" | "arrow_function" | "function_expression" | "function"
        )
        && exported())
    .then_some(function)
}

/// Whether a value is written out as a literal (`0`, `'USD'`, `null`, `[]`, `` `x` ``).
fn is_literal(value: Node<'_>) -> bool {
    match value.kind_name() {
        "number" | "string" | "true" | "false" | "null" | "undefined" => true,
        "template_string" => {
            value.named_child_count() == 0 || named_children(value).iter().all(|c| c.kind_name() == "string_fragment")
        }
        "array" => value.named_child_count() == 0,
        "unary_expression" => value.named_child(0).is_some_and(|v| v.kind_name() == "number"),
        _ => false,
    }
}

/// Whether a type is one another module of the app declares (see [`imported_type`]), which
/// may say nothing: it is known only when the scan's files meet.
fn is_imported(ty: &Ty) -> bool {
    matches!(&ty.root, Root::Binding { scopes, .. } if scopes.len() == 1 && (scopes[0] == TYPES || scopes[0].starts_with(HELD)))
}

/// Whether a type is only what a name says (see [`guess`], [`app_type`]).
fn is_named(ty: &Ty) -> bool {
    matches!(&ty.root, Root::Binding { scopes, .. } if scopes.len() == 1 && scopes[0] == NAMES)
}

/// Whether a name is what a query's payload is held in: `data`, `foldersData`.
/// The model a name suggests (see [`guess`]), for a binding to fall back to.
fn guessed(name: &str) -> Option<String> {
    guess(name).and_then(|g| match g.root {
        Root::Binding { guess, .. } => guess,
        Root::Model { .. } => None,
    })
}

/// Whether a callee is one of the app's own React hooks (`useTeamSettings`), not one of React's,
/// a router's or a data library's, whose results no file of the app binds.
fn is_app_hook(callee: &str) -> bool {
    const LIBRARY: &[&str] = &[
        "useState",
        "useEffect",
        "useLayoutEffect",
        "useMemo",
        "useCallback",
        "useRef",
        "useContext",
        "useReducer",
        "useId",
        "useTransition",
        "useDeferredValue",
        "useRouter",
        "useSearchParams",
        "useParams",
        "usePathname",
        "useSession",
        "useSWR",
        "useSWRImmutable",
        "useSWRInfinite",
        "useSWRConfig",
        "useQuery",
        "useMutation",
        "useQueryClient",
        "useInfiniteQuery",
        "useSuspenseQuery",
    ];
    callee.strip_prefix("use").is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        && !LIBRARY.contains(&callee)
        && !callee.ends_with("LoaderData")
        && !callee.ends_with("Form")
}

fn is_payload_name(text: &str) -> bool {
    text == "data" || text.len() > 4 && text.ends_with("Data")
}

/// A type the app names, not declared in the file: a zod-inferred type of a model's schema
/// (a binding in scope [`ZOD`] by its exported name, `TGetApiTokensResponse`) when one is
/// bound, else as [`app_type`] reads its name. Only for names of the `T…` convention, since a
/// type that is none stays unknown (the value's type then decides).
fn zod_type(name: &str) -> Option<Ty> {
    let named = app_type(name)?;
    match &named.root {
        Root::Binding { name: model, guess, .. } if model.is_empty() => {
            Some(Ty::of(Root::Binding { scopes: vec![ZOD.to_owned()], name: name.to_owned(), guess: guess.clone() }))
        }
        _ => Some(named),
    }
}

/// A type another module of the app exports (see [`TYPES`]): what it binds under its name; a
/// `T…` name read as [`zod_type`] reads it, since a zod-inferred type is bound there.
fn imported_type(name: &str) -> Ty {
    let mut ty = zod_type(name)
        .unwrap_or_else(|| Ty::of(Root::Binding { scopes: Vec::new(), name: name.to_owned(), guess: None }));
    if let Root::Binding { scopes, name: bound, .. } = &mut ty.root
        && bound == name
    {
        scopes.push(TYPES.to_owned());
    }
    ty
}

/// `trpc.folder.updateFolder.useMutation`: the procedure's name (`updateFolder`).
fn mutation_of(callee: &str) -> Option<&str> {
    let parts: Vec<&str> = callee.split('.').collect();
    let [.., procedure, "useMutation"] = parts.as_slice() else { return None };
    (parts.len() >= 4 && procedure.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(*procedure)
}

/// `trpc.admin.webhook.getTeamWebhooks.useQuery`: the procedure's key in [`TRPC`]
/// (`webhook.getTeamWebhooks`).
fn procedure_of(callee: &str) -> Option<String> {
    let parts: Vec<&str> = callee.split('.').collect();
    let [.., router, procedure, hook] = parts.as_slice() else { return None };
    if parts.len() < 4 || !matches!(*hook, "useQuery" | "useSuspenseQuery") {
        return None;
    }
    let plain = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain(router) && plain(procedure)).then(|| format!("{router}.{procedure}"))
}

/// An untyped name read as the model it is named after (`website`, `teamUser`, `websites` for
/// a list of them), when a model of that name exists: what a reader of `website.domain` assumes.
fn guess(name: &str) -> Option<Ty> {
    // The browser's and Node's globals are no records, whatever models the app has.
    const GLOBALS: &[&str] =
        &["document", "window", "location", "navigator", "history", "console", "process", "globalThis"];
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || name.len() < 3 || GLOBALS.contains(&name) {
        return None;
    }
    let model = crate::scan::inflect::singularize(name);
    Some(Ty {
        root: Root::Binding { scopes: vec![NAMES.to_owned()], name: name.to_owned(), guess: Some(model) },
        path: Vec::new(),
        guessed: true,
    })
}

/// `TSurvey`: the app's own type of a model's records, named by the common convention of a `T`
/// before the model's name (zod's `z.infer` types, hand-written row types in a shared types
/// package), read as [`guess`] reads a name: only where a model of that name exists. A name of
/// one word is the model's (`TSurvey`); one of several may be a shape of another model
/// (`TWorkflowRunSummary` of a `WorkflowRun`), so there the name it is held in decides first
/// ([`Walker::bind`] fills it in) and the type's name is the guess.
fn app_type(name: &str) -> Option<Ty> {
    let rest = name.strip_prefix('T').filter(|r| {
        r.starts_with(|c: char| c.is_ascii_uppercase()) && r.chars().nth(1).is_some_and(|c| c.is_ascii_lowercase())
    })?;
    let model = model_name(rest);
    let one_word = !model.contains(|c: char| c.is_ascii_uppercase());
    let name = if one_word { model.clone() } else { String::new() };
    Some(Ty::of(Root::Binding { scopes: vec![NAMES.to_owned()], name, guess: Some(model) }))
}

/// `name = value`: the name assigned and the value, when a plain name is assigned.
fn assigned_name(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let left = node.field("left").filter(|l| l.kind_name() == "identifier")?;
    Some((left, node.field("right")?))
}

/// A type as a name holds it: a type of several words (see [`app_type`]) is what the name says
/// first, as before a zod type's binding could say it.
fn held_in(mut ty: Ty, held: &str) -> Ty {
    // A key of a type another module declares: bound by its own name (see [`TYPES`]), so that
    // the name may fall back to what it says (see [`Walker::bind`]).
    if is_imported(&ty)
        && ty.path.len() == 1
        && let Root::Binding { name, .. } = &mut ty.root
        && let Some(key) = ty.path.pop()
    {
        name.push('.');
        name.push_str(&key);
    }
    if let Root::Binding { scopes, name: type_name, guess } = &ty.root
        && ty.path.is_empty()
        && scopes.iter().any(|s| s == ZOD)
        && app_type(type_name).is_some()
    {
        ty = Ty::of(Root::Binding { scopes: vec![NAMES.to_owned()], name: String::new(), guess: guess.clone() });
    }
    if let Root::Binding { scopes, name: unnamed, .. } = &mut ty.root
        && unnamed.is_empty()
        && ty.path.is_empty()
        && scopes.iter().any(|s| s == NAMES)
    {
        held.clone_into(unnamed);
    }
    ty
}

/// The `i`-th element of an array pattern or literal, holes counted (`[, group]`), comments not.
fn array_element(pattern: Node<'_>, i: usize) -> Option<Node<'_>> {
    let mut at = 0;
    let mut cursor = pattern.walk();
    for child in pattern.children(&mut cursor) {
        match child.kind_name() {
            "," => at += 1,
            "[" | "]" => {}
            _ if is_comment(child) => {}
            _ if at == i => return Some(child),
            _ => {}
        }
    }
    None
}

/// A call's first argument when it is a function written in place (`.mutation(async (…) => …)`).
fn first_callback(call: Node<'_>) -> Option<Node<'_>> {
    call_args(call)
        .into_iter()
        .next()
        .filter(|c| matches!(c.kind_name(), "arrow_function" | "function_expression" | "function"))
}

/// A callback's first parameter (its pattern).
fn first_parameter(callback: Node<'_>) -> Option<Node<'_>> {
    match callback.field("parameter") {
        Some(p) => Some(p),
        None => callback
            .field("parameters")
            .and_then(|ps| named_children(ps).into_iter().next())
            .map(|p| p.field("pattern").unwrap_or(p)),
    }
}

/// The records the app's own function `name` takes as its `i`-th argument (see [`ARGS`]); where
/// no file says, those of the model a writer's name names (`updateUser`).
fn argument_of(name: &str, i: usize) -> Ty {
    // A method's (`UserService.updateUser`) by the method's name.
    let method = name.rsplit('.').next().unwrap_or(name);
    Ty::of(Root::Binding { scopes: vec![ARGS.to_owned()], name: format!("{name}({i})"), guess: written_model(method) })
}

/// The model a writer's name says it writes: `createLicense`, `updateUser`, `upsertTeamUser`,
/// `updateWorkspaceAction`.
fn written_model(name: &str) -> Option<String> {
    let rest = ["create", "update", "upsert"].iter().find_map(|verb| name.strip_prefix(verb))?;
    // A server action is named after what it calls (`updateWorkspaceAction`, next-safe-action's
    // convention).
    let rest = rest.strip_suffix("Action").unwrap_or(rest);
    rest.starts_with(|c: char| c.is_ascii_uppercase()).then(|| crate::scan::inflect::singularize(&model_name(rest)))
}

/// What the app's own function `name` returns (see [`RETURNS`]).
fn returned_by(name: &str) -> Ty {
    Ty::of(Root::Binding { scopes: vec![RETURNS.to_owned()], name: name.to_owned(), guess: None })
}

/// What a returned expression holds: as [`Walker::expr_ty`] says, or what the function it
/// returns the call of returns (`return findUser(…)`, awaited or not).
fn returned<'t>(w: &Walker<'_, '_, 't>, value: Node<'t>) -> Option<Ty> {
    returned_at(w, value, 0)
}

/// [`returned`] of an array literal's element `depth` literals down (a nest of them is read a
/// few levels deep, not to the bottom of the stack).
fn returned_at<'t>(w: &Walker<'_, '_, 't>, value: Node<'t>, depth: u32) -> Option<Ty> {
    if value.kind_name() == "call_expression"
        && let Some(f) = value.field("function").map(unwrap)
        && let Some(callee) = w.app_callee(f)
    {
        return Some(returned_by(&callee));
    }
    // `return [reanchorInterval(root), ...comments]`: a list of the records its elements are,
    // where every element some type is known of (not only what its name says) is the same records.
    if value.kind_name() == "array" && depth < 4 {
        let typed: Vec<Ty> = named_children(value)
            .into_iter()
            .filter_map(|e| match e.kind_name() {
                "spread_element" => w.expr_ty(unwrap(e.named_child(0)?), 0),
                _ => returned_at(w, unwrap(e), depth + 1),
            })
            .filter(|t| !t.guessed && !is_named(t))
            .collect();
        if let Some(first) = typed.first().filter(|first| typed.iter().all(|t| t == *first)) {
            return Some(first.clone());
        }
    }
    w.expr_ty(value, 0)
}

/// The list of `await Promise.all([…])`.
fn promise_all<'t>(src: &Src<'_>, value: Node<'t>) -> Option<Node<'t>> {
    let mut v = unwrap(value);
    if v.kind_name() == "await_expression" {
        v = unwrap(v.named_child(0)?);
    }
    if v.kind_name() != "call_expression" || src.node_text(v.field("function")?) != "Promise.all" {
        return None;
    }
    call_args(v).into_iter().next().filter(|a| a.kind_name() == "array")
}

/// Whether a module is the generated Prisma client or re-exports it (`@prisma/client`,
/// `@/generated/prisma/client`, `@documenso/prisma/client`).
pub(crate) fn is_client_module(source: &str) -> bool {
    source.to_ascii_lowercase().contains("prisma")
}

/// The hits and bindings of the receivers and client calls of one parsed JS/TS file.
pub fn read<'t>(
    path: &str,
    src: &Src<'_>,
    root: Node<'t>,
    nodes: &[Node<'t>],
    hits: &mut Vec<Hit>,
    bindings: &mut Vec<Binding>,
) {
    let this = module(path);
    // Names imported from the app's own modules: local name → `<module>#<exported name>`.
    let mut imported: HashMap<&str, String> = HashMap::new();
    let mut w = Walker {
        src,
        root,
        scopes: enclosing_scopes(root),
        lexical: lexical_scopes(root),
        blocks: Map::default(),
        parents: parents(root),
        client_types: HashMap::new(),
        local_types: HashMap::new(),
        imported_types: HashMap::new(),
        namespaces: HashMap::new(),
        activities: HashMap::new(),
        aliases: HashMap::new(),
        vars: Map::default(),
        opaque: Map::default(),
        objects: Map::default(),
        subjects: Map::default(),
        pages: Map::default(),
        functions: Map::default(),
        setters: Map::default(),
        params: Map::default(),
        rows: Map::default(),
        mutations: Map::default(),
        values: Map::default(),
        loader: None,
        jsx: false,
        class_names: Map::default(),
        fields: Map::default(),
        field_classes: Map::default(),
        local_functions: HashMap::new(),
        posts: Map::default(),
        prop_fallbacks: HashMap::new(),
        module: this.clone(),
        held: Vec::new(),
        declared_types: HashMap::new(),
        hits: Vec::new(),
        emit: false,
    };
    w.blocks = w.lexical.values().filter(|s| s.kind_name() == "statement_block").map(|s| (s.id(), ())).collect();
    let jsx = nodes.iter().any(|n| n.kind_name().starts_with("jsx"));
    w.jsx = jsx;
    for &node in nodes.iter().filter(|n| matches!(n.kind_name(), "function_declaration" | "variable_declarator")) {
        let function = match node.kind_name() {
            "function_declaration" => Some(node),
            _ => node
                .field("value")
                .map(unwrap)
                .filter(|v| matches!(v.kind_name(), "arrow_function" | "function_expression" | "function")),
        };
        if let (Some(function), Some(name)) = (function, node.field("name").filter(|n| n.kind_name() == "identifier")) {
            w.local_functions.insert(src.node_text(name), function);
        }
    }
    if nodes.iter().any(|n| loader_name(src, *n).is_some()) {
        w.loader = Some(format!("{this}#loader"));
    }
    read_classes(&mut w, nodes);
    read_activities(&mut w, nodes);
    for &node in nodes {
        match node.kind_name() {
            "import_statement" => {
                let Some(source) = node.field("source").and_then(|s| string_value(src, s)) else {
                    continue;
                };
                if let Some(from) = relative_module(path, &source.0) {
                    for n in descendants(node).into_iter().filter(|n| n.kind_name() == "import_specifier") {
                        let Some(name) = n.field("name") else { continue };
                        let local = n.field("alias").unwrap_or(name);
                        imported.insert(src.node_text(local), format!("{from}#{}", src.node_text(name)));
                    }
                }
                if !is_client_module(&source.0) {
                    for n in descendants(node) {
                        match n.kind_name() {
                            "import_specifier" => {
                                let Some(name) = n.field("name") else { continue };
                                let local = n.field("alias").unwrap_or(name);
                                w.imported_types.insert(src.node_text(local), src.node_text(name));
                            }
                            // Only the app's own modules: a package's (`* as z from 'zod'`) are none.
                            "namespace_import" if app_module(&source.0) => {
                                if let Some(id) = n.named_child(0) {
                                    w.namespaces.insert(src.node_text(id), ());
                                }
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                for n in descendants(node) {
                    match n.kind_name() {
                        "import_specifier" => {
                            let Some(name) = n.field("name") else { continue };
                            let local = n.field("alias").unwrap_or(name);
                            w.client_types.insert(src.node_text(local), src.node_text(name));
                        }
                        "namespace_import" => {
                            if let Some(id) = n.named_child(0) {
                                w.client_types.insert(src.node_text(id), "Prisma");
                            }
                        }
                        _ => {}
                    }
                }
            }
            "type_alias_declaration" => {
                if let (Some(name), Some(value)) = (node.field("name"), node.field("value")) {
                    w.local_types.insert(src.node_text(name), value);
                }
            }
            "import_alias" => {
                // `import TeamFindManyArgs = Prisma.TeamFindManyArgs;`
                let kids = named_children(node);
                if let [local, target] = kids.as_slice()
                    && let Some((module, member)) = src.node_text(*target).split_once('.')
                    && !member.contains('.')
                {
                    w.aliases.insert(src.node_text(*local), (module, member));
                }
            }
            "interface_declaration" => {
                if let (Some(name), Some(body)) = (node.field("name"), node.field("body")) {
                    w.local_types.insert(src.node_text(name), body);
                }
            }
            // A component: a capitalised function of a file that renders JSX.
            "function_declaration" | "variable_declarator" if jsx => {
                let (Some(name), function) = (
                    node.field("name"),
                    match node.kind_name() {
                        "function_declaration" => Some(node),
                        _ => node.field("value").map(unwrap),
                    },
                ) else {
                    continue;
                };
                let Some(function) = function.filter(|f| {
                    matches!(
                        f.kind_name(),
                        "function_declaration" | "arrow_function" | "function_expression" | "function"
                    )
                }) else {
                    continue;
                };
                let name = src.node_text(name);
                if node.kind_name() == "variable_declarator" {
                    w.functions.insert((w.scope_of(node).id(), name), function);
                }
                if name.starts_with(|c: char| c.is_ascii_uppercase())
                    && let Some(ty) = subject(name).map(Ty::of)
                {
                    w.subjects.insert(function.id(), ty);
                }
            }
            _ => {}
        }
    }
    // A type may come from another declaration: repeat until nothing new is learnt.
    for _ in 0..4 {
        if !w.declare(nodes) {
            break;
        }
    }
    w.emit = true;
    w.declare(nodes);
    w.find_posts(nodes);
    // `data: getStatusData(…)`, `where: { ...getCandidateWhere() }` with the helper in this file:
    // the names its returns hold an object in are that model's data, so the properties set on
    // them before they are returned are too (`data.wasDraftSent = null; return data;`).
    let built = built_here(&w, nodes);
    for &node in nodes.iter().filter(|n| n.kind_name() == "return_statement") {
        let Some(models) = function_name(&w, w.scope_of(node)).and_then(|g| built.get(g)) else { continue };
        for value in node.named_child(0).map(|v| returned_values(unwrap(v))).unwrap_or_default() {
            let name = src.node_text(value);
            let Some(scope) = (value.kind_name() == "identifier")
                .then(|| w.scope_chain(value).find(|s| w.objects.contains_key(&(*s, name))))
                .flatten()
            else {
                continue;
            };
            if let Some((model, _)) = models.first() {
                w.vars.entry((scope, name)).or_insert_with(|| Ty::model(model.clone()));
            }
        }
    }

    let lookup = |name: &str, at: Node<'t>| w.lookup_object(name, at);
    // `let where: Prisma.XWhereInput = {…}`: (scope, name) → the model and how its objects read,
    // for the objects assigned to the name later (`where = { envelope: { qrToken } }`).
    let mut inputs: Map<(usize, &str), (String, Shape)> = Map::default();
    for &node in nodes.iter().filter(|n| n.kind_name() == "variable_declarator") {
        if let (Some(name), Some(declared)) = (node.field("name"), node.field("type").and_then(|t| t.named_child(0)))
            && name.kind_name() == "identifier"
            && let Some((model, Some(shape))) = w.prisma_type(declared)
        {
            inputs.insert((w.scope_of(node).id(), src.node_text(name)), (model, shape));
        }
    }
    let mut out = Vec::new();
    {
        let value = |name: &str, at: Node<'t>| w.scope_chain(at).find_map(|s| w.values.get(&(s, name)).copied());
        let mut writer = Writer { src, hits: &mut out, lookup: &lookup, value: &value };
        for &node in nodes {
            match node.kind_name() {
                "call_expression" => {
                    client_call(&w, &mut writer, node);
                    posted(&w, writer.hits, node);
                    better_auth::read(src, node, writer.hits);
                }
                "new_expression" => writer.global_omit(node),
                "assignment_expression" => {
                    let Some((left, right)) = assigned_name(node) else { continue };
                    if unwrap(right).kind_name() == "object"
                        && let Some((model, shape)) =
                            w.scope_chain(node).find_map(|s| inputs.get(&(s, src.node_text(left))))
                    {
                        writer.read(&On::model(model, Confidence::High), *shape, right);
                    }
                }
                "variable_declarator" => {
                    // `const where: Prisma.UserWhereInput = { … }` (or `satisfies …`).
                    let Some(value) = node.field("value") else { continue };
                    let declared = node.field("type").and_then(|t| t.named_child(0)).or_else(|| {
                        (value.kind_name() == "satisfies_expression").then(|| value.named_child(1)).flatten()
                    });
                    if let Some((model, Some(shape))) = declared.and_then(|d| w.prisma_type(d)) {
                        writer.read(&On::model(&model, Confidence::High), shape, value);
                    }
                    // A module's list of objects, written as rows where another file says.
                    if w.scope_of(node).id() == root.id()
                        && let Some(name) = node.field("name").filter(|n| n.kind_name() == "identifier")
                        && unwrap(value).kind_name() == "array"
                    {
                        let on = On {
                            root: Root::Binding {
                                scopes: vec![DATA.to_owned()],
                                name: format!("{this}#{}", src.node_text(name)),
                                guess: None,
                            },
                            path: Vec::new(),
                            confidence: Confidence::Medium,
                        };
                        for element in named_children(unwrap(value)).into_iter().filter(|e| e.kind_name() == "object") {
                            writer.read(&on, Shape::Data, element);
                        }
                    }
                }
                // `{ ...localSurvey, delay: 0 }`, `const next: TSurvey = { … }`: a record of the
                // model, written field by field (an object passed as a client call's argument is
                // read by its shape instead).
                "object" => {
                    if w.printed(node) {
                        continue;
                    }
                    let declared = w
                        .parent(node)
                        .filter(|p| p.kind_name() == "variable_declarator")
                        .and_then(|p| p.field("type"))
                        .and_then(|t| w.type_ty(t, 0));
                    // A shape another module declares, filled in with literals (`fee: 0` of a
                    // synthetic record): defaults, not the fields of a record.
                    if let Some(ty) = declared.or_else(|| w.expr_ty(node, 0)).or_else(|| w.literal_ty(node)) {
                        let shape = is_imported(&ty);
                        for key in object_keys(src, node) {
                            if shape && key.value.is_some_and(|v| is_literal(unwrap(v))) {
                                continue;
                            }
                            writer.hits.push(key_hit(src, &key, &ty));
                        }
                        continue;
                    }
                    // `matchMetadata: schema.safeParse(row.matchMetadata).data ?? null`: a key that
                    // copies a typed record's field of the same name, however the value is
                    // wrapped, is that field — unless the object is declared as a shape of the
                    // app's (`(): Promise<CredentialsInfo> => ({ secret: decrypt(row.secret) })`),
                    // whose keys are that shape's.
                    if w.declared_shape(node) {
                        continue;
                    }
                    for key in object_keys(src, node) {
                        let Some(value) = key.value.map(unwrap) else {
                            // `return NextResponse.json({ inviteCode })` after `const { inviteCode
                            // } = await prisma.project.update(…)`: the same copy, written short.
                            if let Some(ty) = w.shorthand_copy(node, &key.name) {
                                writer.hits.push(key_hit(src, &key, &ty));
                            }
                            continue;
                        };
                        if let Some(ty) = w.copied_field(value, &key.name) {
                            writer.hits.push(key_hit(src, &key, &ty));
                        }
                    }
                }
                // `return { OR: [{ draftStatus: null }, …] }`: an object a helper of this file
                // builds, read as what a client call of the file is given it as (see [`built_here`]).
                "return_statement" | "arrow_function" => {
                    let (function, value) = match node.kind_name() {
                        "return_statement" => (w.scope_of(node), node.named_child(0)),
                        _ => (node, node.field("body").filter(|b| b.kind_name() != "statement_block")),
                    };
                    let Some(models) = function_name(&w, function).and_then(|g| built.get(g)) else { continue };
                    for value in value.map(|v| returned_values(unwrap(v))).unwrap_or_default() {
                        let Some(object) = w.object_of(value) else { continue };
                        for (model, shape) in models {
                            writer.read(&On::model(model, Confidence::Medium), *shape, object);
                        }
                    }
                }
                // `{ accessorKey: 'retried' }` of a table's column definitions: the rows' field.
                "array" => {
                    let Some(ty) = w.column_defs(node) else { continue };
                    for element in named_children(node).into_iter().filter(|e| e.kind_name() == "object") {
                        for key in object_keys(src, element).into_iter().filter(|k| k.name == "accessorKey") {
                            if let Some(v) = key.value.filter(|v| v.kind_name() == "string")
                                && let Some((field, _)) = string_value(src, v)
                                && !field.contains('.')
                            {
                                writer.hits.push(src.hit(
                                    v.start_byte() + 1,
                                    ty.target(&field),
                                    RefKind::Query,
                                    Confidence::Medium,
                                ));
                            }
                        }
                    }
                }
                // `<DataColumn id="domain" />`, `<FormField name="accessCode">`: the field of the
                // component's records a column shows or a form posts.
                "jsx_attribute" => {
                    let (Some(attr), Some(value), Some(element)) =
                        (node.named_child(0), node.named_child(1), w.parent(node))
                    else {
                        continue;
                    };
                    let tag = tag(src, element);
                    let names_field = match src.node_text(attr) {
                        "id" => is_column(tag),
                        "name" => is_field(tag),
                        _ => false,
                    };
                    // react-hook-form's `<Controller name="writingStyle" control={control}>` is a
                    // field of the form whose values are posted.
                    if (names_field || src.node_text(attr) == "name" && tag == "Controller")
                        && value.kind_name() == "string"
                        && let Some((field, _)) = string_value(src, value)
                    {
                        writer.hits.extend(w.posted_field(node, &field, value.start_byte() + 1));
                    }
                    // `<DataColumn id="username">{(row) => row?.user?.username}</DataColumn>`: the
                    // column's id is the field its function child renders, on whatever record.
                    if names_field
                        && src.node_text(attr) == "id"
                        && value.kind_name() == "string"
                        && let Some((field, _)) = string_value(src, value)
                        && let Some(ty) = w.rendered_field(element, &field)
                    {
                        writer.hits.push(src.hit(
                            value.start_byte() + 1,
                            ty.target(&field),
                            RefKind::Query,
                            Confidence::Medium,
                        ));
                    }
                    if names_field
                        && value.kind_name() == "string"
                        && let Some((field, _)) = string_value(src, value)
                        && let Some(ty) = w.subject_of(node)
                    {
                        writer.hits.push(src.hit(
                            value.start_byte() + 1,
                            ty.target(&field),
                            RefKind::Query,
                            Confidence::Medium,
                        ));
                    }
                }
                "member_expression" => {
                    // A property read (or written), not a method called on the records.
                    if w.parent(node).is_some_and(|p| {
                        p.kind_name() == "call_expression" && p.field("function").is_some_and(|f| f.id() == node.id())
                    }) {
                        continue;
                    }
                    let (Some(object), Some(prop)) = (node.field("object"), node.field("property")) else {
                        continue;
                    };
                    // A page's own keys (`status.isLoading` of a query held whole) are not its
                    // records' fields: its `data` is the records.
                    if prop.kind_name() != "property_identifier"
                        || src.node_text(prop) != "data" && w.is_page(unwrap(object))
                    {
                        continue;
                    }
                    // The client's model accessor (`prisma.user` of `prisma.user.findMany(…)`).
                    if w.parent(node).is_some_and(|p| {
                        p.kind_name() == "member_expression"
                            && property(src, p).is_some_and(|m| METHODS.contains(&m))
                            && w.parent(p).is_some_and(|c| c.kind_name() == "call_expression")
                    }) {
                        continue;
                    }
                    // `const values = { autoAdd: dto.autoAdd }; upsert({ create: values });
                    // if (values.autoAdd)`: reading back a key of the code's own object literal
                    // reads the value it put there, not a record (the key is the reference).
                    if w.reads_own_key(node, unwrap(object), src.node_text(prop)) {
                        continue;
                    }
                    if let Some(ty) = w.expr_ty(unwrap(object), 0) {
                        writer.hits.push(src.hit(
                            prop.start_byte(),
                            ty.target(src.node_text(prop)),
                            RefKind::Query,
                            Confidence::Medium,
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    bindings.extend(function_bindings(&w, nodes));
    bindings.extend(prop_bindings(&w, nodes));
    bindings.extend(type_bindings(&w, nodes));
    bindings.extend(template_bindings(&w, nodes, path));
    bindings.append(&mut w.held);
    extension_fields(src, nodes, &mut w.hits);
    if let Some(url) = routes::route_of(path) {
        bindings.extend(route_bindings(&w, nodes, &url));
    }
    // The route module's loader, by its module: every route has one of that name.
    for &node in nodes {
        if let (Some(function), Some(name)) = (loader_name(src, node), w.loader.as_deref()) {
            let returns: HashMap<usize, Vec<Node<'t>>> = descendants(function)
                .into_iter()
                .filter(|r| r.kind_name() == "return_statement" && w.scope_of(*r).id() == function.id())
                .fold(HashMap::new(), |mut m, r| {
                    m.entry(function.id()).or_default().push(r);
                    m
                });
            bindings.extend(results(&w, function, &returns, RETURNS, name));
        }
    }
    bindings.extend(data_bindings(&w, nodes, &this, &imported));
    bindings.extend(object_type_bindings(&w, nodes));
    object_type_fields(src, nodes, hits);
    hits.append(&mut w.hits);
    hits.append(&mut out);
}

/// A Prisma Client call (`<client>.<model>.<method>({ … })`), or a call of the app's own function
/// with object arguments (read as the Prisma arguments its parameters may be declared as).
fn client_call<'t>(w: &Walker<'_, '_, 't>, writer: &mut Writer<'_, '_, 't>, node: Node<'t>) {
    let src = w.src;
    let Some(function) = node.field("function").map(unwrap) else { return };
    form_call(w, writer, node, function);
    // The app's function or a service's method (`this.userService.updateUser({ data, where })`),
    // named as its bindings are (see [`Walker::app_callee`]).
    let method_of = (function.kind_name() == "identifier"
        || function.kind_name() == "member_expression"
            && property(src, function).is_some_and(|m| !METHODS.contains(&m)))
    .then(|| w.app_callee(function))
    .flatten();
    let mutation = w.mutation_called(function);
    if method_of.is_some() || mutation.is_some() {
        let name = method_of.as_deref().unwrap_or_else(|| src.node_text(function));
        // A tRPC mutation called by another name: what its procedure's name says it writes.
        let name = mutation.unwrap_or(name);
        for (i, arg) in call_args(node).into_iter().enumerate() {
            // An object built in a variable and passed (`const data = { … }; createWebsite(data)`).
            let Some(arg) = w.object_of(arg) else { continue };
            let on = On { root: argument_of(name, i).root, path: Vec::new(), confidence: Confidence::Medium };
            let keys = object_keys(src, arg);
            let args = keys.iter().any(|k| ARG_KEYS.contains(&k.name.as_str()));
            writer.read(&on, if args { Shape::Args } else { Shape::Data }, arg);
            // `grant({ userId, emailAccountsAccess })`: a key the function writes one at a time
            // (`f(i).key`, see [`function_bindings`]).
            for key in keys.iter().filter(|k| k.value.is_none_or(|v| unwrap(v).kind_name() != "object")) {
                let root = Root::Binding {
                    scopes: vec![ARGS.to_owned()],
                    name: format!("{name}({i}).{}", key.name),
                    guess: None,
                };
                writer.hits.push(src.hit(
                    key.offset,
                    Ty::of(root).target(&key.name),
                    RefKind::Query,
                    Confidence::Medium,
                ));
            }
            // `upsertSenderRecord({ emailAccountId, changes: { patternAnalyzed: true } })`: an
            // object under a key the function writes (see [`function_bindings`]).
            for key in keys {
                if let Some(value) = key.value.map(unwrap).filter(|v| v.kind_name() == "object") {
                    let root = Root::Binding {
                        scopes: vec![ARGS.to_owned()],
                        name: format!("{name}({i}).{}", key.name),
                        guess: None,
                    };
                    writer.read(&On { root, path: Vec::new(), confidence: Confidence::Medium }, Shape::Data, value);
                }
            }
        }
        return;
    }
    let Some(method) = property(src, function) else { return };
    if !METHODS.contains(&method) {
        // `internalAdapter.updateUser(id, { banReason })`, `licenses.createLicense({ … })`: a
        // library's writer named after the model it writes.
        if let Some(model) = written_model(method) {
            let on = On {
                root: Root::Binding { scopes: Vec::new(), name: method.to_owned(), guess: Some(model) },
                path: Vec::new(),
                confidence: Confidence::Medium,
            };
            for arg in call_args(node).into_iter().filter(|a| a.kind_name() == "object") {
                writer.read(&on, Shape::Data, arg);
            }
        }
        return;
    }
    let Some(accessor) = function.field("object").map(unwrap) else { return };
    let Some(model) = property(src, accessor).filter(|a| !a.starts_with('$')) else { return };
    let arg = call_args(node).into_iter().next();
    let object = arg.and_then(|a| w.object_of(a));
    if let Some(object) = object
        && !object_keys(src, object).iter().any(|k| ARG_KEYS.contains(&k.name.as_str()))
        && !named_children(object).iter().any(|c| c.kind_name() == "spread_element")
    {
        return;
    }
    let model = model_name(model);
    writer.hits.push(src.hit(
        accessor.start_byte(),
        Target::Model { model: model.clone() },
        RefKind::Query,
        Confidence::High,
    ));
    if let Some(object) = object {
        writer.read(&On::model(&model, Confidence::High), Shape::Args, object);
    }
}

/// Inside a component: a form function given a field's name (`setValue('accessCode', …)`), or a
/// mutation given the object the form posts (`mutateAsync({ replayEnabled })`), read as the
/// component's records.
fn form_call<'t>(w: &Walker<'_, '_, 't>, writer: &mut Writer<'_, '_, 't>, node: Node<'t>, function: Node<'t>) {
    let src = w.src;
    // `setValue(…)` destructured from the form or called on it (`form.resetField(…)`).
    let name = match function.kind_name() {
        "identifier" => src.node_text(function),
        _ => match property(src, function) {
            Some(p) => p,
            None => return,
        },
    };
    if !FORM_CALLS.contains(&name) && !MUTATIONS.contains(&name) {
        return;
    }
    let Some(arg) = call_args(node).into_iter().next() else { return };
    if FORM_CALLS.contains(&name)
        && arg.kind_name() == "string"
        && let Some((field, _)) = string_value(src, arg)
    {
        writer.hits.extend(w.posted_field(node, &field, arg.start_byte() + 1));
    }
    let Some(ty) = w.subject_of(node) else { return };
    if FORM_CALLS.contains(&name) {
        if arg.kind_name() == "string"
            && let Some((field, _)) = string_value(src, arg)
        {
            writer.hits.push(src.hit(arg.start_byte() + 1, ty.target(&field), RefKind::Query, Confidence::Medium));
        }
    } else if arg.kind_name() == "object" {
        writer.read(&On { root: ty.root, path: ty.path, confidence: Confidence::Medium }, Shape::Data, arg);
    }
}

/// The lists of objects a client call writes as its `data` (`data: spaces`, `data:
/// subscriptions.map((sub) => ({ ...sub, … }))`), declared in this module or imported from
/// another (see [`DATA`]).
fn data_bindings<'t>(
    w: &Walker<'_, '_, 't>,
    nodes: &[Node<'t>],
    this: &str,
    imported: &HashMap<&str, String>,
) -> Vec<Binding> {
    let src = w.src;
    let top: std::collections::HashSet<&str> = nodes
        .iter()
        .filter(|n| n.kind_name() == "variable_declarator" && w.scope_of(**n).id() == w.root.id())
        .filter_map(|n| n.field("name").filter(|n| n.kind_name() == "identifier"))
        .map(|n| src.node_text(n))
        .collect();
    let mut out = Vec::new();
    for (model, arg) in nodes.iter().filter_map(|n| client_args(src, *n)) {
        for key in object_keys(src, arg).into_iter().filter(|k| k.name == "data") {
            let mut value = match key.value {
                Some(v) => unwrap(v),
                None => continue,
            };
            // `list.map((x) => ({ ...x, … }))`: the list's objects.
            if value.kind_name() == "call_expression"
                && let Some(callee) = value.field("function").map(unwrap)
                && property(src, callee) == Some("map")
                && let Some(object) = callee.field("object").map(unwrap)
            {
                value = object;
            }
            if value.kind_name() != "identifier" {
                continue;
            }
            let name = src.node_text(value);
            let key = match imported.get(name) {
                Some(k) => k.clone(),
                None if top.contains(name) => format!("{this}#{name}"),
                None => continue,
            };
            out.push(Binding {
                scope: DATA.to_owned(),
                name: key,
                root: Root::Model { model: model_name(model) },
                path: Vec::new(),
            });
        }
    }
    out
}

/// `where: buildWhere(filters)`, `data: statusData` (declared `= getStatusData(…)`), `where: {
/// ...getCandidateWhere(), createdAt }`: the helper function's name → the models (and how) its
/// object is read as. Only for a helper of the same file: reading every function's returned
/// objects on the chance another file writes them would cost each its keys' hits.
fn built_here<'a>(w: &Walker<'_, 'a, '_>, nodes: &[Node<'_>]) -> HashMap<&'a str, Vec<(String, Shape)>> {
    let src = w.src;
    let mut out: HashMap<&'a str, Vec<(String, Shape)>> = HashMap::new();
    for (model, arg) in nodes.iter().filter_map(|n| client_args(src, *n)) {
        for key in object_keys(src, arg) {
            let shape = match key.name.as_str() {
                "data" | "create" | "update" => Shape::Data,
                "where" => Shape::Filter,
                _ => continue,
            };
            let builders: Vec<&str> = match key.value.map(unwrap) {
                // `{ where }`: the name's declared value.
                None => builder(w, &key.name, arg).into_iter().collect(),
                Some(v) if v.kind_name() == "object" => named_children(v)
                    .into_iter()
                    .filter(|c| c.kind_name() == "spread_element")
                    .filter_map(|c| c.named_child(0))
                    .filter_map(|c| built_by(w, unwrap(c)))
                    .collect(),
                Some(v) => built_by(w, v).into_iter().collect(),
            };
            for g in builders {
                let entry = (model_name(model), shape);
                let models = out.entry(g).or_default();
                if !models.contains(&entry) {
                    models.push(entry);
                }
            }
        }
    }
    out
}

/// `cast(row: DbInfraToken): InfraToken { return { id: row.id, label: row.label } }`, `<TeamMember>{
/// role: TeamAccessRole[member.role] }`, `{ ...history, request: … } as UserHistory`: an object
/// literal built as a type another module of the app declares, from one model's rows (a spread
/// of a row, or fields of one copied under their own names), is that type's instances built
/// from the model: the type's declared fields are the model's (see [`OBJECTS`]).
fn object_type_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>]) -> Vec<Binding> {
    let mut out: Vec<Binding> = Vec::new();
    for &object in nodes.iter().filter(|n| n.kind_name() == "object") {
        let Some(declared) = built_as_type(w, object) else { continue };
        let mut names: Vec<&str> = descendants(declared)
            .into_iter()
            .filter(|t| t.kind_name() == "type_identifier")
            .filter(|t| w.parent(*t).is_none_or(|p| p.kind_name() != "nested_type_identifier"))
            .filter_map(|t| w.imported_types.get(w.text(t)).copied())
            .collect();
        names.dedup();
        let [name] = names.as_slice() else { continue };
        let mut tys: Vec<Ty> = Vec::new();
        for child in named_children(object) {
            match child.kind_name() {
                "spread_element" => {
                    if let Some(ty) = child.named_child(0).and_then(|v| w.expr_ty(unwrap(v), 0)) {
                        tys.push(ty);
                    }
                }
                "pair" => {
                    let (Some(key), Some(value)) = (child.field("key"), child.field("value")) else {
                        continue;
                    };
                    if let Some(ty) = w.copied_field(value, w.text(key)) {
                        tys.push(ty);
                    }
                }
                _ => {}
            }
        }
        let Some(first) = tys.first().filter(|t| !is_named(t) && tys.iter().all(|o| o == *t)) else { continue };
        // The class's declared fields, and what a name declared with the type holds (`const
        // member = await getTeamMember()` of a method answering `Promise<TeamMember | null>`).
        for scope in [OBJECTS, TYPES] {
            let binding = Binding {
                scope: scope.to_owned(),
                name: (*name).to_owned(),
                root: first.root.clone(),
                path: first.path.clone(),
            };
            if !out.contains(&binding) {
                out.push(binding);
            }
        }
    }
    out
}

/// The type an object literal is built as: `<X>{ … }`, `{ … } as X`, or the declared return type
/// of the function that returns it.
fn built_as_type<'t>(w: &Walker<'_, '_, 't>, object: Node<'t>) -> Option<Node<'t>> {
    let mut at = object;
    let mut parent = w.parent(at)?;
    loop {
        match parent.kind_name() {
            "parenthesized_expression" => {}
            "type_assertion" => return parent.named_child(0).filter(|t| t.kind_name() == "type_arguments"),
            "as_expression" | "satisfies_expression" => return parent.named_child(1),
            _ => break,
        }
        at = parent;
        parent = w.parent(at)?;
    }
    let function = match parent.kind_name() {
        "arrow_function" if parent.field("body").is_some_and(|b| b.id() == at.id()) => parent,
        "return_statement" => w.scope_of(parent),
        _ => return None,
    };
    function.field("return_type")
}

/// The fields of a code-first GraphQL object class (`@ObjectType() export class TeamMember {
/// @Field() role: TeamAccessRole }`): the fields of the model whose rows the app builds it from
/// (see [`OBJECTS`]), read by the default resolver.
fn object_type_fields<'t>(src: &Src<'_>, nodes: &[Node<'t>], hits: &mut Vec<Hit>) {
    let decorated = |node: Node<'_>, name: &str| {
        (0..node.child_count()).filter_map(|i| node.child(i)).filter(|d| d.kind_name() == "decorator").any(|d| {
            d.named_child(0).is_some_and(|c| {
                let f = if c.kind_name() == "call_expression" { c.field("function") } else { Some(c) };
                f.is_some_and(|f| src.node_text(f) == name)
            })
        })
    };
    for &class in nodes.iter().filter(|n| n.kind_name() == "class_declaration") {
        let exported = class.parent().filter(|p| p.kind_name() == "export_statement");
        if !decorated(class, "ObjectType") && !exported.is_some_and(|e| decorated(e, "ObjectType")) {
            continue;
        }
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        for field in named_children(body).into_iter().filter(|f| f.kind_name() == "public_field_definition") {
            let Some(prop) = field.field("name").filter(|_| decorated(field, "Field")) else { continue };
            let root =
                Root::Binding { scopes: vec![OBJECTS.to_owned()], name: src.node_text(name).to_owned(), guess: None };
            let target = Target::Chain { root, path: Vec::new(), attribute: Some(src.node_text(prop).to_owned()) };
            hits.push(src.hit(prop.start_byte(), target, RefKind::Query, Confidence::Medium));
        }
    }
}

/// `<client>.<model>.<method>({ … })` with a method of Prisma Client: the model's accessor and
/// the object argument.
fn client_args<'a, 't>(src: &Src<'a>, call: Node<'t>) -> Option<(&'a str, Node<'t>)> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let f = call.field("function").map(unwrap)?;
    if !property(src, f).is_some_and(|m| METHODS.contains(&m)) {
        return None;
    }
    let model = f.field("object").map(unwrap).and_then(|a| property(src, a)).filter(|m| !m.starts_with('$'))?;
    let arg = call_args(call).into_iter().next().filter(|a| a.kind_name() == "object")?;
    Some((model, arg))
}

/// The app's function whose result a value is: `g(…)`, `await g(…)`, or a name declared with one.
fn built_by<'a>(w: &Walker<'_, 'a, '_>, value: Node<'_>) -> Option<&'a str> {
    if value.kind_name() == "identifier" {
        return builder(w, w.text(value), value);
    }
    let mut v = value;
    if v.kind_name() == "await_expression" {
        v = unwrap(v.named_child(0)?);
    }
    let f = v.field("function").map(unwrap).filter(|_| v.kind_name() == "call_expression")?;
    (f.kind_name() == "identifier").then(|| w.text(f))
}

/// The app's function whose result the name `name` is declared with, seen from `at`.
fn builder<'a>(w: &Walker<'_, 'a, '_>, name: &str, at: Node<'_>) -> Option<&'a str> {
    let value = unwrap(w.scope_chain(at).find_map(|s| w.values.get(&(s, name)).copied())?);
    (value.kind_name() != "identifier").then(|| built_by(w, value)).flatten()
}

/// A function's name: its declaration's, or the name the `const` holding it is declared with.
fn function_name<'a>(w: &Walker<'_, 'a, '_>, function: Node<'_>) -> Option<&'a str> {
    let name = match function.kind_name() {
        "function_declaration" => function.field("name")?,
        "arrow_function" | "function_expression" | "function" => {
            w.parent(function).filter(|p| p.kind_name() == "variable_declarator")?.field("name")?
        }
        _ => return None,
    };
    (name.kind_name() == "identifier").then(|| w.text(name))
}

/// The values a returned expression may be: both branches of `c ? a : b`, both sides of `a ?? b`.
/// A worklist, not recursion: a chain of ternaries costs heap, not stack.
fn returned_values(value: Node<'_>) -> Vec<Node<'_>> {
    let (mut out, mut todo) = (Vec::new(), vec![value]);
    while let Some(v) = todo.pop() {
        match v.kind_name() {
            "ternary_expression" => todo.extend(named_children(v).into_iter().skip(1).map(unwrap)),
            "binary_expression" => todo.extend(named_children(v).into_iter().map(unwrap)),
            _ => out.push(v),
        }
    }
    out
}

/// A file's module: its path without the extension (`prisma/seed/data.ts` → `prisma/seed/data`).
pub(crate) fn module(path: &str) -> String {
    let stem = path.rsplit_once('/').map_or(path, |(_, f)| f);
    match stem.rsplit_once('.') {
        Some((base, _)) if !base.is_empty() => path[..path.len() - stem.len() + base.len()].to_owned(),
        _ => path.to_owned(),
    }
}

/// The module a relative import names from the file at `path` (`./seed/data` from
/// `prisma/seed.ts` → `prisma/seed/data`); `None` for a package or an alias (`@/lib`).
/// Whether an import's source names one of the app's modules: a relative path or a path alias
/// (`~/server/service/x`, `@/lib/x`), not a package (`zod`, `@trpc/server`).
fn app_module(source: &str) -> bool {
    source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with("~/")
        || source.starts_with("@/")
        || source.starts_with("#/")
}

fn relative_module(path: &str, source: &str) -> Option<String> {
    if !source.starts_with("./") && !source.starts_with("../") {
        return None;
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for segment in source.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(module(&parts.join("/")))
}

/// Whether `node` lies inside `outer` (a function's body, not its parameters' defaults).
fn is_within(node: Node<'_>, outer: Node<'_>) -> bool {
    outer.start_byte() <= node.start_byte() && node.end_byte() <= outer.end_byte()
}

/// What an Angular component's fields hold, for its template (`@Component({ templateUrl:
/// './x.component.html' })`, see [`TEMPLATES`]).
fn template_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>], path: &str) -> Vec<Binding> {
    let src = w.src;
    let mut out = Vec::new();
    for &class in nodes.iter().filter(|n| CLASSES.contains(&n.kind_name())) {
        // `@Component(…) export class X`: the decorator is the export's.
        let mut decorators = named_children(class);
        decorators.extend(
            w.parent(class).filter(|p| p.kind_name() == "export_statement").map(named_children).unwrap_or_default(),
        );
        let template = decorators
            .into_iter()
            .filter(|d| d.kind_name() == "decorator")
            .filter_map(|d| d.named_child(0).filter(|c| c.kind_name() == "call_expression"))
            .filter(|c| c.field("function").is_some_and(|f| src.node_text(f) == "Component"))
            .filter_map(|c| call_args(c).into_iter().next().filter(|a| a.kind_name() == "object"))
            .flat_map(|o| object_keys(src, o))
            .find(|k| k.name == "templateUrl")
            .and_then(|k| k.value.filter(|v| v.kind_name() == "string"))
            .and_then(|v| string_value(src, v))
            .and_then(|(url, _)| relative_module(path, &url));
        let Some(template) = template else { continue };
        let mut fields: Vec<(&str, Node<'t>)> =
            w.fields.iter().filter(|((c, _), _)| *c == class.id()).map(|((_, f), t)| (*f, *t)).collect();
        fields.sort_by_key(|(f, _)| *f);
        for (field, declared) in fields {
            if let Some(ty) = w.type_ty(declared, 0) {
                out.push(Binding {
                    scope: TEMPLATES.to_owned(),
                    name: format!("{template}#{field}"),
                    root: ty.root,
                    path: ty.path,
                });
            }
        }
    }
    out
}

/// What the types the file exports hold, for the files that import them (see [`TYPES`]): the
/// whole type where it is a model's records (`User & {…}`, `extends Order`, `Pick<Access, …>`),
/// and each property declared with a type that is (`access: Pick<Access, 'alias'>[]`).
fn type_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>]) -> Vec<Binding> {
    let mut out = Vec::new();
    for &node in nodes {
        let value = match node.kind_name() {
            "type_alias_declaration" => node.field("value"),
            "interface_declaration" => node.field("body"),
            _ => continue,
        };
        let (Some(name), Some(value)) = (node.field("name"), value) else { continue };
        if w.parent(node).is_none_or(|p| p.kind_name() != "export_statement") {
            continue;
        }
        // `interface PortfolioOrder extends Pick<Activity, 'type'> { fee: Big }`: a few of a
        // model's fields beside the app's own, which may reuse the model's names: no record.
        let narrowed =
            |t: Node<'_>| t.kind_name() == "generic_type" && t.field("name").is_some_and(|n| w.text(n) == "Pick");
        let bases = match node.kind_name() {
            "interface_declaration" => named_children(node)
                .into_iter()
                .filter(|c| c.kind_name() == "extends_type_clause")
                .flat_map(named_children)
                .collect(),
            _ if value.kind_name() == "intersection_type" => named_children(value),
            _ => Vec::new(),
        };
        let own = w.declared_keys(value, 0);
        let name = w.text(name);
        let mut bind =
            |name: String, ty: Ty| out.push(Binding { scope: TYPES.to_owned(), name, root: ty.root, path: ty.path });
        if let Some(ty) = w.type_ty(value, 0).filter(|_| own.is_empty() || !bases.into_iter().any(narrowed)) {
            bind(name.to_owned(), ty);
        }
        for (key, declared) in own {
            if let Some(ty) = w.type_ty(declared, 0).or_else(|| w.exported_here(declared, 0)) {
                bind(format!("{name}.{key}"), ty);
            }
        }
    }
    out
}

/// What the file's functions return and take, for the files that call them.
fn function_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>]) -> Vec<Binding> {
    let src = w.src;
    // Once per file, not once per function (a component's nested callbacks made that quadratic):
    // each function's own `return`s, and the client calls anywhere inside it.
    let mut returns: HashMap<usize, Vec<Node<'t>>> = HashMap::new();
    let mut calls: HashMap<usize, Vec<Node<'t>>> = HashMap::new();
    let mut app_calls: HashMap<usize, Vec<Node<'t>>> = HashMap::new();
    // `const { userId, ...data } = options;`: function node id → (the name destructured, the
    // name its rest is held in).
    let mut rests: HashMap<usize, Vec<(&str, &str)>> = HashMap::new();
    // `const { email, source } = params;`: function node id → (the name destructured, the names
    // it is destructured into).
    let mut unpacked: HashMap<usize, Vec<(&str, Vec<&str>)>> = HashMap::new();
    // Function node id → the URLs its own `useSWR(url)` calls fetch.
    let mut fetches: HashMap<usize, Vec<String>> = HashMap::new();
    for &n in nodes {
        match n.kind_name() {
            "return_statement" => returns.entry(w.scope_of(n).id()).or_default().push(n),
            "call_expression"
                if n.field("function").is_some_and(|f| matches!(src.node_text(f), "useSWR" | "useSWRImmutable")) =>
            {
                if let Some(url) = call_args(n).into_iter().next().and_then(|a| routes::url_of(src, a)) {
                    fetches.entry(w.scope_of(n).id()).or_default().push(url);
                }
            }
            "variable_declarator" => {
                if let (Some(pattern), Some(value)) = (n.field("name"), n.field("value").map(unwrap))
                    && pattern.kind_name() == "object_pattern"
                    && value.kind_name() == "identifier"
                {
                    if let Some(rest) = rest_of(src, pattern) {
                        rests.entry(w.scope_of(n).id()).or_default().push((src.node_text(value), rest));
                    }
                    unpacked
                        .entry(w.scope_of(n).id())
                        .or_default()
                        .push((src.node_text(value), pattern_names(src, pattern)));
                }
            }
            "call_expression"
                if n.field("function")
                    .map(unwrap)
                    .and_then(|f| property(src, f))
                    .is_some_and(|m| METHODS.contains(&m)) =>
            {
                for scope in w.scope_chain(n) {
                    calls.entry(scope).or_default().push(n);
                }
            }
            // The app's own functions called with an object (`grantPremiumAdmin({ … })`).
            "call_expression"
                if n.field("function")
                    .is_some_and(|f| f.kind_name() == "identifier" || w.app_callee(unwrap(f)).is_some())
                    && call_args(n).iter().any(|a| matches!(a.kind_name(), "object" | "identifier")) =>
            {
                for scope in w.scope_chain(n) {
                    app_calls.entry(scope).or_default().push(n);
                }
            }
            _ => {}
        }
    }
    let functions: std::collections::HashSet<&str> = nodes
        .iter()
        .filter(|n| n.kind_name() == "function_declaration")
        .filter_map(|n| n.field("name"))
        .map(|n| src.node_text(n))
        .collect();
    let mut out = Vec::new();
    for &node in nodes {
        let (name, function) = match node.kind_name() {
            "function_declaration" => match node.field("name") {
                Some(n) => (src.node_text(n).to_owned(), node),
                None => continue,
            },
            // A class's method, by its class (`UserService.updateUser`, see [`Walker::app_callee`]).
            "method_definition" => {
                let (Some(n), Some(class)) = (node.field("name"), w.class_of(node)) else { continue };
                let Some(class) = w.class_names.get(&class.id()) else { continue };
                let method = src.node_text(n);
                if n.kind_name() != "property_identifier" || method == "constructor" {
                    continue;
                }
                (format!("{class}.{method}"), node)
            }
            "variable_declarator" => {
                let (Some(n), Some(v)) = (node.field("name"), node.field("value").map(unwrap)) else {
                    continue;
                };
                if n.kind_name() != "identifier" {
                    continue;
                }
                // A memoising wrapper (`cache(async () => …)`, `unstable_cache(getLicense, …)`)
                // returns what the function it wraps returns.
                let v = match v.kind_name() {
                    "call_expression" => match call_args(v).into_iter().next() {
                        Some(f) if f.kind_name() == "identifier" && functions.contains(src.node_text(f)) => {
                            let ty = returned_by(src.node_text(f));
                            out.push(Binding {
                                scope: RETURNS.to_owned(),
                                name: src.node_text(n).to_owned(),
                                root: ty.root,
                                path: ty.path,
                            });
                            continue;
                        }
                        Some(f) => f,
                        None => continue,
                    },
                    _ => v,
                };
                if !matches!(v.kind_name(), "arrow_function" | "function_expression" | "function") {
                    continue;
                }
                (src.node_text(n).to_owned(), v)
            }
            _ => continue,
        };
        let name = name.as_str();
        if let Some(params) = function.field("parameters") {
            for (i, p) in named_children(params).into_iter().enumerate() {
                let Some(t) = p.field("type") else { continue };
                // `data: Prisma.XCreateInput | Prisma.XUncheckedCreateInput`.
                let input =
                    descendants(t).into_iter().find_map(|n| w.prisma_type(n).filter(|(_, shape)| shape.is_some()));
                if let Some((model, _)) = input {
                    out.push(Binding {
                        scope: ARGS.to_owned(),
                        name: format!("{name}({i})"),
                        root: Root::Model { model },
                        path: Vec::new(),
                    });
                }
            }
        }
        // `function createUser(data) { return prisma.user.create({ data }) }`: the parameter is the
        // call's `data` (or `where`), whatever its declared type.
        if let (Some(params), Some(body)) = (function.field("parameters"), function.field("body")) {
            let names: Vec<&str> = named_children(params)
                .into_iter()
                .map(|p| p.field("pattern").unwrap_or(p))
                .map(|p| if p.kind_name() == "identifier" { src.node_text(p) } else { "" })
                .collect();
            // `({ title, hideScores }: Params) => prisma.poll.create({ data: { title, hideScores } })`:
            // the names a parameter destructures, each under its own key.
            let mut destructured: Vec<Vec<&str>> = named_children(params)
                .into_iter()
                .map(|p| p.field("pattern").unwrap_or(p))
                .map(|p| if p.kind_name() == "object_pattern" { pattern_names(src, p) } else { Vec::new() })
                .collect();
            // A parameter destructured in the body (`static async addSuppression(params) { const
            // { email, source } = params; … }`), as if in the parameter list.
            for (value, fields) in unpacked.get(&function.id()).into_iter().flatten() {
                if let Some(i) = names.iter().position(|n| !n.is_empty() && n == value) {
                    destructured[i].extend(fields.iter().copied());
                }
            }
            // The names holding the rest of a parameter (`({ userId, ...data })`, or `const {
            // userId, ...data } = options` in the body): what they hold is the caller's object.
            let mut rest: Vec<(&str, usize)> = named_children(params)
                .into_iter()
                .map(|p| p.field("pattern").unwrap_or(p))
                .enumerate()
                .filter(|(_, p)| p.kind_name() == "object_pattern")
                .filter_map(|(i, p)| rest_of(src, p).map(|r| (r, i)))
                .collect();
            for (value, held) in rests.get(&function.id()).into_iter().flatten() {
                if let Some(i) = names.iter().position(|n| !n.is_empty() && n == value) {
                    rest.push((held, i));
                }
            }
            // next-safe-action: `.action(async ({ parsedInput: { daysOld, skips } }) => …)`: the
            // names destructured from the action's input, which the caller passes as its object
            // argument (after any bound arguments: `cleanInboxAction(emailAccountId, { daysOld })`).
            let payload: Vec<&str> = named_children(params)
                .into_iter()
                .next()
                .map(|p| p.field("pattern").unwrap_or(p))
                .filter(|p| p.kind_name() == "object_pattern")
                .into_iter()
                .flat_map(named_children)
                .filter(|prop| prop.kind_name() == "pair_pattern")
                .filter(|prop| prop.field("key").is_some_and(|k| src.node_text(k) == "parsedInput"))
                .filter_map(|prop| prop.field("value").filter(|v| v.kind_name() == "object_pattern"))
                .flat_map(|p| pattern_names(src, p))
                .collect();
            let mut passes_payload = false;
            let mut passes_fields = vec![false; destructured.len()];
            let mut bound: std::collections::HashSet<String> = std::collections::HashSet::new();
            let mut bind_arg = |out: &mut Vec<Binding>, arg: String, model: &str| {
                if bound.insert(arg.clone()) {
                    out.push(Binding {
                        scope: ARGS.to_owned(),
                        name: arg,
                        root: Root::Model { model: model_name(model) },
                        path: Vec::new(),
                    });
                }
            };
            for &call in calls.get(&function.id()).into_iter().flatten().filter(|c| is_within(**c, body)) {
                let Some(f) = call.field("function").map(unwrap) else { continue };
                let Some(model) =
                    f.field("object").map(unwrap).and_then(|a| property(src, a)).filter(|m| !m.starts_with('$'))
                else {
                    continue;
                };
                let Some(arg) = call_args(call).into_iter().next().filter(|a| a.kind_name() == "object") else {
                    continue;
                };
                // What a write is given: `data: changes` or `...changes` in it, `changes` a property
                // of a destructured parameter (the caller's object under that key) or the rest of a
                // parameter (the caller's object); an action's input fields written under their own
                // names.
                for key in object_keys(src, arg)
                    .into_iter()
                    .filter(|k| matches!(k.name.as_str(), "data" | "create" | "update"))
                {
                    let Some(value) = key.value.map(unwrap) else { continue };
                    let given: Vec<Node<'t>> = match value.kind_name() {
                        "identifier" => vec![value],
                        // `data: { ...changes }`, `createMany({ data: [{ ...answer, resultId }] })`.
                        "object" | "array" => written_objects(value)
                            .into_iter()
                            .flat_map(named_children)
                            .filter(|c| c.kind_name() == "spread_element")
                            .filter_map(|c| c.named_child(0).map(unwrap).filter(|v| v.kind_name() == "identifier"))
                            .collect(),
                        _ => Vec::new(),
                    };
                    for v in given {
                        let v = src.node_text(v);
                        for (i, names) in destructured.iter().enumerate() {
                            if names.contains(&v) {
                                bind_arg(&mut out, format!("{name}({i}).{v}"), model);
                            }
                        }
                        if let Some((_, i)) = rest.iter().find(|(r, _)| *r == v) {
                            bind_arg(&mut out, format!("{name}({i})"), model);
                        }
                    }
                    if key.name == "data"
                        && !passes_payload
                        && value.kind_name() == "object"
                        && object_keys(src, value).iter().any(|field| {
                            let same = match field.value.map(unwrap) {
                                None => true,
                                Some(v) => v.kind_name() == "identifier" && src.node_text(v) == field.name,
                            };
                            same && payload.contains(&field.name.as_str())
                        })
                    {
                        passes_payload = true;
                        for i in 0..3 {
                            bind_arg(&mut out, format!("{name}({i})"), model);
                        }
                    }
                }
                for key in object_keys(src, arg)
                    .into_iter()
                    .filter(|k| matches!(k.name.as_str(), "data" | "where" | "create" | "update"))
                {
                    // A destructured field written under its own name into the call's `data`
                    // (or an upsert's `create`/`update`): the caller's key of that name is the
                    // column.
                    if key.name != "where"
                        && let Some(value) = key.value.map(unwrap)
                    {
                        for field in written_objects(value).into_iter().flat_map(|data| object_keys(src, data)) {
                            let same = match field.value.map(unwrap) {
                                None => true,
                                Some(v) => v.kind_name() == "identifier" && src.node_text(v) == field.name,
                            };
                            for (i, names) in destructured.iter().enumerate() {
                                if same && names.contains(&field.name.as_str()) && !passes_fields[i] {
                                    passes_fields[i] = true;
                                    out.push(Binding {
                                        scope: ARGS.to_owned(),
                                        name: format!("{name}({i})"),
                                        root: Root::Model { model: model_name(model) },
                                        path: Vec::new(),
                                    });
                                }
                            }
                        }
                    }
                    // The parameter itself given whole (`update: data`, `{ where }`), or spread
                    // into what a write is given (`create: { ...data, id }`).
                    let passed: Vec<&str> = match key.value.map(unwrap) {
                        Some(v) if v.kind_name() == "identifier" => vec![src.node_text(v)],
                        Some(v) if v.kind_name() == "object" && key.name != "where" => named_children(v)
                            .into_iter()
                            .filter(|c| c.kind_name() == "spread_element")
                            .filter_map(|c| c.named_child(0).map(unwrap).filter(|v| v.kind_name() == "identifier"))
                            .map(|v| src.node_text(v))
                            .collect(),
                        Some(_) => continue,
                        None => vec![key.name.as_str()],
                    };
                    for passed in passed {
                        if let Some(i) = names.iter().position(|n| !n.is_empty() && *n == passed) {
                            bind_arg(&mut out, format!("{name}({i})"), model);
                        }
                    }
                }
            }
            // A field of a parameter copied under its own key into what a write is given, or into
            // an object the function hands to another of the app's functions (`grantData = {
            // emailAccountsAccess: data.emailAccountsAccess }` given as `data`, `grant({
            // emailAccountsAccess })` of an action's input): the caller's key of that name is
            // written there, one key at a time (`f(i).key`).
            let copies = Copies { names: &names, destructured: &destructured, rest: &rest, payload: &payload };
            let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
            let mut bind_key = |out: &mut Vec<Binding>, args: &[usize], key: &str, root: &Root| {
                for &i in args {
                    let arg = format!("{name}({i}).{key}");
                    let target = match root {
                        Root::Model { model } => model.clone(),
                        Root::Binding { name, .. } => name.clone(),
                    };
                    if seen.insert((arg.clone(), target)) {
                        out.push(Binding { scope: ARGS.to_owned(), name: arg, root: root.clone(), path: Vec::new() });
                    }
                }
            };
            for &call in calls.get(&function.id()).into_iter().flatten().filter(|c| is_within(**c, body)) {
                let Some((model, arg)) = client_args(src, call) else { continue };
                let root = Root::Model { model: model_name(model) };
                for key in object_keys(src, arg)
                    .into_iter()
                    .filter(|k| matches!(k.name.as_str(), "data" | "create" | "update"))
                {
                    let value = match key.value {
                        Some(v) => unwrap(v),
                        None => continue,
                    };
                    let mut objects: Vec<Node<'t>> = w.object_of(value).into_iter().collect();
                    if value.kind_name() == "object" {
                        objects.extend(
                            named_children(value)
                                .into_iter()
                                .filter(|c| c.kind_name() == "spread_element")
                                .filter_map(|c| c.named_child(0).map(unwrap))
                                .filter_map(|c| w.object_of(c).filter(|_| c.kind_name() == "identifier")),
                        );
                    }
                    for object in objects {
                        for (own, _, args) in copies.fields(w, object) {
                            bind_key(&mut out, &args, &own, &root);
                        }
                    }
                }
            }
            for &call in app_calls.get(&function.id()).into_iter().flatten().filter(|c| is_within(**c, body)) {
                let Some(callee) = call.field("function").and_then(|f| w.app_callee(unwrap(f))) else {
                    continue;
                };
                for (j, arg) in call_args(call).into_iter().enumerate() {
                    let Some(object) = w.object_of(arg) else { continue };
                    for (own, field, args) in copies.fields(w, object) {
                        let root = Root::Binding {
                            scopes: vec![ARGS.to_owned()],
                            name: format!("{callee}({j}).{field}"),
                            guess: None,
                        };
                        bind_key(&mut out, &args, &own, &root);
                    }
                }
            }
        }
        // `function useEmailAccountFull() { const r = useSWR<T>("/api/user/email-account"); return
        // process(r); }`: the app's hook over one of its routes; its `data` is what the route
        // answers (see [`ROUTES`]), whatever wraps the response.
        if let [url] = fetches.get(&function.id()).map(Vec::as_slice).unwrap_or_default()
            && name.starts_with("use")
        {
            out.push(Binding {
                scope: RETURNS.to_owned(),
                name: format!("{name}.data"),
                root: Root::Binding { scopes: vec![ROUTES.to_owned()], name: url.clone(), guess: None },
                path: Vec::new(),
            });
        }
        out.extend(results(w, function, &returns, RETURNS, name));
    }
    // A tRPC mutation's input handed on: `updateTemplate: procedure.mutation(async ({ input }) => {
    // const { data } = input; await updateEnvelope({ data: { ...data } }) })`: the key the client
    // posts under (`updateTemplate(0).data`, as [`client_call`] reads a mutation called by another
    // name) is what the app's function takes under it.
    for &pair in nodes.iter().filter(|n| n.kind_name() == "pair") {
        let (Some(key), Some(value)) = (pair.field("key"), pair.field("value").map(unwrap)) else {
            continue;
        };
        if value.kind_name() != "call_expression"
            || value.field("function").map(unwrap).is_none_or(|f| property(src, f) != Some("mutation"))
        {
            continue;
        }
        let Some(callback) = first_callback(value) else { continue };
        let takes_input = first_parameter(callback)
            .is_some_and(|p| p.kind_name() == "object_pattern" && pattern_names(src, p).contains(&"input"));
        if !takes_input {
            continue;
        }
        let fields: Vec<&str> = descendants(callback)
            .into_iter()
            .filter(|d| d.kind_name() == "variable_declarator" && w.scope_of(*d).id() == callback.id())
            .filter(|d| d.field("value").map(unwrap).is_some_and(|v| src.node_text(v) == "input"))
            .filter_map(|d| d.field("name").filter(|n| n.kind_name() == "object_pattern"))
            .flat_map(|p| pattern_names(src, p))
            .collect();
        let names = ["input"];
        let destructured = [fields];
        let copies = Copies { names: &names, destructured: &destructured, rest: &[], payload: &[] };
        let procedure = src.node_text(key);
        // `ctx.prisma.apiKey.update({ data: { note: input.note } })` in the procedure itself.
        for &call in calls.get(&callback.id()).into_iter().flatten() {
            let Some((model, arg)) = client_args(src, call) else { continue };
            for key in
                object_keys(src, arg).into_iter().filter(|k| matches!(k.name.as_str(), "data" | "create" | "update"))
            {
                let Some(object) = key.value.and_then(|v| w.object_of(v)) else { continue };
                for (own, _, _) in copies.fields(w, object) {
                    let binding = Binding {
                        scope: ARGS.to_owned(),
                        name: format!("{procedure}(0).{own}"),
                        root: Root::Model { model: model_name(model) },
                        path: Vec::new(),
                    };
                    if !out.contains(&binding) {
                        out.push(binding);
                    }
                }
            }
        }
        for &call in app_calls.get(&callback.id()).into_iter().flatten() {
            let Some(callee) = call.field("function").and_then(|f| w.app_callee(unwrap(f))) else {
                continue;
            };
            for (j, arg) in call_args(call).into_iter().enumerate() {
                let Some(object) = w.object_of(arg) else { continue };
                for (own, field, _) in copies.fields(w, object) {
                    out.push(Binding {
                        scope: ARGS.to_owned(),
                        name: format!("{procedure}(0).{own}"),
                        root: Root::Binding {
                            scopes: vec![ARGS.to_owned()],
                            name: format!("{callee}({j}).{field}"),
                            guess: None,
                        },
                        path: Vec::new(),
                    });
                }
            }
        }
    }
    out.extend(procedures(w, nodes, &returns));
    out
}

/// A Prisma Client extension's field lists by model (`const ENCRYPTED = { user: ["aiApiKey",
/// "webhookSecret"] }` in a file that calls `$extends` or `Prisma.defineExtension`, handed to
/// the extension's `result`/`query` builders): each string the field of the model its key is the
/// accessor of. An object with a value that is not a list of strings is no such list.
fn extension_fields(src: &Src<'_>, nodes: &[Node<'_>], hits: &mut Vec<Hit>) {
    let extends = nodes.iter().any(|n| {
        n.kind_name() == "call_expression"
            && n.field("function")
                .is_some_and(|f| matches!(property(src, unwrap(f)), Some("$extends" | "defineExtension")))
    });
    if !extends {
        return;
    }
    for &object in nodes.iter().filter(|n| n.kind_name() == "object") {
        let keys = object_keys(src, object);
        let lists: Vec<Vec<(String, usize)>> = keys
            .iter()
            .map_while(|key| {
                let list = unwrap(key.value?);
                let list = if list.kind_name() == "as_expression" { unwrap(list.named_child(0)?) } else { list };
                (list.kind_name() == "array").then_some(())?;
                named_children(list)
                    .into_iter()
                    .map(|s| {
                        (s.kind_name() == "string")
                            .then(|| string_value(src, s))
                            .flatten()
                            .map(|(v, _)| (v, s.start_byte() + 1))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect();
        if keys.is_empty() || lists.len() != keys.len() {
            continue;
        }
        for (key, list) in keys.iter().zip(lists) {
            for (field, offset) in list {
                hits.push(src.hit(
                    offset,
                    Ty::model(model_name(&key.name)).target(&field),
                    RefKind::Query,
                    Confidence::Medium,
                ));
            }
        }
    }
}

/// What the components' props hold (see [`PROPS`]): `<Card user={member.user} />` binds
/// `Card.user` to what the value holds, when it is typed (not a name's guess); a component's
/// own declared type of a destructured prop (or the prop's name) binds it too.
fn prop_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>]) -> Vec<Binding> {
    let src = w.src;
    let mut out: Vec<Binding> = w
        .prop_fallbacks
        .iter()
        .map(|(name, ty)| Binding {
            scope: PROPS.to_owned(),
            name: name.clone(),
            root: ty.root.clone(),
            path: ty.path.clone(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    for &node in nodes.iter().filter(|n| n.kind_name() == "jsx_attribute") {
        let (Some(attr), Some(value), Some(element)) = (node.named_child(0), node.named_child(1), w.parent(node))
        else {
            continue;
        };
        let tag = tag(src, element);
        if attr.kind_name() != "property_identifier"
            || value.kind_name() != "jsx_expression"
            || !tag.starts_with(|c: char| c.is_ascii_uppercase())
            || tag.contains('.')
        {
            continue;
        }
        let Some(ty) = value.named_child(0).and_then(|v| w.expr_ty(unwrap(v), 0)).filter(|t| !is_named(t)) else {
            continue;
        };
        out.push(Binding {
            scope: PROPS.to_owned(),
            name: format!("{tag}.{}", src.node_text(attr)),
            root: ty.root,
            path: ty.path,
        });
    }
    out
}

/// What a function's parameters are called by (see [`function_bindings`]): a parameter's name
/// (`names[i]`), the names it is destructured into (`destructured[i]`), the names holding its
/// rest (`rest`), and a server action's input fields (`payload`, its argument 0 to 2).
struct Copies<'r, 'a> {
    names: &'r [&'a str],
    destructured: &'r [Vec<&'a str>],
    rest: &'r [(&'a str, usize)],
    payload: &'r [&'a str],
}

impl Copies<'_, '_> {
    /// The keys of `object` whose value is the field of the same name of a parameter
    /// (`emailAccountsAccess`, `emailAccountsAccess: data.emailAccountsAccess ?? null`), each with
    /// the arguments it is a field of.
    /// A field copied from a name destructured from a parameter (`data.publicDescription` of
    /// `({ data })`) gives the parameter's key (`data`), the field itself (`publicDescription`).
    fn fields(&self, w: &Walker<'_, '_, '_>, object: Node<'_>) -> Vec<(String, String, Vec<usize>)> {
        let src = w.src;
        let mut out = Vec::new();
        for key in object_keys(src, object) {
            let mut value = match key.value {
                Some(v) => unwrap(v),
                None => {
                    // Shorthand: the name itself.
                    let args = self.of_name(&key.name);
                    if !args.is_empty() {
                        out.push((key.name.clone(), key.name.clone(), args));
                    }
                    continue;
                }
            };
            // `data.count || 1`, `x ?? null`: the value on the left.
            while value.kind_name() == "binary_expression"
                && let Some(left) = value.field("left")
            {
                value = unwrap(left);
            }
            let args = match value.kind_name() {
                "identifier" if src.node_text(value) == key.name => self.of_name(&key.name),
                // `data: { ...data, extra }`: the field spread under its own key.
                "object"
                    if named_children(value).into_iter().any(|c| {
                        c.kind_name() == "spread_element"
                            && c.named_child(0).map(unwrap).is_some_and(|v| src.node_text(v) == key.name)
                    }) =>
                {
                    self.of_name(&key.name)
                }
                "member_expression" if property(src, value) == Some(key.name.as_str()) => {
                    match value.field("object").map(unwrap).filter(|o| o.kind_name() == "identifier") {
                        Some(o) => {
                            // `publicDescription: data.publicDescription` of `({ data = {} })`: the
                            // caller's object under `data` holds the field.
                            let nested = self.of_name(src.node_text(o));
                            if !nested.is_empty() {
                                out.push((src.node_text(o).to_owned(), key.name.clone(), nested));
                            }
                            self.of_holder(src.node_text(o))
                        }
                        None => Vec::new(),
                    }
                }
                _ => Vec::new(),
            };
            if !args.is_empty() {
                out.push((key.name.clone(), key.name.clone(), args));
            }
        }
        out
    }

    /// The arguments a name destructured from a parameter (or an action's input) is a field of.
    fn of_name(&self, name: &str) -> Vec<usize> {
        let mut args: Vec<usize> =
            self.destructured.iter().enumerate().filter(|(_, d)| d.contains(&name)).map(|(i, _)| i).collect();
        if self.payload.contains(&name) {
            args.extend(0..3);
        }
        args
    }

    /// The arguments a name holds (a parameter, or the rest of one).
    fn of_holder(&self, name: &str) -> Vec<usize> {
        let mut args: Vec<usize> = self.names.iter().enumerate().filter(|(_, n)| **n == name).map(|(i, _)| i).collect();
        args.extend(self.rest.iter().filter(|(r, _)| *r == name).map(|(_, i)| *i));
        args
    }
}

/// The objects a write's `data` is written out as: the object, or a list's (`createMany({ data:
/// [{ … }] })`).
fn written_objects(value: Node<'_>) -> Vec<Node<'_>> {
    match value.kind_name() {
        "object" => {
            let mut out = vec![value];
            // `...(batchSize ? { batchSize } : {})`, `...(name && { name })`: keys written when
            // the condition holds.
            for spread in named_children(value).into_iter().filter(|c| c.kind_name() == "spread_element") {
                let Some(inner) = spread.named_child(0).map(unwrap) else { continue };
                let branches = match inner.kind_name() {
                    "ternary_expression" => named_children(inner).into_iter().skip(1).collect(),
                    "binary_expression" => inner.field("right").into_iter().collect(),
                    _ => Vec::new(),
                };
                out.extend(branches.into_iter().map(unwrap).filter(|b| b.kind_name() == "object"));
            }
            out
        }
        "array" => named_children(value)
            .into_iter()
            .map(unwrap)
            .filter(|e| e.kind_name() == "object")
            .flat_map(written_objects)
            .collect(),
        _ => Vec::new(),
    }
}

/// The server action a next-safe-action hook is given: `saveAction` or `saveAction.bind(null, id)`.
fn action_name<'a>(src: &Src<'a>, arg: Node<'_>) -> Option<&'a str> {
    let arg = unwrap(arg);
    match arg.kind_name() {
        "identifier" => Some(src.node_text(arg)),
        "call_expression" => {
            let f = arg.field("function").map(unwrap)?;
            let object = f.field("object").map(unwrap).filter(|o| o.kind_name() == "identifier")?;
            (property(src, f) == Some("bind")).then(|| src.node_text(object))
        }
        _ => None,
    }
}

/// The name an object pattern holds its rest in (`{ userId, ...data }` → `data`).
fn rest_of<'a>(src: &Src<'a>, pattern: Node<'_>) -> Option<&'a str> {
    named_children(pattern)
        .into_iter()
        .filter(|p| p.kind_name() == "rest_pattern")
        .find_map(|p| p.named_child(0).filter(|n| n.kind_name() == "identifier"))
        .map(|n| src.node_text(n))
}

/// The names an object pattern declares under their own keys (`{ a, b = 1 }`).
fn pattern_names<'a>(src: &Src<'a>, pattern: Node<'_>) -> Vec<&'a str> {
    named_children(pattern)
        .into_iter()
        .filter_map(|prop| match prop.kind_name() {
            "shorthand_property_identifier_pattern" => Some(src.node_text(prop)),
            "object_assignment_pattern" => prop
                .field("left")
                .filter(|l| l.kind_name() == "shorthand_property_identifier_pattern")
                .map(|l| src.node_text(l)),
            _ => None,
        })
        .collect()
}

/// The bindings of what a function returns, under `name` in `scope`, and of each key of an
/// object literal it returns whose value is typed, under `name.key` (`return { data, count }`
/// of a paginated finder: `findRows.data` is the rows).
fn results<'t>(
    w: &Walker<'_, '_, 't>,
    function: Node<'t>,
    returns: &HashMap<usize, Vec<Node<'t>>>,
    scope: &str,
    name: &str,
) -> Vec<Binding> {
    let mut values: Vec<Node<'t>> = Vec::new();
    if let Some(body) = function.field("body") {
        if body.kind_name() == "statement_block" {
            values
                .extend(returns.get(&function.id()).into_iter().flatten().filter_map(|r| r.named_child(0)).map(unwrap));
        } else {
            values.push(unwrap(body));
        }
    }
    let declared = function.field("return_type").and_then(|t| w.type_ty(t, 0));
    // A copy of a record's fields under their own names is that record (`return { id: user.id,
    // lastLogin: user.lastLogin, … }`), as for a route's answer.
    let whole = declared
        .or_else(|| values.iter().find_map(|v| returned(w, *v)))
        .or_else(|| values.iter().filter(|v| v.kind_name() == "object").find_map(|v| w.copied(*v)));
    // `(): Promise<{ profile: TeamProfile; templates: Pick<Envelope, 'id'>[] }>`: each key the
    // declared return type types, whatever the returned value is built from.
    let mut keys = Vec::new();
    if whole.is_none()
        && let Some(t) = function.field("return_type")
    {
        for (key, declared) in w.declared_keys(t, 0) {
            if let Some(ty) = w.type_ty(declared, 0).filter(|t| !is_named(t)) {
                keys.push(Binding {
                    scope: scope.to_owned(),
                    name: format!("{name}.{key}"),
                    root: ty.root,
                    path: ty.path,
                });
            }
        }
    }
    let mut out = value_bindings(w, whole, values, scope, name);
    out.retain(|b| !keys.iter().any(|k| k.name == b.name));
    out.extend(keys);
    out
}

/// The binding of a value (`whole`) under `name` in `scope`, and of each key of the object
/// literals among `values` whose value is typed, under `name.key`.
fn value_bindings<'t>(
    w: &Walker<'_, '_, 't>,
    whole: Option<Ty>,
    values: Vec<Node<'t>>,
    scope: &str,
    name: &str,
) -> Vec<Binding> {
    let mut out = Vec::new();
    if let Some(ty) = whole {
        out.push(Binding { scope: scope.to_owned(), name: name.to_owned(), root: ty.root, path: ty.path });
    }
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for object in values.into_iter().filter(|v| v.kind_name() == "object") {
        for key in object_keys(w.src, object) {
            if seen.contains(&key.name) {
                continue;
            }
            // Only what is known: a guess from a name (`const license = await load()` read as
            // the `License` model) stays in its file.
            if let Some(mut ty) = w.key_ty(&key, object).filter(|t| !is_named(t)) {
                if let Root::Binding { guess, .. } = &mut ty.root {
                    *guess = None;
                }
                seen.insert(key.name.clone());
                out.push(Binding {
                    scope: scope.to_owned(),
                    name: format!("{name}.{}", key.name),
                    root: ty.root,
                    path: ty.path,
                });
            }
        }
    }
    out
}

/// What an API route's handler answers (`res.status(200).json(teamSettings)`,
/// `NextResponse.json({ plan: team.plan, pausedAt: team.pausedAt })`), under the route's URL in
/// [`ROUTES`]: only what is known, not a name's guess, and an object copying a record's fields
/// under their own names is that record.
fn route_bindings<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>], url: &str) -> Vec<Binding> {
    let src = w.src;
    let mut values: Vec<Node<'t>> = Vec::new();
    for &call in nodes.iter().filter(|n| n.kind_name() == "call_expression") {
        let Some(f) = call.field("function").map(unwrap) else { continue };
        if property(src, f) != Some("json") {
            continue;
        }
        let Some(mut object) = f.field("object").map(unwrap) else { continue };
        // `res.status(200).json(…)`.
        if object.kind_name() == "call_expression"
            && let Some(g) = object.field("function").map(unwrap)
            && property(src, g) == Some("status")
            && let Some(o) = g.field("object").map(unwrap)
        {
            object = o;
        }
        if object.kind_name() != "identifier" || !matches!(src.node_text(object), "res" | "NextResponse" | "Response") {
            continue;
        }
        if let Some(value) = call_args(call).into_iter().next().map(unwrap) {
            // `NextResponse.json(WorkspaceSchema.parse({ ...workspace, … }))`: what is parsed.
            values.push(zod::parsed(src, value).unwrap_or(value));
        }
    }
    let whole = values.iter().find_map(|v| {
        let ty = if v.kind_name() == "object" { w.copied(*v) } else { returned(w, *v) };
        ty.filter(|t| !is_named(t))
    });
    let mut out = value_bindings(w, whole, values, ROUTES, url);
    out.extend(body_writes(w, nodes, url));
    out
}

/// Whether a value is a request's body: `req.body`, `await req.json()`, a schema's parse of one
/// (`schema.parse(req.body)`), or the `data` of a name declared as one
/// (`const result = schema.safeParse(req.body)`; `result.data`).
fn is_body<'t>(w: &Walker<'_, '_, 't>, value: Node<'t>, depth: u32) -> bool {
    let value = unwrap(value);
    let text = w.text(value);
    if ["req.body", "req.json()", "request.json()"].iter().any(|b| text.contains(b)) {
        return true;
    }
    if depth < 2
        && value.kind_name() == "member_expression"
        && property(w.src, value) == Some("data")
        && let Some(o) = value.field("object").map(unwrap).filter(|o| o.kind_name() == "identifier")
        && let Some(held) = w.scope_chain(o).find_map(|s| w.values.get(&(s, w.text(o))).copied())
    {
        return is_body(w, held, depth + 1);
    }
    false
}

/// The fields an API route's handler writes from its request body, each under its own name
/// (`const { timezone } = req.body; … data: { timezone }`, or `updateData.timezone = timezone` on
/// an object given as a write's `data`): bound in [`BODIES`] as `<url>.<key>` to the model.
fn body_writes<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>], url: &str) -> Vec<Binding> {
    let src = w.src;
    // (scope, local name) → the body's key it holds.
    let mut locals: Map<(usize, &str), &str> = Map::default();
    for &node in nodes.iter().filter(|n| n.kind_name() == "variable_declarator") {
        let (Some(pattern), Some(value)) = (node.field("name"), node.field("value")) else {
            continue;
        };
        if pattern.kind_name() != "object_pattern" || !is_body(w, value, 0) {
            continue;
        }
        let scope = w.scope_of(node).id();
        for prop in named_children(pattern) {
            match prop.kind_name() {
                "shorthand_property_identifier_pattern" => {
                    locals.insert((scope, src.node_text(prop)), src.node_text(prop));
                }
                "object_assignment_pattern" => {
                    if let Some(l) = prop.field("left") {
                        locals.insert((scope, src.node_text(l)), src.node_text(l));
                    }
                }
                "pair_pattern" => {
                    if let (Some(k), Some(v)) = (prop.field("key"), prop.field("value"))
                        && v.kind_name() == "identifier"
                    {
                        locals.insert((scope, src.node_text(v)), src.node_text(k));
                    }
                }
                _ => {}
            }
        }
    }
    if locals.is_empty() {
        return Vec::new();
    }
    let body_key = |value: Node<'t>| -> Option<&str> {
        let v = unwrap(value);
        (v.kind_name() == "identifier")
            .then(|| w.scope_chain(v).find_map(|s| locals.get(&(s, src.node_text(v))).copied()))
            .flatten()
    };
    let mut out = Vec::new();
    let mut bind = |key: &str, model: String| {
        out.push(Binding {
            scope: BODIES.to_owned(),
            name: format!("{url}.{key}"),
            root: Root::Model { model },
            path: Vec::new(),
        });
    };
    for &node in nodes {
        match node.kind_name() {
            // `prisma.team.update({ data: { timezone } })`.
            "call_expression" => {
                let Some((model, arg)) = client_write(src, node) else { continue };
                for data in object_keys(src, arg)
                    .into_iter()
                    .filter(|k| matches!(k.name.as_str(), "data" | "create" | "update"))
                {
                    let Some(object) = data.value.map(unwrap).filter(|v| v.kind_name() == "object") else { continue };
                    for field in object_keys(src, object) {
                        let posted = match field.value {
                            Some(v) => body_key(v),
                            None => w.scope_chain(object).find_map(|s| locals.get(&(s, field.name.as_str())).copied()),
                        };
                        if posted == Some(field.name.as_str()) {
                            bind(&field.name, model_name(model));
                        }
                    }
                }
            }
            // `updateData.timezone = timezone` on a write's data object.
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    continue;
                };
                let Some(key) = property(src, left).filter(|_| left.kind_name() == "member_expression") else {
                    continue;
                };
                if body_key(right) != Some(key) {
                    continue;
                }
                if let Some(Ty { root: Root::Model { model }, path, .. }) =
                    left.field("object").and_then(|o| w.expr_ty(unwrap(o), 0))
                    && path.is_empty()
                {
                    bind(key, model);
                }
            }
            _ => {}
        }
    }
    out
}

/// `fetch(`/api/teams/${teamId}/settings`, { method: "PATCH", body: JSON.stringify({ timezone }) })`:
/// each key of the posted object is the field the route writes from its body under that name,
/// when it writes one (see [`body_writes`]).
fn posted<'t>(w: &Walker<'_, '_, 't>, hits: &mut Vec<Hit>, call: Node<'t>) {
    let src = w.src;
    let Some(f) = call.field("function").map(unwrap) else { return };
    if src.node_text(f) != "fetch" {
        return;
    }
    let args = call_args(call);
    let (Some(url), Some(options)) = (
        args.first().and_then(|u| routes::url_of(src, *u)),
        args.get(1).map(|o| unwrap(*o)).filter(|o| o.kind_name() == "object"),
    ) else {
        return;
    };
    let Some(body) = object_keys(src, options).into_iter().find(|k| k.name == "body").and_then(|k| k.value).map(unwrap)
    else {
        return;
    };
    // `JSON.stringify({ … })`.
    if body.kind_name() != "call_expression"
        || body.field("function").is_none_or(|g| src.node_text(g) != "JSON.stringify")
    {
        return;
    }
    let Some(object) = call_args(body).into_iter().next().map(unwrap) else { return };
    let Some(object) = w.object_of(object) else { return };
    for key in object_keys(src, object) {
        let ty =
            Ty::of(Root::Binding { scopes: vec![BODIES.to_owned()], name: format!("{url}.{}", key.name), guess: None });
        hits.push(key_hit(src, &key, &ty));
    }
}

/// An object literal's key read as the field of the same name of what `ty` holds (medium).
fn key_hit(src: &Src<'_>, key: &crate::scan::extract::js::Key<'_>, ty: &Ty) -> Hit {
    src.hit(key.offset, ty.target(&key.name), RefKind::Query, Confidence::Medium)
}

/// Whether a call builds a tRPC router (`router({…})`, `createTRPCRouter({…})`, `t.router({…})`).
fn is_router(src: &Src<'_>, call: Node<'_>) -> bool {
    let Some(f) = call.field("function").map(unwrap) else { return false };
    let callee = src.node_text(f);
    let last = callee.rsplit('.').next().unwrap_or(callee);
    last == "router" || last.ends_with("Router") && last.starts_with(|c: char| c.is_ascii_lowercase())
}

/// What the procedures of the file's tRPC routers answer (see [`TRPC`]).
fn procedures<'t>(w: &Walker<'_, '_, 't>, nodes: &[Node<'t>], returns: &HashMap<usize, Vec<Node<'t>>>) -> Vec<Binding> {
    let src = w.src;
    let mut out = Vec::new();
    for &call in nodes.iter().filter(|n| n.kind_name() == "call_expression" && is_router(src, **n)) {
        // A router held in a variable; the routers nested in it are walked from it.
        let Some(var) = w
            .parent(call)
            .filter(|p| p.kind_name() == "variable_declarator")
            .and_then(|p| p.field("name"))
            .filter(|n| n.kind_name() == "identifier")
        else {
            continue;
        };
        let var = src.node_text(var);
        let router = var.strip_suffix("Router").filter(|r| !r.is_empty()).unwrap_or(var);
        if let Some(object) = call_args(call).into_iter().next().map(unwrap).filter(|a| a.kind_name() == "object") {
            let from = out.len();
            router_keys(w, object, router, returns, &mut out, 0);
            // An app router keys a router held in `promptRouter` as `prompt` or `prompts`
            // (`createTRPCRouter({ prompts: promptRouter })`): the client names either.
            let plural = crate::inflect::pluralize(router);
            if plural != router {
                let prefix = format!("{router}.");
                let aliases: Vec<Binding> = out[from..]
                    .iter()
                    .filter_map(|b| {
                        let rest = b.name.strip_prefix(&prefix)?;
                        Some(Binding { name: format!("{plural}.{rest}"), ..b.clone() })
                    })
                    .collect();
                out.extend(aliases);
            }
        }
    }
    out
}

/// The procedures of one router object, `router` its key.
fn router_keys<'t>(
    w: &Walker<'_, '_, 't>,
    object: Node<'t>,
    router: &str,
    returns: &HashMap<usize, Vec<Node<'t>>>,
    out: &mut Vec<Binding>,
    depth: u32,
) {
    let src = w.src;
    if depth > 8 {
        return;
    }
    for key in object_keys(src, object) {
        let name = format!("{router}.{}", key.name);
        let value = key.value.map(unwrap);
        match value.map(|v| v.kind_name()) {
            Some("object") => router_keys(w, value.unwrap_or(object), &key.name, returns, out, depth + 1),
            Some("call_expression") => {
                let Some(v) = value else { continue };
                if is_router(src, v) {
                    if let Some(inner) =
                        call_args(v).into_iter().next().map(unwrap).filter(|a| a.kind_name() == "object")
                    {
                        router_keys(w, inner, &key.name, returns, out, depth + 1);
                    }
                    continue;
                }
                // `authenticatedProcedure.input(…).query(async ({ input }) => …)`.
                let Some(f) = v.field("function").map(unwrap) else { continue };
                if !property(src, f).is_some_and(|m| matches!(m, "query" | "mutation")) {
                    continue;
                }
                let Some(callback) = first_callback(v) else { continue };
                out.extend(results(w, callback, returns, TRPC, &name));
            }
            // `find: findPasskeysRoute`, a procedure of another file: what it answers.
            Some("identifier") | None => {
                let procedure = value.map_or(key.name.as_str(), |v| src.node_text(v));
                let ty = returned_by(procedure);
                out.push(Binding { scope: TRPC.to_owned(), name, root: ty.root, path: ty.path });
                // `apiKey: apiRouter`, a router of another file keyed by another name than its
                // variable's: the client's `apiKey.getApiKeys` is the procedures of `api`.
                if let Some(held) = procedure.strip_suffix("Router").filter(|r| !r.is_empty() && *r != key.name) {
                    out.push(Binding {
                        scope: TRPC.to_owned(),
                        name: key.name.clone(),
                        root: Root::Binding { scopes: vec![TRPC.to_owned()], name: held.to_owned(), guess: None },
                        path: Vec::new(),
                    });
                }
            }
            _ => {}
        }
    }
}
