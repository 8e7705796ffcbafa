-- The catalogue of titles and forms, versioned: version 1 is built into the program; each
-- stored version (2, 3, …) is in force from its first emulation year and never changes. Its
-- entries are the rows of the sheet administrators edit (code, name, level, kind,
-- proposed_as, secret_ballot, quota, quota_scope, prerequisites), as a JSON array of arrays.
CREATE TABLE catalogue_versions (
    version INTEGER PRIMARY KEY NOT NULL,
    from_year INTEGER NOT NULL UNIQUE,
    note TEXT NOT NULL,
    entries TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A proposal names the catalogue entry it asks for; the proposals stored before the catalogue
-- existed ask for the entry their kind maps to in version 1.
ALTER TABLE awards ADD COLUMN entry TEXT NOT NULL DEFAULT '';
UPDATE awards SET entry = CASE kind
    WHEN 'provincial_flag' THEN 'CTD_TINH'
    WHEN 'government_flag' THEN 'CTD_CP'
    WHEN 'certificate_of_merit' THEN 'BK_UBND_TINH'
    WHEN 'certificate_of_commendation' THEN 'GK'
    ELSE entry
END;
