//! `--format svg`: the graph laid out and drawn by layout-rs (a Sugiyama layout in pure Rust with
//! an SVG back end and no dependencies), so nothing needs Graphviz at run time. The same nodes and
//! edges as the mermaid and dot renderers; each node's group carries its id and kind as `id` and
//! `class`, so a page can link to it and style it.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::graph::{DepGraph, Node};

/// One font size everywhere: layout-rs keeps a style per size in a hash map, and one entry is
/// the only order that does not change from run to run.
const FONT: usize = 14;

impl DepGraph {
    /// A standalone SVG document of the graph (the subgraph of `tables` when given).
    pub fn to_svg(&self, tables: &[String]) -> String {
        let (nodes, edges) = self.shown_edges(tables);
        if nodes.is_empty() {
            return EMPTY.to_owned();
        }
        let mut vg = VisualGraph::new(Orientation::LeftToRight);
        let mut handles = std::collections::HashMap::new();
        for &n in &nodes {
            let node = &self.graph[n];
            let (shape, fill, kind) = match node {
                Node::App { .. } => (ShapeKind::new_box(&node.label()), "#dbeafe", "app"),
                Node::Table { .. } => (ShapeKind::new_box(&node.label()), "#fef3c7", "table"),
                Node::Column { .. } => (ShapeKind::new_circle(&node.label()), "#ffffff", "column"),
                Node::View { .. } => (ShapeKind::new_double_circle(&node.label()), "#dcfce7", "view"),
            };
            let rounded = if matches!(node, Node::Table { .. }) { 10 } else { 0 };
            let look = StyleAttr::new(Color::fast("#334155"), 1, Some(Color::fast(fill)), rounded, FONT);
            // layout-rs sizes shapes across the flow: flipped, as its dot front end does.
            let dir = Orientation::LeftToRight.flip();
            let size = get_shape_size(dir, &shape, FONT, false);
            let element = Element::create_with_properties(
                shape,
                look,
                dir,
                size,
                format!("id=\"{}\" class=\"{kind}\"", node.id()),
            );
            handles.insert(n, vg.add_node(element));
        }
        for (a, b, label) in &edges {
            let mut arrow = Arrow::simple(label);
            arrow.look = StyleAttr::new(Color::fast("#64748b"), 1, None, 0, FONT);
            vg.add_edge(arrow, handles[a], handles[b]);
        }
        let mut svg = SVGWriter::new();
        vg.do_it(false, false, false, &mut svg);
        let mut out = svg.finalize();
        out.push('\n');
        out
    }
}

const EMPTY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
<svg width=\"240\" height=\"40\" viewBox=\"0 0 240 40\" xmlns=\"http://www.w3.org/2000/svg\">\
<text x=\"10\" y=\"25\" font-size=\"14\">nothing to show</text></svg>\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Confidence;
    use crate::scan::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};
    use crate::schema::{Column, QualifiedName, Schema, Table};

    #[test]
    fn draws_every_node_with_its_id_and_the_edges_labels() {
        let mut s = Schema::default();
        let mut users = Table::new(QualifiedName::unqualified("users"));
        users.columns = vec![Column::new("id", "bigint"), Column::new("email", "text")];
        s.tables = vec![users];
        let reference = Reference {
            app: "web".into(),
            git_ref: "head".into(),
            commit: "0123456789abcdef".into(),
            path: "a.rb".into(),
            line: 1,
            column: 1,
            object: ObjectRef::column("users", "email"),
            kind: RefKind::Query,
            confidence: Confidence::High,
            snippet: "".into(),
        };
        let scan = ScanResult {
            app: "web".into(),
            git_ref: "head".into(),
            revision: "main".into(),
            commit: "0123456789abcdef".into(),
            references: vec![reference],
            summary: ScanSummary::default(),
        };
        let g = DepGraph::build(Some(&s), &[scan]);
        let svg = g.to_svg(&[]);
        assert!(svg.starts_with("<?xml"), "{svg}");
        assert!(svg.contains("id=\"app_web_head\" class=\"app\""), "{svg}");
        assert!(svg.contains("id=\"t_users\" class=\"table\""), "{svg}");
        assert!(svg.contains(">web @ head (01234567)<") || svg.contains("web @ head (01234567)"), "{svg}");
        assert!(svg.contains("1 ref"), "{svg}");
        assert_eq!(svg, g.to_svg(&[]), "the same graph draws the same bytes");
        let detailed = g.to_svg(&["users".to_owned()]);
        assert!(detailed.contains("id=\"c_users__email\" class=\"column\""), "{detailed}");
        assert!(DepGraph::build(None, &[]).to_svg(&[]).contains("nothing to show"));
    }
}
