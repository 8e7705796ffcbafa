//! Diesel table definitions, matching `migrations/{sqlite,postgres}`.

diesel::table! {
    units (id) {
        id -> Text,
        scheme -> Text,
        code -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        valid_from -> Nullable<Text>,
        valid_to -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
        has_past_periods -> Bool,
    }
}

diesel::table! {
    lineage_links (id) {
        id -> Text,
        kind -> Text,
        unit_id -> Text,
        related_unit_id -> Text,
        legal_act -> Text,
        effective_date -> Text,
        note -> Text,
        created_at -> BigInt,
        share -> Text,
    }
}

diesel::table! {
    clusters (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        organiser_id -> Text,
        description -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    terms (cluster_id, year) {
        cluster_id -> Text,
        year -> Integer,
        start_date -> Text,
        end_date -> Text,
        cluster_kind -> Text,
        organiser_id -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
        table_id -> Nullable<Text>,
        table_number -> Nullable<Integer>,
        stage -> Text,
    }
}

diesel::table! {
    term_members (cluster_id, year, unit_id) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        position -> Integer,
        cluster_kind -> Text,
        organiser_id -> Text,
    }
}

diesel::table! {
    leadership_records (cluster_id, year, seq) {
        cluster_id -> Text,
        year -> Integer,
        seq -> Integer,
        leader_id -> Nullable<Text>,
        deputy_ids -> Text,
        method -> Text,
        deciding_act -> Text,
        decided_on -> Nullable<Text>,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    covenants (cluster_id, year) {
        cluster_id -> Text,
        year -> Integer,
        theme -> Text,
        body -> Text,
        commitments -> Text,
        place -> Text,
        signing_date -> Nullable<Text>,
        updated_at -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    covenant_signatures (cluster_id, year, unit_id) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        seq -> Integer,
        signatory_name -> Text,
        signatory_title -> Text,
        signed_at -> BigInt,
    }
}

diesel::table! {
    covenant_witnesses (cluster_id, year, seq) {
        cluster_id -> Text,
        year -> Integer,
        seq -> Integer,
        person_name -> Text,
        title -> Text,
        unit_id -> Nullable<Text>,
    }
}

diesel::table! {
    request_ids (request_id) {
        request_id -> Text,
        method -> Text,
        digest -> Text,
        response -> Text,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    units,
    lineage_links,
    clusters,
    terms,
    term_members,
    leadership_records,
    covenants,
    covenant_signatures,
    covenant_witnesses,
    request_ids,
    unit_periods,
    organiser_transfers,
);

diesel::table! {
    criteria_tables (id) {
        id -> Text,
        title -> Text,
        title_key -> Text,
        legal_act -> Text,
        legal_date -> Nullable<Text>,
        scale -> Text,
        rounding_step -> Text,
        created_at -> BigInt,
        owner_id -> Nullable<Text>,
    }
}

diesel::table! {
    table_versions (table_id, number) {
        table_id -> Text,
        number -> Integer,
        state -> Text,
        published_at -> Nullable<BigInt>,
        updated_at -> BigInt,
        etag -> BigInt,
    }
}

diesel::table! {
    criteria (table_id, number, position) {
        table_id -> Text,
        number -> Integer,
        position -> Integer,
        code -> Text,
        title -> Text,
        max_points -> Text,
        bonus_cap -> Text,
        rule_kind -> Text,
        rule_params -> Text,
        metric -> Text,
        mandatory -> Text,
        evidence_required -> Text,
    }
}

diesel::table! {
    default_targets (cluster_id, year, criterion_code) {
        cluster_id -> Text,
        year -> Integer,
        criterion_code -> Text,
        value -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    assigned_targets (cluster_id, year, unit_id, criterion_code) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        criterion_code -> Text,
        value -> Text,
        updated_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    criteria_tables,
    table_versions,
    criteria,
    default_targets,
    assigned_targets
);

diesel::table! {
    stage_events (cluster_id, year, seq) {
        cluster_id -> Text,
        year -> Integer,
        seq -> Integer,
        from_stage -> Text,
        to_stage -> Text,
        reason -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    results (cluster_id, year, unit_id, criterion_code, revision) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        criterion_code -> Text,
        revision -> Integer,
        value -> Text,
        kind -> Text,
        evidence_ref -> Text,
        evidence_note -> Text,
        explanation -> Text,
        submitted_at -> BigInt,
    }
}

diesel::table! {
    latest_results (cluster_id, year) {
        cluster_id -> Text,
        year -> Integer,
        packed -> Binary,
    }
}

diesel::table! {
    layer_scores (cluster_id, year, unit_id, criterion_code, layer, seq) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        criterion_code -> Text,
        layer -> Text,
        seq -> Integer,
        points -> Text,
        reason -> Text,
        recorded_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(stage_events, results, layer_scores);

diesel::table! {
    tie_decisions (cluster_id, year, seq) {
        cluster_id -> Text,
        year -> Integer,
        seq -> Integer,
        unit_order -> Text,
        decided_by -> Text,
        reason -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    awards (id) {
        id -> Text,
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        kind -> Text,
        state -> Text,
        submission_letter -> Text,
        minutes -> Text,
        achievement_report -> Text,
        override_reason -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        decision_id -> Nullable<Text>,
        entry -> Text,
    }
}

diesel::table! {
    ballots (award_id) {
        award_id -> Text,
        eligible -> BigInt,
        present -> BigInt,
        valid -> BigInt,
        yes -> BigInt,
        no -> BigInt,
        threshold -> Text,
        base -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    award_revocations (award_id) {
        award_id -> Text,
        legal_ground -> Text,
        legal_act -> Text,
        revoked_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(awards, ballots, award_revocations);

diesel::table! {
    stage_deadlines (cluster_id, year, stage) {
        cluster_id -> Text,
        year -> Integer,
        stage -> Text,
        deadline -> Text,
    }
}

diesel::table! {
    scoring_policies (cluster_id, year) {
        cluster_id -> Text,
        year -> Integer,
        policy -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        label -> Text,
        role -> Text,
        scope_unit_id -> Nullable<Text>,
        token_digest -> Text,
        display_prefix -> Text,
        created_at -> BigInt,
        created_by -> Text,
        expires_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        time -> BigInt,
        principal -> Text,
        method -> Text,
        resource -> Text,
        outcome -> Text,
        request_id -> Text,
        digest -> Text,
        hash -> Text,
    }
}

diesel::table! {
    organiser_transfers (cluster_id, seq) {
        cluster_id -> Text,
        seq -> Integer,
        from_unit_id -> Text,
        to_unit_id -> Text,
        effective_date -> Text,
        legal_act -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    unit_periods (unit_id, valid_until) {
        unit_id -> Text,
        valid_until -> Text,
        name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
    }
}

diesel::table! {
    decisions (id) {
        id -> Text,
        number -> Text,
        decided_on -> Text,
        authority_id -> Text,
        signer -> Text,
        entry -> Text,
        year -> Integer,
        kind -> Text,
        reason -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    register_entries (decision_id, unit_id) {
        decision_id -> Text,
        unit_id -> Text,
        entry -> Text,
        year -> Integer,
        award_id -> Nullable<Text>,
        revoked_by -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(decisions, register_entries);

diesel::table! {
    catalogue_versions (version) {
        version -> Integer,
        from_year -> Integer,
        note -> Text,
        entries -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    scoreboard_shares (id) {
        id -> Text,
        cluster_id -> Text,
        year -> Integer,
        label -> Text,
        token_digest -> Text,
        created_at -> BigInt,
        created_by -> Text,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}
