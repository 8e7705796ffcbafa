//! Benchmark data: districts with their communes, from the legacy list or generated.

use std::{collections::BTreeMap, path::Path};

/// One district's communes (codes), which form one term.
pub type District = Vec<String>;

/// The communes of every district of a legacy unit list (`code,name,kind,parent_code`).
pub fn from_csv(path: &Path) -> anyhow::Result<Vec<District>> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut by_parent: BTreeMap<String, District> = BTreeMap::new();
    for record in reader.records() {
        let r = record?;
        let (code, parent) = (r.get(0).unwrap_or_default(), r.get(3).unwrap_or_default());
        if code.len() == 5 && parent.len() == 3 {
            by_parent
                .entry(parent.to_owned())
                .or_default()
                .push(code.to_owned());
        }
    }
    Ok(by_parent.into_values().collect())
}

/// `districts` districts of `members` communes each, coded like the GSO list.
pub fn generated(districts: usize, members: usize) -> Vec<District> {
    (0..districts)
        .map(|d| {
            (0..members)
                .map(|m| format!("{:05}", d * members + m))
                .collect()
        })
        .collect()
}
