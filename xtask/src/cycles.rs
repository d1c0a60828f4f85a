//! File-level import cycles inside one crate: which of a crate's source files depend on which, and the
//! strongly connected components (Tarjan) of that graph. A cycle means no file of it can be read, changed
//! or moved without the others; layered files (a leaf such as `text.rs` that imports nothing of the crate,
//! concerns above it, the crate root on top) have none.
//!
//! The graph, as this checker builds it from the source text (no compiler, a small tokenizer):
//! - Nodes are the files reached from the crate roots (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`) through
//!   `mod name;` declarations (`name.rs` or `name/mod.rs` beside a root or `mod.rs`, under `file/` otherwise).
//!   An inline `mod name { ... }` belongs to the file that writes it.
//! - An edge F → G means F names an item that G defines: in a `use` declaration (`crate::`, `super::`,
//!   `self::` or a path through a module in scope) or in a path in code (`crate::text::fold(c)`,
//!   `super::places::PLACES`, `aggregation::early(..)` for a declared child module). A child writing
//!   `super::Thing` for a `Thing` its parent defines depends on its parent; a parent calling
//!   `child::f()` depends on its child.
//! - `mod child;` alone is no edge. A re-export (`pub use`, `pub(crate) use`) is no edge of the file that
//!   writes it unless that file also uses the name in its own code; a path through a re-export leads to
//!   the file that defines the item (`crate::Area`, re-exported by `lib.rs` from `geometry.rs`, is an
//!   edge to `geometry.rs`). A glob import (`use super::*`) is an edge to the glob's module.
//! - A path that does not lead into the crate (`std::`, another crate, a local type) is no edge, nor is
//!   a file naming itself (an inline `mod tests { use super::*; }`).
//!
//! Known limits: `macro_rules!` scoping and `#[path]` attributes are not followed; a `use` inside a
//! function counts for the whole module.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A token of Rust source: comments, strings and literals are dropped.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    // skips a string body from the opening quote at `k` (escapes unless raw with `hashes`), returns the end
    let skip_string = |k: usize, raw: Option<usize>, line: &mut usize| -> usize {
        let mut k = k + 1;
        while k < c.len() {
            match c[k] {
                '\n' => *line += 1,
                '\\' if raw.is_none() => {
                    if at(k + 1) == '\n' {
                        *line += 1;
                    }
                    k += 1;
                }
                '"' => {
                    let h = raw.unwrap_or(0);
                    if (1..=h).all(|j| at(k + j) == '#') {
                        return k + 1 + h;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        k
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(i, None, &mut line);
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // escaped char literal: '\n', '\'', '\u{1F600}'
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // a lifetime or label
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let prefix = matches!(word.as_str(), "r" | "b" | "br" | "c" | "cr");
            if prefix && (at(i) == '"' || (word.ends_with('r') && at(i) == '#' && matches!(at(i + 1), '"' | '#'))) {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                let raw = word.ends_with('r').then_some(hashes);
                i = skip_string(i, raw, &mut line);
            } else if word == "b" && at(i) == '\'' {
                i += if at(i + 1) == '\\' { 4 } else { 3 };
                while i < c.len() && c[i - 1] != '\'' {
                    i += 1;
                }
            } else if word == "r" && at(i) == '#' {
                // raw identifier r#type
                i += 1;
                let s = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push((Tok::Ident(c[s..i].iter().collect()), line));
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// One leaf of a `use` tree: the full path as written and the name it binds (`None` for a glob).
#[derive(Debug, Clone)]
struct UseLeaf {
    path: Vec<String>,
    name: Option<String>,
    public: bool,
    line: usize,
}

/// The file of a declared module whose file is not among the sources.
const NO_FILE: usize = usize::MAX;

#[derive(Debug, Default)]
struct Module {
    file: usize,
    parent: Option<usize>,
    /// The folder (relative to `src/`) where this module's `mod child;` files live.
    dir: String,
    children: HashMap<String, usize>,
    uses: Vec<UseLeaf>,
}

/// What a file writes: paths in code (with their line) and every identifier outside `use` declarations.
#[derive(Debug, Default)]
struct FileFacts {
    paths: Vec<(usize, Vec<String>, usize)>,
    idents: BTreeSet<String>,
}

struct Crate {
    files: Vec<String>,
    facts: Vec<FileFacts>,
    modules: Vec<Module>,
}

enum Target {
    Module(usize),
    /// An item defined in (or unknown to) the file of this module.
    Item(usize),
}

/// Parses a use tree from `toks[i]` with `prefix` already read; returns the index after it.
fn use_tree(toks: &[(Tok, usize)], mut i: usize, prefix: &[String], public: bool, out: &mut Vec<UseLeaf>) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match toks.get(i) {
            Some((Tok::Path, _)) => i += 1,
            Some((Tok::Ident(w), line)) if w != "as" => {
                path.push(w.clone());
                i += 1;
                if !matches!(toks.get(i), Some((Tok::Path, _))) {
                    let mut name = Some(w.clone());
                    if matches!(toks.get(i), Some((Tok::Ident(a), _)) if a == "as") {
                        name = match toks.get(i + 1) {
                            Some((Tok::Ident(n), _)) if n != "_" => Some(n.clone()),
                            _ => None,
                        };
                        i += 2;
                    }
                    if w == "self" {
                        path.pop();
                        if name.as_deref() == Some("self") {
                            name = path.last().cloned();
                        }
                    }
                    out.push(UseLeaf { path, name, public, line: *line });
                    return i;
                }
            }
            Some((Tok::Punct('*'), line)) => {
                out.push(UseLeaf { path, name: None, public, line: *line });
                return i + 1;
            }
            Some((Tok::Punct('{'), _)) => {
                i += 1;
                loop {
                    match toks.get(i) {
                        Some((Tok::Punct('}'), _)) | None => return i + 1,
                        Some((Tok::Punct(','), _)) => i += 1,
                        _ => i = use_tree(toks, i, &path, public, out).max(i + 1),
                    }
                }
            }
            _ => return i,
        }
    }
}

fn module_dir(file: &str) -> String {
    let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
    let stem = name.trim_end_matches(".rs");
    let is_root = matches!(name, "lib.rs" | "main.rs" | "mod.rs") || dir == "bin";
    match (is_root, dir) {
        (true, d) => d.to_string(),
        (false, "") => stem.to_string(),
        (false, d) => format!("{d}/{stem}"),
    }
}

impl Crate {
    /// Reads the module tree of a crate from its `src/` files (paths relative to `src/`, `/`-separated).
    fn load(sources: &BTreeMap<String, String>) -> Crate {
        let mut krate = Crate { files: Vec::new(), facts: Vec::new(), modules: Vec::new() };
        let roots = sources.keys().filter(|f| {
            matches!(f.as_str(), "lib.rs" | "main.rs")
                || f.strip_prefix("bin/").is_some_and(|r| !r.contains('/') && r.ends_with(".rs"))
        });
        let mut queue: Vec<(String, usize)> = Vec::new();
        for root in roots {
            let m = krate.new_module(None, module_dir(root), NO_FILE);
            queue.push((root.clone(), m));
        }
        while let Some((file, m)) = queue.pop() {
            let Some(text) = sources.get(&file) else { continue };
            let f = krate.files.len();
            krate.files.push(file.clone());
            krate.facts.push(FileFacts::default());
            krate.modules[m].file = f;
            for child in krate.read_file(text, f, m) {
                let dir = &krate.modules[child].dir;
                let flat = format!("{dir}.rs");
                queue.push((if sources.contains_key(&flat) { flat } else { format!("{dir}/mod.rs") }, child));
            }
        }
        krate
    }

    fn new_module(&mut self, parent: Option<usize>, dir: String, file: usize) -> usize {
        self.modules.push(Module { file, parent, dir, ..Module::default() });
        self.modules.len() - 1
    }

    /// Records the modules, `use` declarations and paths of one file; returns the `mod name;` children.
    fn read_file(&mut self, text: &str, f: usize, top: usize) -> Vec<usize> {
        let toks = tokenize(text);
        let mut files = Vec::new();
        let mut stack: Vec<(usize, usize)> = vec![(top, 0)];
        let mut depth = 0;
        let mut i = 0;
        while i < toks.len() {
            let m = stack.last().map_or(top, |s| s.0);
            match &toks[i].0 {
                Tok::Punct('{') => {
                    depth += 1;
                    i += 1;
                }
                Tok::Punct('}') => {
                    depth -= 1;
                    if stack.len() > 1 && stack.last().is_some_and(|s| s.1 == depth) {
                        stack.pop();
                    }
                    i += 1;
                }
                Tok::Ident(w) if w == "mod" => {
                    let (Some((Tok::Ident(name), _)), Some((next, _))) = (toks.get(i + 1), toks.get(i + 2)) else {
                        i += 1;
                        continue;
                    };
                    let dir = format!("{}/{name}", self.modules[m].dir).trim_start_matches('/').to_string();
                    let inline = *next == Tok::Punct('{');
                    let child = self.new_module(Some(m), dir, if inline { f } else { NO_FILE });
                    self.modules[m].children.insert(name.clone(), child);
                    match next {
                        Tok::Punct(';') => files.push(child),
                        Tok::Punct('{') => {
                            stack.push((child, depth));
                            depth += 1;
                        }
                        _ => {}
                    }
                    i += 3;
                }
                Tok::Ident(w) if w == "use" && !matches!(toks.get(i + 1), Some((Tok::Punct('<'), _))) => {
                    let public = match toks.get(i.wrapping_sub(1)) {
                        Some((Tok::Ident(p), _)) => p == "pub",
                        Some((Tok::Punct(')'), _)) => {
                            let open = (0..i).rev().find(|&k| toks[k].0 == Tok::Punct('('));
                            open.is_some_and(
                                |k| matches!(toks.get(k.wrapping_sub(1)), Some((Tok::Ident(p), _)) if p == "pub"),
                            )
                        }
                        _ => false,
                    };
                    let mut leaves = Vec::new();
                    i = use_tree(&toks, i + 1, &[], public, &mut leaves);
                    self.modules[m].uses.extend(leaves);
                }
                Tok::Ident(w) => {
                    let after_path = matches!(toks.get(i.wrapping_sub(1)), Some((Tok::Path, _)));
                    if !after_path && matches!(toks.get(i + 1), Some((Tok::Path, _))) {
                        let line = toks[i].1;
                        let mut path = vec![w.clone()];
                        let mut k = i + 1;
                        while let (Some((Tok::Path, _)), Some((Tok::Ident(n), _))) = (toks.get(k), toks.get(k + 1)) {
                            path.push(n.clone());
                            k += 2;
                        }
                        self.facts[f].paths.push((m, path, line));
                    }
                    self.facts[f].idents.insert(w.clone());
                    i += 1;
                }
                _ => i += 1,
            }
        }
        files
    }

    /// What `name` means inside module `m`: a child module, or where a `use` binding (or glob) leads.
    fn lookup(&self, m: usize, name: &str, guard: usize) -> Option<Target> {
        if guard > 8 {
            return None;
        }
        if let Some(&c) = self.modules[m].children.get(name) {
            return Some(Target::Module(c));
        }
        if let Some(u) = self.modules[m].uses.iter().find(|u| u.name.as_deref() == Some(name)) {
            return self.resolve(m, &u.path, guard + 1);
        }
        for u in self.modules[m].uses.iter().filter(|u| u.name.is_none()) {
            if let Some(Target::Module(g)) = self.resolve(m, &u.path, guard + 1)
                && g != m
                && let Some(t) = self.lookup(g, name, guard + 1)
            {
                return Some(t);
            }
        }
        None
    }

    /// Where a path written in module `m` leads; `None` outside the crate.
    fn resolve(&self, m: usize, path: &[String], guard: usize) -> Option<Target> {
        let mut cur = m;
        let mut rest = path;
        let first = path.first()?;
        match first.as_str() {
            "crate" => {
                while let Some(p) = self.modules[cur].parent {
                    cur = p;
                }
                rest = &path[1..];
            }
            "self" => rest = &path[1..],
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    cur = self.modules[cur].parent?;
                    rest = &rest[1..];
                }
            }
            name => {
                match self.lookup(m, name, guard)? {
                    Target::Module(c) => cur = c,
                    t @ Target::Item(_) => return Some(t),
                }
                rest = &path[1..];
            }
        }
        for seg in rest {
            match self.lookup(cur, seg, guard) {
                Some(Target::Module(c)) => cur = c,
                Some(t @ Target::Item(_)) => return Some(t),
                None => return Some(Target::Item(cur)),
            }
        }
        Some(Target::Module(cur))
    }

    fn file_of(&self, t: &Target) -> usize {
        match *t {
            Target::Module(m) | Target::Item(m) => self.modules[m].file,
        }
    }

    /// Every edge between two files, with the first place that makes it (line and path as written).
    fn edges(&self) -> BTreeMap<(usize, usize), (usize, String)> {
        let mut edges = BTreeMap::new();
        let mut add = |from: usize, to: usize, line: usize, what: String| {
            if from != to && to != NO_FILE {
                edges.entry((from, to)).or_insert((line, what));
            }
        };
        for (m, module) in self.modules.iter().enumerate() {
            let f = module.file;
            if f == NO_FILE {
                continue;
            }
            for u in &module.uses {
                let used_here = u.name.as_ref().is_some_and(|n| self.facts[f].idents.contains(n));
                if u.public && !used_here {
                    continue;
                }
                if let Some(t) = self.resolve(m, &u.path, 0) {
                    let what = if u.name.is_none() { format!("{}::*", u.path.join("::")) } else { u.path.join("::") };
                    add(f, self.file_of(&t), u.line, what);
                }
            }
        }
        for (f, facts) in self.facts.iter().enumerate() {
            for (m, path, line) in &facts.paths {
                if let Some(t) = self.resolve(*m, path, 0) {
                    add(f, self.file_of(&t), *line, path.join("::"));
                }
            }
        }
        edges
    }
}

/// One import cycle: its files, and one closed walk through them that shows why.
#[derive(Debug, PartialEq)]
pub struct Cycle {
    pub files: Vec<String>,
    /// `a.rs → b.rs (line 12: crate::b::thing)`, ... back to the first file.
    pub walk: Vec<String>,
}

/// The import cycles among a crate's files, given as `path relative to src/ → text`.
pub fn cycles(sources: &BTreeMap<String, String>) -> Vec<Cycle> {
    let krate = Crate::load(sources);
    let edges = krate.edges();
    let n = krate.files.len();
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges.keys() {
        adj[a].push(b);
    }
    let mut out = Vec::new();
    for scc in strongly_connected(&adj) {
        if scc.len() < 2 {
            continue;
        }
        let start = *scc.iter().min_by_key(|&&f| &krate.files[f]).expect("non-empty");
        let walk = shortest_cycle(&adj, start, &scc)
            .windows(2)
            .map(|w| {
                let (line, what) = &edges[&(w[0], w[1])];
                format!("{} → {} (line {line}: {what})", krate.files[w[0]], krate.files[w[1]])
            })
            .collect();
        let mut files: Vec<String> = scc.iter().map(|&f| krate.files[f].clone()).collect();
        files.sort();
        out.push(Cycle { files, walk });
    }
    out.sort_by(|a, b| a.files.cmp(&b.files));
    out
}

/// Tarjan's strongly connected components.
fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.adj[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                scc.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(scc);
        }
    }
    let n = adj.len();
    let mut s = State {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

/// The shortest walk `start → ... → start` inside `scc` (breadth first).
fn shortest_cycle(adj: &[Vec<usize>], start: usize, scc: &[usize]) -> Vec<usize> {
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if !scc.contains(&w) {
                continue;
            }
            if w == start {
                let mut walk = vec![start, v];
                let mut x = v;
                while x != start {
                    x = prev[&x];
                    walk.push(x);
                }
                walk.reverse();
                return walk;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, t)| (p.to_string(), format!("//! {p}\n{t}"))).collect()
    }

    fn files_in_cycles(files: &[(&str, &str)]) -> Vec<Vec<String>> {
        cycles(&crate_of(files)).into_iter().map(|c| c.files).collect()
    }

    #[test]
    fn two_siblings_importing_each_other_are_a_cycle() {
        let c = cycles(&crate_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;"),
            ("a.rs", "use crate::b::B;\npub struct A(B);"),
            ("b.rs", "pub struct B;\nfn f() { let _ = crate::a::A(B); }"),
        ]));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].files, ["a.rs", "b.rs"]);
        assert_eq!(
            c[0].walk,
            ["a.rs → b.rs (line 2: crate::b::B)", "b.rs → a.rs (line 3: crate::a::A)"],
            "one walk, each edge with the line that makes it"
        );
    }

    #[test]
    fn a_leaf_module_breaks_the_cycle() {
        let layered = [
            ("lib.rs", "mod a;\nmod b;\nmod cell;\npub use cell::Cell;"),
            ("cell.rs", "pub enum Cell { Num(f64) }"),
            ("a.rs", "use crate::cell::Cell;\npub fn a(c: Cell) {}"),
            ("b.rs", "use crate::{a, cell::Cell};\npub fn b() { a::a(Cell::Num(1.0)) }"),
        ];
        assert!(files_in_cycles(&layered).is_empty());
    }

    #[test]
    fn mod_declarations_and_re_exports_are_not_edges() {
        // the parent declares and re-exports its children; the children use the parent's re-exports,
        // which lead to the defining sibling, not to the parent
        let files = [
            ("lib.rs", "mod geometry;\nmod parse;\npub use geometry::Area;\npub use parse::parse;"),
            ("geometry.rs", "pub struct Area;"),
            ("parse.rs", "use crate::Area;\npub fn parse() -> Area { Area }"),
        ];
        assert!(files_in_cycles(&files).is_empty());
    }

    #[test]
    fn a_child_using_what_its_parent_defines_depends_on_it() {
        let files = [
            ("lib.rs", "mod nlq;"),
            ("nlq/mod.rs", "mod time;\npub struct DateSpan;\npub fn parse() { time::parse(); }"),
            ("nlq/time.rs", "use super::DateSpan;\npub fn parse() -> DateSpan { DateSpan }"),
        ];
        assert_eq!(files_in_cycles(&files), [["nlq/mod.rs", "nlq/time.rs"]]);
        // without the parent calling its child, the child → parent edge alone is no cycle
        let files = [
            ("lib.rs", "mod nlq;"),
            ("nlq/mod.rs", "mod time;\npub struct DateSpan;"),
            ("nlq/time.rs", "use super::DateSpan;\npub fn parse() -> DateSpan { DateSpan }"),
        ];
        assert!(files_in_cycles(&files).is_empty());
    }

    #[test]
    fn a_re_export_the_file_uses_itself_is_an_edge() {
        let files = [
            ("lib.rs", "mod text;\npub use text::Text;\npub struct Q;\npub fn f() -> Text { Text }"),
            ("text.rs", "pub struct Text;\nfn g() -> crate::Q { crate::Q }"),
        ];
        assert_eq!(files_in_cycles(&files), [["lib.rs", "text.rs"]]);
    }

    #[test]
    fn super_paths_in_code_renames_groups_and_globs() {
        // a three-file cycle through a `super::` path in code, a renamed import and a glob
        let files = [
            ("lib.rs", "mod store;"),
            ("store/mod.rs", "mod archive;\nmod sqlite;\nmod transfer;"),
            ("store/archive.rs", "pub use super::transfer::{Val as Cell, self};\nfn f(_: Cell) {}"),
            ("store/transfer.rs", "pub struct Val;\nfn g() { super::sqlite::open(); }"),
            ("store/sqlite.rs", "use super::archive::*;\npub fn open() {}"),
        ];
        let c = cycles(&crate_of(&files));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].files, ["store/archive.rs", "store/sqlite.rs", "store/transfer.rs"]);
        assert_eq!(c[0].walk.len(), 3);
    }

    #[test]
    fn comments_strings_inline_tests_and_external_paths_are_ignored() {
        let files = [
            ("lib.rs", "mod a;\nmod b;"),
            (
                "a.rs",
                "//! uses [`crate::b::B`] in a comment\n/* crate::b::B */\nconst S: &str = \"crate::b::B\";\n\
                 const R: &str = r#\"crate::b::B \"quoted\"\"#;\nconst C: char = '\"';\n\
                 fn f<'a>(x: &'a str) -> std::string::String { x.to_string() }\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n    fn t() { let _ = f(\"{\"); }\n}",
            ),
            ("b.rs", "use crate::a;\npub struct B;"),
        ];
        assert!(files_in_cycles(&files).is_empty());
    }

    #[test]
    fn inline_modules_nest_their_children() {
        // `mod outer { mod inner; }` in lib.rs reads outer/inner.rs
        let files = [
            ("lib.rs", "mod outer {\n    pub mod inner;\n}\npub struct Root;\nfn f() { outer::inner::g(); }"),
            ("outer/inner.rs", "pub fn g() -> crate::Root { crate::Root }"),
        ];
        assert_eq!(files_in_cycles(&files), [["lib.rs", "outer/inner.rs"]]);
    }

    #[test]
    fn tarjan_finds_separate_components() {
        let adj = vec![vec![1], vec![0], vec![3], vec![4], vec![2], vec![]];
        let mut sccs: Vec<Vec<usize>> = strongly_connected(&adj)
            .into_iter()
            .map(|mut s| {
                s.sort();
                s
            })
            .collect();
        sccs.sort();
        assert_eq!(sccs, [vec![0, 1], vec![2, 3, 4], vec![5]]);
        assert_eq!(shortest_cycle(&adj, 2, &[2, 3, 4]), [2, 3, 4, 2]);
    }
}
