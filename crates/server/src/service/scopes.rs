//! What each request touches, read from its resource fields before anything else is
//! validated: the resource column of the policy table (`thidua_domain::access::POLICY`).

use thidua_domain::{
    FieldViolation,
    names::{TableName, TermName},
};
use thidua_proto::v1 as pb;

use crate::{
    authorization::{Scope, Scoped, unit_key},
    convert,
};

fn term(field: &str, name: &str) -> Result<Scope, FieldViolation> {
    convert::term_name(field, name).map(Scope::Term)
}

fn covenant(field: &str, name: &str) -> Result<TermName, FieldViolation> {
    convert::covenant_name(field, name)
}

fn member(field: &str, name: &str, unit: &str) -> Result<Scope, FieldViolation> {
    let term = convert::term_name(field, name)?;
    Ok(Scope::Members(term, vec![unit_key(unit)]))
}

fn cluster(field: &str, name: &str) -> Result<Scope, FieldViolation> {
    convert::cluster_name(field, name).map(Scope::Cluster)
}

/// The table of `criteriaTables/{id}` or `criteriaTables/{id}/versions/{n}`.
fn table(field: &str, name: &str) -> Result<Scope, FieldViolation> {
    TableName::of_table_or_version(field, name).map(|t| Scope::Table(t.table_id))
}

fn award(field: &str, name: &str) -> Result<Scope, FieldViolation> {
    convert::award_name(field, name).map(Scope::Award)
}

macro_rules! scoped {
    ($($ty:ty => |$r:ident| $body:expr $(, id = $id:ident)?;)*) => {
        $(impl Scoped for $ty {
            fn scope(&self) -> Result<Scope, FieldViolation> {
                let $r = self;
                $body
            }
            $(fn request_id(&self) -> &str {
                &self.$id
            })?
        })*
    };
}

scoped! {
    pb::CreateUnitRequest => |_r| Ok(Scope::Collection("units")), id = request_id;
    pb::GetUnitRequest => |r| Ok(Scope::Resource(r.name.clone()));
    pb::ListUnitsRequest => |_r| Ok(Scope::Collection("units"));
    pb::UpdateUnitRequest => |r| Ok(Scope::Resource(
        r.unit.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
    ));
    pb::CreateLineageLinkRequest => |_r| Ok(Scope::Collection("lineageLinks")), id = request_id;
    pb::ImportLineageRequest => |_r| Ok(Scope::Collection("lineageLinks")), id = request_id;
    pb::ListLineageLinksRequest => |r| Ok(Scope::Resource(r.unit.clone()));
    pb::RecordDecisionRequest => |r| Ok(Scope::Organiser(unit_key(
        r.decision.as_ref().map(|d| d.authority.as_str()).unwrap_or(""),
    ))), id = request_id;
    pb::ListRegisterRequest => |_r| Ok(Scope::Collection("register"));
    pb::ExportRegisterRequest => |_r| Ok(Scope::Collection("register"));
    pb::ListOrganiserAwardsRequest => |r| Ok(Scope::Organiser(unit_key(&r.organiser)));
    pb::ImportDecisionsRequest => |_r| Ok(Scope::Collection("decisions")), id = request_id;
    pb::ListAwardEntriesRequest => |_r| Ok(Scope::Collection("awardEntries"));
    pb::PutAwardCatalogueRequest => |_r| Ok(Scope::Collection("awardEntries"));
    pb::GetUnitHistoryRequest => |r| Ok(Scope::Resource(r.unit.clone()));

    pb::CreateClusterRequest => |r| Ok(Scope::NewCluster {
        organiser: unit_key(r.cluster.as_ref().map(|c| c.organiser.as_str()).unwrap_or("")),
    }), id = request_id;
    pb::GetClusterRequest => |r| cluster("name", &r.name);
    pb::ListClustersRequest => |r| Ok(if r.organiser.is_empty() {
        Scope::Collection("clusters")
    } else {
        Scope::Organiser(unit_key(&r.organiser))
    });
    pb::UpdateClusterRequest => |r| cluster(
        "cluster.name",
        r.cluster.as_ref().map(|c| c.name.as_str()).unwrap_or(""),
    );
    pb::DeleteClusterRequest => |r| cluster("name", &r.name);
    pb::TransferClusterRequest => |r| cluster("cluster", &r.cluster), id = request_id;
    pb::CreateTermRequest => |r| cluster("parent", &r.parent), id = request_id;
    pb::GetTermRequest => |r| term("name", &r.name);
    pb::ListTermsRequest => |r| cluster("parent", &r.parent);
    pb::AddTermMemberRequest => |r| term("term", &r.term);
    pb::RemoveTermMemberRequest => |r| term("term", &r.term);
    pb::SetTermLeadershipRequest => |r| term("term", &r.term);
    pb::CarryForwardTermRequest => |r| term("term", &r.term), id = request_id;
    pb::GetCovenantRequest => |r| covenant("name", &r.name).map(Scope::Term);
    pb::ExportCovenantRequest => |r| covenant("name", &r.name).map(Scope::Term);
    pb::UpdateCovenantRequest => |r| covenant(
        "covenant.name",
        r.covenant.as_ref().map(|c| c.name.as_str()).unwrap_or(""),
    )
    .map(Scope::Term);
    pb::SignCovenantRequest => |r| covenant("covenant", &r.covenant).map(|t| {
        let unit = r.signature.as_ref().map(|s| s.unit.as_str()).unwrap_or("");
        Scope::Members(t, vec![unit_key(unit)])
    });
    pb::AddCovenantWitnessRequest => |r| covenant("covenant", &r.covenant)
        .map(Scope::Term);

    pb::CreateCriteriaTableRequest => |_r| Ok(Scope::Collection("criteriaTables")), id = request_id;
    pb::GetCriteriaTableRequest => |r| Ok(Scope::Resource(r.name.clone()));
    pb::ListCriteriaTablesRequest => |_r| Ok(Scope::Collection("criteriaTables"));
    pb::EditCriteriaTableRequest => |r| table("table", &r.table);
    pb::ImportCriteriaTableRequest => |r| table("table", &r.table);
    pb::ExportCriteriaTableRequest => |r| Ok(Scope::Resource(r.name.clone()));
    pb::PublishTableVersionRequest => |r| table("name", &r.name);
    pb::GetTableVersionRequest => |r| Ok(Scope::Resource(r.name.clone()));
    pb::ListTableVersionsRequest => |r| Ok(Scope::Resource(r.parent.clone()));
    pb::ApplyCriteriaTableRequest => |r| term("term", &r.term);
    pb::SetTargetsRequest => |r| term("term", &r.term);
    pb::ListTargetsRequest => |r| term("term", &r.term);
    pb::ImportTargetsRequest => |r| term("term", &r.term);
    pb::ExportTargetsRequest => |r| term("term", &r.term);

    pb::AdvanceTermRequest => |r| term("term", &r.term);
    pb::GetScoringPolicyRequest => |r| term("term", &r.term);
    pb::SetScoringPolicyRequest => |r| term("term", &r.term);
    pb::SetStageDeadlinesRequest => |r| term("term", &r.term);
    pb::ReopenTermRequest => |r| term("term", &r.term);
    pb::SubmitResultRequest => |r| member(
        "term",
        &r.term,
        r.result.as_ref().map(|x| x.unit.as_str()).unwrap_or(""),
    );
    pb::ListResultsRequest => |r| term("term", &r.term);
    pb::ListScoresRequest => |r| term("term", &r.term);
    pb::RecordScoreRequest => |r| {
        let term = convert::term_name("term", &r.term)?;
        let layer = convert::score_layer_in("layer", r.layer)?;
        Ok(Scope::Score(term, unit_key(&r.unit), layer))
    };
    pb::GetScoreboardRequest => |r| term("term", &r.term);
    pb::WatchScoreboardRequest => |r| term("term", &r.term);
    pb::ExplainScoreRequest => |r| term("term", &r.term);
    pb::ExportScoreboardRequest => |r| term("term", &r.term);
    pb::CreateScoreboardShareRequest => |r| term("term", &r.term);
    pb::ListScoreboardSharesRequest => |r| term("term", &r.term);
    pb::RevokeScoreboardShareRequest => |r| {
        thidua_domain::access::share::ShareName::parse("name", &r.name).map(|n| Scope::Term(n.term))
    };
    pb::ExportBallotMinutesRequest => |r| term("term", &r.term);
    pb::ExportAwardSubmissionRequest => |r| term("term", &r.term);
    pb::RecordTieDecisionRequest => |r| term("term", &r.term);
    pb::ProposeAwardRequest => |r| term(
        "award.term",
        r.award.as_ref().map(|a| a.term.as_str()).unwrap_or(""),
    );
    pb::RecordBallotRequest => |r| award("award", &r.award);
    pb::SubmitAwardRequest => |r| award("award", &r.award);
    pb::RevokeAwardRequest => |r| award("award", &r.award);
    pb::ListAwardsRequest => |r| term("term", &r.term);

    pb::CreateApiKeyRequest => |_r| Ok(Scope::Collection("keys"));
    pb::ListApiKeysRequest => |_r| Ok(Scope::Collection("keys"));
    pb::RevokeApiKeyRequest => |r| Ok(Scope::Resource(r.name.clone()));
    pb::GetCallerRequest => |_r| Ok(Scope::Collection("keys"));
    pb::ListAuditEventsRequest => |_r| Ok(Scope::Collection("auditEvents"));
    pb::VerifyAuditChainRequest => |_r| Ok(Scope::Collection("auditEvents"));
    pb::CreateAuditCheckpointRequest => |_r| Ok(Scope::Collection("auditEvents"));
}
