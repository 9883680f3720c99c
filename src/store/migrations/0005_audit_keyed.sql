-- The keyed audit chain (docs/methodology.md#book-of-record-and-storage): records from keyed_from on
-- are hashed with the firm's audit key (keyed BLAKE2b, derived from the firm's key, which is never
-- stored), and carry in state the keyed images of the business rows they leave behind, so that
-- `audit verify` can prove the tables equal what the log says. Records before keyed_from (a book
-- created before this migration) keep their unkeyed hashes. Only references tables of 0001.

ALTER TABLE audit_log ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = seq + 1;
