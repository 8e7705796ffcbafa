//! Benchmark data: the units of the country and its districts' communes, from the legacy list
//! or generated in its shape.

use std::{collections::BTreeMap, path::Path};

/// One district's communes (codes), which form one term.
pub type District = Vec<String>;

/// A unit row of the list.
#[derive(Debug, Clone)]
pub struct UnitRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind, as the GSO list spells it (`tinh`, `huyen`, `xa`, …).
    pub kind: String,
    /// Parent's code, empty for a province.
    pub parent: String,
}

/// A district with its communes.
#[derive(Debug, Clone)]
pub struct DistrictTerm {
    /// The district's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its communes' codes.
    pub communes: Vec<String>,
}

/// The country: every unit, and the districts that have communes.
#[derive(Debug, Clone)]
pub struct Nation {
    /// Provinces, districts and communes, parents first.
    pub units: Vec<UnitRow>,
    /// Districts with communes.
    pub districts: Vec<DistrictTerm>,
}

impl Nation {
    /// The communes of each district, for the engine-only scenario.
    pub fn district_lists(&self) -> Vec<District> {
        self.districts.iter().map(|d| d.communes.clone()).collect()
    }

    /// The first `n` districts and the units they need.
    pub fn first(&self, n: usize) -> Nation {
        let districts: Vec<DistrictTerm> = self.districts.iter().take(n).cloned().collect();
        let keep: std::collections::HashSet<&str> = districts
            .iter()
            .flat_map(|d| {
                std::iter::once(d.code.as_str()).chain(d.communes.iter().map(String::as_str))
            })
            .collect();
        let parents: std::collections::HashSet<&str> = self
            .units
            .iter()
            .filter(|u| keep.contains(u.code.as_str()) && u.code.len() == 3)
            .map(|u| u.parent.as_str())
            .collect();
        Nation {
            units: self
                .units
                .iter()
                .filter(|u| keep.contains(u.code.as_str()) || parents.contains(u.code.as_str()))
                .cloned()
                .collect(),
            districts,
        }
    }
}

/// The legacy unit list (`code,name,kind,parent_code`).
pub fn from_csv(path: &Path) -> anyhow::Result<Nation> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut units = Vec::new();
    for record in reader.records() {
        let r = record?;
        units.push(UnitRow {
            code: r.get(0).unwrap_or_default().to_owned(),
            name: r.get(1).unwrap_or_default().to_owned(),
            kind: r.get(2).unwrap_or_default().to_owned(),
            parent: r.get(3).unwrap_or_default().to_owned(),
        });
    }
    Ok(group(units))
}

fn group(units: Vec<UnitRow>) -> Nation {
    let names: BTreeMap<&str, &str> = units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let mut by_parent: BTreeMap<String, District> = BTreeMap::new();
    for u in &units {
        if u.code.len() == 5 && u.parent.len() == 3 {
            by_parent
                .entry(u.parent.clone())
                .or_default()
                .push(u.code.clone());
        }
    }
    let districts = by_parent
        .into_iter()
        .map(|(code, communes)| DistrictTerm {
            name: names
                .get(code.as_str())
                .copied()
                .unwrap_or_default()
                .to_owned(),
            code,
            communes,
        })
        .collect();
    Nation { units, districts }
}

/// `districts` districts of `members` communes each in one province, coded like the GSO
/// list and named after real communes.
pub fn generated(districts: usize, members: usize) -> Nation {
    const NAMES: [&str; 5] = [
        "Phùng Chí Kiên",
        "Nông Thượng",
        "Đức Xuân",
        "Sông Cầu",
        "Huyền Tụng",
    ];
    let mut units = vec![UnitRow {
        code: "06".into(),
        name: "Bắc Kạn".into(),
        kind: "tinh".into(),
        parent: String::new(),
    }];
    for d in 0..districts {
        let code = format!("{:03}", d + 1);
        units.push(UnitRow {
            code: code.clone(),
            name: format!("Huyện {} {}", NAMES[d % NAMES.len()], d + 1),
            kind: "huyen".into(),
            parent: "06".into(),
        });
        for m in 0..members {
            let n = d * members + m;
            units.push(UnitRow {
                code: format!("{:05}", n + 1),
                name: format!("{} {}", NAMES[n % NAMES.len()], n + 1),
                kind: "xa".into(),
                parent: code.clone(),
            });
        }
    }
    group(units)
}
