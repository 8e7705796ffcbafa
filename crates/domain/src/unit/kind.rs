//! The kinds of units (loại đơn vị) and their levels in the administrative hierarchy, with how
//! documents write a unit's name after its kind's word.

use crate::error::FieldViolation;

/// The level of a unit in the administrative hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Tỉnh level.
    Province,
    /// Huyện level (abolished 1 July 2025).
    District,
    /// Xã level.
    Commune,
    /// Not territorial: departments and organisations.
    Organisation,
}

impl Level {
    /// The level, as people read it.
    pub fn words(self) -> crate::words::Words {
        match self {
            Level::Province => crate::words!("level-province"),
            Level::District => crate::words!("level-district"),
            Level::Commune => crate::words!("level-commune"),
            Level::Organisation => crate::words!("level-organisation"),
        }
    }
}

/// The kind of a unit (loại đơn vị).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// Thành phố trực thuộc trung ương.
    CentralCity,
    /// Tỉnh.
    Province,
    /// Quận.
    UrbanDistrict,
    /// Huyện.
    RuralDistrict,
    /// Thị xã.
    DistrictTown,
    /// Thành phố thuộc tỉnh.
    ProvincialCity,
    /// Phường.
    Ward,
    /// Xã.
    Commune,
    /// Thị trấn.
    Township,
    /// Đặc khu.
    SpecialZone,
    /// Sở, ban, ngành.
    Department,
    /// Đoàn thể.
    MassOrganisation,
    /// Another organisation.
    OtherOrganisation,
}

impl UnitKind {
    /// Every kind.
    pub const ALL: [UnitKind; 13] = [
        UnitKind::CentralCity,
        UnitKind::Province,
        UnitKind::UrbanDistrict,
        UnitKind::RuralDistrict,
        UnitKind::DistrictTown,
        UnitKind::ProvincialCity,
        UnitKind::Ward,
        UnitKind::Commune,
        UnitKind::Township,
        UnitKind::SpecialZone,
        UnitKind::Department,
        UnitKind::MassOrganisation,
        UnitKind::OtherOrganisation,
    ];

    /// The kind as written in the GSO CSV files (and stored).
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::CentralCity => "thanh_pho_trung_uong",
            UnitKind::Province => "tinh",
            UnitKind::UrbanDistrict => "quan",
            UnitKind::RuralDistrict => "huyen",
            UnitKind::DistrictTown => "thi_xa",
            UnitKind::ProvincialCity => "thanh_pho",
            UnitKind::Ward => "phuong",
            UnitKind::Commune => "xa",
            UnitKind::Township => "thi_tran",
            UnitKind::SpecialZone => "dac_khu",
            UnitKind::Department => "department",
            UnitKind::MassOrganisation => "mass_organisation",
            UnitKind::OtherOrganisation => "other_organisation",
        }
    }

    /// The word a territorial unit's name is written after in documents (`thành phố Bắc
    /// Kạn`, `phường Đức Xuân`); empty for organisations, whose names are whole.
    pub fn title_word(self) -> &'static str {
        match self {
            UnitKind::CentralCity | UnitKind::ProvincialCity => "thành phố",
            UnitKind::Province => "tỉnh",
            UnitKind::UrbanDistrict => "quận",
            UnitKind::RuralDistrict => "huyện",
            UnitKind::DistrictTown => "thị xã",
            UnitKind::Ward => "phường",
            UnitKind::Commune => "xã",
            UnitKind::Township => "thị trấn",
            UnitKind::SpecialZone => "đặc khu",
            UnitKind::Department | UnitKind::MassOrganisation | UnitKind::OtherOrganisation => "",
        }
    }

    /// A unit's full name as documents write it: `thành phố Bắc Kạn`; an organisation's name
    /// as it is.
    pub fn full_name(self, name: &str) -> String {
        match self.title_word() {
            "" => name.to_owned(),
            word => format!("{word} {name}"),
        }
    }

    /// Parses the CSV form, naming `field` on failure.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldViolation> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                let known: Vec<_> = UnitKind::ALL.iter().map(|k| k.as_str()).collect();
                FieldViolation::new(
                    field,
                    crate::words!("unknown-kind", kind = s, known = known.join(", ")),
                )
            })
    }

    /// The kind's level.
    pub fn level(self) -> Level {
        match self {
            UnitKind::CentralCity | UnitKind::Province => Level::Province,
            UnitKind::UrbanDistrict
            | UnitKind::RuralDistrict
            | UnitKind::DistrictTown
            | UnitKind::ProvincialCity => Level::District,
            UnitKind::Ward | UnitKind::Commune | UnitKind::Township | UnitKind::SpecialZone => {
                Level::Commune
            }
            UnitKind::Department | UnitKind::MassOrganisation | UnitKind::OtherOrganisation => {
                Level::Organisation
            }
        }
    }
}
