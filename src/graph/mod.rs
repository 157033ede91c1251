//! The dependency graph: apps (one node per app and ref) → the tables and columns their code
//! uses, tables → their columns, foreign keys between tables, views → what they read. Built from
//! the schema and the scans; answers "who depends on X, where, at which ref" for `tandem refs`
//! and the gate, and renders for humans (mermaid, dot) and machines (json).

mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::config::Confidence;
use crate::scan::{ObjectRef, Reference, ScanResult};
use crate::schema::Schema;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    App {
        app: String,
        #[serde(rename = "ref")]
        git_ref: String,
        commit: String,
    },
    Table {
        table: String,
    },
    Column {
        table: String,
        column: String,
    },
    View {
        view: String,
    },
}

impl Node {
    fn id(&self) -> String {
        let clean = |s: &str| s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>();
        match self {
            Node::App { app, git_ref, .. } => format!("app_{}_{}", clean(app), clean(git_ref)),
            Node::Table { table } => format!("t_{}", clean(table)),
            Node::Column { table, column } => format!("c_{}__{}", clean(table), clean(column)),
            Node::View { view } => format!("v_{}", clean(view)),
        }
    }

    fn label(&self) -> String {
        match self {
            Node::App { app, git_ref, commit } => format!("{app} @ {git_ref} ({})", &commit[..commit.len().min(8)]),
            Node::Table { table } => table.clone(),
            Node::Column { table, column } => format!("{table}.{column}"),
            Node::View { view } => view.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Edge {
    /// The app's code references the object; indices into [`DepGraph::references`].
    Uses {
        references: Vec<usize>,
    },
    HasColumn,
    ForeignKey {
        columns: Vec<String>,
        referenced_columns: Vec<String>,
    },
    /// A view reads the table or column.
    ViewReads,
}

pub struct DepGraph {
    pub graph: DiGraph<Node, Edge>,
    nodes: HashMap<Node, NodeIndex>,
    pub references: Vec<Reference>,
}

fn table_key(o: &ObjectRef) -> String {
    o.table.to_string()
}

impl DepGraph {
    pub fn build(schema: Option<&Schema>, scans: &[ScanResult]) -> DepGraph {
        let mut g = DepGraph { graph: DiGraph::new(), nodes: HashMap::new(), references: Vec::new() };
        if let Some(schema) = schema {
            for t in &schema.tables {
                let tn = g.node(Node::Table { table: t.name.name.clone() });
                for c in &t.columns {
                    let cn = g.node(Node::Column { table: t.name.name.clone(), column: c.name.clone() });
                    g.graph.add_edge(tn, cn, Edge::HasColumn);
                }
            }
            for t in &schema.tables {
                let from = g.node(Node::Table { table: t.name.name.clone() });
                for fk in &t.foreign_keys {
                    let to = g.node(Node::Table { table: fk.references.name.clone() });
                    g.graph.add_edge(
                        from,
                        to,
                        Edge::ForeignKey {
                            columns: fk.columns.clone(),
                            referenced_columns: fk.referenced_columns.clone(),
                        },
                    );
                }
            }
            g.add_views(schema);
        }
        let views: BTreeSet<String> =
            schema.map(|s| s.views.iter().map(|v| v.name.name.clone()).collect()).unwrap_or_default();
        for scan in scans {
            let app =
                g.node(Node::App { app: scan.app.clone(), git_ref: scan.git_ref.clone(), commit: scan.commit.clone() });
            let mut uses: BTreeMap<Node, Vec<usize>> = BTreeMap::new();
            // A dangling reference names no object of the schema: no node, no edge.
            for r in scan.references.iter().filter(|r| r.kind != crate::scan::RefKind::Dangling) {
                let idx = g.references.len();
                g.references.push(r.clone());
                let target = match &r.object.column {
                    Some(c) => Node::Column { table: table_key(&r.object), column: c.to_string() },
                    None if views.contains(&*r.object.table) => Node::View { view: r.object.table.to_string() },
                    None => Node::Table { table: table_key(&r.object) },
                };
                uses.entry(target).or_default().push(idx);
            }
            for (target, refs) in uses {
                let t = g.node(target.clone());
                if let Node::Column { table, .. } = &target {
                    let tn = g.node(Node::Table { table: table.clone() });
                    if g.graph.find_edge(tn, t).is_none() {
                        g.graph.add_edge(tn, t, Edge::HasColumn);
                    }
                }
                g.graph.add_edge(app, t, Edge::Uses { references: refs });
            }
        }
        g
    }

    /// The graph of `schema`'s views and what they read, alone: what the gate asks
    /// [`DepGraph::dependent_views`] for each object a migration drops, without building nodes
    /// for every table and column.
    pub fn of_views(schema: &Schema) -> DepGraph {
        let mut g = DepGraph { graph: DiGraph::new(), nodes: HashMap::new(), references: Vec::new() };
        g.add_views(schema);
        g
    }

    /// View → table, view → view and view → column edges for every view of `schema`.
    fn add_views(&mut self, schema: &Schema) {
        let views: BTreeSet<&str> = schema.views.iter().map(|v| v.name.name.as_str()).collect();
        for v in &schema.views {
            let vn = self.node(Node::View { view: v.name.name.clone() });
            for dep in &v.depends_on {
                let tn = if views.contains(dep.relation.name.as_str()) {
                    self.node(Node::View { view: dep.relation.name.clone() })
                } else {
                    self.node(Node::Table { table: dep.relation.name.clone() })
                };
                self.graph.add_edge(vn, tn, Edge::ViewReads);
                for c in &dep.columns {
                    let cn = self.node(Node::Column { table: dep.relation.name.clone(), column: c.clone() });
                    self.graph.add_edge(vn, cn, Edge::ViewReads);
                }
            }
        }
    }

    fn node(&mut self, n: Node) -> NodeIndex {
        if let Some(&i) = self.nodes.get(&n) {
            return i;
        }
        let i = self.graph.add_node(n.clone());
        self.nodes.insert(n, i);
        i
    }

    /// Every reference to `target` (a table: also references to its columns) at or above
    /// `min`, sorted.
    ///
    /// A model that loads every column of its table (ActiveRecord) references each column at its
    /// class line. Scanned with a schema, that is one implicit reference per column the model does
    /// not ignore; scanned without one, the scan cannot list the columns and leaves one implicit
    /// reference to the table, which then stands for each of them: a column target that exists
    /// (a migration drops it) is still used by the model.
    pub fn references_to(&self, target: &ObjectRef, min: Confidence) -> Vec<&Reference> {
        let all: Vec<&Reference> = self
            .graph
            .edge_references()
            .filter_map(|e| match e.weight() {
                Edge::Uses { references } => Some(references),
                _ => None,
            })
            .flatten()
            .map(|&i| &self.references[i])
            .filter(|r| r.confidence >= min)
            .collect();
        let mut out: Vec<&Reference> = all.iter().copied().filter(|r| r.object.hits(target)).collect();
        if target.column.is_some() {
            let whole_table = ObjectRef { column: None, ..target.clone() };
            // Lines whose model listed its columns: there the table reference stands for none.
            let listed: BTreeSet<(&str, &str, &str, u32)> = all
                .iter()
                .filter(|r| {
                    r.kind == crate::scan::RefKind::Implicit && r.object.column.is_some() && r.object.hits(&whole_table)
                })
                .map(|r| (&*r.app, &*r.git_ref, &*r.path, r.line))
                .collect();
            out.extend(all.iter().copied().filter(|r| {
                r.kind == crate::scan::RefKind::Implicit
                    && r.object.column.is_none()
                    && r.object.hits(&whole_table)
                    && !listed.contains(&(&*r.app, &*r.git_ref, &*r.path, r.line))
            }));
        }
        out.sort();
        out
    }

    /// The references to `target`, grouped by (app, ref).
    pub fn users_of(&self, target: &ObjectRef, min: Confidence) -> BTreeMap<(String, String), Vec<&Reference>> {
        let mut out: BTreeMap<(String, String), Vec<&Reference>> = BTreeMap::new();
        for r in self.references_to(target, min) {
            out.entry((r.app.to_string(), r.git_ref.to_string())).or_default().push(r);
        }
        out
    }

    /// Views that read `target` — a table, a column or a view — directly or through other views.
    /// A view that reads a table without naming its columns (`SELECT *`, a whole-row reference)
    /// reads each of them.
    pub fn dependent_views(&self, target: &ObjectRef) -> Vec<String> {
        let table = self
            .nodes
            .get(&Node::Table { table: target.table.to_string() })
            .or_else(|| self.nodes.get(&Node::View { view: target.table.to_string() }))
            .copied();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<NodeIndex> = match &target.column {
            None => table.into_iter().collect(),
            Some(c) => {
                let column = self.nodes.get(&Node::Column { table: target.table.to_string(), column: c.to_string() });
                let whole_table_readers: Vec<NodeIndex> = table
                    .into_iter()
                    .flat_map(|t| self.graph.edges_directed(t, petgraph::Direction::Incoming))
                    .filter(|e| matches!(e.weight(), Edge::ViewReads))
                    .map(|e| e.source())
                    .filter(|&v| !self.reads_a_column_of(v, &target.table))
                    .collect();
                for &v in &whole_table_readers {
                    if let Node::View { view } = &self.graph[v] {
                        seen.insert(view.clone());
                    }
                }
                column.copied().into_iter().chain(whole_table_readers).collect()
            }
        };
        while let Some(n) = stack.pop() {
            for e in self.graph.edges_directed(n, petgraph::Direction::Incoming) {
                if matches!(e.weight(), Edge::ViewReads)
                    && let Node::View { view } = &self.graph[e.source()]
                    && seen.insert(view.clone())
                {
                    stack.push(e.source());
                }
            }
        }
        seen.into_iter().collect()
    }

    /// Every table and view the graph knows, sorted.
    pub fn relations(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .graph
            .node_weights()
            .filter_map(|n| match n {
                Node::Table { table } => Some(table.as_str()),
                Node::View { view } => Some(view.as_str()),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the view at `view` names a column of `table` (rather than reading it whole).
    fn reads_a_column_of(&self, view: NodeIndex, table: &str) -> bool {
        self.graph.edges_directed(view, petgraph::Direction::Outgoing).any(|e| {
            matches!(e.weight(), Edge::ViewReads)
                && matches!(&self.graph[e.target()], Node::Column { table: t, .. } if t == table)
        })
    }

    /// The subgraph shown for `tables` (all when empty): those tables, their columns that are
    /// used, the apps that use them, FK neighbours and views reading them.
    fn selection(&self, tables: &[String]) -> (BTreeSet<NodeIndex>, bool) {
        let detailed = !tables.is_empty();
        let mut keep = BTreeSet::new();
        for i in self.graph.node_indices() {
            let wanted = |t: &String| tables.is_empty() || tables.contains(t);
            match &self.graph[i] {
                Node::Table { table } if wanted(table) => {
                    keep.insert(i);
                }
                Node::Column { table, .. } if detailed && wanted(table) => {
                    keep.insert(i);
                }
                Node::View { view } if tables.is_empty() || tables.contains(view) => {
                    keep.insert(i);
                }
                _ => {}
            }
        }
        // Apps that use a column of a shown table are shown even when columns fold away.
        for e in self.graph.edge_references() {
            if let (Edge::Uses { .. }, Node::Column { table, .. }) = (e.weight(), &self.graph[e.target()])
                && !detailed
                && (tables.is_empty() || tables.contains(table))
            {
                keep.insert(e.source());
            }
        }
        let core: Vec<NodeIndex> = keep.iter().copied().collect();
        for n in core {
            for e in self.graph.edges_directed(n, petgraph::Direction::Incoming) {
                match e.weight() {
                    Edge::Uses { .. } | Edge::ViewReads | Edge::ForeignKey { .. } => {
                        keep.insert(e.source());
                    }
                    Edge::HasColumn => {}
                }
            }
            for e in self.graph.edges_directed(n, petgraph::Direction::Outgoing) {
                if matches!(e.weight(), Edge::ForeignKey { .. }) {
                    keep.insert(e.target());
                }
            }
        }
        (keep, detailed)
    }

    /// Edges between kept nodes; without detail, column edges fold into their table.
    fn shown_edges(&self, tables: &[String]) -> (Vec<NodeIndex>, Vec<(NodeIndex, NodeIndex, String)>) {
        let (keep, detailed) = self.selection(tables);
        let fold = |n: NodeIndex| -> Option<NodeIndex> {
            if keep.contains(&n) {
                return Some(n);
            }
            match &self.graph[n] {
                Node::Column { table, .. } if !detailed => {
                    self.nodes.get(&Node::Table { table: table.clone() }).copied().filter(|t| keep.contains(t))
                }
                _ => None,
            }
        };
        let mut edges: BTreeMap<(NodeIndex, NodeIndex, u8), (usize, String)> = BTreeMap::new();
        for e in self.graph.edge_references() {
            let (Some(a), Some(b)) = (fold(e.source()), fold(e.target())) else { continue };
            if a == b {
                continue;
            }
            match e.weight() {
                Edge::Uses { references } => {
                    let entry = edges.entry((a, b, 0)).or_insert((0, String::new()));
                    entry.0 += references.len();
                }
                Edge::HasColumn => {
                    edges.entry((a, b, 1)).or_insert((0, String::new()));
                }
                Edge::ForeignKey { columns, .. } => {
                    edges.entry((a, b, 2)).or_insert((0, format!("fk {}", columns.join(", "))));
                }
                Edge::ViewReads => {
                    edges.entry((a, b, 3)).or_insert((0, "reads".to_owned()));
                }
            }
        }
        let mut nodes: Vec<NodeIndex> = keep.into_iter().collect();
        nodes.sort_by_key(|&n| self.graph[n].clone());
        let mut out: Vec<(NodeIndex, NodeIndex, String)> = edges
            .into_iter()
            .map(|((a, b, kind), (n, label))| {
                let label = match kind {
                    0 => format!("{n} ref{}", if n == 1 { "" } else { "s" }),
                    _ => label,
                };
                (a, b, label)
            })
            .collect();
        out.sort_by(|x, y| (&self.graph[x.0], &self.graph[x.1], &x.2).cmp(&(&self.graph[y.0], &self.graph[y.1], &y.2)));
        (nodes, out)
    }

    pub fn to_mermaid(&self, tables: &[String]) -> String {
        let (nodes, edges) = self.shown_edges(tables);
        let mut s = String::from("flowchart LR\n");
        for n in &nodes {
            let node = &self.graph[*n];
            let label = node.label().replace('"', "'");
            let _ = match node {
                Node::App { .. } => writeln!(s, "  {}[\"{label}\"]", node.id()),
                Node::Table { .. } => writeln!(s, "  {}[(\"{label}\")]", node.id()),
                Node::Column { .. } => writeln!(s, "  {}([\"{label}\"])", node.id()),
                Node::View { .. } => writeln!(s, "  {}{{{{\"{label}\"}}}}", node.id()),
            };
        }
        for (a, b, label) in &edges {
            let (a, b) = (self.graph[*a].id(), self.graph[*b].id());
            let _ = if label.is_empty() { writeln!(s, "  {a} --> {b}") } else { writeln!(s, "  {a} -->|{label}| {b}") };
        }
        s
    }

    pub fn to_dot(&self, tables: &[String]) -> String {
        let (nodes, edges) = self.shown_edges(tables);
        let mut s = String::from("digraph tandem {\n  rankdir=LR;\n");
        for n in &nodes {
            let node = &self.graph[*n];
            let shape = match node {
                Node::App { .. } => "box",
                Node::Table { .. } => "cylinder",
                Node::Column { .. } => "ellipse",
                Node::View { .. } => "hexagon",
            };
            let _ = writeln!(s, "  {} [label=\"{}\", shape={shape}];", node.id(), node.label().replace('"', "\\\""));
        }
        for (a, b, label) in &edges {
            let _ = writeln!(s, "  {} -> {} [label=\"{}\"];", self.graph[*a].id(), self.graph[*b].id(), label);
        }
        s.push_str("}\n");
        s
    }

    pub fn to_json(&self, tables: &[String]) -> serde_json::Value {
        let (nodes, _) = self.selection(tables);
        let mut nodes: Vec<NodeIndex> = nodes.into_iter().collect();
        nodes.sort_by_key(|&n| self.graph[n].clone());
        let ids: HashMap<NodeIndex, String> = nodes.iter().map(|&n| (n, self.graph[n].id())).collect();
        let mut edges: Vec<serde_json::Value> = self
            .graph
            .edge_references()
            .filter(|e| ids.contains_key(&e.source()) && ids.contains_key(&e.target()))
            .map(|e| {
                let mut v = serde_json::json!({ "from": ids[&e.source()], "to": ids[&e.target()] });
                let weight = match e.weight() {
                    Edge::Uses { references } => serde_json::json!({
                        "type": "uses",
                        "references": references.iter().map(|&i| {
                            let r = &self.references[i];
                            serde_json::json!({"path": r.path, "line": r.line, "kind": r.kind, "confidence": r.confidence})
                        }).collect::<Vec<_>>()
                    }),
                    other => serde_json::to_value(other).unwrap_or_default(),
                };
                if let (Some(obj), Some(w)) = (v.as_object_mut(), weight.as_object()) {
                    obj.extend(w.clone());
                }
                v
            })
            .collect();
        edges.sort_by_key(|e| e.to_string());
        serde_json::json!({
            "version": 1,
            "nodes": nodes.iter().map(|&n| {
                let mut v = serde_json::to_value(&self.graph[n]).unwrap_or_default();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("id".into(), ids[&n].clone().into());
                }
                v
            }).collect::<Vec<_>>(),
            "edges": edges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{RefKind, ScanSummary};
    use crate::schema::{Column, ForeignKey, QualifiedName, Table, View, ViewDependency};

    fn schema() -> Schema {
        let mut s = Schema::default();
        let mut users = Table::new(QualifiedName::unqualified("users"));
        users.columns = vec![Column::new("id", "bigint"), Column::new("email", "text")];
        let mut orders = Table::new(QualifiedName::unqualified("orders"));
        orders.columns = vec![Column::new("id", "bigint"), Column::new("user_id", "bigint")];
        orders.foreign_keys.push(ForeignKey {
            name: None,
            columns: vec!["user_id".into()],
            references: QualifiedName::unqualified("users"),
            referenced_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            deferrable: false,
            validated: true,
        });
        s.tables = vec![users, orders];
        s.views.push(View {
            name: QualifiedName::unqualified("user_emails"),
            materialized: false,
            definition: String::new(),
            columns: vec!["email".into()],
            depends_on: vec![ViewDependency {
                relation: QualifiedName::unqualified("users"),
                columns: vec!["email".into()],
            }],
            indexes: vec![],
        });
        s
    }

    fn reference(app: &str, line: u32, object: ObjectRef, confidence: Confidence) -> Reference {
        Reference {
            app: app.into(),
            git_ref: "head".into(),
            commit: "0123456789abcdef".into(),
            path: "a.rb".into(),
            line,
            column: 1,
            object,
            kind: RefKind::Query,
            confidence,
            snippet: "".into(),
        }
    }

    fn scan(app: &str, references: Vec<Reference>) -> ScanResult {
        ScanResult {
            app: app.into(),
            git_ref: "head".into(),
            revision: "main".into(),
            commit: "0123456789abcdef".into(),
            references,
            summary: ScanSummary::default(),
        }
    }

    #[test]
    fn queries_by_target_and_confidence() {
        let scans = vec![
            scan(
                "web",
                vec![
                    reference("web", 1, ObjectRef::column("users", "email"), Confidence::High),
                    reference("web", 2, ObjectRef::table("orders"), Confidence::Low),
                ],
            ),
            scan("api", vec![reference("api", 7, ObjectRef::column("users", "id"), Confidence::Medium)]),
        ];
        let g = DepGraph::build(Some(&schema()), &scans);
        let lines = |t: &str, min| -> Vec<(String, u32)> {
            g.references_to(&ObjectRef::parse(t).expect("target"), min)
                .iter()
                .map(|r| (r.app.to_string(), r.line))
                .collect()
        };
        assert_eq!(lines("users.email", Confidence::Low), vec![("web".to_owned(), 1)]);
        assert_eq!(lines("users", Confidence::Low), vec![("api".to_owned(), 7), ("web".to_owned(), 1)]);
        assert_eq!(lines("orders", Confidence::Medium), Vec::<(String, u32)>::new());
        assert_eq!(g.users_of(&ObjectRef::table("users"), Confidence::High).len(), 1);
        assert_eq!(g.dependent_views(&ObjectRef::column("users", "email")), vec!["user_emails".to_owned()]);
        assert!(g.dependent_views(&ObjectRef::column("users", "id")).is_empty());
    }

    #[test]
    fn dependent_views_follow_views_of_views_and_whole_table_reads() {
        let mut s = schema();
        let reads = |relation: &str, columns: &[&str]| ViewDependency {
            relation: QualifiedName::unqualified(relation),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        };
        let view = |name: &str, deps: Vec<ViewDependency>| View {
            name: QualifiedName::new(Some("public"), name),
            materialized: false,
            definition: String::new(),
            columns: vec![],
            depends_on: deps,
            indexes: vec![],
        };
        s.views.push(view("recent_emails", vec![reads("user_emails", &["email"])]));
        s.views.push(view("all_orders", vec![reads("orders", &[])]));
        let g = DepGraph::of_views(&s);
        assert_eq!(
            g.dependent_views(&ObjectRef::column("users", "email")),
            vec!["recent_emails".to_owned(), "user_emails".to_owned()]
        );
        assert_eq!(g.dependent_views(&ObjectRef::table("user_emails")), vec!["recent_emails".to_owned()]);
        // `SELECT * FROM orders` reads every column of it.
        assert_eq!(g.dependent_views(&ObjectRef::column("orders", "total")), vec!["all_orders".to_owned()]);
        assert!(g.dependent_views(&ObjectRef::column("users", "id")).is_empty());
    }

    #[test]
    fn mermaid_folds_columns_into_tables_unless_a_table_is_chosen() {
        let scans = vec![scan("web", vec![reference("web", 1, ObjectRef::column("users", "email"), Confidence::High)])];
        let g = DepGraph::build(Some(&schema()), &scans);
        assert_eq!(
            g.to_mermaid(&[]),
            "flowchart LR\n  app_web_head[\"web @ head (01234567)\"]\n  t_orders[(\"orders\")]\n  t_users[(\"users\")]\n  \
             v_user_emails{{\"user_emails\"}}\n  app_web_head -->|1 ref| t_users\n  t_orders -->|fk user_id| t_users\n  \
             v_user_emails -->|reads| t_users\n"
        );
        let detailed = g.to_mermaid(&["users".to_owned()]);
        assert!(detailed.contains("  app_web_head -->|1 ref| c_users__email\n"), "{detailed}");
        assert!(detailed.contains("  t_users --> c_users__email\n"), "{detailed}");
        let json = g.to_json(&[]);
        assert_eq!(json["version"], 1);
    }
}
