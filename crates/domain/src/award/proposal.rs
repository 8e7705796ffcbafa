//! Proposing an award (đề nghị khen thưởng) after adoption, submitting it with a complete
//! dossier, and revoking it.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    Award, AwardKind, AwardState, Dossier, catalogue::Catalogue, decision::Registered,
    prerequisite::PrerequisiteFacts,
};
use crate::{
    criteria::{self, Criterion},
    error::{Error, Reason, Violations},
    lineage::LineageLink,
    policy::Policy,
    scoring::{MemberScore, Placement},
    stage::Action,
    term::Term,
    unit::UnitRef,
    words,
    words::Words,
};

/// What deciding a proposal needs, as the proposal's transaction reads it: the term, its final
/// scoreboard (the table scored, each member's scores, the ranking), its policy and the
/// awards already proposed this term.
#[derive(Debug, Clone, Copy)]
pub struct ProposalFacts<'a> {
    /// The term.
    pub term: &'a Term,
    /// The criteria scored.
    pub groups: &'a [Criterion],
    /// Each member's final scores.
    pub scores: &'a HashMap<UnitRef, MemberScore>,
    /// The ranking, best first.
    pub placements: &'a [Placement],
    /// The term's policy: classification levels and quotas.
    pub policy: &'a Policy,
    /// The term's awards so far, in any state.
    pub awards: &'a [Award],
    /// The base of a quota counted over the organiser's year: its terms, with what counts.
    pub organiser_year: &'a super::OrganiserYear,
    /// The catalogue version in force for the term's year.
    pub catalogue: &'a Catalogue,
    /// Register lines of the unit and its predecessors, for the entry's prerequisites.
    pub register: &'a [Registered],
    /// Lineage links into the unit, for the records it carries.
    pub links: &'a [LineageLink],
}

/// The mandatory criteria that carry a rule: a member short of full points on any of them is
/// not eligible.
pub(super) fn mandatory_codes(groups: &[Criterion]) -> Vec<String> {
    let mut out = Vec::new();
    criteria::walk(groups, &mut |n| {
        if n.mandatory && n.rule.is_some() {
            out.push(n.code.clone());
        }
    });
    out
}

/// Checks a proposal of `unit` for `kind`: the term has adopted its scores (or holds its
/// ballot), the unit is a member and eligible, it holds no other award this term (one
/// achievement, one award), it meets the prerequisites of the catalogue entry in force, the
/// quotas are not used up (nor their last place tied without a reason), and a provincial flag
/// goes to the unit leading the cluster unless an override with a reason is recorded.
pub fn check_proposal(
    facts: &ProposalFacts<'_>,
    unit: &UnitRef,
    kind: AwardKind,
    override_reason: &str,
) -> Result<(), Error> {
    let term = facts.term;
    term.stage.permit(Action::ProposeAward, &term.resource())?;
    term.require_member("unit", unit)?;
    let mandatory = mandatory_codes(facts.groups);
    let (excellent, good) = facts.policy.award_levels();
    let score = facts
        .scores
        .get(unit)
        .ok_or_else(|| Error::Internal(format!("{unit} was not scored")))?;
    let why = check_eligible(kind, score, &mandatory, &excellent, &good);
    if !why.is_empty() {
        return Err(Error::Preconditions {
            reason: Reason::NotEligible,
            description: words!("proposal-not-eligible", unit = unit, kind => kind.words()),
            violations: why.into_iter().map(|w| (unit.to_string(), w)).collect(),
        });
    }
    // One achievement, one award; but the Government flag is chosen among the collectives that
    // reached the provincial flag's standard, so holding the provincial flag does not bar it.
    let bars =
        |held: AwardKind| !(kind == AwardKind::GovernmentFlag && held == AwardKind::ProvincialFlag);
    if let Some(held) = facts
        .awards
        .iter()
        .find(|a| &a.unit == unit && a.counts() && bars(a.kind))
    {
        return Err(Error::AlreadyExists {
            resource: held.resource(),
            reason: Reason::AlreadyExists,
            description: words!(
                "proposal-one-award",
                unit = unit,
                kind => held.kind.words()
            ),
        });
    }
    let entry = facts.catalogue.for_kind(kind).ok_or_else(|| {
        Error::invalid(
            "award.kind",
            words!(
                "proposal-no-catalogue-entry",
                year = term.year,
                version = facts.catalogue.version,
                kind => kind.words()
            ),
        )
    })?;
    super::prerequisite::check_prerequisites(
        entry,
        unit,
        &PrerequisiteFacts {
            catalogue: facts.catalogue,
            year: term.year,
            levels: &facts.policy.levels,
            classification: score.classification.level.as_deref(),
            register: facts.register,
            links: facts.links,
        },
    )?;
    super::quota::check_quotas(facts, entry, unit, kind, override_reason)?;
    let leading = facts
        .placements
        .first()
        .filter(|p| !p.unresolved_tie)
        .map(|p| &p.unit);
    if kind == AwardKind::ProvincialFlag
        && leading != Some(unit)
        && override_reason.trim().is_empty()
    {
        return Err(Error::precondition(
            Reason::NotTopScorer,
            unit.to_string(),
            match leading {
                Some(leading) => words!("proposal-not-leading", leading = leading, unit = unit),
                None => words!("proposal-leader-undecided", unit = unit),
            },
        ));
    }
    Ok(())
}

/// Checks a submission to the provincial council: the term is at its ballot or proposing, the
/// ballot passed, and the dossier (as it will be stored) is complete.
pub fn check_submission(term: &Term, award: &Award, dossier: &Dossier) -> Result<(), Error> {
    term.stage.permit(Action::SubmitAward, &term.resource())?;
    award.require_state(AwardState::Passed, Action::SubmitAward.words())?;
    let missing = dossier.missing();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Preconditions {
        reason: Reason::DossierIncomplete,
        description: words!("dossier-incomplete", award = award.resource()),
        violations: missing
            .into_iter()
            .map(|v| (v.field, v.description))
            .collect(),
    })
}

/// Checks the words of a revocation: its legal ground and the revoking act are both given.
pub fn check_revocation(ground: &str, act: &str) -> Result<(), Error> {
    let mut v = Violations::default();
    if ground.trim().is_empty() {
        v.add("legal_ground", words!("revocation-ground-missing"));
    }
    if act.trim().is_empty() {
        v.add("legal_act", words!("revocation-act-missing"));
    }
    v.finish(())
}

/// Why a member may not be proposed for `kind` (empty when it may): a recorded violation (a
/// penalty event), a mandatory criterion not at full points, or a classification below the
/// kind's minimum (flags need `excellent`; certificates `excellent` or `good`).
pub fn check_eligible(
    kind: AwardKind,
    score: &MemberScore,
    mandatory: &[String],
    excellent: &str,
    good: &str,
) -> Vec<Words> {
    let mut why: Vec<Words> = score
        .criteria()
        .filter(|c| c.points < Decimal::ZERO)
        .map(|c| words!("eligibility-violation", code = c.code))
        .collect();
    for code in mandatory {
        if let Some(c) = score.node(code)
            && c.points < c.max_points
        {
            why.push(words!(
                "eligibility-mandatory",
                code = code,
                points = crate::decimal::format(c.points),
                max = crate::decimal::format(c.max_points)
            ));
        }
    }
    let level = score.classification.level.as_deref();
    let ok = if kind.is_flag() {
        level == Some(excellent)
    } else {
        level == Some(excellent) || level == Some(good)
    };
    if !ok {
        why.push(words!(
            "eligibility-classification",
            level = level.unwrap_or(crate::scoring::NOT_COMPLETED),
            kind => kind.words()
        ));
    }
    why
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::unit::UnitRef;

    #[test]
    fn eligibility_needs_no_violation_mandatory_criteria_and_the_level() -> Result<(), &'static str>
    {
        use crate::scoring::{Classification, NodeResult, ScoredNode};
        let node = |code: &str, max: i64| ScoredNode {
            code: code.into(),
            rule: Some(crate::criteria::Rule::Judged),
            max_points: Decimal::from(max),
            bonus_cap: None,
            step: Decimal::ONE,
            children: 0,
        };
        let nodes: std::sync::Arc<[ScoredNode]> = vec![node("IV.1", 15), node("VI.2", 0)].into();
        let result = |points: i64| NodeResult {
            target: None,
            entry: None,
            points: Decimal::from(points),
        };
        let score = |points: i64, penalty: i64, level: &str| {
            MemberScore::new(
                UnitRef::new(crate::unit::Scheme::Qd124_2004, "01843"),
                Decimal::from(points + penalty),
                Classification {
                    level: Some(level.into()),
                    note: crate::words::Words::default(),
                },
                nodes.clone(),
                vec![result(points.min(15)), result(penalty)],
            )
            .ok_or("nodes and results align")
        };
        let mandatory = vec!["IV.1".to_owned()];
        let ok = score(15, 0, "xuất sắc")?;
        assert!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &ok,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .is_empty()
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(15, -5, "xuất sắc")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(10, 0, "xuất sắc")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(15, 0, "tốt")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert!(
            check_eligible(
                AwardKind::CertificateOfMerit,
                &score(15, 0, "tốt")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .is_empty()
        );
        Ok(())
    }

    /// An adopted term of three members: the term, its table, the scores and the ranking.
    pub(crate) type Adopted = (
        Term,
        crate::criteria::TableVersion,
        HashMap<UnitRef, MemberScore>,
        Vec<Placement>,
    );

    /// The facts of a proposal in `board`, under the built-in catalogue, with an empty register.
    pub(crate) fn facts<'a>(
        board: &'a Adopted,
        policy: &'a Policy,
        awards: &'a [Award],
        organiser_year: &'a crate::award::OrganiserYear,
    ) -> ProposalFacts<'a> {
        let (term, version, scores, placements) = board;
        ProposalFacts {
            term,
            groups: &version.groups,
            scores,
            placements,
            policy,
            awards,
            organiser_year,
            catalogue: Catalogue::builtin(),
            register: &[],
            links: &[],
        }
    }

    /// The seed's wards scored for real: imported results, composed, scored and ranked.
    /// Phùng Chí Kiên full marks; Đức Xuân just under; Nông Thượng had an outbreak (a
    /// mandatory criterion missed).
    pub(crate) fn adopted() -> Adopted {
        use crate::{
            fixtures::{d, table, term},
            reporting::{ImportRow, plan_import},
            stage::Stage,
            target::Targets,
            time::Timestamp,
        };
        let mut t = term(&["01843", "01840", "01852"]);
        t.stage = Stage::Reporting;
        let version = table();
        let rows: Vec<ImportRow> = [
            ("01843", "I.1", "1000"),
            ("01843", "I.2", "100"),
            ("01843", "II.1", "0"),
            ("01840", "I.1", "1000"),
            ("01840", "I.2", "95"),
            ("01840", "II.1", "0"),
            ("01852", "I.1", "1000"),
            ("01852", "I.2", "100"),
            ("01852", "II.1", "1"),
        ]
        .into_iter()
        .zip(2..)
        .map(|((unit, code, value), line)| ImportRow {
            line,
            unit: unit.into(),
            code: code.into(),
            value: value.into(),
            evidence_ref: "Báo cáo 31/BC-UBND".into(),
            evidence_note: String::new(),
            explanation: String::new(),
        })
        .collect();
        let results =
            plan_import(&t, Some(&version), &rows, Timestamp(1)).unwrap_or_else(|e| panic!("{e}"));
        let mut targets = Targets::default();
        for (code, value) in [("I.1", "1000"), ("I.2", "100"), ("II.1", "0")] {
            targets.defaults.insert(code.into(), d(value));
        }
        let members: Vec<UnitRef> = t.members.iter().map(|m| m.unit.clone()).collect();
        let policy = Policy::default();
        let scores = crate::scoring::score_members(
            &version.groups,
            d("35"),
            d("0.5"),
            &members,
            &targets,
            &crate::results::compose(&results, &[], None),
            &policy.levels,
        );
        let placements = crate::scoring::rank(&scores, &policy.chain(&version.groups));
        t.stage = Stage::Adopted;
        let scores = scores.into_iter().map(|s| (s.unit.clone(), s)).collect();
        (t, version, scores, placements)
    }

    pub(crate) fn proposed(unit: &str, kind: AwardKind, state: AwardState) -> Award {
        Award {
            id: format!("{unit}-{}", kind.as_str()),
            cluster_id: "bac-kan-city".into(),
            year: 2022,
            unit: crate::fixtures::unit(unit),
            kind,
            entry: crate::award::catalogue::Catalogue::builtin()
                .for_kind(kind)
                .map(|e| e.code.clone())
                .unwrap_or_default(),
            state,
            dossier: Dossier::default(),
            override_reason: String::new(),
            ballot: None,
            revocation: None,
            decision: None,
            created_at: crate::time::Timestamp(0),
            updated_at: crate::time::Timestamp(0),
        }
    }

    pub(crate) fn reason(result: Result<(), Error>) -> Option<Reason> {
        result.err().map(|e| e.reason())
    }

    #[test]
    fn proposals_follow_eligibility_one_award_quotas_and_the_top_scorer() {
        use crate::fixtures::unit;
        let board = adopted();
        let (term, _, _, placements) = &board;
        let policy = Policy::default();
        assert_eq!(placements[0].unit, unit("01843"), "{placements:?}");
        let none: Vec<Award> = Vec::new();
        let scope = crate::award::OrganiserYear::default();
        let facts = |awards| facts(&board, &policy, awards, &scope);
        let flag = AwardKind::ProvincialFlag;
        assert_eq!(
            reason(check_proposal(&facts(&none), &unit("01843"), flag, "")),
            None
        );
        assert_eq!(
            reason(check_proposal(&facts(&none), &unit("01840"), flag, "")),
            Some(Reason::NotTopScorer)
        );
        assert_eq!(
            reason(check_proposal(
                &facts(&none),
                &unit("01840"),
                flag,
                "Hội nghị cụm thống nhất đề nghị phường Đức Xuân"
            )),
            None,
            "an override with a reason"
        );
        assert_eq!(
            reason(check_proposal(
                &facts(&none),
                &unit("01852"),
                AwardKind::CertificateOfMerit,
                ""
            )),
            Some(Reason::NotEligible),
            "a mandatory criterion missed"
        );
        assert_eq!(
            reason(check_proposal(&facts(&none), &unit("01855"), flag, "")),
            Some(Reason::InvalidArgument),
            "Xuất Hóa is not a member"
        );

        let held = vec![proposed("01843", flag, AwardState::Proposed)];
        assert_eq!(
            reason(check_proposal(
                &facts(&held),
                &unit("01843"),
                AwardKind::CertificateOfMerit,
                ""
            )),
            Some(Reason::AlreadyExists),
            "one achievement, one award"
        );
        assert_eq!(
            reason(check_proposal(&facts(&held), &unit("01840"), flag, "lý do")),
            Some(Reason::QuotaExceeded),
            "one provincial flag per term"
        );
        let failed = vec![proposed("01843", flag, AwardState::Failed)];
        assert_eq!(
            reason(check_proposal(
                &facts(&failed),
                &unit("01843"),
                AwardKind::CertificateOfMerit,
                ""
            )),
            None,
            "a failed ballot frees the place"
        );

        let mut review = term.clone();
        review.stage = crate::stage::Stage::Review;
        let early = ProposalFacts {
            term: &review,
            ..facts(&none)
        };
        assert_eq!(
            reason(check_proposal(&early, &unit("01843"), flag, "")),
            Some(Reason::WrongStage)
        );
    }

    #[test]
    fn a_submission_needs_a_passed_ballot_and_a_whole_dossier() {
        let (mut term, ..) = adopted();
        term.stage = crate::stage::Stage::Ballot;
        let award = proposed("01843", AwardKind::ProvincialFlag, AwardState::Passed);
        let whole = Dossier {
            submission_letter: "Tờ trình 12/TTr-CTĐ".into(),
            minutes: "Biên bản họp cụm ngày 15/12/2022".into(),
            achievement_report: "Báo cáo thành tích phường Phùng Chí Kiên".into(),
        };
        assert!(check_submission(&term, &award, &whole).is_ok());
        assert_eq!(
            reason(check_submission(&term, &award, &Dossier::default())),
            Some(Reason::DossierIncomplete)
        );
        let waiting = proposed("01843", AwardKind::ProvincialFlag, AwardState::Proposed);
        assert_eq!(
            reason(check_submission(&term, &waiting, &whole)),
            Some(Reason::AwardState)
        );
        term.stage = crate::stage::Stage::Closed;
        assert_eq!(
            reason(check_submission(&term, &award, &whole)),
            Some(Reason::WrongStage)
        );
        assert!(check_revocation("Khai man thành tích", "Quyết định 45/QĐ-UBND").is_ok());
        assert!(check_revocation(" ", "Quyết định 45/QĐ-UBND").is_err());
    }
}
