//! The catalogue of titles and forms (danh hiệu thi đua, hình thức khen thưởng) that decisions
//! confer, with their stable codes and official names. The law keeps the two apart: a title
//! recognises a year's emulation, a form (a certificate of merit, a commendation) an
//! achievement. The proposal kinds of a cluster map onto entries.

use super::AwardKind;

/// Who confers an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The Government or the Prime Minister.
    State,
    /// A ministry, central body or province.
    Province,
    /// A department or a commune-level People's Committee (giấy khen).
    Grassroots,
}

impl Level {
    /// Stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::State => "state",
            Level::Province => "province",
            Level::Grassroots => "grassroots",
        }
    }
}

/// A title or a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Danh hiệu thi đua.
    Title,
    /// Hình thức khen thưởng.
    Form,
}

impl EntryKind {
    /// Stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Title => "title",
            EntryKind::Form => "form",
        }
    }
}

/// One entry of the catalogue; every entry concerns collectives (tập thể).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Stable code, e.g. `CTD_TINH`.
    pub code: &'static str,
    /// The official Vietnamese name.
    pub name: &'static str,
    /// Who confers it.
    pub level: Level,
    /// Title or form.
    pub kind: EntryKind,
    /// The cluster proposal kind it answers, if clusters propose it.
    pub proposed_as: Option<AwardKind>,
    /// Whether the cluster decides its proposal by secret ballot.
    pub secret_ballot: bool,
}

/// The entries, in the order of the law's hierarchy.
pub const CATALOGUE: [Entry; 7] = [
    Entry {
        code: "CTD_CP",
        name: "Cờ thi đua của Chính phủ",
        level: Level::State,
        kind: EntryKind::Title,
        proposed_as: Some(AwardKind::GovernmentFlag),
        secret_ballot: true,
    },
    Entry {
        code: "BK_TTG",
        name: "Bằng khen của Thủ tướng Chính phủ",
        level: Level::State,
        kind: EntryKind::Form,
        proposed_as: None,
        secret_ballot: true,
    },
    Entry {
        code: "CTD_TINH",
        name: "Cờ thi đua của Ủy ban nhân dân tỉnh",
        level: Level::Province,
        kind: EntryKind::Title,
        proposed_as: Some(AwardKind::ProvincialFlag),
        secret_ballot: true,
    },
    Entry {
        code: "BK_UBND_TINH",
        name: "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        level: Level::Province,
        kind: EntryKind::Form,
        proposed_as: Some(AwardKind::CertificateOfMerit),
        secret_ballot: false,
    },
    Entry {
        code: "TTLDXS",
        name: "Tập thể lao động xuất sắc",
        level: Level::Province,
        kind: EntryKind::Title,
        proposed_as: None,
        secret_ballot: false,
    },
    Entry {
        code: "TTLDTT",
        name: "Tập thể lao động tiên tiến",
        level: Level::Grassroots,
        kind: EntryKind::Title,
        proposed_as: None,
        secret_ballot: false,
    },
    Entry {
        code: "GK",
        name: "Giấy khen",
        level: Level::Grassroots,
        kind: EntryKind::Form,
        proposed_as: Some(AwardKind::CertificateOfCommendation),
        secret_ballot: false,
    },
];

/// The entry with `code`, if any.
pub fn entry(code: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|e| e.code == code)
}

impl AwardKind {
    /// The catalogue entry a proposal of this kind asks for.
    pub fn entry(self) -> &'static Entry {
        CATALOGUE
            .iter()
            .find(|e| e.proposed_as == Some(self))
            .unwrap_or(&CATALOGUE[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proposal_kind_has_its_own_entry_and_codes_are_unique() {
        for kind in AwardKind::ALL {
            assert_eq!(kind.entry().proposed_as, Some(kind), "{kind:?}");
        }
        for (i, e) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[i + 1..].iter().all(|o| o.code != e.code),
                "{}",
                e.code
            );
        }
        assert_eq!(
            entry("CTD_TINH").map(|e| e.name),
            Some("Cờ thi đua của Ủy ban nhân dân tỉnh")
        );
        assert!(entry("CTD_HUYEN").is_none());
    }
}
