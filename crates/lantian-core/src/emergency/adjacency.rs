//! Which Sichuan cities border each other — data derived from the DataV boundaries by
//! `tools/adjacency.py` and committed as `rules/sichuan-adjacency.toml` (the test
//! `tests/adjacency_real.rs` recomputes it from the GeoJSON).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{rule_err, RuleError};

/// Two neighbouring cities (GB/T 2260 codes, `a < b`) and the evidence count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjacentPair {
    pub a: u32,
    pub a_name: String,
    pub b: u32,
    pub b_name: String,
    /// Boundary segments the two outlines share.
    pub shared_edges: u32,
}

/// A city adjacency table with its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjacencyMeta {
    pub source_file: String,
    pub source: String,
    pub commit: String,
    pub boundaries: String,
    pub method: String,
    pub min_shared_edges: u32,
    pub generated_by: String,
}

/// A validated adjacency table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adjacency {
    pub meta: AdjacencyMeta,
    /// Pairs ordered by (a, b).
    pub pairs: Vec<AdjacentPair>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjacency {
    adjacency: AdjacencyMeta,
    #[serde(default)]
    pair: Vec<AdjacentPair>,
}

/// The committed Sichuan table.
pub const SICHUAN_ADJACENCY_TOML: &str = include_str!("../../rules/sichuan-adjacency.toml");

/// The Sichuan city adjacency (parsed once).
pub fn sichuan_adjacency() -> &'static Adjacency {
    static ADJ: OnceLock<Adjacency> = OnceLock::new();
    ADJ.get_or_init(|| {
        Adjacency::parse(SICHUAN_ADJACENCY_TOML)
            .unwrap_or_else(|e| panic!("embedded rules/sichuan-adjacency.toml is invalid (see its test): {e}"))
    })
}

impl Adjacency {
    /// Parses a table: pairs must have `a < b`, appear once and be listed in (a, b) order.
    pub fn parse(text: &str) -> Result<Adjacency, RuleError> {
        let raw: RawAdjacency = toml::from_str(text).map_err(|e| rule_err("(file)", e.to_string()))?;
        for (i, w) in raw.pair.iter().enumerate() {
            if w.a >= w.b {
                return Err(rule_err(&format!("pair[{i}]"), "need a < b"));
            }
            if i > 0 && (raw.pair[i - 1].a, raw.pair[i - 1].b) >= (w.a, w.b) {
                return Err(rule_err(&format!("pair[{i}]"), "pairs must be unique and ordered by (a, b)"));
            }
        }
        Ok(Adjacency { meta: raw.adjacency, pairs: raw.pair })
    }

    pub fn are_adjacent(&self, x: u32, y: u32) -> bool {
        let (a, b) = if x < y { (x, y) } else { (y, x) };
        self.pairs.binary_search_by(|p| (p.a, p.b).cmp(&(a, b))).is_ok()
    }

    /// The neighbours of a city, ascending.
    pub fn neighbours(&self, code: u32) -> Vec<u32> {
        let set: BTreeSet<u32> = self
            .pairs
            .iter()
            .filter_map(|p| {
                if p.a == code {
                    Some(p.b)
                } else if p.b == code {
                    Some(p.a)
                } else {
                    None
                }
            })
            .collect();
        set.into_iter().collect()
    }

    /// The connected groups of `cities` using only adjacencies between them; each group ascending,
    /// groups ordered by their smallest code.
    pub fn components(&self, cities: &BTreeSet<u32>) -> Vec<Vec<u32>> {
        let mut seen: BTreeSet<u32> = BTreeSet::new();
        let mut out = Vec::new();
        for &start in cities {
            if !seen.insert(start) {
                continue;
            }
            let mut group = vec![start];
            let mut stack = vec![start];
            while let Some(c) = stack.pop() {
                for n in self.neighbours(c) {
                    if cities.contains(&n) && seen.insert(n) {
                        group.push(n);
                        stack.push(n);
                    }
                }
            }
            group.sort_unstable();
            out.push(group);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::cities::SICHUAN_CITIES;

    #[test]
    fn sichuan_table_is_valid_and_plausible() {
        let adj = sichuan_adjacency();
        assert_eq!(adj.pairs.len(), 45);
        assert_eq!(adj.meta.commit, "8a5515176a8799b97651694732a5512ad9561e2c");
        for p in &adj.pairs {
            for (code, name) in [(p.a, &p.a_name), (p.b, &p.b_name)] {
                let city = SICHUAN_CITIES.iter().find(|c| c.code == code).expect("a Sichuan city");
                assert_eq!(city.name, name.as_str());
            }
            assert!(p.shared_edges >= adj.meta.min_shared_edges);
        }
        // Known geography.
        assert_eq!(adj.neighbours(510100), vec![510600, 511400, 511800, 512000, 513200]);
        assert_eq!(adj.neighbours(510400), vec![513400]);
        assert!(adj.are_adjacent(513300, 513200) && adj.are_adjacent(511600, 511700));
        assert!(!adj.are_adjacent(510100, 510900));
        // Every city has a neighbour and the province is one connected group.
        let all: BTreeSet<u32> = SICHUAN_CITIES.iter().map(|c| c.code).collect();
        assert_eq!(adj.components(&all).len(), 1);
    }

    #[test]
    fn parse_rejects_unordered_pairs() {
        let bad = SICHUAN_ADJACENCY_TOML.replacen(
            "a = 510100\na_name = \"成都市\"\nb = 510600",
            "a = 510600\na_name = \"成都市\"\nb = 510100",
            1,
        );
        assert_eq!(Adjacency::parse(&bad).map_err(|e| e.key), Err("pair[0]".to_string()));
    }
}
