//! `thidua.v1.ClusterService`: clusters, terms, leadership and covenants.

use crate::authorization::admit;
use thidua_domain::{
    cluster::{self, MAX_NAME_CHARS},
    covenant::MAX_TEXT_CHARS,
    error::Violations,
    names::TermName,
    text,
};
use thidua_proto::v1::{self as pb, cluster_service_server::ClusterService};
use thidua_storage::{ClusterFilter, Store};
use tonic::{Request, Response, Status};

use super::{idempotency, invalid, invalid_all, mask_paths, page_request, page_token, succession};
use crate::{
    app::{self, covenants::CovenantPatch},
    convert,
    status::to_status,
};

/// The cluster service over a store.
#[derive(Debug, Clone)]
pub struct Clusters {
    store: Store,
}

impl Clusters {
    /// A service over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn term_ref(field: &str, name: &str) -> Result<TermName, Status> {
    convert::term_name(field, name).map_err(invalid)
}

#[tonic::async_trait]
impl ClusterService for Clusters {
    async fn create_cluster(
        &self,
        request: Request<pb::CreateClusterRequest>,
    ) -> Result<Response<pb::CreateClusterResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("CreateCluster", &request_id, &req)?;
        let pb::CreateClusterRequest {
            cluster,
            cluster_id,
            request_id: _,
        } = req;
        let pb::Cluster {
            name: _,
            display_name,
            kind,
            organiser,
            description,
            create_time: _,
            update_time: _,
            etag: _,
            transfers: _,
        } = cluster.unwrap_or_default();
        let mut v = Violations::default();
        let id = if cluster_id.is_empty() {
            Some(None)
        } else {
            v.check(cluster::check_cluster_id("cluster_id", &cluster_id))
                .map(|()| Some(cluster_id))
        };
        let name = v.check(text::required_name(
            "cluster.display_name",
            &display_name,
            MAX_NAME_CHARS,
        ));
        let kind = v.check(convert::cluster_kind_in("cluster.kind", kind));
        let organiser = v.check(convert::unit_name("cluster.organiser", &organiser));
        let description = v.check(text::optional_text(
            "cluster.description",
            &description,
            5000,
        ));
        let (Some(id), Some(name), Some(kind), Some(organiser), Some(description)) =
            (id, name, kind, organiser, description)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        let new = app::clusters::NewCluster {
            id,
            name,
            kind,
            organiser,
            description,
        };
        let cluster = run
            .run(move |store| app::clusters::create(store, new, key))
            .await?;
        Ok(Response::new(pb::CreateClusterResponse {
            cluster: Some(convert::cluster_out(cluster)),
        }))
    }

    async fn get_cluster(
        &self,
        request: Request<pb::GetClusterRequest>,
    ) -> Result<Response<pb::GetClusterResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetClusterRequest { name } = req;
        let id = convert::cluster_name("name", &name).map_err(invalid)?;
        let (cluster, transfers) = run
            .run(move |store| app::succession::cluster_with_transfers(store, &id))
            .await?;
        Ok(Response::new(pb::GetClusterResponse {
            cluster: Some(convert::cluster_with_transfers_out(cluster, transfers)),
        }))
    }

    async fn transfer_cluster(
        &self,
        request: Request<pb::TransferClusterRequest>,
    ) -> Result<Response<pb::TransferClusterResponse>, Status> {
        succession::transfer_cluster(&self.store, request).await
    }

    async fn list_clusters(
        &self,
        request: Request<pb::ListClustersRequest>,
    ) -> Result<Response<pb::ListClustersResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListClustersRequest {
            page_size,
            page_token: token,
            organiser,
            kind,
            search,
        } = req;
        let mut v = Violations::default();
        let organiser = v
            .check(convert::optional_unit_name("organiser", &organiser))
            .flatten();
        let kind = if kind == 0 {
            None
        } else {
            v.check(convert::cluster_kind_in("kind", kind))
        };
        if !v.is_empty() {
            return Err(invalid_all(v.into_inner()));
        }
        let filter = ClusterFilter {
            organiser,
            kind,
            search: Some(search.trim().to_owned()).filter(|s| !s.is_empty()),
        };
        let fingerprint = format!("{filter:?}");
        let page = page_request(page_size, &token, &fingerprint)?;
        let page = run
            .run(move |store| app::clusters::list(store, &filter, &page))
            .await?;
        Ok(Response::new(pb::ListClustersResponse {
            clusters: page.items.into_iter().map(convert::cluster_out).collect(),
            next_page_token: page_token(page.next, &fingerprint),
        }))
    }

    async fn update_cluster(
        &self,
        request: Request<pb::UpdateClusterRequest>,
    ) -> Result<Response<pb::UpdateClusterResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::UpdateClusterRequest {
            cluster,
            update_mask,
        } = req;
        let pb::Cluster {
            name,
            display_name,
            kind: _,
            organiser: _,
            description,
            create_time: _,
            update_time: _,
            etag,
            transfers: _,
        } = cluster.unwrap_or_default();
        let paths = mask_paths(update_mask, &["display_name", "description"])?;
        let mut v = Violations::default();
        let id = v.check(convert::cluster_name("cluster.name", &name));
        let etag = v.check(convert::etag_in("cluster.etag", &etag)).flatten();
        let mut new_name = None;
        let mut new_description = None;
        for path in &paths {
            match path.as_str() {
                "display_name" => {
                    new_name = v.check(text::required_name(
                        "cluster.display_name",
                        &display_name,
                        MAX_NAME_CHARS,
                    ))
                }
                "description" => {
                    new_description = v.check(text::optional_text(
                        "cluster.description",
                        &description,
                        5000,
                    ))
                }
                _ => {}
            }
        }
        let Some(id) = id.filter(|_| v.is_empty()) else {
            return Err(invalid_all(v.into_inner()));
        };
        let cluster = run
            .run(move |store| app::clusters::update(store, &id, etag, new_name, new_description))
            .await?;
        Ok(Response::new(pb::UpdateClusterResponse {
            cluster: Some(convert::cluster_out(cluster)),
        }))
    }

    async fn delete_cluster(
        &self,
        request: Request<pb::DeleteClusterRequest>,
    ) -> Result<Response<pb::DeleteClusterResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::DeleteClusterRequest { name, etag } = req;
        let id = convert::cluster_name("name", &name).map_err(invalid)?;
        let etag = convert::etag_in("etag", &etag).map_err(invalid)?;
        run.run(move |store| app::clusters::delete(store, &id, etag))
            .await?;
        Ok(Response::new(pb::DeleteClusterResponse {}))
    }

    async fn create_term(
        &self,
        request: Request<pb::CreateTermRequest>,
    ) -> Result<Response<pb::CreateTermResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("CreateTerm", &request_id, &req)?;
        let pb::CreateTermRequest {
            parent,
            term,
            request_id: _,
        } = req;
        let pb::Term {
            name: _,
            year,
            start_date,
            end_date,
            members,
            leadership: _,
            leadership_history: _,
            covenant_status: _,
            create_time: _,
            update_time: _,
            etag: _,
            table_version: _,
            stage: _,
            organiser: _,
        } = term.unwrap_or_default();
        let mut v = Violations::default();
        let cluster_id = v.check(convert::cluster_name("parent", &parent));
        let start = v.check(convert::date_in("term.start_date", start_date.as_ref()));
        let end = v.check(convert::date_in("term.end_date", end_date.as_ref()));
        let members: Vec<_> = members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                v.check(convert::unit_name(
                    &format!("term.members[{i}].unit"),
                    &m.unit,
                ))
            })
            .collect();
        let (Some(cluster_id), Some(start), Some(end)) = (cluster_id, start, end) else {
            return Err(invalid_all(v.into_inner()));
        };
        if !v.is_empty() {
            return Err(invalid_all(v.into_inner()));
        }
        let new = app::terms::NewTerm {
            cluster_id,
            year,
            start,
            end,
            members,
        };
        let term = run
            .run(move |store| app::terms::create(store, new, key))
            .await?;
        Ok(Response::new(pb::CreateTermResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn get_term(
        &self,
        request: Request<pb::GetTermRequest>,
    ) -> Result<Response<pb::GetTermResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetTermRequest { name } = req;
        let term = term_ref("name", &name)?;
        let term = run.run(move |store| app::terms::get(store, &term)).await?;
        Ok(Response::new(pb::GetTermResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn list_terms(
        &self,
        request: Request<pb::ListTermsRequest>,
    ) -> Result<Response<pb::ListTermsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListTermsRequest {
            parent,
            page_size,
            page_token: token,
        } = req;
        let cluster_id = convert::cluster_name("parent", &parent).map_err(invalid)?;
        let page = page_request(page_size, &token, &parent)?;
        let page = run
            .run(move |store| app::terms::list(store, &cluster_id, &page))
            .await?;
        Ok(Response::new(pb::ListTermsResponse {
            terms: page.items.into_iter().map(convert::term_out).collect(),
            next_page_token: page_token(page.next, &parent),
        }))
    }

    async fn add_term_member(
        &self,
        request: Request<pb::AddTermMemberRequest>,
    ) -> Result<Response<pb::AddTermMemberResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::AddTermMemberRequest { term, unit, etag } = req;
        let term = term_ref("term", &term)?;
        let unit = convert::unit_name("unit", &unit).map_err(invalid)?;
        let etag = convert::etag_in("etag", &etag).map_err(invalid)?;
        let term = run
            .run(move |store| app::terms::add_member(store, &term, &unit, etag))
            .await?;
        Ok(Response::new(pb::AddTermMemberResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn remove_term_member(
        &self,
        request: Request<pb::RemoveTermMemberRequest>,
    ) -> Result<Response<pb::RemoveTermMemberResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::RemoveTermMemberRequest { term, unit, etag } = req;
        let term = term_ref("term", &term)?;
        let unit = convert::unit_name("unit", &unit).map_err(invalid)?;
        let etag = convert::etag_in("etag", &etag).map_err(invalid)?;
        let term = run
            .run(move |store| app::terms::remove_member(store, &term, &unit, etag))
            .await?;
        Ok(Response::new(pb::RemoveTermMemberResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn set_term_leadership(
        &self,
        request: Request<pb::SetTermLeadershipRequest>,
    ) -> Result<Response<pb::SetTermLeadershipResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::SetTermLeadershipRequest {
            term,
            leadership,
            etag,
        } = req;
        let term = term_ref("term", &term)?;
        let etag = convert::etag_in("etag", &etag).map_err(invalid)?;
        let leadership = convert::leadership_in(leadership.unwrap_or_default(), app::now())
            .map_err(to_status)?;
        let term = run
            .run(move |store| app::terms::set_leadership(store, &term, leadership, etag))
            .await?;
        Ok(Response::new(pb::SetTermLeadershipResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn carry_forward_term(
        &self,
        request: Request<pb::CarryForwardTermRequest>,
    ) -> Result<Response<pb::CarryForwardTermResponse>, Status> {
        succession::carry_forward_term(&self.store, request).await
    }

    async fn export_covenant(
        &self,
        request: Request<pb::ExportCovenantRequest>,
    ) -> Result<Response<pb::ExportCovenantResponse>, Status> {
        super::documents::covenant(&self.store, request).await
    }

    async fn get_covenant(
        &self,
        request: Request<pb::GetCovenantRequest>,
    ) -> Result<Response<pb::GetCovenantResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetCovenantRequest { name } = req;
        let term = convert::covenant_name("name", &name).map_err(invalid)?;
        let covenant = run
            .run(move |store| app::covenants::get(store, &term))
            .await?;
        Ok(Response::new(pb::GetCovenantResponse {
            covenant: Some(convert::covenant_out(covenant)),
        }))
    }

    async fn update_covenant(
        &self,
        request: Request<pb::UpdateCovenantRequest>,
    ) -> Result<Response<pb::UpdateCovenantResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::UpdateCovenantRequest {
            covenant,
            update_mask,
        } = req;
        let pb::Covenant {
            name,
            theme,
            text: body,
            commitments,
            place,
            signing_date,
            status: _,
            signatures: _,
            witnesses: _,
            update_time: _,
            etag,
        } = covenant.unwrap_or_default();
        let paths = mask_paths(
            update_mask,
            &["theme", "text", "commitments", "place", "signing_date"],
        )?;
        let mut v = Violations::default();
        let target = v.check(convert::covenant_name("covenant.name", &name));
        let etag = v.check(convert::etag_in("covenant.etag", &etag)).flatten();
        let mut patch = CovenantPatch::default();
        for path in &paths {
            match path.as_str() {
                "theme" => {
                    patch.theme = v.check(text::optional_text(
                        "covenant.theme",
                        &text::normalize(&theme),
                        1000,
                    ))
                }
                "text" => {
                    patch.text =
                        v.check(text::optional_text("covenant.text", &body, MAX_TEXT_CHARS))
                }
                "commitments" => {
                    let list: Vec<_> = commitments
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| {
                            v.check(text::required_name(
                                &format!("covenant.commitments[{i}]"),
                                c,
                                2000,
                            ))
                        })
                        .collect();
                    patch.commitments = Some(list);
                }
                "place" => {
                    patch.place = v.check(text::optional_text(
                        "covenant.place",
                        &text::normalize(&place),
                        300,
                    ))
                }
                "signing_date" => {
                    patch.signing_date = v.check(convert::date_in(
                        "covenant.signing_date",
                        signing_date.as_ref(),
                    ))
                }
                _ => {}
            }
        }
        let Some(term) = target.filter(|_| v.is_empty()) else {
            return Err(invalid_all(v.into_inner()));
        };
        let covenant = run
            .run(move |store| app::covenants::update(store, &term, etag, patch))
            .await?;
        Ok(Response::new(pb::UpdateCovenantResponse {
            covenant: Some(convert::covenant_out(covenant)),
        }))
    }

    async fn sign_covenant(
        &self,
        request: Request<pb::SignCovenantRequest>,
    ) -> Result<Response<pb::SignCovenantResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::SignCovenantRequest {
            covenant,
            signature,
        } = req;
        let term = convert::covenant_name("covenant", &covenant).map_err(invalid)?;
        let signature = convert::signature_in(signature, app::now()).map_err(to_status)?;
        let covenant = run
            .run(move |store| app::covenants::sign(store, &term, signature))
            .await?;
        Ok(Response::new(pb::SignCovenantResponse {
            covenant: Some(convert::covenant_out(covenant)),
        }))
    }

    async fn add_covenant_witness(
        &self,
        request: Request<pb::AddCovenantWitnessRequest>,
    ) -> Result<Response<pb::AddCovenantWitnessResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::AddCovenantWitnessRequest { covenant, witness } = req;
        let term = convert::covenant_name("covenant", &covenant).map_err(invalid)?;
        let witness = convert::witness_in(witness).map_err(to_status)?;
        let covenant = run
            .run(move |store| app::covenants::add_witness(store, &term, witness))
            .await?;
        Ok(Response::new(pb::AddCovenantWitnessResponse {
            covenant: Some(convert::covenant_out(covenant)),
        }))
    }
}
